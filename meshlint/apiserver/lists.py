"""``x-kubernetes-list-type`` lists: ``set`` items and ``map`` keys must be unique."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from meshlint.apiserver.plan import SchemaNode
from meshlint.apiserver.problems import Problem
from meshlint.fieldpath import Path


def _identity(node: SchemaNode, item: Any) -> tuple[str, Any] | None:
    """What makes an item of a list-type list unique: its map keys, or the whole item."""
    if node.list_type == "set":
        return json.dumps(item, sort_keys=True, default=str), item
    if not isinstance(item, dict):
        return None
    defaults = node.items.defaults if node.items else {}
    keys = {key: item.get(key, defaults.get(key)) for key in node.map_keys}
    return json.dumps(keys, sort_keys=True, default=str), keys


def duplicate_items(node: SchemaNode, value: Any, path: Path = ()) -> Iterator[Problem]:
    """Each item of a list-type ``set`` or ``map`` list that repeats an earlier one."""
    if isinstance(value, list):
        if node.list_type in ("set", "map") and (node.list_type == "set" or node.map_keys):
            seen: set[str] = set()
            for index, item in enumerate(value):
                identity = _identity(node, item)
                if identity is None:
                    continue
                text, shown = identity
                if text in seen:
                    yield Problem((*path, index), f"Duplicate value: {json.dumps(shown)}")
                seen.add(text)
        if node.items is not None and node.items.lists_below:
            for index, item in enumerate(value):
                yield from duplicate_items(node.items, item, (*path, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            child = node.properties.get(key) or node.values
            if child is not None and child.lists_below:
                yield from duplicate_items(child, item, (*path, key))
