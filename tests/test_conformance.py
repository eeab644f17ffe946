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
