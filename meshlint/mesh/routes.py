"""Walking a VirtualService: its route destinations and mirrors, with their field paths."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from meshlint.fieldpath import Path
from meshlint.mesh.memo import per_resource
from meshlint.model import Resource

ROUTE_SECTIONS = ("http", "tcp", "tls")


@dataclass(slots=True)
class Destination:
    """One ``destination`` block: where it is, what it names, and whether it is a mirror."""

    path: Path
    host: str
    subset: str | None
    port: int | None
    mirror: bool = False

    @property
    def host_path(self) -> Path:
        return (*self.path, "host")


def _destination(path: Path, block: object, mirror: bool = False) -> Destination | None:
    if not isinstance(block, dict) or not isinstance(block.get("host"), str):
        return None
    port = block.get("port")
    number = port.get("number") if isinstance(port, dict) else None
    subset = block.get("subset")
    return Destination(
        path,
        block["host"],
        str(subset) if subset not in (None, "") else None,
        number if isinstance(number, int) and not isinstance(number, bool) else None,
        mirror,
    )


def destinations(vs: Resource, *, mirrors: bool = True) -> tuple[Destination, ...]:
    """Every route destination of a VirtualService (and, by default, every mirror), in
    the order of the manifest. Shared between callers: do not modify them."""
    found = _destinations(vs)
    return found if mirrors else tuple(d for d in found if not d.mirror)


@per_resource
def _destinations(vs: Resource) -> tuple[Destination, ...]:
    return tuple(_walk(vs))


def _walk(vs: Resource) -> Iterator[Destination]:
    spec = vs.spec
    for section in ROUTE_SECTIONS:
        rules = spec.get(section)
        if not isinstance(rules, list):
            continue
        for i, rule in enumerate(rules):
            if not isinstance(rule, dict):
                continue
            routes = rule.get("route")
            if isinstance(routes, list):
                for j, route in enumerate(routes):
                    if isinstance(route, dict):
                        path = ("spec", section, i, "route", j, "destination")
                        dest = _destination(path, route.get("destination"))
                        if dest:
                            yield dest
            if section == "http":
                dest = _destination(("spec", "http", i, "mirror"), rule.get("mirror"), True)
                if dest:
                    yield dest
                extra = rule.get("mirrors")
                if isinstance(extra, list):
                    for k, item in enumerate(extra):
                        if isinstance(item, dict):
                            path = ("spec", "http", i, "mirrors", k, "destination")
                            dest = _destination(path, item.get("destination"), True)
                            if dest:
                                yield dest


def gateway_refs(vs: Resource) -> Iterator[tuple[Path, str]]:
    """Every gateway a VirtualService names: ``spec.gateways`` and per-match gateways."""
    gateways = vs.spec.get("gateways")
    if isinstance(gateways, list):
        for i, ref in enumerate(gateways):
            if isinstance(ref, str):
                yield ("spec", "gateways", i), ref
    http = vs.spec.get("http")
    if isinstance(http, list):
        for i, rule in enumerate(http):
            matches = rule.get("match") if isinstance(rule, dict) else None
            if not isinstance(matches, list):
                continue
            for j, match in enumerate(matches):
                refs = match.get("gateways") if isinstance(match, dict) else None
                if isinstance(refs, list):
                    for k, ref in enumerate(refs):
                        if isinstance(ref, str):
                            yield ("spec", "http", i, "match", j, "gateways", k), ref
