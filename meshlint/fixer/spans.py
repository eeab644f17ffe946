"""Where the nodes of a positioned resource sit in its text: the lines an entry occupies,
and whether an entry is written in place (not reached through an alias or a merge key)."""

from __future__ import annotations

from dataclasses import dataclass

from meshlint.core.nodes import PList, PMap, Span
from meshlint.fieldpath import Path
from meshlint.fixer.edits import CannotFix
from meshlint.fixer.source import Position, Source


@dataclass(frozen=True, slots=True)
class Entry:
    """One mapping entry or list item: its container, key (None for an item) and value."""

    container: PMap | PList
    seg: str | int
    key_span: Span | None
    value_span: Span
    value: object

    @property
    def start(self) -> Position:
        span = self.key_span or self.value_span
        return (span[0], span[1])


def is_flow(source: Source, span: Span) -> bool:
    """Whether the collection at ``span`` is written in flow style (``{...}``, ``[...]``)."""
    return source.line(span[0])[span[1] : span[1] + 1] in ("{", "[")


def entry(source: Source, container: PMap | PList, seg: str | int, *, strict: bool) -> Entry:
    """The entry ``seg`` of ``container``. With ``strict``, it must be written where it is
    read: no alias, merge key or anchor (editing those would change other places)."""
    if isinstance(container, PMap) and isinstance(seg, str) and seg in container:
        key_span, value_span = container.key_spans[seg], container.value_spans[seg]
    elif isinstance(container, PList) and isinstance(seg, int) and 0 <= seg < len(container):
        key_span, value_span = None, container.item_spans[seg]
    else:
        raise CannotFix("the field is not there any more")
    found = Entry(container, seg, key_span, value_span, container[seg])
    if strict:
        start = found.start
        if start < (container.span[0], container.span[1]):
            raise CannotFix("the field comes from a YAML merge key or alias")
        if key_span is not None and (value_span[0], value_span[1]) < (key_span[2], key_span[3]):
            raise CannotFix("the field's value is a YAML alias")
        first = source.line(value_span[0])[value_span[1] : value_span[1] + 1]
        if first in ("&", "*"):
            raise CannotFix("the field is a YAML anchor or alias")
    return found


def walk(source: Source, root: PMap, path: Path, *, strict: bool = True) -> list[Entry]:
    """The entries along ``path`` as far as they exist."""
    entries: list[Entry] = []
    node: object = root
    for seg in path:
        if not isinstance(node, PMap | PList) or not _has(node, seg):
            break
        found = entry(source, node, seg, strict=strict)
        entries.append(found)
        node = found.value
    return entries


def _has(node: PMap | PList, seg: str | int) -> bool:
    if isinstance(node, PMap):
        return isinstance(seg, str) and seg in node
    return isinstance(seg, int) and 0 <= seg < len(node)


def content_end(source: Source, value: object, span: Span) -> Position:
    """Where the text of a value ends: its last character, past nested entries but not
    past the blank or comment lines a block collection's span runs on to."""
    if isinstance(value, PMap | PList) and value and not is_flow(source, span):
        ends = []
        if isinstance(value, PMap):
            for key in value:
                key_span = value.key_spans[key]
                ends.append((key_span[2], key_span[3]))
                ends.append(content_end(source, value[key], value.value_spans[key]))
        else:
            pairs = zip(value, value.item_spans, strict=True)
            ends += [content_end(source, item, item_span) for item, item_span in pairs]
        return max(ends)
    line, column = span[2], span[3]
    if column == 0 and line > span[0]:
        line -= 1
        while line > span[0] and not source.line(line).strip():
            line -= 1
        return source.line_end(line)
    return (line, column)


def entry_end(source: Source, found: Entry) -> Position:
    end = content_end(source, found.value, found.value_span)
    if found.key_span is not None:
        end = max(end, (found.key_span[2], found.key_span[3]))
    return end


def entry_lines(source: Source, found: Entry) -> range:
    """The lines an entry occupies, from its key (or item) to the end of its value."""
    return range(found.start[0], entry_end(source, found)[0] + 1)
