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


def repeated_items(node: SchemaNode, value: list, path: Path) -> Iterator[Problem]:
    """Each item of ``value``, a list-type ``set`` or ``map`` list (by ``node``), that
    repeats an earlier one (none for a list of another type)."""
    if node.list_type not in ("set", "map") or (node.list_type == "map" and not node.map_keys):
        return
    seen: set[str] = set()
    for index, item in enumerate(value):
        identity = _identity(node, item)
        if identity is None:
            continue
        text, shown = identity
        if text in seen:
            yield Problem((*path, index), f"Duplicate value: {json.dumps(shown)}")
        seen.add(text)
