"""Gateway API references: route parentRefs and backendRefs, listeners, ReferenceGrants."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from meshlint.core.suggest import hint
from meshlint.fieldpath import Path
from meshlint.mesh.index import Mesh
from meshlint.mesh.resolve import Resolution, found, not_found, unknown
from meshlint.mesh.services import as_int
from meshlint.model import Resource

GATEWAY_API = "gateway.networking.k8s.io"
ROUTE_KINDS = ("HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute")
CORE = ""


@dataclass(slots=True)
class Ref:
    """A parentRef or backendRef with its defaults applied."""

    path: Path
    group: str
    kind: str
    namespace: str
    name: str
    section: str | None = None
    port: int | None = None


def _ref(path: Path, item: dict, route: Resource, group: str, kind: str) -> Ref | None:
    name = item.get("name")
    if not isinstance(name, str) or not name:
        return None
    namespace = item.get("namespace")
    section = item.get("sectionName")
    return Ref(
        path=path,
        group=str(item.get("group") if item.get("group") is not None else group),
        kind=str(item.get("kind") or kind),
        namespace=namespace if isinstance(namespace, str) and namespace else route.namespace,
        name=name,
        section=section if isinstance(section, str) and section else None,
        port=as_int(item.get("port")),
    )


def parent_refs(route: Resource) -> Iterator[Ref]:
    """Every ``spec.parentRefs`` entry (default: a Gateway of the route's namespace)."""
    items = route.spec.get("parentRefs")
    for i, item in enumerate(items if isinstance(items, list) else ()):
        if isinstance(item, dict):
            ref = _ref(("spec", "parentRefs", i), item, route, GATEWAY_API, "Gateway")
            if ref is not None:
                yield ref


def backend_refs(route: Resource) -> Iterator[Ref]:
    """Every ``spec.rules[].backendRefs`` entry (default: a core Service)."""
    rules = route.spec.get("rules")
    for i, rule in enumerate(rules if isinstance(rules, list) else ()):
        items = rule.get("backendRefs") if isinstance(rule, dict) else None
        for j, item in enumerate(items if isinstance(items, list) else ()):
            if isinstance(item, dict):
                path = ("spec", "rules", i, "backendRefs", j)
                ref = _ref(path, item, route, CORE, "Service")
                if ref is not None:
                    yield ref


def is_gateway(ref: Ref) -> bool:
    return ref.group == GATEWAY_API and ref.kind == "Gateway"


def is_service(ref: Ref) -> bool:
    return ref.group == CORE and ref.kind == "Service"


def listeners(gateway: Resource) -> list[tuple[int, dict]]:
    """(index, listener) of a Gateway's listeners."""
    items = gateway.spec.get("listeners")
    return [
        (i, li)
        for i, li in enumerate(items if isinstance(items, list) else ())
        if isinstance(li, dict)
    ]


def resolve_in_namespace(
    mesh: Mesh, target: Resource | None, kind: str, namespace: str
) -> Resolution:
    """Found when ``target`` exists; not found when the inputs hold another object of
    its ``kind`` in its namespace (or are declared complete); unknown otherwise."""
    if target is not None:
        return found([target])
    if mesh.settings.assume_complete or mesh.evidence.has(kind, namespace):
        return not_found()
    return unknown(f"no {kind}s of namespace {namespace} among the inputs")


def grant_sources(grant: Resource) -> Iterator[tuple[str, str]]:
    """(kind, namespace) of each Gateway API ``from`` entry of a ReferenceGrant."""
    sources = grant.spec.get("from")
    for source in sources if isinstance(sources, list) else ():
        if isinstance(source, dict) and source.get("group") == GATEWAY_API:
            yield str(source.get("kind")), str(source.get("namespace"))


def grants_reference(grant: Resource, route: Resource, ref: Ref) -> bool:
    """Whether a ReferenceGrant (in the target's namespace) lets ``route`` refer to it."""
    spec = grant.spec
    sources = spec.get("from")
    targets = spec.get("to")
    allowed_from = any(
        isinstance(f, dict)
        and f.get("group") == GATEWAY_API
        and f.get("kind") == route.kind
        and f.get("namespace") == route.namespace
        for f in (sources if isinstance(sources, list) else ())
    )
    allowed_to = any(
        isinstance(t, dict)
        and str(t.get("group") or CORE) == ref.group
        and t.get("kind") == ref.kind
        and t.get("name") in (None, "", ref.name)
        for t in (targets if isinstance(targets, list) else ())
    )
    return allowed_from and allowed_to


class MissingNames:
    """Did-you-mean hints for names missing from a namespace, with the names of each
    namespace indexed once and each hint computed once (many routes repeat a typo)."""

    def __init__(self, resources: list[Resource]) -> None:
        self._names: dict[str, list[str]] = {}
        for resource in resources:
            self._names.setdefault(resource.namespace, []).append(resource.name)
        self._hints: dict[tuple[str, str], str] = {}

    def hint(self, namespace: str, name: str) -> str:
        key = (namespace, name)
        if key not in self._hints:
            self._hints[key] = hint(name, self._names.get(namespace, ()))
        return self._hints[key]
