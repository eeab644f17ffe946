"""What an edit can affect: the neighbourhood a fast re-lint checks after one file changes.

A resource's findings depend on its own body and on what it names: namespaces (``ns/x``,
``x.ns.svc.cluster.local``, namespace lists), resources (``ns/name``, ``name.ns``, a
short name in its own namespace), hosts (exactly or through a wildcard), and for a
Gateway the pods its selector picks in any namespace. An edit to file F can therefore
change the findings of (its *scope*):

- resources in the namespaces F's resources live in (before and after the edit) or
  point to (a Gateway there may count the routes bound to it),
- resources elsewhere naming those namespaces, a resource F names, or a host F names,
- Gateways selecting pods where F is,
- mesh-wide resources (in the root namespace, or in none): they are re-checked against
  the whole mesh.

To check the scope, the rules need what it depends on in turn: every resource in the
namespaces it lives in or names, in the root namespace and in none, the resources naming
the same namespaces, resources or hosts, and the namespaces of the pods its Gateways
select. The rules run on a mesh of those resources only.

A namespace many resources point to (a shared ingress Gateway's) is a *hub*: bringing in
everything that names it would make every neighbourhood large, so only the hub's
resources the edit concerns are re-checked, with what names the hub around them.

Objects Istio would create from the inputs (:mod:`meshlint.mesh.generated`: a gateway's
Deployment and Service) count as resources where they are created: an edit that changes
them changes them there, and a neighbourhood holds those of the namespaces it covers.

The relation is read from the manifests' text, not from the rules. A checker
(``tools/check_incremental.py``, also run by the tests) compares fast re-lints with full
ones after thousands of edits; and the language server follows every fast re-lint with a
full one once the user pauses, which corrects anything a neighbourhood would miss.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from meshlint.mesh.generated import GENERATED_KINDS, generated_among
from meshlint.mesh.index import Mesh
from meshlint.mesh.names import Names, NamesIndex, Overlay
from meshlint.mesh.workloads import selects
from meshlint.model import Resource, string_map

#: How many resources elsewhere may name a namespace an edit points to before it counts
#: as a hub (see :func:`neighbourhood`).
HUB_SIZE = 200
#: Kinds whose resources in the root namespace apply to every namespace.
MESH_WIDE_KINDS = frozenset(
    {
        "AuthorizationPolicy",
        "ConfigMap",
        "DestinationRule",
        "EnvoyFilter",
        "PeerAuthentication",
        "ProxyConfig",
        "RequestAuthentication",
        "Sidecar",
        "Telemetry",
        "TrafficExtension",
        "WasmPlugin",
    }
)


@dataclass
class Check:
    """Resources to re-check (by key) on a mesh of the ``resources`` around them (None:
    on the whole mesh)."""

    keys: set[tuple]
    resources: list[Resource] | None

    @property
    def kinds(self) -> set[str]:
        return {key[1] for key in self.keys}


@dataclass
class Neighbourhood:
    """What a fast re-lint re-checks: the ``scope`` of the edit, resources in hubs it
    points to, and mesh-wide resources, each on the mesh its findings depend on."""

    scope: Check
    hubs: Check
    wide: Check

    @property
    def checks(self) -> list[Check]:
        """The scope's check (always), then the others that have anything to check."""
        return [self.scope, *(c for c in (self.hubs, self.wide) if c.keys)]

    @property
    def keys(self) -> set[tuple]:
        return self.scope.keys | self.hubs.keys | self.wide.keys


def mesh_wide(resource: Resource, root_namespace: str) -> bool:
    """Whether a resource's findings may depend on any namespace: mesh-wide policy and
    defaults (in the root namespace), or a resource in no namespace (but a Namespace)."""
    if resource.namespace == root_namespace:
        return resource.kind in MESH_WIDE_KINDS
    return resource.namespace == "" and resource.kind != "Namespace"


@dataclass
class _Edit:
    """What the changed resources live in and name."""

    dirty: set[str]
    names: list[Names]

    def __post_init__(self) -> None:
        union = frozenset().union
        self.hosts = union(*(n.hosts for n in self.names))
        self.covering = union(*(n.covering for n in self.names))
        self.refs = union(*(n.refs for n in self.names))
        self.namespaces = union(*(n.namespaces for n in self.names))
        self.pods = [n.pod_labels for n in self.names if n.pod_labels is not None]

    def pointed_at_by(self, found: Names, refs: frozenset) -> bool:
        """Whether a resource naming ``found`` names where the edit is, one of ``refs``,
        or one of the edit's hosts."""
        return (
            not self.dirty.isdisjoint(found.namespaces)
            or not refs.isdisjoint(found.refs)
            or (bool(self.hosts) and found.overlaps(self.hosts, self.covering))
        )


def neighbourhood(
    mesh: Mesh,
    changed: list[Resource],
    root_namespace: str,
    names: NamesIndex,
    *,
    namespaces_changed: bool,
    regenerated: Iterable[Resource] = (),
    also: Iterable[Resource] = (),
    hub_size: int = HUB_SIZE,
) -> Neighbourhood | None:
    """The neighbourhood of an edit (``changed``: the resources it removed and added;
    ``regenerated``: the objects Istio would create that it removed and added), or None
    when it is the whole mesh: an edit to the root namespace or to a cluster-scoped
    object, or one that adds or empties a namespace (``namespaces_changed``), which
    changes what every namespace reference resolves to.
    Resources in ``also`` are re-checked in any case (if still in the mesh).

    A namespace the edit points to that more than ``hub_size`` resources elsewhere name
    (a shared ingress Gateway's, say) is a hub, and so is the root namespace. There only
    the resources the edit names (``ns/name``, ``name.ns.svc...``) or shares a name with
    are re-checked, apart from the rest of the scope: everything that names the hub is
    around them, not around the rest."""
    also = set(also)
    changed = [*changed, *regenerated]
    names = Overlay(names, generated_among(mesh.of_kind(*GENERATED_KINDS)))
    edit = _Edit({r.namespace for r in changed}, [names(r) for r in changed])
    if namespaces_changed or "" in edit.dirty or root_namespace in edit.dirty:
        return None
    # Where the edit is, and where it points (a Gateway there may count its routes).
    near = edit.dirty | (edit.namespaces & mesh.namespaces_seen)
    hubs = {root_namespace} | {
        ns for ns in near - edit.dirty - {root_namespace} if names.naming_elsewhere(ns) > hub_size
    }
    # What elsewhere shares a reference into a hub (every route bound to a shared
    # Gateway, say) only matters through the other channels.
    shared = frozenset(ref for ref in edit.refs if ref[0] not in hubs)
    candidates = _union(names.living, near)
    candidates |= _union(names.naming, edit.dirty)
    candidates |= _union(names.referring, edit.refs)
    candidates |= names.overlapping(edit.hosts, edit.covering)
    candidates |= {r for r in names.living.get("", ()) if r.kind == "Namespace" and r.name in near}
    candidates.update(also)
    wide = {r for r in _union(names.living, {root_namespace, ""}) if mesh_wide(r, root_namespace)}
    scope, hubbed = set(), set()
    for r in candidates - wide:
        if mesh.get_key(r.key) is not r:
            continue
        found = names(r)
        if r.namespace in hubs:
            # In a hub, only what the edit names or shares a name with, or what names
            # where the edit is or its hosts.
            if (
                r in also
                or (r.namespace, r.name) in edit.refs
                or edit.pointed_at_by(found, edit.refs)
            ):
                hubbed.add(r)
        elif (
            r in also
            or r.namespace in near
            or r.kind == "Namespace"
            or edit.pointed_at_by(found, shared)
        ):
            scope.add(r)
    picks_edited: dict[tuple, bool] = {}  # by selector: Gateways often share theirs
    for gateway in mesh.of_kind("Gateway"):
        if gateway not in scope and gateway not in hubbed and gateway not in wide:
            selector = _selector(gateway)
            key = tuple(selector.items())
            if key not in picks_edited:
                pods = names.selected(selector)
                picks_edited[key] = any(p.namespace in edit.dirty for p in pods) or any(
                    selects(selector, labels) for labels in edit.pods
                )
            if picks_edited[key]:
                (hubbed if gateway.namespace in hubs else scope).add(gateway)
    wide = {r for r in wide if r.linted and mesh.get_key(r.key) is r}
    return Neighbourhood(
        Check({r.key for r in scope}, _context(mesh, scope, root_namespace, names, hubs)),
        # What a hub's resources depend on: what names the hub, say.
        Check(
            {r.key for r in hubbed},
            _context(mesh, hubbed, root_namespace, names) if hubbed else [],
        ),
        Check({r.key for r in wide}, None),
    )


def _union(index: dict, keys: Iterable) -> set[Resource]:
    found: set[Resource] = set()
    for key in keys:
        found |= index.get(key, set())
    return found


def _selector(gateway: Resource) -> dict[str, str]:
    """A Gateway's selector, which picks workloads in every namespace (all of them when
    it is empty or not a map)."""
    return string_map(gateway.spec.get("selector"))


def _context(
    mesh: Mesh,
    scope: set[Resource],
    root_namespace: str,
    names: NamesIndex,
    hubs: Iterable[str] = (),
) -> list[Resource]:
    """The scope plus what it depends on, in the mesh's order: every resource in the
    namespaces the scope lives in or names, in the root namespace (mesh-wide defaults)
    and cluster-scoped, every resource naming the same namespaces (but hubs), resources
    (but in hubs) or hosts, and the namespaces of the pods its Gateways select."""
    own = {r.namespace for r in scope}
    named: set[str] = set()
    hosts: set[str] = set()
    covering: set[str] = set()
    refs: set[tuple[str, str]] = set()
    for resource in scope:
        found = names(resource)
        named |= found.namespaces
        hosts |= found.hosts
        covering |= found.covering
        refs |= found.refs
    named &= mesh.namespaces_seen
    members = own | named | {root_namespace, ""}
    for gateway in (r for r in scope if r.kind == "Gateway"):
        members |= {p.namespace for p in names.selected(_selector(gateway))}
    # Nearly everything names the root namespace, and many resources name a hub; what
    # lives there is checked apart, around what names it.
    hubs = {*hubs}
    others = own | (named - {root_namespace} - hubs)
    found = set(scope)
    found |= _union(names.living, members)
    found |= _union(names.naming, others)
    found |= _union(names.referring, (ref for ref in refs if ref[0] not in hubs))
    found |= names.overlapping(hosts, covering)
    return mesh.in_order(r for r in found if mesh.get_key(r.key) is r)
