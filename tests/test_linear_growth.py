"""No rule does work quadratic in the number of resources: given ten times as many
colliding resources of every kind (same hosts, selectors, namespaces, names), every
built-in rule makes about ten times as many calls, never a hundred times as many.

Work is counted, not timed: the number of Python and builtin calls the rule makes while it
checks the mesh (deterministic, and independent of the machine's load). Each rule checks a
mesh of only the kinds it declares (as the Istio conformance runner loads them), built
afresh, so it also pays for the indexes it asks for, whatever ran before it.
"""

from __future__ import annotations

import cProfile

import pytest

from meshlint.engine.finding import Finding
from meshlint.engine.registry import builtin_rules
from meshlint.mesh.groups import MAX_NAMED
from meshlint.mesh.index import Mesh
from meshlint.mesh.settings import MESH_NETWORKS_KIND
from meshlint.model import Resource

from colliding import colliding_resources

#: The two sizes: resources of each kind, per namespace, in each collision.
SMALL, LARGE = 5, 50
#: Linear work grows about tenfold from SMALL to LARGE, quadratic work a hundredfold.
GROWTH = 20
#: Calls below which a count is noise (a rule's fixed setup).
FLOOR = 1000
#: A generous bound on the calls per resource of the checked kinds.
PER_RESOURCE = 5000
#: Messages name a few resources and count the others: their length does not grow.
MAX_MESSAGE = 1000


@pytest.fixture(scope="module")
def sizes() -> tuple[list[Resource], list[Resource]]:
    return colliding_resources(SMALL), colliding_resources(LARGE)


def work(rule: type, resources: list[Resource]) -> tuple[int, int, list[Finding]]:
    """The calls the rule makes checking a fresh mesh of the kinds it reads, the number of
    resources in it, and the findings."""
    kinds = set(rule.kinds)
    mesh = Mesh([r for r in resources if r.kind in kinds])
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        findings = list(rule().check(mesh))
    finally:
        profiler.disable()
    return sum(entry.callcount for entry in profiler.getstats()), len(mesh.resources), findings


def test_the_colliding_mesh_holds_every_kind_the_rules_read(sizes):
    read = {k for rule in builtin_rules() for k in rule.kinds}
    # mesh networks come from the settings (or an istio ConfigMap), not from manifests
    assert read - {MESH_NETWORKS_KIND} <= {r.kind for r in sizes[0]}


@pytest.mark.parametrize("rule", builtin_rules(), ids=lambda rule: rule.id)
def test_rule_work_grows_linearly_with_colliding_resources(sizes, rule):
    small, _, _ = work(rule, sizes[0])
    large, resources, findings = work(rule, sizes[1])
    assert large < GROWTH * max(small, FLOOR), (small, large)
    assert large < PER_RESOURCE * max(resources, 1), (large, resources)
    assert all(len(f.related) <= MAX_NAMED + 1 for f in findings)
    assert all(len(f.message) <= MAX_MESSAGE for f in findings)
