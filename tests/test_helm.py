"""``--helm``: charts rendered with ``helm template`` (a fake one on PATH here), findings
pointing into the templates, and a repository's config that cannot turn it on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

RENDERED = """\
---
# Source: reviews/templates/dr.yaml
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  subsets:
  - name: v1
    labels: {version: v1}
---
# Source: reviews/templates/vs.yaml
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
#: ``subset: v3`` is line 11 of the document rendered from templates/vs.yaml.
SUBSET_LINE = 11


@pytest.fixture
def repo(tmp_path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    chart = root / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: reviews\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("host: reviews\n")
    (chart / "templates" / "vs.yaml").write_text("kind: {{ .Values.kind }}\n")
    return root


@pytest.fixture
def fake_helm(tmp_path) -> tuple[dict, Path]:
    """A ``helm`` on PATH that records its arguments and prints RENDERED."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "helm-ran"
    (tmp_path / "rendered.yaml").write_text(RENDERED)
    script = bin_dir / "helm"
    script.write_text(f'#!/bin/sh\necho "$@" > {record}\ncat {tmp_path / "rendered.yaml"}\n')
    script.chmod(0o755)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}, record


def meshlint(repo: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environ = {**os.environ, "XDG_CONFIG_HOME": str(repo / ".user"), **(env or {})}
    environ.pop("MESHLINT_TRUST_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "meshlint", *args],
        cwd=repo,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_helm_renders_the_chart_and_points_into_the_template(repo, fake_helm):
    env, record = fake_helm
    run = meshlint(repo, "lint", "--helm", "--select", "ML104", "chart", env=env)
    assert run.returncode == 1, run.stderr
    assert record.read_text().split() == ["template", "--include-crds", "--", "chart"]
    assert f"chart/templates/vs.yaml:{SUBSET_LINE}:17: error ML104" in run.stdout
    assert "    = chart/templates/dr.yaml:8:3: subsets of DestinationRule" in run.stdout
    assert "meshlint-helm-" not in run.stdout + run.stderr


def test_helm_finds_charts_under_a_directory(repo, fake_helm):
    env, _ = fake_helm
    run = meshlint(repo, "lint", "--helm", "--select", "ML104", ".", env=env)
    assert f"chart/templates/vs.yaml:{SUBSET_LINE}:17" in run.stdout


def test_without_helm_it_says_how_to_pipe_the_chart_in(repo, tmp_path):
    run = meshlint(repo, "lint", "--helm", "chart", env={"PATH": str(tmp_path / "nothing")})
    assert run.returncode == 2
    assert "helm is not on PATH" in run.stderr
    assert "`helm template chart | meshlint lint -`" in run.stderr


def test_a_repository_config_cannot_run_helm(repo, fake_helm):
    env, record = fake_helm
    (repo / ".meshlint.yaml").write_text("helm: true\n")
    run = meshlint(repo, "lint", "chart", env=env)
    assert not record.exists()
    assert "meshlint: warning: .meshlint.yaml:1: helm: ignored: a repository's config" in (
        run.stderr
    )
    assert run.returncode == 0
    trusted = meshlint(repo, "lint", "--trust-config", "chart", env=env)
    assert record.exists()
    assert trusted.returncode == 1
