"""Caching a function of an object for as long as that object lives."""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


def while_first_lives(function: Callable[..., T]) -> Callable[..., T]:
    """Cache ``function(first, *args)`` (hashable ``args``) for as long as ``first``
    lives (it must accept weak references)."""
    caches: weakref.WeakKeyDictionary[Any, dict[tuple, T]] = weakref.WeakKeyDictionary()

    @functools.wraps(function)
    def cached(first: Any, *args: Hashable) -> T:
        cache = caches.get(first)
        if cache is None:
            cache = caches[first] = {}
        if args not in cache:
            cache[args] = function(first, *args)
        return cache[args]

    return cached
