"""Python rule plugins: other packages register rules under the ``meshlint.rules`` entry point
group, with the same Rule API as the built-ins. The example package in
tests/fixtures/plugin_example is installed with pip (offline) and found by the real command."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_config import meshlint_process

from conftest import REPO

FIXTURE = REPO / "tests" / "fixtures" / "plugin_example"
VS = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
"""


def _can_build_offline() -> bool:
    from importlib.metadata import version

    major, minor, *_ = (int(p) for p in version("setuptools").split(".")[:2])
    return importlib.util.find_spec("wheel") is not None or (major, minor) >= (70, 1)


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory) -> Path:
    """The example plugin, installed with pip into a folder of its own."""
    if not _can_build_offline():
        pytest.skip("building the example plugin offline needs `wheel` (pip install -e '.[dev]')")
    source = tmp_path_factory.mktemp("src") / "plugin_example"
    shutil.copytree(FIXTURE, source)
    target = tmp_path_factory.mktemp("site")
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
               "--no-build-isolation", "--target", str(target), str(source)]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return target


def _dist(site: Path, name: str, entry: str, module: str | None = None) -> None:
    """A hand-made installed distribution with one ``meshlint.rules`` entry point."""
    info = site / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[meshlint.rules]\n{name} = {entry}\n")
    if module is not None:
        (site / f"{entry.split(':')[0]}.py").write_text(textwrap.dedent(module))


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "vs.yaml").write_text(VS)
    return tmp_path


def run(project: Path, *args: str, path: list[Path]):
    return meshlint_process(*args, cwd=project, env={"PYTHONPATH": ":".join(map(str, path))})


def test_rules_lists_the_plugin_rule(project, plugin_site):
    listed = json.loads(run(project, "rules", "--format", "json", path=[plugin_site]).stdout)
    (rule,) = [r for r in listed if r["id"] == "ACME001"]
    assert rule["name"] == "acme-owner-label"
    assert rule["source"] == "plugin meshlint-plugin-example"
    docs = run(project, "explain", "acme-owner-label", path=[plugin_site]).stdout
    assert docs.startswith("ACME001 acme-owner-label (warning, policy)")


def test_plugin_rule_runs_like_a_builtin(project, plugin_site):
    result = run(project, "lint", "--format", "json", "--select", "ACME", "vs.yaml",
                 path=[plugin_site])  # fmt: skip
    assert result.returncode == 1, result.stderr
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["rule"], finding["location"]["line"]) == ("ACME001", 3)
    assert finding["message"] == "VirtualService has no team label"
    ignored = run(project, "lint", "--select", "ACME", "--ignore", "acme-owner-label", "vs.yaml",
                  path=[plugin_site])  # fmt: skip
    assert ignored.returncode == 0


def test_plugin_that_fails_to_import_is_reported_not_fatal(project, plugin_site, tmp_path):
    broken = tmp_path / "broken-site"
    broken.mkdir()
    _dist(broken, "broken_rules", "broken_rules:RULES", "import not_installed_anywhere\n")
    result = run(project, "lint", "--select", "ACME", "vs.yaml", path=[plugin_site, broken])
    assert result.returncode == 1
    assert (
        "meshlint: warning: plugin 'broken_rules' (broken_rules:RULES) could not be loaded: "
        "ModuleNotFoundError: No module named 'not_installed_anywhere'"
    ) in result.stderr
    assert "ACME001" in result.stdout
    listed = run(project, "rules", path=[broken])
    assert listed.returncode == 0 and "could not be loaded" in listed.stderr


def test_plugin_rule_may_not_take_a_builtin_name(project, tmp_path):
    site = tmp_path / "clash-site"
    site.mkdir()
    _dist(
        site,
        "clash_rules",
        "clash_rules:Clash",
        """\
        from meshlint.engine.finding import Severity
        from meshlint.engine.rule import Rule

        class Clash(Rule):
            \"\"\"Pretends to be a built-in.\"\"\"
            id = "ML104"
            name = "my-clash"
            severity = Severity.ERROR
            category = "policy"
        """,
    )
    result = run(project, "lint", "--select", "ML104", "vs.yaml", path=[site])
    assert result.returncode == 0
    assert "the name 'ML104' is already used by ML104; skipped" in result.stderr
