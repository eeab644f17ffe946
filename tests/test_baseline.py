"""Baselines through the real command: record today's findings, report only new ones."""

from __future__ import annotations

import json

import pytest
from test_config import DR, SUBSET_LINE, VS, Project, findings

ONLY = ("--select", "ML104")
SECOND_VS = VS.replace("name: reviews\nspec", "name: reviews-canary\nspec")


@pytest.fixture
def project(tmp_path, monkeypatch) -> Project:
    project = Project(tmp_path, monkeypatch)
    project.write("k8s/dr.yaml", DR)
    project.write("k8s/vs.yaml", VS)
    return project


def lint(project: Project, *args: str):
    return project.run("lint", *ONLY, "--format", "json", *args, "k8s")


def test_write_baseline_records_findings_by_content(project):
    result = lint(project, "--write-baseline", "baseline.json")
    assert result.exit_code == 0
    assert findings(result) == []
    assert "meshlint: wrote 1 findings to baseline baseline.json" in result.stderr
    document = json.loads((project.root / "baseline.json").read_text())
    assert document["version"] == 1
    (entry,) = document["findings"]
    assert entry["rule"] == "ML104"
    assert entry["resource"] == "VirtualService default/reviews"
    assert entry["field"] == "spec.http[0].route[0].destination.subset"
    assert len(entry["fingerprint"]) == 32


def test_baseline_reports_only_new_findings(project):
    lint(project, "--write-baseline", "baseline.json")
    result = lint(project, "--baseline", "baseline.json")
    assert result.exit_code == 0
    assert findings(result) == []
    assert (
        "meshlint: baseline: 1 known findings not reported; 0 baseline entries no longer occur"
    ) in result.stderr
    project.write("k8s/canary.yaml", SECOND_VS)
    result = lint(project, "--baseline", "baseline.json")
    assert result.exit_code == 1
    assert findings(result) == [("ML104", "canary.yaml", SUBSET_LINE)]


def test_edits_elsewhere_keep_the_baseline_valid(project):
    lint(project, "--write-baseline", "baseline.json")
    moved = "# moved down by a comment\n\n\n" + VS.replace("[reviews]", "[reviews, r]")
    project.write("k8s/vs.yaml", moved)
    assert lint(project, "--baseline", "baseline.json").exit_code == 0


def test_baseline_says_how_many_entries_no_longer_occur(project):
    project.write("k8s/canary.yaml", SECOND_VS)
    lint(project, "--write-baseline", "baseline.json")
    project.write("k8s/vs.yaml", VS.replace("subset: v3", "subset: v1"))
    result = lint(project, "--baseline", "baseline.json")
    assert result.exit_code == 0
    assert "1 known findings not reported; 1 baseline entries no longer occur" in result.stderr
    assert "refresh it with --write-baseline" in result.stderr


def test_baselined_findings_are_shown_as_suppressed_on_request(project):
    lint(project, "--write-baseline", "baseline.json")
    result = lint(project, "--baseline", "baseline.json", "--show-suppressed")
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["suppressed"] == "in baseline baseline.json"
    assert json.loads(result.stdout)["summary"]["suppressed"] == 1


def test_baseline_from_the_config_is_relative_to_it(project):
    (project.root / "ci").mkdir()
    lint(project, "--write-baseline", "ci/meshlint-baseline.json")
    project.write("ci/.meshlint.yaml", "baseline: meshlint-baseline.json\npaths: [../k8s]\n")
    result = project.run("lint", *ONLY, "-c", "ci/.meshlint.yaml")
    assert result.exit_code == 0
    assert "1 known findings not reported" in result.stderr


def test_rewriting_a_baseline_keeps_what_it_had(project):
    lint(project, "--write-baseline", "baseline.json")
    project.write("k8s/canary.yaml", SECOND_VS)
    result = lint(project, "--baseline", "baseline.json", "--write-baseline", "baseline.json")
    assert "wrote 2 findings" in result.stderr
    assert lint(project, "--baseline", "baseline.json").exit_code == 0


@pytest.mark.parametrize("content", ["not json", '{"version": 9, "findings": []}'])
def test_unreadable_baseline_is_a_usage_error(project, content):
    (project.root / "baseline.json").write_text(content)
    result = lint(project, "--baseline", "baseline.json")
    assert result.exit_code == 2
    assert "meshlint: config error: baseline.json: baseline:" in result.stderr
