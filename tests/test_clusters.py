"""``--cluster NAME=PATH`` and the config's ``clusters:``: a multi-cluster mesh from files."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from meshlint.cli import cli

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: reviews
  namespace: shop
spec:
{spec}"""
EAST = SERVICE.format(spec="  clusterIP: None\n  ports:\n  - {name: http, port: 9080}\n")
WEST = SERVICE.format(spec="  type: NodePort\n  ports:\n  - {name: http, port: 9080}\n")


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    for name, text in (("east", EAST), ("west", WEST)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "svc.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".user"))
    return tmp_path


def ml962(*args: str) -> list[tuple[str, int]]:
    result = CliRunner().invoke(cli, ["lint", "--format", "json", "--select", "ML962", *args])
    assert result.exit_code in (0, 1), result.stderr
    findings = json.loads(result.stdout)["findings"]
    return [(f["location"]["file"], f["location"]["line"]) for f in findings]


def test_clusters_from_the_command_line_are_compared(repo):
    assert ml962("--cluster", "east=east", "--cluster", "west=west") == [("east/svc.yaml", 7)]


def test_clusters_from_the_config(repo):
    (repo / ".meshlint.yaml").write_text("clusters:\n  east: [east]\n  west: [west/svc.yaml]\n")
    assert ml962() == [("east/svc.yaml", 7)]


def test_without_clusters_the_services_are_one_cluster(repo):
    assert ml962("east", "west") == []


def test_a_missing_cluster_path_is_a_usage_error(repo):
    result = CliRunner().invoke(cli, ["lint", "--cluster", "east=nowhere"])
    assert result.exit_code == 2
    assert "cluster east: path does not exist: nowhere" in result.stderr
