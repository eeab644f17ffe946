"""Property-based tests (fixed seed in CI): no input crashes the loader or the pipeline."""

from __future__ import annotations

import sys

import yaml
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from conftest import REPO

sys.path.insert(0, str(REPO / "tools"))

from meshlint.loader.documents import load_source
from meshlint.loader.sources import decode

from fuzz_inputs import (
    ALIASED_KEYS,
    MUTATIONS,
    OBJECTS,
    PATTERN_CASES,
    TREES,
    lint_bytes,
    mutate,
)

SEEDS = [p.read_bytes() for p in sorted((REPO / "examples").rglob("*.yaml"))]
CI = settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@CI
@given(st.binary(max_size=2000))
def test_loader_survives_arbitrary_bytes(data):
    loaded = load_source(decode("f.yaml", data))
    assert loaded.parsed or loaded.problems


@CI
@given(st.lists(TREES, min_size=1, max_size=3))
def test_pipeline_survives_arbitrary_yaml_trees(trees):
    lint_bytes(yaml.safe_dump_all(trees).encode())


@CI
@given(st.lists(OBJECTS, min_size=1, max_size=4))
def test_pipeline_survives_arbitrary_kubernetes_like_objects(objects):
    lint_bytes(yaml.safe_dump_all(objects).encode())


@CI
@seed(1337)
@given(st.sampled_from(SEEDS), MUTATIONS)
def test_pipeline_survives_mutated_manifests(original, ops):
    lint_bytes(mutate(original, ops), *SEEDS)


@CI
@given(ALIASED_KEYS)
def test_pipeline_survives_aliases_in_key_positions(data):
    lint_bytes(data)


@CI
@given(PATTERN_CASES)
def test_pipeline_survives_policies_with_hostile_patterns(case):
    policies, data = case
    lint_bytes(data, policies=policies)


def test_regression_pod_containers_of_the_wrong_type():
    """Found by tools/fuzz.py: a Pod whose ``containers`` is a number crashed ML610."""
    lint_bytes(b"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: -3.2e+62\n")
    lint_bytes(b"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: 7\n")
