"""Fix edits applied to loaded data: plain dicts and lists, or ruamel.yaml's round-trip
containers (which are dict and list subclasses).

This is what a fix means: the result every way of rewriting the text must read back as.
A ``delete`` that leaves a mapping empty removes that mapping's entry too (up to, not
including, the resource itself), once every edit of the fix has been made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from meshlint.engine.fix import Edit
from meshlint.fieldpath import Path


class CannotFix(Exception):
    """The fix does not apply to the text as it is (a reason for the user)."""


def _step(node: object, seg: str | int, path: Path) -> object:
    if isinstance(node, dict) and isinstance(seg, str) and seg in node:
        return node[seg]
    if isinstance(node, list) and isinstance(seg, int) and 0 <= seg < len(node):
        return node[seg]
    raise CannotFix(f"{_render(path)} is not there any more")


def _render(path: Path) -> str:
    from meshlint.fieldpath import render

    return render(path) or "the resource"


def _parent(root: object, path: Path, new_map: Callable[[], dict] | None = None) -> object:
    """The container holding ``path``'s last segment; with ``new_map``, missing (or null)
    mappings on the way are created."""
    node = root
    for depth, seg in enumerate(path[:-1]):
        if new_map is not None and isinstance(node, dict) and isinstance(seg, str):
            if node.get(seg) is None:
                node[seg] = new_map()
            node = node[seg]
            if not isinstance(node, dict | list):
                raise CannotFix(f"{_render(path[: depth + 1])} is not a mapping")
            continue
        node = _step(node, seg, path[: depth + 1])
    return node


def _rename(mapping: dict, old: str, new: str) -> None:
    """Rename a key in place, keeping its position (and ruamel's comments on it)."""
    keys = list(mapping)
    position = keys.index(old)
    if hasattr(mapping, "insert") and hasattr(mapping, "ca"):
        comment = mapping.ca.items.pop(old, None)
        value = mapping.pop(old)
        mapping.insert(position, new, value)
        if comment is not None:
            mapping.ca.items[new] = comment
        return
    items = [(new if k == old else k, mapping[k]) for k in keys]
    mapping.clear()
    mapping.update(items)


def apply_edits(
    root: object,
    edits: Iterable[Edit],
    *,
    new_map: Callable[[], dict] = dict,
    styled: Callable[[object, object], object] = lambda old, new: new,
) -> None:
    """Make ``edits`` on ``root`` in place; raises CannotFix when one does not apply.

    ``styled(old, new)`` gives the value that replaces ``old`` (None for an inserted one),
    so that ruamel quotes it as the text it replaces; ``new_map`` makes the mappings an
    insert creates.
    """
    emptied: list[Path] = []
    for edit in edits:
        path, last = edit.path, edit.path[-1] if edit.path else None
        if last is None:
            raise CannotFix("a fix cannot replace the whole resource")
        parent = _parent(root, path, new_map if edit.kind == "insert" else None)
        if edit.kind == "replace":
            old = _step(parent, last, path)
            if isinstance(old, dict | list):
                raise CannotFix(f"{_render(path)} is not a scalar")
            parent[last] = styled(old, edit.value)
        elif edit.kind == "rename-key":
            if not isinstance(parent, dict) or last not in parent:
                raise CannotFix(f"{_render(path)} is not there any more")
            if edit.value in parent:
                raise CannotFix(f"{_render((*path[:-1], str(edit.value)))} is already set")
            _rename(parent, str(last), styled(last, edit.value))
        elif edit.kind == "insert":
            value = edit.value if isinstance(edit.value, dict | list) else styled(None, edit.value)
            _insert(parent, last, value, path)
        elif edit.kind == "delete":
            _step(parent, last, path)
            del parent[last]
            emptied.append(path[:-1])
        else:
            raise CannotFix(f"unknown edit {edit.kind!r}")
    _prune(root, emptied)


def _insert(parent: object, last: str | int, value: object, path: Path) -> None:
    if isinstance(parent, dict) and isinstance(last, str):
        if parent.get(last) is not None:
            raise CannotFix(f"{_render(path)} is already set")
        parent[last] = value
    elif isinstance(parent, list) and isinstance(last, int) and 0 <= last <= len(parent):
        parent.insert(last, value)
    else:
        raise CannotFix(f"cannot insert {_render(path)}")


def _prune(root: object, emptied: list[Path]) -> None:
    """Remove mappings the deletes left empty, walking up while that empties another."""
    for path in sorted(set(emptied), key=len, reverse=True):
        while path and isinstance(path[-1], str):
            try:
                parent = _parent(root, path)
                node = _step(parent, path[-1], path)
            except CannotFix:
                break  # removed already, with a deeper one
            if not isinstance(node, dict) or node:
                break
            del parent[path[-1]]
            path = path[:-1]
