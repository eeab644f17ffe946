"""Walking Istio resources for the semantic rules: the nested blocks that share
validation (traffic policies, HTTP routes, string matches, selectors), with their paths."""

from __future__ import annotations

from collections.abc import Iterator

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


def traffic_policies(dr: Resource, *, port_level: bool = True) -> Iterator[tuple[Path, dict]]:
    """Every traffic policy of a DestinationRule: top level, per subset and (by default)
    per port, as ``(path, policy)``."""
    spec = dr.spec
    roots: list[tuple[Path, object]] = [(("spec", "trafficPolicy"), spec.get("trafficPolicy"))]
    for path, subset in enumerate_maps(spec.get("subsets"), ("spec", "subsets")):
        roots.append(((*path, "trafficPolicy"), subset.get("trafficPolicy")))
    for path, policy in roots:
        if not isinstance(policy, dict):
            continue
        yield path, policy
        if port_level:
            yield from enumerate_maps(policy.get("portLevelSettings"), (*path, "portLevelSettings"))


def http_routes(vs: Resource) -> Iterator[tuple[Path, dict]]:
    """``(path, route)`` for each ``spec.http`` route of a VirtualService."""
    return enumerate_maps(vs.spec.get("http"), ("spec", "http"))


def route_sections(vs: Resource) -> Iterator[tuple[str, Path, dict]]:
    """``(section, path, route)`` for every http, tcp and tls route."""
    for section in ROUTE_SECTIONS:
        for path, route in enumerate_maps(vs.spec.get(section), ("spec", section)):
            yield section, path, route


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
