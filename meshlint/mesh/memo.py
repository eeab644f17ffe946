"""Values derived from a mesh once and shared by every rule and resource that asks.

Rules that check one resource at a time often ask the same question for many resources
(the effective mesh config, the workloads a selector selects, the owners of a host).
Answering it once per distinct question keeps a mesh of thousands of colliding
resources linear. Memoized values are shared: callers must not modify them.

What depends on one resource alone (the routes of a VirtualService) is kept for as long
as the resource lives, across meshes: the language server re-lints a mesh rebuilt around
the same parsed resources after every edit.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from meshlint.core.memo import while_first_lives

T = TypeVar("T")


def per_mesh(function: Callable[..., T]) -> Callable[..., T]:
    """Cache ``function(mesh, *args)`` (hashable ``args``) for as long as ``mesh`` lives."""
    return while_first_lives(function)


def per_list(function: Callable[..., T]) -> Callable[..., T]:
    """Cache ``function(mesh, items, *args)`` by the identity of the list ``items``.

    For lists the mesh shares between callers (memoized lookups such as
    ``mesh.services.lookup``): every caller that gets the same list gets the same answer,
    computed once, however many namespaces or resources asked.
    """
    caches: weakref.WeakKeyDictionary[Any, dict[tuple, tuple[list, T]]] = (
        weakref.WeakKeyDictionary()
    )

    @functools.wraps(function)
    def cached(mesh: Any, items: list, *args: Hashable) -> T:
        cache = caches.get(mesh)
        if cache is None:
            cache = caches[mesh] = {}
        key = (id(items), *args)
        hit = cache.get(key)
        if hit is None or hit[0] is not items:
            hit = cache[key] = (items, function(mesh, items, *args))
        return hit[1]

    return cached


def per_resource(function: Callable[..., T]) -> Callable[..., T]:
    """Cache ``function(resource, *args)`` (hashable ``args``) for as long as the resource
    lives. Only for what the resource alone decides: a parsed resource never changes."""
    return while_first_lives(function)
