"""EnvoyFilter config patches, read the way istiod reads them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from meshlint.fieldpath import Path, get
from meshlint.model import Resource

#: Operations whose effect depends on what other patches did before them.
RELATIVE_OPERATIONS = frozenset({"INSERT_BEFORE", "INSERT_AFTER", "REPLACE", "REMOVE"})
ROUTE_LEVEL = frozenset({"ROUTE_CONFIGURATION", "HTTP_ROUTE"})
#: What REPLACE works on (VIRTUAL_HOST since Istio 1.13).
REPLACEABLE = frozenset({"HTTP_FILTER", "NETWORK_FILTER", "VIRTUAL_HOST"})


@dataclass(slots=True)
class Patch:
    """One ``spec.configPatches[i]`` entry."""

    index: int
    apply_to: str
    operation: str
    #: The filter it adds or targets: ``patch.value.name``, else the matched filter's name.
    name: str
    proxy_version: bool

    @property
    def path(self) -> Path:
        return ("spec", "configPatches", self.index)

    @property
    def operation_path(self) -> Path:
        return (*self.path, "patch", "operation")


def patches(envoy_filter: Resource) -> Iterator[Patch]:
    """The config patches that have a ``patch`` section (istiod stops at the first that
    does not)."""
    entries = envoy_filter.spec.get("configPatches")
    for index, entry in enumerate(entries if isinstance(entries, list) else ()):
        if not isinstance(entry, dict) or not isinstance(entry.get("patch"), dict):
            return
        patch = entry["patch"]
        value = patch.get("value")
        name = value.get("name") if isinstance(value, dict) else None
        if name is None and isinstance(value, dict):
            name = get(entry, ("match", "listener", "filterChain", "filter", "name"))
        yield Patch(
            index=index,
            apply_to=str(entry.get("applyTo") or ""),
            operation=str(patch.get("operation") or ""),
            name=str(name) if name else "",
            proxy_version=bool(get(entry, ("match", "proxy", "proxyVersion"))),
        )


def priority(envoy_filter: Resource) -> int:
    value = envoy_filter.spec.get("priority")
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def ignored(patch: Patch) -> bool:
    """Whether istiod ignores the patch's operation for what it applies to."""
    if patch.operation in ("ADD", "REMOVE"):
        return patch.apply_to in ROUTE_LEVEL
    if patch.operation == "REPLACE":
        return patch.apply_to not in REPLACEABLE
    return False
