"""Walking Istio resources for the semantic rules: the nested blocks that share
validation (traffic policies, HTTP routes, string matches, selectors), with their paths.

The blocks of a resource that many rules read (its traffic policies, routes and top-level
lists) are walked once per resource and shared: callers must not modify them.
"""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.core.memo import while_first_lives
from meshlint.fieldpath import Path
from meshlint.model import Resource
from meshlint.validation.values import items, mapping

STRING_MATCH_TYPES = ("exact", "prefix", "regex")
ROUTE_SECTIONS = ("http", "tcp", "tls")


def enumerate_maps(value: object, base: Path) -> Iterator[tuple[Path, dict]]:
    """``(path, item)`` for each mapping item of a list."""
    for i, item in enumerate(items(value)):
        if isinstance(item, dict):
            yield ((*base, i), item)


@while_first_lives
def spec_items(resource: Resource, field: str) -> tuple[tuple[Path, dict], ...]:
    """``(path, item)`` for each mapping item of the list ``spec.<field>``."""
    return tuple(enumerate_maps(resource.spec.get(field), ("spec", field)))


def traffic_policies(dr: Resource, *, port_level: bool = True) -> tuple[tuple[Path, dict], ...]:
    """Every traffic policy of a DestinationRule: top level, per subset and (by default)
    per port, as ``(path, policy)``."""
    return _traffic_policies(dr, port_level)


@while_first_lives
def _traffic_policies(dr: Resource, port_level: bool) -> tuple[tuple[Path, dict], ...]:
    spec = dr.spec
    roots: list[tuple[Path, object]] = [(("spec", "trafficPolicy"), spec.get("trafficPolicy"))]
    for path, subset in spec_items(dr, "subsets"):
        roots.append(((*path, "trafficPolicy"), subset.get("trafficPolicy")))
    found: list[tuple[Path, dict]] = []
    for path, policy in roots:
        if not isinstance(policy, dict):
            continue
        found.append((path, policy))
        if port_level:
            found += enumerate_maps(policy.get("portLevelSettings"), (*path, "portLevelSettings"))
    return tuple(found)


def http_routes(vs: Resource) -> tuple[tuple[Path, dict], ...]:
    """``(path, route)`` for each ``spec.http`` route of a VirtualService."""
    return spec_items(vs, "http")


@while_first_lives
def route_sections(vs: Resource) -> tuple[tuple[str, Path, dict], ...]:
    """``(section, path, route)`` for every http, tcp and tls route."""
    return tuple(
        (section, path, route)
        for section in ROUTE_SECTIONS
        for path, route in spec_items(vs, section)
    )


def string_match(value: object) -> tuple[str, str] | None:
    """The ``(type, text)`` of a StringMatch block (exact, prefix or regex), if any."""
    block = mapping(value)
    for kind in STRING_MATCH_TYPES:
        if isinstance(block.get(kind), str):
            return kind, block[kind]
    return None


def http_string_matches(match: dict, base: Path) -> Iterator[tuple[Path, str, dict]]:
    """``(path, field, block)`` of each StringMatch of an HTTP match request; ``field`` is
    uri, scheme, method, authority, headers, withoutHeaders or queryParams."""
    for field in ("uri", "scheme", "method", "authority"):
        if isinstance(match.get(field), dict):
            yield (*base, field), field, match[field]
    for field in ("headers", "withoutHeaders", "queryParams"):
        for key, block in mapping(match.get(field)).items():
            if isinstance(block, dict):
                yield (*base, field, key), field, block


def header_operations(headers: object, base: Path) -> Iterator[tuple[Path, str, str, object]]:
    """``(path, operation, name, value)`` of each header operation of a ``headers`` block;
    ``operation`` is e.g. ``request.set``, and ``remove`` entries have no value (None)."""
    block = mapping(headers)
    for direction in ("request", "response"):
        ops = mapping(block.get(direction))
        for op in ("add", "set"):
            for name, value in mapping(ops.get(op)).items():
                yield (*base, direction, op, name), f"{direction}.{op}", name, value
        for i, name in enumerate(items(ops.get("remove"))):
            if isinstance(name, str):
                yield (*base, direction, "remove", i), f"{direction}.remove", name, None
