"""Istio's analyzer test grid: the set of passing cases may only grow."""

from __future__ import annotations

import json
import sys

from conftest import REPO, SHARED, needs_shared

sys.path.insert(0, str(REPO / "tools"))

PASSING = REPO / "tests" / "conformance_passing.json"


@needs_shared()
def test_passing_cases_do_not_regress():
    import istio_conformance

    results = istio_conformance.run_all(SHARED)
    assert len(results) == 105
    passing = {r.id for r in results if r.passed}
    expected = set(json.loads(PASSING.read_text()))
    lost = sorted(expected - passing)
    assert not lost, f"conformance cases that used to pass now fail: {lost}"


@needs_shared()
def test_the_command_line_with_assume_complete_passes_the_same_cases():
    """`meshlint lint --assume-complete --default-namespace ''` is istioctl's view of the
    files: every single-cluster case that passes through the runner passes through the CLI
    (multi-cluster cases need one file set per cluster and are left to the runner)."""
    import istio_conformance

    results = istio_conformance.run_all(SHARED, cli=True)
    single = {r.id for r in results if not r.case.get("cluster_input_files")}
    passing = {r.id for r in results if r.passed}
    expected = set(json.loads(PASSING.read_text())) & single
    assert sorted(expected - passing) == []
