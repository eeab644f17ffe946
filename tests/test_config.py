"""Configuration: discovery, precedence, the shipped schema, and errors that name key and line.

Tests run the real ``meshlint`` command (in-process through click's runner, and as a
subprocess where the process itself matters) inside a throwaway repository.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from meshlint.cli import cli

DR = """\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  subsets:
  - name: v1
    labels: {version: v1}
"""
VS = """\
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
        subset: v3
"""
#: Line of ``subset: v3`` in VS: the one ML104 (vs-subset-not-found) finding.
SUBSET_LINE = 11


class Project:
    """A throwaway git repository as the working directory, with no user-level config."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root = root
        (root / ".git").mkdir()
        monkeypatch.chdir(root)
        monkeypatch.setenv("XDG_CONFIG_HOME", str(root / ".user-config"))
        monkeypatch.delenv("MESHLINT_CONFIG_FILE", raising=False)

    def write(self, name: str, text: str) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        return path

    def manifests(self, folder: str = "k8s") -> None:
        self.write(f"{folder}/dr.yaml", DR)
        self.write(f"{folder}/vs.yaml", VS)

    def run(self, *args: str, stdin: str | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


def meshlint_process(*args: str, cwd: Path, env: dict | None = None):
    """The installed command in its own process."""
    environment = {**os.environ, "XDG_CONFIG_HOME": str(cwd / ".user-config"), **(env or {})}
    environment.pop("MESHLINT_CONFIG_FILE", None)
    return subprocess.run(
        [sys.executable, "-m", "meshlint", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=120,
    )


def findings(result: Result) -> list[tuple[str, str, int]]:
    """(rule id, file name, line) of each reported finding of a ``--format json`` run."""
    return [
        (f["rule"], Path(f["location"]["file"]).name, f["location"]["line"])
        for f in json.loads(result.stdout)["findings"]
        if "suppressed" not in f
    ]


@pytest.fixture
def project(tmp_path, monkeypatch) -> Project:
    return Project(tmp_path, monkeypatch)


# -- discovery ---------------------------------------------------------------------------


def test_config_is_found_from_a_subfolder_up_to_the_repository_root(project):
    project.manifests()
    project.write(".meshlint.yaml", "select: [ML104]\npaths: [k8s]\n")
    os.chdir(project.root / "k8s")
    result = project.run("lint", "-v", "--format", "json")
    assert result.exit_code == 1
    assert findings(result) == [("ML104", "vs.yaml", SUBSET_LINE)]
    assert f"meshlint: config: {project.root / '.meshlint.yaml'}" in result.stderr


def test_discovery_stops_at_the_repository_root(tmp_path, monkeypatch):
    (tmp_path / ".meshlint.yaml").write_text("failure-threshold: none\n")
    (tmp_path / "repo").mkdir()
    project = Project(tmp_path / "repo", monkeypatch)
    project.manifests()
    result = project.run("lint", "-v", "--select", "ML104", "k8s")
    assert result.exit_code == 1
    assert "config: none" in result.stderr


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (".meshlint.yml", "failure-threshold: none\n"),
        (".config/meshlint.yaml", "failure-threshold: none\n"),
        (
            "pyproject.toml",
            '[project]\nname = "x"\n\n[tool.meshlint]\nfailure-threshold = "none"\n',
        ),
    ],
)
def test_every_config_file_name_is_read(project, name, text):
    project.manifests()
    project.write(name, text)
    result = project.run("lint", "-v", "--select", "ML104", "k8s")
    assert result.exit_code == 0, result.stderr
    assert f"config: {Path(name)}" in result.stderr


def test_pyproject_without_a_meshlint_table_is_not_a_config(project):
    project.manifests()
    project.write("pyproject.toml", '[project]\nname = "x"\n')
    result = project.run("lint", "-v", "--select", "ML104", "k8s")
    assert "config: none" in result.stderr


def test_explicit_config_replaces_discovery(project):
    project.manifests()
    project.write(".meshlint.yaml", "failure-threshold: none\n")
    project.write("strict.yaml", "failure-threshold: error\nselect: [ML104]\n")
    assert project.run("lint", "k8s", "--select", "ML104").exit_code == 0
    result = project.run("lint", "-v", "-c", "strict.yaml", "k8s")
    assert result.exit_code == 1
    assert "config: strict.yaml" in result.stderr
    assert project.run("lint", "--no-config", "--select", "ML104", "k8s").exit_code == 1


def test_user_config_applies_but_never_overrides_the_repository(project, monkeypatch):
    project.manifests()
    user = project.write(".user-config/meshlint/config.yaml", "failure-threshold: none\n")
    assert project.run("lint", "--select", "ML104", "k8s").exit_code == 0
    project.write(".meshlint.yaml", "failure-threshold: error\n")
    result = project.run("lint", "-v", "--select", "ML104", "k8s")
    assert result.exit_code == 1
    assert result.stderr.index(f"config: {user.relative_to(project.root)}") < result.stderr.index(
        "config: .meshlint.yaml"
    )
    monkeypatch.setenv("MESHLINT_CONFIG_FILE", str(project.write("mine.yaml", "select: [ML9]\n")))
    assert "config: mine.yaml" in project.run("lint", "-v", "k8s").stderr


# -- keys and flags ----------------------------------------------------------------------


def test_flags_win_over_keys(project):
    project.manifests()
    project.write(".meshlint.yaml", "paths: [k8s]\nselect: [ML104]\nfailure-threshold: none\n")
    assert project.run("lint").exit_code == 0
    assert project.run("lint", "--failure-threshold", "error").exit_code == 1
    other = ("--select", "gateway-selector-no-workload")
    assert project.run("lint", "--failure-threshold", "error", *other).exit_code == 0


def test_paths_and_excludes_are_relative_to_the_config_file(project):
    project.manifests("k8s")
    project.manifests("k8s/vendor")
    project.write(".meshlint.yaml", "paths: [k8s]\nexclude: [k8s/vendor/*]\nselect: [ML104]\n")
    os.chdir(project.root / "k8s")
    result = project.run("lint", "--format", "json")
    files = [Path(f["location"]["file"]).resolve() for f in json.loads(result.stdout)["findings"]]
    assert files == [(project.root / "k8s" / "vs.yaml").resolve()]


def test_no_paths_anywhere_lints_the_current_directory(project):
    project.manifests()
    result = project.run("lint", "--select", "ML104")
    assert result.exit_code == 1
    assert f"k8s/vs.yaml:{SUBSET_LINE}:" in result.stdout


def test_an_empty_directory_warns(project):
    (project.root / "empty").mkdir()
    result = project.run("lint", "empty")
    assert result.exit_code == 0
    assert "meshlint: warning: no manifests found in empty" in result.stderr


def test_per_rule_severity_and_off(project):
    project.manifests()
    project.write(".meshlint.yaml", "select: [ML104]\nrules:\n  vs-subset-not-found: info\n")
    result = project.run("lint", "--format", "json", "k8s")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["findings"][0]["severity"] == "info"
    project.write(".meshlint.yaml", "select: [ML104]\nrules:\n  ML104: off\n")
    assert findings(project.run("lint", "--format", "json", "k8s")) == []
    assert project.run("lint", "--severity", "ML104=error", "k8s").exit_code == 1


def test_unknown_rule_parameter_is_a_config_error(project):
    project.manifests()
    project.write(".meshlint.yaml", "rules:\n  ML104:\n    severity: info\n    max-hosts: 3\n")
    result = project.run("lint", "k8s")
    assert result.exit_code == 2
    assert "ML104 has no parameter 'max-hosts'" in result.stderr
    assert ".meshlint.yaml:2" in result.stderr


def test_an_unknown_rule_name_in_the_config_is_a_usage_error_with_its_line(project):
    project.manifests()
    project.write(".meshlint.yaml", "select:\n  - ML104\n  - vs-subset-not-fund\n")
    result = project.run("lint", "k8s")
    assert result.exit_code == 2
    assert (
        "meshlint: config error: .meshlint.yaml:3: unknown rule selector 'vs-subset-not-fund'; "
        'did you mean "vs-subset-not-found"?'
    ) in result.stderr
    assert project.run("config", "check").exit_code == 2


@pytest.mark.parametrize(
    ("flag", "value", "suggested"),
    [
        ("--select", "ML1O4", "ML104"),
        ("--ignore", "vs-subset-not-fund", "vs-subset-not-found"),
        ("--severity", "ML1O4=info", "ML104"),
    ],
)
def test_an_unknown_rule_selector_on_the_command_line_exits_2(project, flag, value, suggested):
    project.manifests()
    result = project.run("lint", flag, value, "k8s")
    assert result.exit_code == 2
    name = value.partition("=")[0]
    assert (
        f'meshlint: error: {flag}: unknown rule selector {name!r}; did you mean "{suggested}"?'
    ) in result.stderr


def test_rules_section_and_ignore_entries_name_known_rules(project):
    project.manifests()
    project.write(".meshlint.yaml", "rules:\n  ML999: info\n")
    assert "meshlint: config error: .meshlint.yaml:2: unknown rule selector 'ML999'" in (
        project.run("lint", "k8s").stderr
    )
    project.write(".meshlint.yaml", "ignore:\n  - rule: vs-subset-not-fund\n    reason: later\n")
    result = project.run("config", "check")
    assert result.exit_code == 2
    assert ".meshlint.yaml:2: unknown rule selector 'vs-subset-not-fund'" in result.stderr


def test_config_check_warns_as_lint_would_about_expired_ignore_entries(project):
    project.manifests()
    project.write(
        ".meshlint.yaml",
        "ignore:\n  - rule: ML104\n    reason: accepted\n    expires: 2020-01-01\n",
    )
    result = project.run("config", "check")
    assert result.exit_code == 1
    assert (
        "meshlint: warning: .meshlint.yaml:2: ignore entry expired on 2020-01-01; "
        "its findings are reported again"
    ) in result.stderr
    assert ".meshlint.yaml: 1 warning" in result.stdout


def test_mesh_keys_set_the_assumptions(project):
    project.manifests()
    project.write(
        ".meshlint.yaml",
        """\
        mesh:
          root-namespace: mesh-root
          cluster-domain: corp.local
          default-gateways: false
          external-hosts: ["*.example.com"]
          config:
            outboundTrafficPolicy: {mode: REGISTRY_ONLY}
          gateways:
            - name: edge
              labels: {app: edge}
              ports: [{port: 443, target-port: 8443}]
        """,
    )
    result = project.run("lint", "-v", "--select", "ML104", "k8s")
    assert "root namespace: mesh-root" in result.stderr
    assert "cluster domain: corp.local" in result.stderr
    assert "outbound traffic policy: REGISTRY_ONLY" in result.stderr
    assert "assumed gateway mesh-root/edge: labels app=edge; ports 443->8443" in result.stderr
    assert "istio-ingressgateway" not in result.stderr
    flags = project.run("lint", "-v", "--root-namespace", "ops", "--cluster-domain", "x.y", "k8s")
    assert "root namespace: ops" in flags.stderr and "cluster domain: x.y" in flags.stderr


def test_gateway_assumed_by_config_satisfies_a_gateway_selector(project):
    project.write(
        "gw.yaml",
        """\
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata:
          name: edge
        spec:
          selector:
            app: edge
          servers:
          - port: {number: 443, name: https, protocol: HTTPS}
            hosts: [shop.example.com]
            tls: {mode: SIMPLE, credentialName: shop}
        """,
    )
    selector = ("--select", "gateway-selector-no-workload", "--assume-complete")
    assert project.run("lint", *selector, "gw.yaml").exit_code == 1
    project.write(".meshlint.yaml", "mesh:\n  gateways:\n    - {name: edge, labels: {app: edge}}\n")
    assert project.run("lint", *selector, "gw.yaml").exit_code == 0


# -- schema and errors -------------------------------------------------------------------


def test_config_schema_command_prints_the_shipped_schema(project):
    from jsonschema import Draft202012Validator

    result = project.run("config", "schema")
    schema = json.loads(result.stdout)
    Draft202012Validator.check_schema(schema)
    assert {"select", "ignore", "rules", "mesh", "policies", "failure-threshold"} <= set(
        schema["properties"]
    )


CONFIG_ERRORS = {
    "unknown-key": (
        "selct: [ML104]\n",
        """.meshlint.yaml:1:1: selct: unknown key 'selct'; did you mean "select"?""",
    ),
    "type": (
        "mesh:\n  cluster-domain: 5\n",
        ".meshlint.yaml:2:19: mesh.cluster-domain: expected string, got integer 5",
    ),
    "enum": (
        "failure-threshold: high\n",
        '.meshlint.yaml:1:20: failure-threshold: "high" is not one of error, warning, info, none',
    ),
    "required": (
        "ignore:\n  - rule: ML104\n",
        ".meshlint.yaml:2:5: ignore[0]: missing required key 'reason'",
    ),
    "date": (
        "ignore:\n  - {rule: ML104, reason: x, expires: soon}\n",
        '.meshlint.yaml:2:39: ignore[0].expires: "soon" is not a date (YYYY-MM-DD)',
    ),
    "entry-needs-a-match": (
        "ignore:\n  - reason: nothing else\n",
        ".meshlint.yaml:2:5: ignore[0]: needs one of the keys path, resource, rule",
    ),
    "severity": (
        "rules:\n  ML104: loud\n",
        '.meshlint.yaml:2:10: rules.ML104: "loud" is not one of error, warning, info, off, false',
    ),
    "syntax": ("paths: [a\n", ".meshlint.yaml:2:1"),
}


@pytest.mark.parametrize(("text", "expected"), CONFIG_ERRORS.values(), ids=CONFIG_ERRORS)
def test_config_errors_name_the_key_and_line_and_exit_2(project, text, expected):
    project.manifests()
    project.write(".meshlint.yaml", text)
    result = project.run("lint", "k8s")
    assert result.exit_code == 2
    assert f"meshlint: config error: {expected}" in result.stderr
    assert project.run("config", "check").exit_code == 2


def test_pyproject_errors_name_the_line(project):
    project.manifests()
    project.write("pyproject.toml", '[project]\nname = "x"\n\n[tool.meshlint]\nselect = "ML104"\n')
    result = project.run("lint", "k8s")
    assert result.exit_code == 2
    assert "pyproject.toml:5: select: expected array, got string" in result.stderr


def test_config_check_reports_the_file(project):
    project.write(".meshlint.yaml", "select: [ML104]\n")
    result = project.run("config", "check")
    assert result.exit_code == 0
    assert result.stdout == ".meshlint.yaml: ok\n"


def test_bad_config_exits_2_from_the_installed_command(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".meshlint.yaml").write_text("mesh: {gateway: []}\n")
    run = meshlint_process("lint", ".", cwd=tmp_path)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert "mesh.gateway: unknown key 'gateway'; did you mean \"gateways\"?" in run.stderr


def test_context_resolves_references_and_is_never_reported(project):
    project.write("k8s/vs.yaml", VS)
    project.write("cluster/dr.yaml", DR.replace("- name: v1", "- name: v3"))
    project.write("cluster/broken.yaml", VS.replace("name: reviews\nspec", "name: other\nspec"))
    project.write(".meshlint.yaml", "select: [ML104]\ncontext: [cluster]\n")
    os.chdir(project.root / "k8s")
    result = project.run("lint", "--format", "json", ".")
    assert result.exit_code == 0, result.stdout
    assert findings(result) == []
