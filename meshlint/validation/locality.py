"""Locality load balancing settings: distribute weights and failover."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.validation import Issue
from meshlint.validation.values import is_int, items, mapping, text

TOPOLOGY_LABELS = frozenset(
    {"topology.kubernetes.io/region", "topology.kubernetes.io/zone", "topology.istio.io/subzone"}
)


def _locality_shape_error(locality: str) -> str | None:
    stars = locality.count("*")
    if stars and (stars > 1 or not locality.endswith("*")):
        return f'locality "{locality}": at most one "*" wildcard, and only at the end'
    if any(part == "" for part in locality.split("/", 2)):
        return f'locality "{locality}" must not contain an empty region/zone/subzone'
    return None


def _overlap(tree: dict[str, dict[str, set[str]]], locality: str) -> bool:
    """Record ``locality`` in ``tree`` (region -> zone -> subzones, ``*`` for a whole
    level); True when an earlier locality already covers it, as Istio decides."""
    if "*" in tree:
        return True
    parts = locality.split("/", 2)
    region = parts[0]
    zones = tree.get(region)
    if len(parts) == 1:
        if zones is not None:
            return True
        tree[region] = {"*": {"*"}}
        return False
    zone = parts[1]
    if zones is None:
        tree[region] = {zone: {parts[2] if len(parts) == 3 else "*"}}
        return False
    if "*" in zones:
        return True
    if len(parts) == 2:
        if zone in zones:
            return True
        zones[zone] = {"*"}
        return False
    subzones = zones.get(zone)
    if subzones is None:
        zones[zone] = {parts[2]}
        return False
    if "*" in subzones or parts[2] in subzones:
        return True
    subzones.add(parts[2])
    return False


def localities_issues(localities: list[tuple[object, str]]) -> Iterator[Issue]:
    """Shape and overlap problems of a list of (path, locality) pairs."""
    tree: dict[str, dict[str, set[str]]] = {}
    for path, locality in localities:
        error = _locality_shape_error(locality)
        if error is None and _overlap(tree, locality):
            error = f'locality "{locality}" overlaps with one given before'
        if error:
            yield (path, error)
            return


def locality_lb_issues(setting: dict) -> Iterator[Issue]:
    """Problems of a ``localityLbSetting`` block (paths below it)."""
    distribute = items(setting.get("distribute"))
    failover = items(setting.get("failover"))
    priority = items(setting.get("failoverPriority"))
    if distribute and failover:
        yield (("failover",), "cannot set both distribute and failover")
        return
    if failover:
        for i, label in enumerate(priority):
            if label in TOPOLOGY_LABELS:
                yield (
                    ("failoverPriority", i),
                    f'cannot set both failover and the topology label "{label}" in '
                    "failoverPriority",
                )
                return
    sources = []
    for i, rule in enumerate(distribute):
        rule = mapping(rule)
        if isinstance(rule.get("from"), str):
            sources.append((("distribute", i, "from"), rule["from"]))
        weights = mapping(rule.get("to"))
        bad = next((k for k, w in weights.items() if is_int(w) and not 1 <= w <= 100), None)
        if bad is not None:
            yield (("distribute", i, "to", bad), "locality weight must be in range [1, 100]")
            return
        total = sum(w for w in weights.values() if is_int(w))
        if total != 100:
            yield (("distribute", i, "to"), f"locality weights add up to {total}, not 100")
            return
        targets = [(("distribute", i, "to", k), k) for k in weights]
        yield from localities_issues(targets)
    yield from localities_issues(sources)
    for i, rule in enumerate(failover):
        rule = mapping(rule)
        source, target = text(rule.get("from")), text(rule.get("to"))
        path = ("failover", i)
        if source == target:
            yield (path, "failover must go to a different region")
        if "/" in source or "/" in target:
            yield (path, "failover names regions only (no zone or subzone)")
        if "*" in source or "*" in target:
            yield (path, 'failover regions cannot contain a "*" wildcard')
