"""Kinds some rules read beyond those they declare.

``tests/test_rule_reads.py`` runs every rule in a mesh that records each kind it looks up;
the kinds below are looked up (through shared indexes: the service registry, the workload
index) without being declared. The cache keys these rules on them too; ``EVERY`` keys a
rule on every kind. A declaration that comes to cover them makes its line here unneeded
(the test then says so).
"""

from __future__ import annotations

from meshlint.engine.rule import Rule

EVERY = "*"

UNDECLARED_READS: dict[str, tuple[str, ...]] = {
    "ML114": ("Service", "ServiceEntry"),
    "ML202": ("CronJob", "Job", "ReplicationController"),
    "ML411": ("Service",),
    "ML412": ("Service",),
    "ML481": ("ServiceEntry",),
    "ML551": ("PeerAuthentication",),
    "ML554": ("ServiceEntry",),
    "ML555": ("ServiceEntry",),
    "ML556": ("ServiceEntry",),
    "ML557": ("ServiceEntry",),
    "ML558": ("ServiceEntry",),
    "ML559": ("ServiceEntry",),
    "ML787": ("ConfigMap",),
    "ML853": ("Service",),
    "ML961": (EVERY,),
}


def kinds_read(rule: type[Rule]) -> frozenset[str] | None:
    """Every kind a rule reads; None when it may read any."""
    if not rule.kinds or rule.hints_from_whole_mesh:
        return None
    more = UNDECLARED_READS.get(rule.id, ())
    if EVERY in more:
        return None
    return frozenset({*rule.kinds, *rule.targets, *more})
