"""What each resource names, read from its text, and who names what.

A resource names namespaces (``ns/x``, ``x.ns.svc.cluster.local``, namespace lists),
resources (``ns/name``, ``name.ns``, a short name in its own namespace), hosts (and so
the wildcards that would cover them), and, for a workload, the labels of its pods. The
language server keeps these for every resource of the workspace, with the inverse
(who names a namespace, a resource, a host), up to date as files change, to find what an
edit can affect without scanning the mesh.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from meshlint.mesh.workloads import selects, workload_of
from meshlint.model import Resource

#: Fields holding label maps (or label selectors): their values name no resource.
LABEL_MAPS = frozenset({"labels", "matchLabels", "selector", "nodeSelector", "annotations"})
#: Fields whose plain string values are namespace names.
NAMESPACE_FIELDS = frozenset({"namespace", "namespaces", "notNamespaces", "exportTo"})
_NAMESPACE = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_HOST = re.compile(r"[A-Za-z0-9*_-]+(\.[A-Za-z0-9_-]+)+")
#: The key :attr:`NamesIndex.labelled` lists every workload under.
EVERY_POD = ("", "")


@dataclass(frozen=True, slots=True)
class Names:
    """What one resource names: namespaces, hosts, hosts with the wildcards that would
    cover them, resources by (namespace, name), and for a workload the labels of its pods
    (None for other kinds)."""

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


def covering(host: str) -> set[str]:
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
    wildcards: set[str] = set()
    for host in found_hosts:
        wildcards |= covering(host)
    workload = workload_of(resource)
    return Names(
        frozenset(n for n in namespaces if _NAMESPACE.fullmatch(n)),
        frozenset(found_hosts),
        frozenset(wildcards),
        frozenset(refs),
        workload.labels if workload is not None else None,
    )


class NamesIndex:
    """:func:`names` of every resource added (a parsed resource never changes: an edit
    replaces it by a new one), and who names what."""

    def __init__(self) -> None:
        self._names: dict[Resource, Names] = {}
        #: Namespace -> the resources living there.
        self.living: dict[str, set[Resource]] = {}
        #: Namespace -> the resources naming it (which include those living there).
        self.naming: dict[str, set[Resource]] = {}
        #: (namespace, name) -> the resources naming it.
        self.referring: dict[tuple[str, str], set[Resource]] = {}
        #: Host -> the resources naming it.
        self.hosting: dict[str, set[Resource]] = {}
        #: Host or wildcard -> the resources naming a host it is or covers.
        self.covered: dict[str, set[Resource]] = {}
        #: Label (key, value) -> the workloads whose pods carry it.
        self.labelled: dict[tuple[str, str], set[Resource]] = {}

    def _entries(self, resource: Resource, found: Names) -> Iterable[tuple[dict, object]]:
        yield self.living, resource.namespace
        yield from ((self.naming, n) for n in found.namespaces)
        yield from ((self.referring, ref) for ref in found.refs)
        yield from ((self.hosting, host) for host in found.hosts)
        yield from ((self.covered, host) for host in found.covering)
        if found.pod_labels is not None:
            yield self.labelled, EVERY_POD
            yield from ((self.labelled, item) for item in found.pod_labels.items())

    def __call__(self, resource: Resource) -> Names:
        """What ``resource`` names (added to the index on first call)."""
        found = self._names.get(resource)
        if found is None:
            found = self._names[resource] = names(resource)
            for index, key in self._entries(resource, found):
                index.setdefault(key, set()).add(resource)
        return found

    def forget(self, resources: Iterable[Resource]) -> None:
        for resource in resources:
            found = self._names.pop(resource, None)
            if found is not None:
                for index, key in self._entries(resource, found):
                    index[key].discard(resource)

    def naming_elsewhere(self, namespace: str) -> int:
        """How many resources outside ``namespace`` name it."""
        return len(self.naming.get(namespace, ())) - len(self.living.get(namespace, ()))

    def overlapping(self, hosts: Iterable[str], wildcards: Iterable[str]) -> set[Resource]:
        """The resources naming one of ``hosts``, a host they cover, or one covering
        them (``wildcards``: those hosts with their covering wildcards)."""
        found: set[Resource] = set()
        for host in wildcards:
            found |= self.hosting.get(host, set())
        for host in hosts:
            found |= self.covered.get(host, set())
        return found

    def selected(self, selector: dict[str, str]) -> set[Resource]:
        """The workloads whose pods a label selector selects (all for an empty one)."""
        first = next(iter(selector.items()), EVERY_POD)
        return {r for r in self.labelled.get(first, ()) if selects(selector, self(r).pod_labels)}


class _Joined:
    """The sets two indexes hold under a key, as one (read only)."""

    __slots__ = ("_first", "_second")

    def __init__(self, first: dict, second: dict) -> None:
        self._first = first
        self._second = second

    def get(self, key: object, default: object = None) -> object:
        first, second = self._first.get(key), self._second.get(key)
        if not second:
            return default if first is None else first
        return second if not first else first | second


class Overlay(NamesIndex):
    """A :class:`NamesIndex` with the objects Istio would create from the inputs (made
    anew at every run) on top of another, which it leaves as it is: generated objects
    are added to the overlay only."""

    def __init__(self, base: NamesIndex, resources: Iterable[Resource]) -> None:
        self._base = base
        self._extra = NamesIndex()
        for resource in resources:
            self._extra(resource)
        for name in ("living", "naming", "referring", "hosting", "covered", "labelled"):
            setattr(self, name, _Joined(getattr(base, name), getattr(self._extra, name)))

    def __call__(self, resource: Resource) -> Names:
        return (self._extra if resource.generated_by else self._base)(resource)

    def forget(self, resources: Iterable[Resource]) -> None:
        self._extra.forget(resources)
