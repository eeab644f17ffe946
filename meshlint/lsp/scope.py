"""What an edit can affect: the resources a re-lint must re-check after one file changes.

A resource's per-resource findings depend on its own body and on what it references. An
edit to file F can therefore change findings on F's resources (before and after the edit),
on resources in the same namespaces, and on resources that name those namespaces (a host
``x.ns.svc.cluster.local``, a gateway ``ns/name``). Edits touching cluster-scoped objects
or the root namespace (mesh-wide policy) affect everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from meshlint.model import Resource


def _strings(node: object, out: list[str]) -> None:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


@lru_cache(maxsize=200_000)
def _mentioned(resource: Resource) -> frozenset[str]:
    strings: list[str] = []
    _strings(resource.body.get("spec"), strings)
    namespaces = {resource.namespace}
    for text in strings:
        if "/" in text:
            namespaces.add(text.split("/", 1)[0])
        if ".svc." in text:
            parts = text.split(".svc.", 1)[0].split(".")
            if len(parts) >= 2:
                namespaces.add(parts[-1])
        elif "." in text:
            namespaces.update(text.split("."))
    return frozenset(namespaces)


def affected(
    resources: Iterable[Resource], changed: list[Resource], root_namespace: str
) -> set[tuple] | None:
    """Keys of the resources to re-check, or None when everything must be."""
    dirty = {r.namespace for r in changed}
    if "" in dirty or root_namespace in dirty:
        return None
    scope = {r.key for r in changed}
    for resource in resources:
        if resource.namespace in dirty or not dirty.isdisjoint(_mentioned(resource)):
            scope.add(resource.key)
    return scope
