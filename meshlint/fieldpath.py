"""Field paths such as ``spec.http[0].route[1].destination.subset``.

A path is a tuple of keys (str) and list indexes (int). Rules may write paths as strings;
the engine turns them into tuples and from there into source spans.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from meshlint.core.nodes import PList, PMap, Span

Path = tuple[str | int, ...]
PathLike = str | Iterable[str | int]

_SEGMENT = re.compile(r"\[(\d+)\]|\[\"([^\"]*)\"\]|([^.\[\]]+)")


def parse(path: PathLike) -> Path:
    """Turn ``"spec.http[0].route"`` (or any iterable of segments) into a tuple path."""
    if not isinstance(path, str):
        return tuple(path)
    out: list[str | int] = []
    for index, quoted, key in _SEGMENT.findall(path):
        if index:
            out.append(int(index))
        else:
            out.append(quoted if quoted else key)
    return tuple(out)


def render(path: Path) -> str:
    """Turn a tuple path back into its dotted form."""
    text = ""
    for seg in path:
        if isinstance(seg, int):
            text += f"[{seg}]"
        elif not seg or "." in seg or "[" in seg:
            text += f'["{seg}"]'
        else:
            text += f".{seg}" if text else seg
    return text


def get(node: object, path: Path, default: object = None) -> object:
    """The value at ``path`` inside ``node``, or ``default`` when any step is missing."""
    for seg in path:
        if isinstance(node, dict) and isinstance(seg, str):
            if seg not in node:
                return default
            node = node[seg]
        elif isinstance(node, list) and isinstance(seg, int) and -len(node) <= seg < len(node):
            node = node[seg]
        else:
            return default
    return node


def span_of(root: object, path: Path, *, key: bool = False) -> tuple[Span | None, Path]:
    """The span of the deepest existing node along ``path``, and the part of the path found.

    With ``key=True`` and a path ending at a mapping key, the key's span is returned instead
    of its value's (used for unknown or misplaced fields).
    """
    node = root
    span: Span | None = getattr(root, "span", None)
    found: list[str | int] = []
    for i, seg in enumerate(path):
        last = i == len(path) - 1
        if isinstance(node, PMap) and isinstance(seg, str) and seg in node:
            spans = node.key_spans if (key and last) else node.value_spans
            span = spans.get(seg, span)
            node = node[seg]
        elif isinstance(node, PList) and isinstance(seg, int) and 0 <= seg < len(node):
            span = node.item_spans[seg]
            node = node[seg]
        else:
            break
        found.append(seg)
    return span, tuple(found)


def _contains(span: Span, line: int, column: int) -> bool:
    return (span[0], span[1]) <= (line, column) < (span[2], span[3]) or (
        span[0] == span[2] == line and span[1] <= column <= span[3]
    )


def path_at(root: object, line: int, column: int) -> Path:
    """The path of the deepest node whose span holds a 0-based position (keys count as
    their value's path)."""
    path: list[str | int] = []
    node = root
    while True:
        if isinstance(node, PMap):
            hit = next(
                (
                    k
                    for k in node
                    if _contains(node.value_spans[k], line, column)
                    or _contains(node.key_spans[k], line, column)
                ),
                None,
            )
        elif isinstance(node, PList):
            hit = next(
                (i for i, s in enumerate(node.item_spans) if _contains(s, line, column)), None
            )
        else:
            hit = None
        if hit is None:
            return tuple(path)
        path.append(hit)
        node = node[hit]
