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

The relation is read from the manifests' text, not from the rules. A checker
(``tools/check_incremental.py``, also run by the tests) compares fast re-lints with full
ones after thousands of edits; and the language server follows every fast re-lint with a
full one once the user pauses, which corrects anything a neighbourhood would miss.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from meshlint.mesh.index import Mesh
from meshlint.mesh.workloads import WORKLOAD_KINDS, selects, workload_of
from meshlint.model import Resource, string_map

#: Fields holding label maps (or label selectors): their values name no resource.
LABEL_MAPS = frozenset({"labels", "matchLabels", "selector", "nodeSelector", "annotations"})
#: Fields whose plain string values are namespace names.
NAMESPACE_FIELDS = frozenset({"namespace", "namespaces", "notNamespaces", "exportTo"})
_NAMESPACE = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_HOST = re.compile(r"[A-Za-z0-9*_-]+(\.[A-Za-z0-9_-]+)+")


@dataclass(frozen=True, slots=True)
class Names:
    """What one resource names: namespaces, hosts, hosts with the wildcards that would
    cover them, resources by (namespace, name) (``ns/name``, ``name.ns.svc...``, or a
    short name in its own namespace), and for a workload the labels of its pods (None
    for other kinds)."""

    namespaces: frozenset[str]
    hosts: frozenset[str]
    covering: frozenset[str]
    refs: frozenset[tuple[str, str]]
    pod_labels: dict[str, str] | None

    def overlaps(self, hosts: frozenset[str], covering: frozenset[str]) -> bool:
        """Whether this names one of ``hosts``, a host they cover, or one covering them
        (``covering``: those hosts with their covering wildcards)."""
        return not (self.hosts.isdisjoint(covering) and self.covering.isdisjoint(hosts))


def _strings(node: object) -> Iterable[tuple[str, str, bool]]:
    """(field name, string, whether it is a label or annotation value) for every string
    value under ``node``."""
    stack: list[tuple[str, object, bool]] = [("", node, False)]
    while stack:
        key, item, label = stack.pop()
        if isinstance(item, str):
            yield key, item, label
        elif isinstance(item, dict):
            stack.extend((str(k), v, label or k in LABEL_MAPS) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((key, v, label) for v in item)


def _covering(host: str) -> set[str]:
    """The host and the wildcards (of at least two labels) that cover it."""
    labels = host.split(".")
    return {host, *("*." + ".".join(labels[i:]) for i in range(1, len(labels) - 1))}


def names(resource: Resource) -> Names:
    """What ``resource`` names in its spec (and, for a workload, its pods' labels)."""
    namespaces = {resource.namespace}
    found_hosts: set[str] = set()
    refs: set[tuple[str, str]] = set()
    for key, text, label in _strings(resource.body.get("spec")):
        if key in NAMESPACE_FIELDS:
            namespaces.add(text)
        if "/ns/" in text:
            namespaces.add(text.split("/ns/", 1)[1].split("/", 1)[0])
        if "/" in text:
            head, _, text = text.partition("/")
            namespaces.add(head)
            if text and "." not in text and "*" not in text:
                refs.add((head, text))
        elif "." not in text and not label and _NAMESPACE.fullmatch(text):
            refs.add((resource.namespace, text))  # a short name: a host, gateway, ...
        elif text == "*" and key == "hosts":
            found_hosts.add(text)  # every host: conflicts with another "*" on a Gateway
        if "." in text and _HOST.fullmatch(text):
            found_hosts.add(text)
            labels = text.split(".svc.", 1)[0].split(".")
            if ".svc." in text:
                namespaces.add(labels[-1])
            else:
                namespaces.update(labels)
            if len(labels) >= 2 and "*" not in labels[0]:
                refs.add((labels[1], labels[0]))
    covering: set[str] = set()
    for host in found_hosts:
        covering |= _covering(host)
    workload = workload_of(resource)
    return Names(
        frozenset(n for n in namespaces if _NAMESPACE.fullmatch(n)),
        frozenset(found_hosts),
        frozenset(covering),
        frozenset(refs),
        workload.labels if workload is not None else None,
    )


class NamesCache:
    """:func:`names` by resource, for as long as the resource is in the workspace (a
    parsed resource never changes; an edit replaces it by a new one)."""

    def __init__(self) -> None:
        self._by_resource: dict[Resource, Names] = {}

    def __call__(self, resource: Resource) -> Names:
        found = self._by_resource.get(resource)
        if found is None:
            found = self._by_resource[resource] = names(resource)
        return found

    def forget(self, resources: Iterable[Resource]) -> None:
        for resource in resources:
            self._by_resource.pop(resource, None)


#: How many resources elsewhere may name a namespace an edit points to before it counts
#: as a hub (see :func:`neighbourhood`).
HUB_SIZE = 200


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
    """Whether a resource's findings may depend on any namespace: it lives in the root
    namespace (mesh-wide policy and defaults) or in none (other than a Namespace)."""
    return resource.namespace == root_namespace or (
        resource.namespace == "" and resource.kind != "Namespace"
    )


def neighbourhood(
    mesh: Mesh,
    changed: list[Resource],
    root_namespace: str,
    *,
    namespaces_changed: bool,
    names_of=names,
    also: Iterable[Resource] = (),
    hub_size: int = HUB_SIZE,
) -> Neighbourhood | None:
    """The neighbourhood of an edit (``changed``: the resources it removed and added),
    or None when it is the whole mesh: an edit to the root namespace or to a
    cluster-scoped object, or one that adds or empties a namespace
    (``namespaces_changed``), which changes what every namespace reference resolves to.
    Resources in ``also`` are re-checked in any case (if still in the mesh).

    A namespace the edit points to that more than ``hub_size`` resources elsewhere name
    (a shared ingress Gateway's, say) is a hub. There only the resources the edit names
    (``ns/name``, ``name.ns.svc...``) or shares a name with are re-checked, apart from
    the rest of the scope: everything that names the hub is around them, not around
    the rest."""
    dirty = {r.namespace for r in changed}
    if namespaces_changed or "" in dirty or root_namespace in dirty:
        return None
    changed_names = [names_of(r) for r in changed]
    hosts = frozenset().union(*(n.hosts for n in changed_names))
    covering = frozenset().union(*(n.covering for n in changed_names))
    # Where the edit is, and where it points (a Gateway there may count its routes).
    near = dirty | (
        frozenset().union(*(n.namespaces for n in changed_names)) & mesh.namespaces_seen
    )
    hubs = _hubs(mesh, near - dirty, names_of, hub_size)
    refs = frozenset().union(*(n.refs for n in changed_names))
    # What elsewhere shares a reference into a hub (every route bound to a shared
    # Gateway, say) only matters through the other channels.
    shared = frozenset(ref for ref in refs if ref[0] not in hubs)
    scope: list[Resource] = []
    hubbed: list[Resource] = []
    wide: list[Resource] = []

    def place(r: Resource) -> None:
        if mesh_wide(r, root_namespace):
            wide.append(r)
        elif r.namespace in hubs:
            hubbed.append(r)
        else:
            scope.append(r)

    for r in mesh.resources:
        if mesh_wide(r, root_namespace):
            if r.linted:
                wide.append(r)
        elif r.namespace in hubs:
            # In a hub, only what the edit names or shares a name with, or what names
            # where the edit is or its hosts.
            r_names = names_of(r)
            if r.linted and (
                (r.namespace, r.name) in refs
                or not refs.isdisjoint(r_names.refs)
                or not dirty.isdisjoint(r_names.namespaces)
                or (hosts and r_names.overlaps(hosts, covering))
            ):
                hubbed.append(r)
        elif r.namespace in near or (r.kind == "Namespace" and r.name in near):
            scope.append(r)
        else:
            r_names = names_of(r)
            if (
                not dirty.isdisjoint(r_names.namespaces)
                or not shared.isdisjoint(r_names.refs)
                or (hosts and r_names.overlaps(hosts, covering))
            ):
                scope.append(r)
    taken = {*scope, *hubbed, *wide}
    for r in set(also):
        if r not in taken and mesh.get_key(r.key) is r:
            place(r)
    pods = _Pods(mesh, names_of)
    picked = [n.pod_labels for n in changed_names if n.pod_labels is not None]
    taken = {*scope, *hubbed, *wide}
    for gateway in mesh.of_kind("Gateway"):
        if gateway not in taken:
            selector = _selector(gateway)
            if not dirty.isdisjoint(pods.namespaces(selector)) or any(
                selects(selector, labels) for labels in picked
            ):
                place(gateway)
    return Neighbourhood(
        Check({r.key for r in scope}, _context(mesh, scope, root_namespace, names_of, pods, hubs)),
        # What a hub's resources depend on: what names the hub, say.
        Check(
            {r.key for r in hubbed},
            _context(mesh, hubbed, root_namespace, names_of, pods) if hubbed else [],
        ),
        Check({r.key for r in wide}, None),
    )


def _hubs(mesh: Mesh, pointed: set[str], names_of, hub_size: int) -> frozenset[str]:
    """The namespaces among ``pointed`` that more than ``hub_size`` resources elsewhere
    name."""
    if not pointed:
        return frozenset()
    naming = dict.fromkeys(pointed, 0)
    for r in mesh.resources:
        for namespace in names_of(r).namespaces & pointed:
            if namespace != r.namespace:
                naming[namespace] += 1
    return frozenset(namespace for namespace, count in naming.items() if count > hub_size)


def _selector(gateway: Resource) -> dict[str, str]:
    """A Gateway's selector, which picks workloads in every namespace (all of them when
    it is empty or not a map)."""
    return string_map(gateway.spec.get("selector"))


class _Pods:
    """The namespaces of the pods a selector selects, in every namespace (built on
    first use)."""

    def __init__(self, mesh: Mesh, names_of) -> None:
        self._mesh = mesh
        self._names_of = names_of
        self._by_label: dict[tuple[str, str], list[tuple[str, dict]]] | None = None

    def namespaces(self, selector: dict[str, str]) -> set[str]:
        if self._by_label is None:
            self._by_label = {}
            for resource in self._mesh.of_kind(*WORKLOAD_KINDS):
                labels = self._names_of(resource).pod_labels
                for item in (labels or {}).items():
                    self._by_label.setdefault(item, []).append((resource.namespace, labels))
        if not selector:
            return {ns for pods in self._by_label.values() for ns, _ in pods}
        first = next(iter(selector.items()))
        return {ns for ns, labels in self._by_label.get(first, ()) if selects(selector, labels)}


def _context(
    mesh: Mesh,
    scope: list[Resource],
    root_namespace: str,
    names_of,
    pods: _Pods,
    hubs: frozenset[str] = frozenset(),
) -> list[Resource]:
    """The scope plus what it depends on: every resource in the namespaces the scope
    lives in or names, in the root namespace (mesh-wide defaults) and cluster-scoped,
    every resource naming the same namespaces (but hubs), resources or hosts, and the
    namespaces of the pods its Gateways select."""
    own = {r.namespace for r in scope}
    named: set[str] = set()
    hosts: set[str] = set()
    covering: set[str] = set()
    refs: set[tuple[str, str]] = set()
    for resource in scope:
        resource_names = names_of(resource)
        named |= resource_names.namespaces
        hosts |= resource_names.hosts
        covering |= resource_names.covering
        refs |= resource_names.refs
    named &= mesh.namespaces_seen
    members = own | named | {root_namespace, ""}
    # Nearly everything names the root namespace, and many resources name a hub; what
    # lives there is checked on the whole mesh.
    others = frozenset(own | (named - {root_namespace} - hubs))
    frozen_hosts, frozen_covering = frozenset(hosts), frozenset(covering)
    frozen_refs = frozenset(ref for ref in refs if ref[0] not in hubs)
    for gateway in (r for r in scope if r.kind == "Gateway"):
        members |= pods.namespaces(_selector(gateway))
    out = []
    for r in mesh.resources:
        if r.namespace in members:
            out.append(r)
        else:
            r_names = names_of(r)
            if (
                not others.isdisjoint(r_names.namespaces)
                or not frozen_refs.isdisjoint(r_names.refs)
                or r_names.overlaps(frozen_hosts, frozen_covering)
            ):
                out.append(r)
    return out
