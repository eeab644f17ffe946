"""Where a resource is exported to (``exportTo``), as a set of namespaces."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from meshlint.mesh.index import Mesh
    from meshlint.model import Resource

EVERYWHERE = "*"


def export_targets(values: object, owner_namespace: str, default: Iterable[str]) -> frozenset:
    """The namespaces ``exportTo`` names, with ``.`` resolved to the owner's namespace and
    ``~`` (nowhere) dropped; ``{"*"}`` stands for every namespace. An absent or empty list
    takes the mesh default."""
    raw = [str(v).strip() for v in values] if isinstance(values, list) and values else []
    raw = raw or [str(v) for v in default]
    if EVERYWHERE in raw:
        return frozenset({EVERYWHERE})
    return frozenset(owner_namespace if v == "." else v for v in raw if v and v != "~")


def intersects(a: frozenset, b: frozenset) -> bool:
    """Whether some namespace sees both scopes."""
    if not a or not b:
        return False
    return EVERYWHERE in a or EVERYWHERE in b or bool(a & b)


def virtual_service_targets(vs: Resource, mesh: Mesh) -> frozenset:
    """Where a VirtualService applies, by its exportTo or the mesh default."""
    default = mesh.settings.mesh_config.get("defaultVirtualServiceExportTo") or [EVERYWHERE]
    return export_targets(vs.spec.get("exportTo"), vs.namespace, default)
