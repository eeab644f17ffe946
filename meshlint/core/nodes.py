"""Containers that remember where each of their entries stood in the source.

Scalars stay plain Python values; their positions are held by the mapping or list that
contains them, so any field path can be turned into a span without rules ever handling
line numbers. Spans are 0-based ``(line, column, end_line, end_column)`` tuples.
"""

from __future__ import annotations

Span = tuple[int, int, int, int]


class PMap(dict):
    """A mapping with the span of the whole node and of each key and value."""

    __slots__ = ("key_spans", "span", "value_spans")

    def __init__(self, span: Span = (0, 0, 0, 0)) -> None:
        super().__init__()
        self.span = span
        self.key_spans: dict[str, Span] = {}
        self.value_spans: dict[str, Span] = {}


class PList(list):
    """A sequence with the span of the whole node and of each item."""

    __slots__ = ("item_spans", "span")

    def __init__(self, span: Span = (0, 0, 0, 0)) -> None:
        super().__init__()
        self.span = span
        self.item_spans: list[Span] = []


def positioned(value: object, span: Span = (0, 0, 0, 0)) -> object:
    """Wrap plain dicts and lists (built in code, not parsed) as positioned containers."""
    if isinstance(value, dict):
        mapping = PMap(span)
        for key, item in value.items():
            mapping[key] = positioned(item, span)
            mapping.key_spans[key] = span
            mapping.value_spans[key] = span
        return mapping
    if isinstance(value, list):
        seq = PList(span)
        for item in value:
            seq.append(positioned(item, span))
            seq.item_spans.append(span)
        return seq
    return value
