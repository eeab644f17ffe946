"""Fields the schema does not know: the API server prunes them from custom resources and
drops them from built-in kinds, so the setting they carry silently never applies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from meshlint.apiserver.plan import SchemaNode
from meshlint.apiserver.problems import Problem
from meshlint.core.suggest import closest
from meshlint.fieldpath import Path


def nearest_field(name: str, known: list[str]) -> str | None:
    """The known field ``name`` most likely stands for: same letters in another case, or
    a close spelling."""
    folded = name.casefold()
    same = [field for field in known if field.casefold() == folded]
    return same[0] if same else closest(name, known)


def unknown_field(path: Path, name: str, known: list[str]) -> Problem:
    """The unknown key ``name`` at ``path``, with a did-you-mean suggestion when one is close."""
    match = nearest_field(name, known)
    hint = f'; did you mean "{match}"?' if match else ""
    message = f'unknown field "{name}": the API server drops it, so it has no effect{hint}'
    return Problem(path, message, key=True, suggestion=match)


def unknown_fields(node: SchemaNode, value: Any, path: Path = ()) -> Iterator[Problem]:
    """Every key of ``value`` (recursively, in document order) that ``node``'s schema does
    not describe."""
    # A stack of what is left to do, next on top: a problem to report, or a
    # (schema, value, path) to look into.
    todo: list = [(node, value, path)]
    while todo:
        step = todo.pop()
        if isinstance(step, Problem):
            yield step
            continue
        node, value, path = step
        steps: list = []
        if isinstance(value, dict):
            properties = node.properties
            closed = bool(properties) and not node.open
            for key, item in value.items():
                child = properties.get(key)
                if child is None:
                    if closed:
                        steps.append(unknown_field((*path, key), key, list(properties)))
                        continue
                    child = node.values
                if child is not None and isinstance(item, dict | list):
                    steps.append((child, item, (*path, key)))
        elif isinstance(value, list) and node.items is not None:
            child = node.items
            steps = [
                (child, v, (*path, i)) for i, v in enumerate(value) if isinstance(v, dict | list)
            ]
        todo.extend(reversed(steps))
