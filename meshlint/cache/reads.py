"""What the cache may assume a rule reads.

``tests/test_rule_reads.py`` runs every rule in a mesh that records each kind it looks up,
and checks that each rule declares every kind it reads (the cache keys a rule on those,
and the language server re-checks a rule only when one of them changed).
"""

from __future__ import annotations

from meshlint.engine.rule import Rule

#: Rules whose findings on a resource depend on that resource alone (and the settings):
#: checked one resource at a time, declaring no kind they do not check, and seen by the
#: test to look nothing up in the mesh. The cache keeps their findings by resource, and
#: checks again only the resources that changed. A rule not listed is never taken for one.
LOCAL_RULES = frozenset(
    [
        "ML110",
        "ML116",
        "ML117",
        "ML150",
        "ML151",
        "ML153",
        "ML310",
        "ML311",
        "ML472",
        "ML482",
        "ML521",
        "ML601",
        "ML602",
        "ML603",
        "ML604",
        "ML605",
        "ML610",
        "ML621",
        "ML622",
        "ML632",
        "ML650",
        "ML701",
        "ML702",
        "ML703",
        "ML708",
        "ML730",
        "ML731",
        "ML732",
        "ML733",
        "ML734",
        "ML735",
        "ML736",
        "ML737",
        "ML738",
        "ML739",
        "ML740",
        "ML741",
        "ML742",
        "ML743",
        "ML744",
        "ML745",
        "ML746",
        "ML747",
        "ML748",
        "ML749",
        "ML750",
        "ML751",
        "ML752",
        "ML753",
        "ML754",
        "ML755",
        "ML756",
        "ML757",
        "ML758",
        "ML759",
        "ML760",
        "ML761",
        "ML762",
        "ML763",
        "ML764",
        "ML765",
        "ML766",
        "ML767",
        "ML768",
        "ML769",
        "ML770",
        "ML771",
        "ML772",
        "ML773",
        "ML774",
        "ML775",
        "ML776",
        "ML777",
        "ML778",
        "ML779",
        "ML780",
        "ML781",
        "ML782",
        "ML783",
        "ML784",
        "ML785",
        "ML786",
        "ML788",
        "ML789",
        "ML790",
        "ML791",
        "ML792",
        "ML793",
        "ML794",
        "ML795",
        "ML796",
        "ML802",
        "ML860",
        "ML922",
        "ML923",
        "ML924",
        "ML941",
        "MP001",
        "MP002",
        "MP003",
        "MP004",
        "MP005",
        "MP006",
        "MP007",
        "MP008",
    ]
)


def is_local(rule: type[Rule]) -> bool:
    """Whether the cache may keep a rule's findings resource by resource."""
    return (
        rule.id in LOCAL_RULES
        and rule.per_resource()
        and bool(rule.kinds)
        and set(rule.kinds) <= set(rule.checked_kinds())
    )


def kinds_read(rule: type[Rule]) -> frozenset[str] | None:
    """Every kind a rule reads; None when it may read any (it declares no kinds)."""
    if not rule.kinds:
        return None
    return frozenset({*rule.kinds, *rule.targets})
