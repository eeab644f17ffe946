"""Whether a resource can only be a kustomize patch fragment, decided once per resource
(several rules and the mesh index ask, and the answer walks the whole body)."""

from __future__ import annotations

from meshlint.loader.patches import looks_like_patch
from meshlint.mesh.memo import per_resource
from meshlint.model import Resource


def is_patch_fragment(resource: Resource) -> bool:
    """See :func:`meshlint.loader.patches.looks_like_patch`."""
    return resource.partial or _fragment(resource)


@per_resource
def _fragment(resource: Resource) -> bool:
    # ``partial`` is only ever set (before any rule runs), never cleared: checked apart.
    return looks_like_patch(resource)
