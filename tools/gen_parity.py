"""Generate ``docs/parity.md``: every Istio analyzer and every Kiali validation, the
meshlint rules that match them, and each deliberate difference with its reason.

The analyzers and their message levels come from ``../shared/conformance/istio``, the
Kiali codes from ``../shared/reference/kiali-validations.md``; the rules, their
severities and the differences (each rule's "Compared with Istio and Kiali" section)
come from the rules themselves. Usage: ``python tools/gen_parity.py [--shared ../shared]``,
or ``--check`` to fail when the page is out of date (tests/test_parity_doc.py runs it).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from meshlint.engine.registry import builtin_rules
from meshlint.engine.rule import Rule

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "parity.md"
SHARED = REPO.parent / "shared"
REGENERATE = "python tools/gen_parity.py --shared ../shared"
DIFFERENCES = "Compared with Istio and Kiali"
IST_CODE = re.compile(r"IST\d{4}")


@dataclass(frozen=True)
class Analyzer:
    name: str
    checks: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class KialiCheck:
    code: str
    key: str
    severity: str
    kinds: str
    static: bool


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def analyzers(shared: Path) -> list[Analyzer]:
    """The analyzer table of ``analyzers.md`` (Go type, what it checks, its codes)."""
    text = (shared / "conformance" / "istio" / "analyzers.md").read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        cells = _cells(line)
        if line.startswith("| `") and len(cells) == 9:
            name = cells[0].strip("`")
            out.append(Analyzer(name, cells[4], tuple(IST_CODE.findall(cells[8]))))
    return out


def levels(shared: Path) -> dict[str, dict]:
    """Istio's message catalogue by code."""
    path = shared / "conformance" / "istio" / "messages.json"
    return {m["code"]: m for m in json.loads(path.read_text(encoding="utf-8"))}


def kiali_checks(shared: Path) -> list[KialiCheck]:
    """The rows of the "All KIA codes" table."""
    text = (shared / "reference" / "kiali-validations.md").read_text(encoding="utf-8")
    table = text.split("## All KIA codes", 1)[1].split("\n## ", 1)[0]
    out = []
    for line in table.splitlines():
        cells = _cells(line)
        if re.fullmatch(r"KIA\d{4}", cells[0]):
            out.append(
                KialiCheck(cells[0], cells[1].strip("`"), cells[2], cells[3], cells[5] == "static")
            )
    return out


def _rule_cell(rules: list[type[Rule]]) -> str:
    if not rules:
        return "—"
    return ", ".join(f"[{r.id}](rules/{r.id}.md) {r.name} ({r.severity.label})" for r in rules)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def istio_section(shared: Path, rules: tuple[type[Rule], ...]) -> list[str]:
    catalogue = levels(shared)
    lines = [
        "## Istio analyzers",
        "",
        "Every analyzer of Istio's test grid, each message code it can emit with its level in "
        "Istio's catalogue, and the meshlint rules that report the same condition (with their "
        "severity). `python tools/istio_conformance.py` runs Istio's own test cases through "
        "these rules.",
        "",
        "| Analyzer | Code (Istio level) | meshlint |",
        "|---|---|---|",
    ]
    for analyzer in analyzers(shared):
        for code in analyzer.codes or ("",):
            emitted = catalogue.get(code, {}).get("emitted_by", [])
            matching = [
                r
                for r in rules
                if r.equivalents.istio == code
                and (
                    analyzer.name in r.equivalents.analyzers
                    or (not r.equivalents.analyzers and emitted == [analyzer.name])
                )
            ]
            level = catalogue.get(code, {}).get("level", "")
            name = catalogue.get(code, {}).get("name", "")
            shown = f"{code} {name} ({level})" if code else "—"
            lines.append(f"| `{analyzer.name}` | {shown} | {_rule_cell(matching)} |")
    return lines


def kiali_section(shared: Path, rules: tuple[type[Rule], ...]) -> list[str]:
    lines = [
        "## Kiali validations",
        "",
        "Every Kiali validation code, its severity in Kiali, whether it can be decided from "
        "manifests (static) or needs a running cluster, and the meshlint rules that match it.",
        "",
        "| Kiali | Key | Kiali severity | Static | meshlint |",
        "|---|---|---|---|---|",
    ]
    for check in kiali_checks(shared):
        matching = [r for r in rules if r.equivalents.kiali == check.code]
        static = "yes" if check.static else "needs cluster"
        lines.append(
            f"| {check.code} | `{check.key}` | {_cell(check.severity)} | {static} | "
            f"{_rule_cell(matching)} |"
        )
    return lines


def differences_section(rules: tuple[type[Rule], ...]) -> list[str]:
    lines = [
        "## Deliberate differences",
        "",
        "Where meshlint decides differently from `istioctl analyze` or Kiali on purpose, "
        f'and why; each is the "{DIFFERENCES}" section of the rule\'s documentation.',
    ]
    for rule in rules:
        text = rule.section(DIFFERENCES)
        if not text:
            continue
        codes = ", ".join(c for c in (rule.equivalents.istio, rule.equivalents.kiali) if c)
        title = f"### [{rule.id}](rules/{rule.id}.md) {rule.name}" + (
            f" ({codes})" if codes else ""
        )
        lines += ["", title, "", text]
    return lines


def page(shared: Path) -> str:
    rules = builtin_rules()
    parts = [
        [
            "# Parity with istioctl analyze and Kiali",
            "",
            f"Generated by `{REGENERATE}`; do not edit.",
        ],
        istio_section(shared, rules),
        kiali_section(shared, rules),
        differences_section(rules),
    ]
    return "\n\n".join("\n".join(p) for p in parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="only report a stale page")
    args = parser.parse_args(argv)
    text = page(args.shared)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
        if current != text:
            print(f"{args.out} is out of date; run {REGENERATE}", file=sys.stderr)
            return 1
        return 0
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
