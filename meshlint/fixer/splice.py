"""A fix as text edits at the exact spans the reader gives: every line the fix does not
touch stays as it is, byte for byte. Also how the language server and SARIF express fixes.
"""

from __future__ import annotations

import re
from itertools import pairwise

from meshlint.core.nodes import PList, PMap
from meshlint.engine.fix import Edit, Fix, scalar_text
from meshlint.fieldpath import Path, get
from meshlint.fixer.edits import CannotFix
from meshlint.fixer.source import Position, Source, TextEdit
from meshlint.fixer.spans import Entry, content_end, entry_end, is_flow, walk

#: What may follow an entry before the next key of the same list item: the rest of the
#: line (a comment at most), its break, and the next line's indentation.
_TO_NEXT_KEY = re.compile(r"[ \t]*(#[^\r\n\x85\u2028\u2029]*)?(\r\n|[\r\n\x85\u2028\u2029])[ \t]*")
_DASH = re.compile(r"[ \t]*-[ \t]+")


def text_edits(source: Source, body: PMap, fix: Fix) -> list[TextEdit]:
    """Text edits that make ``fix`` on the resource ``body`` of ``source``; raises
    CannotFix when the text is laid out in a way they cannot be made safely."""
    edits = effective_edits(body, fix.edits)
    out: list[TextEdit] = []
    inserts: dict[Path, dict] = {}
    for edit in edits:
        if edit.kind == "replace":
            out.append(_replace(source, body, edit))
        elif edit.kind == "rename-key":
            out.append(_rename(source, body, edit))
        elif edit.kind == "delete":
            out.append(_delete(source, body, edit.path))
        elif edit.kind == "insert":
            _gather_insert(source, body, edit, inserts)
        else:
            raise CannotFix(f"unknown edit {edit.kind!r}")
    for anchor, tree in inserts.items():
        out.append(_insert(source, body, anchor, tree))
    unique = list(dict.fromkeys(out))
    _check_disjoint(source, unique)
    return unique


def effective_edits(body: PMap, edits: tuple[Edit, ...]) -> list[Edit]:
    """The edits with each delete that empties a mapping turned into the delete of that
    mapping's entry (as :func:`meshlint.fixer.edits.apply_edits` prunes)."""
    removed: dict[Path, set] = {}
    for edit in edits:
        if edit.kind == "delete":
            removed.setdefault(edit.path[:-1], set()).add(edit.path[-1])
    inserted = [e.path for e in edits if e.kind == "insert"]
    out: list[Edit] = []
    for edit in edits:
        path = edit.path
        while edit.kind == "delete" and len(path) > 1 and isinstance(path[-2], str):
            parent = get(body, path[:-1])
            if not isinstance(parent, dict) or set(parent) - removed[path[:-1]]:
                break
            if any(len(p) >= len(path) and p[: len(path) - 1] == path[:-1] for p in inserted):
                break
            path = path[:-1]
            removed.setdefault(path[:-1], set()).add(path[-1])
        effective = Edit("delete", path) if edit.kind == "delete" else edit
        if effective not in out:
            out.append(effective)
    return out


def _target(source: Source, body: PMap, path: Path) -> Entry:
    entries = walk(source, body, path)
    if len(entries) != len(path) or not path:
        raise CannotFix("the field is not there any more")
    return entries[-1]


def _single_line(source: Source, start: Position, end: Position) -> str:
    if start[0] != end[0] or start == end:
        raise CannotFix("the value spans several lines")
    return source.slice(start, end)


def _replace(source: Source, body: PMap, edit: Edit) -> TextEdit:
    found = _target(source, body, edit.path)
    if isinstance(found.value, PMap | PList):
        raise CannotFix("the field is not a scalar")
    span = found.value_span
    start, end = (span[0], span[1]), (span[2], span[3])
    old = _single_line(source, start, end)
    if old[:1] in ("|", ">", "!"):
        raise CannotFix("the value is a block scalar or has a tag")
    return TextEdit(start, end, scalar_text(edit.value, like=old))


def _rename(source: Source, body: PMap, edit: Edit) -> TextEdit:
    found = _target(source, body, edit.path)
    if found.key_span is None:
        raise CannotFix("only mapping keys can be renamed")
    if edit.value in found.container:
        raise CannotFix(f'"{edit.value}" is already set')
    span = found.key_span
    start, end = (span[0], span[1]), (span[2], span[3])
    old = _single_line(source, start, end)
    return TextEdit(start, end, scalar_text(edit.value, like=old))


def _delete(source: Source, body: PMap, path: Path) -> TextEdit:
    found = _target(source, body, path)
    container = found.container
    if is_flow(source, container.span):
        raise CannotFix("the entry is in a flow-style collection")
    start, end = found.start, entry_end(source, found)
    before = source.line(start[0])[: start[1]]
    after = source.line(end[0])[end[1] :].strip()
    if after and not after.startswith("#"):
        raise CannotFix("the entry shares its last line with other text")
    if isinstance(container, PList):
        if len(container) < 2 or not _DASH.fullmatch(before):
            raise CannotFix("the item cannot be removed line by line")
        return _delete_lines(source, start[0], end[0])
    if not before.strip():
        return _delete_lines(source, start[0], end[0])
    if _DASH.fullmatch(before):
        return _delete_first_of_item(source, found, end)
    raise CannotFix("the entry shares its first line with other text")


def _delete_lines(source: Source, first: int, last: int) -> TextEdit:
    if source.breaks[last] or first == 0:
        return TextEdit((first, 0), source.next_line(last), "")
    return TextEdit(source.line_end(first - 1), source.line_end(last), "")


def _delete_first_of_item(source: Source, found: Entry, end: Position) -> TextEdit:
    """Delete the entry written on a list item's dash line: the next key moves up."""
    keys = list(found.container)
    position = keys.index(found.seg)
    if position + 1 >= len(keys):
        raise CannotFix("the entry is the only one of its list item")
    following = found.container.key_spans[keys[position + 1]]
    gap = source.slice(end, (following[0], following[1]))
    if not _TO_NEXT_KEY.fullmatch(gap):
        raise CannotFix("comments stand between the entry and the next one")
    return TextEdit(found.start, (following[0], following[1]), "")


def _gather_insert(source: Source, body: PMap, edit: Edit, inserts: dict[Path, dict]) -> None:
    """Group inserts by the deepest existing mapping they go into, as one tree of new
    entries each (two inserts under one new mapping write it once)."""
    entries = walk(source, body, edit.path[:-1])
    anchor = edit.path[: len(entries)]
    node = entries[-1].value if entries else body
    if anchor != edit.path[:-1] and not isinstance(node, PMap):
        raise CannotFix("the insert goes below a value that is not a mapping")
    if anchor == edit.path[:-1] and not isinstance(node, PMap | PList):
        raise CannotFix("the insert goes into a value that is not a mapping or list")
    tree = inserts.setdefault(anchor, {})
    rest = edit.path[len(entries) :]
    for seg in rest[:-1]:
        tree = tree.setdefault(seg, {})
    tree[rest[-1]] = edit.value


def _insert(source: Source, body: PMap, anchor: Path, tree: dict) -> TextEdit:
    entries = walk(source, body, anchor)
    node = entries[-1].value if entries else body
    span = entries[-1].value_span if entries else body.span
    if is_flow(source, span):
        return _insert_flow(source, node, span, tree)
    if not node:
        raise CannotFix("the insert goes into an empty collection")
    end = content_end(source, node, span)
    after = source.line(end[0])[end[1] :].strip()
    if after and not after.startswith("#"):
        raise CannotFix("the collection shares its last line with other text")
    newline = source.newline
    if isinstance(node, PList):
        text = _list_items(source, node, tree, newline)
    else:
        if any(isinstance(k, int) for k in tree):
            raise CannotFix("a list index under a mapping")
        first = node.key_spans[next(iter(node))]
        indent = first[1]
        step = _step(source, entries, indent)
        text = _entries(tree, indent, step, newline)
    if source.breaks[end[0]]:
        return TextEdit(source.next_line(end[0]), source.next_line(end[0]), text)
    at = source.line_end(end[0])
    return TextEdit(at, at, newline + text[: -len(newline)])


def _insert_flow(source: Source, node: PMap | PList, span, tree: dict) -> TextEdit:
    """Add to a flow collection written on one line, before its closing bracket."""
    line = source.line(span[0])
    close = span[3] - 1
    if span[0] != span[2] or line[close : close + 1] not in ("}", "]"):
        raise CannotFix("the insert goes into a flow collection over several lines")
    if isinstance(node, PMap):
        if any(isinstance(key, int) for key in tree):
            raise CannotFix("a list index under a mapping")
        items = [f"{scalar_text(str(key))}: {_flow(value)}" for key, value in tree.items()]
    elif list(tree) == [len(node)]:
        items = [_flow(tree[len(node)])]
    else:
        raise CannotFix("items can only be added at the end of a list")
    inner = line[span[1] + 1 : close]
    at = span[1] + 1 + len(inner.rstrip())
    text = ", ".join(items)
    return TextEdit((span[0], at), (span[0], at), f", {text}" if inner.strip() else text)


def _flow(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar_text(str(k))}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(item) for item in value) + "]"
    return scalar_text(value)


def _step(source: Source, entries: list[Entry], indent: int) -> int:
    """The indentation step of the mapping: its keys' column minus its own key's."""
    if entries and entries[-1].key_span is not None:
        step = indent - entries[-1].key_span[1]
    elif entries:
        line = source.line(entries[-1].value_span[0])
        step = indent - (len(line) - len(line.lstrip()))
    else:
        step = 2
    return step if step > 0 else 2


def _list_items(source: Source, node: PList, tree: dict, newline: str) -> str:
    if list(tree) != [len(node)]:
        raise CannotFix("items can only be added at the end of a list")
    span = node.item_spans[-1]
    before = source.line(span[0])[: span[1]]
    if not _DASH.fullmatch(before):
        raise CannotFix("the list is not written one item per line")
    dash = before.index("-")
    value = tree[len(node)]
    if isinstance(value, dict) and value:
        body = _entries(value, span[1], 2, newline)
        return " " * dash + "-" + " " * (span[1] - dash - 1) + body[span[1] :]
    if isinstance(value, list):
        raise CannotFix("a list inside a list")
    return " " * dash + "-" + " " * (span[1] - dash - 1) + scalar_text(value) + newline


def _entries(tree: dict, indent: int, step: int, newline: str) -> str:
    out = []
    pad = " " * indent
    for key, value in tree.items():
        name = scalar_text(str(key))
        if isinstance(value, dict) and value:
            out.append(f"{pad}{name}:{newline}" + _entries(value, indent + step, step, newline))
        else:
            out.append(f"{pad}{name}: {_flow(value)}{newline}")
    return "".join(out)


def _check_disjoint(source: Source, edits: list[TextEdit]) -> None:
    spans = sorted((source.offset(e.start), source.offset(e.end)) for e in edits)
    for (_, end), (start, _) in pairwise(spans):
        if start < end:
            raise CannotFix("the fix's edits overlap")
