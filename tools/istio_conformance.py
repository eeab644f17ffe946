"""Run Istio's analyzer test grid against meshlint and print each case's result.

    python tools/istio_conformance.py [--shared ../shared] [--case NAME] [--json FILE] [-v]
        [--cli]

Each case runs only the meshlint rules that list the case's analyzer in their
``equivalents``, loads its files as Istio's harness does (no namespace defaulting, the
harness's default ingress gateway, the case's mesh config layered over the defaults), and
compares the multiset of ``(IST code, origin)`` pairs with the expected one.

With ``--cli``, each case is linted as a user would from the command line instead:
``meshlint lint --assume-complete --default-namespace '' --select RULES --format json``
(plus ``--mesh-config``/``--mesh-networks`` when the case has them), with meshlint's own
default gateways rather than the harness's and no namespace filtering.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from meshlint.engine.registry import builtin_rules
from meshlint.mesh.settings import (
    DEFAULT_MESH_CONFIG,
    AssumedGateway,
    GatewayPort,
    MeshSettings,
    layer,
    read_mesh_config,
    read_mesh_networks,
)
from meshlint.model import Resource
from meshlint.pipeline.lint import LintOptions, lint

IGNORED_NAMESPACES = frozenset(
    {"kube-system", "kube-public", "kube-node-lease", "local-path-storage"}
)
REPO = Path(__file__).resolve().parents[1]


@dataclass
class CaseResult:
    case: dict
    expected: Counter
    actual: Counter
    rules: list[str]

    @property
    def id(self) -> str:
        return self.case["go_subtest"]

    @property
    def passed(self) -> bool:
        return bool(self.rules) and self.expected == self.actual


def harness_gateway() -> AssumedGateway:
    """The ingress Pod and Service Istio's harness adds to every case."""
    ports = [GatewayPort(p, p, f"port-{p}") for p in (80, 443, 31400, 15443)]
    return AssumedGateway(
        "istio-ingressgateway", "istio-system", {"istio": "ingressgateway"}, ports
    )


def _settings(case: dict, root: Path) -> MeshSettings:
    config = DEFAULT_MESH_CONFIG
    if case.get("mesh_config_file"):
        config = layer(config, read_mesh_config((root / case["mesh_config_file"]).read_text()))
    networks = {}
    if case.get("mesh_networks_file"):
        networks = read_mesh_networks((root / case["mesh_networks_file"]).read_text())
    gateway = harness_gateway()
    gateway.name = str(config.get("ingressService") or gateway.name)
    return MeshSettings(
        mesh_config=config,
        mesh_networks=networks,
        mesh_networks_file=str(root / case["mesh_networks_file"]) if networks else "",
        default_namespace="",
        gateways=[gateway],
        assume_complete=True,
    )


def _kept(resource: Resource) -> bool:
    if resource.namespace in IGNORED_NAMESPACES:
        return False
    return not (resource.kind == "Namespace" and resource.name in IGNORED_NAMESPACES)


def _case_rules(case: dict) -> tuple[list, set, Counter]:
    """The rules that stand for the case's analyzer, their IST codes, and the expected
    multiset of ``(code, origin)``."""
    rules = [r for r in builtin_rules() if case["analyzer"] in r.equivalents.analyzers]
    codes = {r.equivalents.istio for r in rules}
    expected = Counter((e["code"], e["origin"]) for e in case["expected"] or [])
    return rules, codes, expected


def _tally(reports) -> Counter:
    """``(code, origin)`` counts of ``(code, origin, message, location)`` reports, each
    distinct report once (several rules may share an IST code)."""
    return Counter((code, origin) for code, origin, _, _ in dict.fromkeys(reports))


def run_case(case: dict, root: Path) -> CaseResult:
    rules, codes, expected = _case_rules(case)
    if not rules:
        return CaseResult(case, expected, Counter(), [])
    kinds = frozenset(k for r in rules for k in r.kinds)
    options = LintOptions(
        paths=[str(root / f) for f in case["input_files"]],
        settings=_settings(case, root),
        select=[r.id for r in rules],
        kinds=kinds,
        resource_filter=_kept,
        clusters=_clusters(case, root),
    )
    actual = _tally(
        (f.rule.equivalents.istio, f.resource.ref, f.message, f.location)
        for f in lint(options).findings
        if f.resource is not None and f.rule.equivalents.istio in codes
    )
    return CaseResult(case, expected, actual, [r.id for r in rules])


def run_case_cli(case: dict, root: Path) -> CaseResult:
    """One case through the command line (see the module docstring)."""
    from click.testing import CliRunner

    from meshlint.cli import cli

    rules, codes, expected = _case_rules(case)
    if not rules or case.get("cluster_input_files"):
        return CaseResult(case, expected, Counter(), [])
    args = ["lint", "--no-config", "--assume-complete", "--default-namespace", ""]
    args += ["--format", "json", "--failure-threshold", "none"]
    args += [a for r in rules for a in ("--select", r.id)]
    if case.get("mesh_config_file"):
        args += ["--mesh-config", str(root / case["mesh_config_file"])]
    if case.get("mesh_networks_file"):
        args += ["--mesh-networks", str(root / case["mesh_networks_file"])]
    args += [str(root / f) for f in case["input_files"]]
    findings = json.loads(CliRunner().invoke(cli, args).stdout)["findings"]
    actual = _tally(
        (f["equivalents"].get("istio"), _ref(f["resource"]), f["message"], str(f["location"]))
        for f in findings
        if f["resource"] is not None and f["equivalents"].get("istio") in codes
    )
    return CaseResult(case, expected, actual, [r.id for r in rules])


def _ref(resource: dict) -> str:
    """``Kind namespace/name`` (or ``Kind name``) of a JSON report's resource."""
    name = (
        f"{resource['namespace']}/{resource['name']}"
        if resource["namespace"]
        else (resource["name"])
    )
    return f"{resource['kind']} {name}"


def _clusters(case: dict, root: Path) -> dict[str, list[str]] | None:
    split = case.get("cluster_input_files")
    if not split:
        return None
    return {name: [str(root / f) for f in files] for name, files in split.items()}


def run_all(shared: Path, only: str | None = None, *, cli: bool = False) -> list[CaseResult]:
    root = shared / "conformance" / "istio"
    cases = json.loads((root / "cases.json").read_text())
    run = run_case_cli if cli else run_case
    return [
        run(case, root)
        for case in cases
        if only is None or only in (case["name"], case["go_subtest"])
    ]


def _print(results: list[CaseResult], verbose: bool) -> None:
    for result in results:
        status = "PASS" if result.passed else ("SKIP" if not result.rules else "FAIL")
        print(f"{status}  {result.id}  [{result.case['analyzer']}]")
        if status == "FAIL" and verbose:
            for key in sorted((result.expected - result.actual).elements()):
                print(f"        missing    {key[0]} {key[1]}")
            for key in sorted((result.actual - result.expected).elements()):
                print(f"        unexpected {key[0]} {key[1]}")
    passed = sum(r.passed for r in results)
    unmapped = sum(not r.rules for r in results)
    print(f"\n{passed}/{len(results)} cases pass ({unmapped} have no meshlint rule yet)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--case", help="run one case (name or go_subtest)")
    parser.add_argument("--json", type=Path, help="write the ids of passing cases here")
    parser.add_argument("-v", "--verbose", action="store_true", help="show each failure's diff")
    parser.add_argument("--cli", action="store_true", help="lint each case as the CLI does")
    args = parser.parse_args(argv)
    results = run_all(args.shared, args.case, cli=args.cli)
    _print(results, args.verbose)
    if args.json:
        args.json.write_text(json.dumps(sorted(r.id for r in results if r.passed), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
