"""Text output as people read it on a terminal: the offending line with a caret, related
places below, ``[*]`` on what ``meshlint fix`` fixes, info counted rather than printed,
``--quiet``, ``--statistics``, and a progress line only on a terminal."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

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
#: A misspelt field that `meshlint fix` renames (ML703, a safe fix), on line 6.
TYPO = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings
spec:
  hostss: [ratings]
"""


@pytest.fixture
def repo(tmp_path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "dr.yaml").write_text(DR)
    (tmp_path / "k8s" / "vs.yaml").write_text(VS)
    (tmp_path / "k8s" / "values.yaml").write_text("replicas: 3\n")
    return tmp_path


def environment(repo: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "XDG_CONFIG_HOME": str(repo / ".user"), **extra}
    for name in ("CI", "FORCE_COLOR", "NO_COLOR", "GITHUB_ACTIONS"):
        env.pop(name, None) if name not in extra else None
    return env


def meshlint(repo: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "meshlint", *args],
        cwd=repo,
        env=environment(repo, **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_offending_line_with_a_caret_and_the_related_place_below(repo):
    run = meshlint(repo, "lint", "k8s")
    expected = textwrap.dedent("""\
        k8s/vs.yaml:11:17: error ML104 [vs-subset-not-found] subset "v3" is not defined by \
DestinationRule default/reviews; did you mean "v1"? [VirtualService default/reviews]
        11 |         subset: v3
           |                 ^^
            = k8s/dr.yaml:8:3: subsets of DestinationRule default/reviews
        """)
    assert expected in run.stdout


def test_info_is_counted_not_printed_unless_asked(repo):
    run = meshlint(repo, "lint", "k8s")
    assert "not-kubernetes" not in run.stdout
    assert "1 error, 0 warnings, 1 info in 3 files (2 resources); 1 info not shown" in run.stderr
    assert "not-kubernetes" in meshlint(repo, "lint", "--show-info", "k8s").stdout
    assert "not-kubernetes" in meshlint(repo, "lint", "--failure-threshold", "info", "k8s").stdout
    assert "not-kubernetes" in meshlint(repo, "lint", "--format", "json", "k8s").stdout


def test_quiet_prints_only_what_fails_the_run_and_the_summary(repo):
    (repo / "k8s" / "typo.yaml").write_text(TYPO)
    quiet = meshlint(repo, "lint", "--quiet", "--failure-threshold", "error", "k8s")
    assert "ML104" in quiet.stdout
    assert "ML703" not in quiet.stdout
    assert "2 errors, 1 warning, 1 info in 4 files" in quiet.stderr


def test_fixable_findings_are_marked_and_counted(repo):
    (repo / "k8s" / "typo.yaml").write_text(TYPO)
    run = meshlint(repo, "lint", "k8s")
    assert "k8s/typo.yaml:6:3: warning ML703 [*] [unknown-field]" in run.stdout
    assert "error ML104 [vs-subset-not-found]" in run.stdout
    assert "1 fixable with `meshlint fix` (1 more with `meshlint fix --unsafe`)" in run.stderr


def test_statistics_count_findings_per_rule(repo):
    (repo / "k8s" / "vs2.yaml").write_text(VS.replace("name: reviews\nspec", "name: r2\nspec"))
    run = meshlint(repo, "lint", "--statistics", "--select", "ML104", "k8s")
    assert run.stdout.split() == ["2", "ML104", "vs-subset-not-found"]


def test_one_resource_is_singular(repo):
    run = meshlint(repo, "lint", "k8s/vs.yaml")
    assert "in 1 file (1 resource)" in run.stderr


def test_force_color_colours_piped_output(repo):
    assert "\033[" not in meshlint(repo, "lint", "k8s").stdout
    assert "\033[31m" in meshlint(repo, "lint", "k8s", FORCE_COLOR="1").stdout


def run_in_terminal(repo: Path, *args: str, **env: str) -> str:
    """Run meshlint with stderr on a pseudo-terminal; what it wrote there."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "meshlint", *args],
        cwd=repo,
        env=environment(repo, **env),
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )
    os.close(follower)
    output = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=60)
    os.close(leader)
    return output.decode()


def test_progress_shows_on_a_terminal_and_is_erased(repo):
    seen = run_in_terminal(repo, "lint", "k8s")
    assert "meshlint: linting 3 files..." in seen
    assert re.search(r"meshlint: read 3 files \([\d,]+/s\), \d+ resources; checking", seen)
    assert "\r\033[K" in seen


def test_no_progress_when_piped_under_ci_or_quiet(repo):
    assert "linting" not in meshlint(repo, "lint", "k8s").stderr
    assert "linting" not in run_in_terminal(repo, "lint", "k8s", CI="true")
    assert "linting" not in run_in_terminal(repo, "lint", "--quiet", "k8s")


def test_sarif_results_carry_the_snippet(repo):
    import json

    run = meshlint(repo, "lint", "--format", "sarif", "--select", "ML104", "k8s")
    result = json.loads(run.stdout)["runs"][0]["results"][0]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region["snippet"] == {"text": "        subset: v3\n"}
