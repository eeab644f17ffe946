"""What is not a manifest: Helm charts, tool configuration, data files. None of them is an
error or a warning; a chart is one note, a file of plain data at most one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from meshlint.cli import cli

CHART = {
    "Chart.yaml": "apiVersion: v2\nname: reviews\nversion: 0.1.0\n",
    "Chart.lock": "dependencies: []\ndigest: sha256:0\n",
    "values.yaml": "replicaCount: 1\nimage:\n  tag: v1\n",
    "values-prod.yaml": "replicaCount: 3\n",
    "values.schema.json": '{"type": "object"}\n',
    "templates/vs.yaml": """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {{ .Release.Name }}
spec:
  hosts: [{{ .Values.host }}]
  {{- if .Values.http }}
  http: []
  {{- end }}
""",
    "templates/_helpers.yaml": '{{- define "name" -}}reviews{{- end }}\n',
    "charts/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
    "charts/sub/templates/svc.yaml": "kind: {{ .Values.kind }}\n",
    "ci/test-values.yaml": "host: reviews\n",
}
SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: reviews\nspec:\n  ports: []\n"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".user-config"))
    return tmp_path


def lint_json(*args: str) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(cli, ["lint", "--format", "json", *args])
    return result.exit_code, json.loads(result.stdout)["findings"]


def test_a_chart_directory_gives_one_note_and_no_error_or_warning(repo):
    write(repo / "chart", CHART)
    write(repo, {"chart/crds/svc.yaml": SERVICE})
    code, findings = lint_json(".")
    assert code == 0
    assert [(f["name"], f["severity"], f["location"]["file"]) for f in findings] == [
        ("helm-template", "info", "chart/Chart.yaml")
    ]
    assert "meshlint lint --helm chart" in findings[0]["message"]


def test_chart_files_named_one_by_one_are_not_errors(repo):
    """pre-commit passes changed files by name."""
    write(repo / "chart", CHART)
    code, findings = lint_json(*(f"chart/{name}" for name in CHART))
    assert code == 0
    assert {f["severity"] for f in findings} <= {"info"}


def test_a_template_outside_templates_in_a_chart_is_a_template(repo):
    write(repo / "chart", {**CHART, "extra.yaml": "kind: {{ .Values.kind }}\n"})
    _, findings = lint_json("chart/extra.yaml")
    assert [f["name"] for f in findings] == ["helm-template"]


def test_tool_configuration_is_not_linted(repo):
    write(
        repo,
        {
            ".meshlint.yaml": "failure-threshold: info\n",
            ".pre-commit-config.yaml": "repos: []\n",
            ".github/workflows/ci.yml": "on: push\njobs: {}\n",
        },
    )
    named = [".meshlint.yaml", ".pre-commit-config.yaml", ".github/workflows/ci.yml"]
    assert lint_json(*named) == (0, [])


def test_json_lines_data_is_one_info_not_an_unparsable_error(repo):
    write(repo, {"samples/ratings_data.json": '{"id": 1, "rating": 5}\n{"id": 2}\n'})
    code, findings = lint_json(".")
    assert code == 0
    assert [(f["name"], f["severity"]) for f in findings] == [("not-kubernetes", "info")]


def test_broken_json_that_names_a_kind_stays_an_error(repo):
    write(repo, {"svc.json": '{"kind": "Service", "apiVersion": "v1",\n'})
    code, findings = lint_json(".")
    assert code == 3
    assert findings[0]["name"] == "yaml-syntax"
