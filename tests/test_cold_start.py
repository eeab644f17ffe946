"""What ``meshlint lint one.yaml`` imports: the command's own machinery and the rules,
schemas and CEL its file's kinds need, nothing more (counted here, never timed)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

#: Every module one lint of a small VirtualService imports is about 355 (stdlib, click,
#: jsonschema_rs, and meshlint's engine plus the 57 rule modules that read a VirtualService;
#: about 375 with PyYAML when the native reader was not compiled); the budget leaves room
#: for small growth, not for a new dependency tree.
MODULE_BUDGET = 375

#: Never needed to lint a file: the language server, the fixer, the graph, other report
#: formats, the policy packs (opt-in), Helm, the config's JSON Schema validator, programs,
#: and the ``cel`` package's command-line front end (its extension is loaded on its own).
NEVER = {
    "cel",
    "jsonschema",
    "lsprotocol",
    "meshlint.cli.helm_run",
    "meshlint.fixer",
    "meshlint.graphview",
    "meshlint.loader.helm",
    "meshlint.lsp",
    "meshlint.policy",
    "meshlint.report.sarif",
    "networkx",
    "pygls",
    "ruamel",
    "sarif_om",
    "subprocess",
}
#: PyYAML: the native reader parses, so PyYAML is only for the Python path (and for
#: config text embedded in Istio's ConfigMaps).
PYYAML = {"yaml", "meshlint.loader.pyyaml_composer"}
NATIVE = importlib.util.find_spec("meshlint.loader._fastyaml") is not None
#: The CEL function library (loaded with the interpreter): only for a document that
#: reaches a CEL rule.
CEL = {"meshlint.cel.library"}

VIRTUAL_SERVICE = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
  http:
  - route:
    - destination:
        host: reviews
        subset: v1
"""

SCRIPT = """\
import sys
from meshlint.cli import main
sys.argv = ["meshlint", "lint", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print("\\n".join(sorted(sys.modules)))
"""


def imported_by_lint(folder: Path, *args: str) -> set[str]:
    """The modules in ``sys.modules`` after ``meshlint lint ARGS`` in a fresh interpreter,
    run in ``folder`` with no user or project config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MESHLINT_")}
    env.update(HOME=str(folder), XDG_CONFIG_HOME=str(folder / ".config"))
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        capture_output=True,
        text=True,
        cwd=folder,
        env=env,
        timeout=120,
    )
    assert "Traceback" not in run.stderr, run.stderr
    return set(run.stdout.split())


def named(modules: set[str], names: set[str]) -> set[str]:
    """The modules that are one of ``names`` or inside one of them."""
    return {m for m in modules if any(m == n or m.startswith(n + ".") for n in names)}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "vs.yaml").write_text(VIRTUAL_SERVICE)
    return tmp_path


def test_linting_one_virtual_service_stays_within_the_module_budget(project):
    modules = imported_by_lint(project, "vs.yaml")
    assert "meshlint.rules.virtualservice.subset" in modules  # the lint did run
    assert named(modules, NEVER) == set()
    assert len(modules) <= MODULE_BUDGET, f"{len(modules)} modules imported"


@pytest.mark.skipif(not NATIVE, reason="the native reader was not compiled")
def test_linting_one_file_with_the_native_reader_never_imports_pyyaml(project):
    modules = imported_by_lint(project, "vs.yaml")
    assert "meshlint.loader.native" in modules
    assert named(modules, PYYAML) == set()


def test_cel_is_loaded_only_for_a_document_that_reaches_a_cel_rule(project):
    # The VirtualService schema has CEL rules on durations; a route without one needs none.
    assert named(imported_by_lint(project, "vs.yaml"), CEL) == set()
    (project / "timeout.yaml").write_text(
        VIRTUAL_SERVICE.replace("  - route:", "  - timeout: 0s\n    route:")
    )
    assert named(imported_by_lint(project, "timeout.yaml"), CEL) == CEL


def test_a_file_of_no_kubernetes_kind_needs_no_schema_validator(tmp_path):
    (tmp_path / "values.yaml").write_text("replicas: 2\nimage: {tag: latest}\n")
    modules = imported_by_lint(tmp_path, "values.yaml")
    assert named(modules, {"jsonschema_rs", "meshlint.apiserver.plan", "meshlint.cel"}) == set()
    assert named(modules, NEVER) == set()


def test_an_explicit_policy_pack_is_still_compiled_and_run(project):
    modules = imported_by_lint(project, "--profile", "production", "vs.yaml")
    assert "meshlint.policy.rule" in modules
