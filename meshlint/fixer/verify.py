"""Checks on a rewritten text: every line the fix does not touch is still there, byte for
byte and in order, and the text reads back as exactly the edited data."""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field

from meshlint.core.nodes import PList, PMap
from meshlint.engine.fix import Fix
from meshlint.fixer.source import Source
from meshlint.fixer.spans import Entry, content_end, entry_lines, is_flow, walk
from meshlint.fixer.splice import effective_edits
from meshlint.loader.yaml_reader import ParseResult, parse_text


@dataclass
class Touched:
    """What a fix may change in the old text: lines it may rewrite, lines where only the
    span it edits may change (the line's text before and after that span is kept), and
    line numbers before which it may add lines. Every other line must be kept."""

    rewritten: set[int] = field(default_factory=set)
    kept: dict[int, tuple[str, str]] = field(default_factory=dict)
    insertions: set[int] = field(default_factory=set)

    def add(self, other: Touched) -> None:
        """Allow what ``other`` allows too (a line two fixes edit keeps the first one's
        parts, so a result where both changed it is refused)."""
        self.rewritten |= other.rewritten
        self.insertions |= other.insertions
        for line, parts in other.kept.items():
            self.kept.setdefault(line, parts)
        for line in self.rewritten:
            self.kept.pop(line, None)


def touched(source: Source, body: PMap, fix: Fix) -> Touched:
    out = Touched()
    for edit in effective_edits(body, fix.edits):
        path = edit.path if edit.kind != "insert" else edit.path[:-1]
        entries = walk(source, body, path, strict=False)
        if edit.kind == "insert":
            _insertion_room(source, body, entries, out)
        elif len(entries) == len(path) and path:
            _edited(source, edit.kind, entries[-1], out)
    for line in out.rewritten:
        out.kept.pop(line, None)
    return out


def _edited(source: Source, kind: str, found: Entry, out: Touched) -> None:
    """A replaced value or renamed key on one line changes only there; anything else may
    rewrite the entry's lines."""
    span = found.key_span if kind == "rename-key" else found.value_span
    if kind in ("replace", "rename-key") and span is not None and span[0] == span[2]:
        line = source.line(span[0]) + source.breaks[span[0]]
        out.kept[span[0]] = (line[: span[1]], line[span[3] :])
        return
    lines = entry_lines(source, found)
    out.rewritten.update(lines)
    if source.line(lines[0])[: found.start[1]].strip() == "-":
        out.rewritten.add(lines[-1] + 1)  # the next key moves up to the dash


def _insertion_room(source: Source, body: PMap, entries: list, out: Touched) -> None:
    node = entries[-1].value if entries else body
    span = entries[-1].value_span if entries else body.span
    first = entries[-1].start[0] if entries else span[0]
    if not isinstance(node, PMap | PList):
        last = entries[-1].value_span[2] if entries else span[2]
        out.rewritten.update(range(first, last + 1))
        out.insertions.update(range(first, last + 2))
        return
    last = content_end(source, node, span)[0] if node else span[2]
    if not node or is_flow(source, span):
        out.rewritten.update(range(first, last + 1))
    elif not source.breaks[last]:
        out.rewritten.add(last)
    out.insertions.update(range(first, last + 2))


def unchanged_elsewhere(source: Source, new_text: str, allowed: Touched) -> bool:
    """Whether every line and part of a line outside ``allowed`` is kept, identical and in
    order."""
    old, new = source.full_lines(), Source(new_text).full_lines()
    changeable = allowed.rewritten | set(allowed.kept)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if i1 == i2:
            near = {i1, i1 - 1} & allowed.rewritten
            if i1 not in allowed.insertions and not near:
                return False
        else:
            lines = range(i1, i2)
            if not set(lines) <= changeable or not _parts_kept(allowed, lines, new[j1:j2]):
                return False
    return True


def _parts_kept(allowed: Touched, old_lines: range, new_lines: list[str]) -> bool:
    if not set(old_lines) & set(allowed.kept):
        return True
    if len(old_lines) != len(new_lines):
        return False
    for number, line in zip(old_lines, new_lines, strict=True):
        if number not in allowed.kept:
            continue
        prefix, suffix = allowed.kept[number]
        middle = line[len(prefix) : len(line) - len(suffix)]
        kept = line.startswith(prefix) and line.endswith(suffix) and middle.strip() == middle
        if not kept or len(line) < len(prefix) + len(suffix):
            return False
    return True


def plain(value: object) -> object:
    """Loaded data as plain dicts and lists (aliases copied out)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def documents(parsed: ParseResult) -> list[tuple[int, object]]:
    return [(d.index, plain(d.root)) for d in parsed.documents]


def reads_back(new_text: str, expected: list[tuple[int, object]], before: ParseResult) -> str:
    """'' when ``new_text`` reads as ``expected`` with no new reading problem, else why not."""
    after = parse_text(new_text)
    old, new = Counter(i.kind for i in before.issues), Counter(i.kind for i in after.issues)
    worse = [kind for kind in new if new[kind] > old[kind]]
    if worse:
        return f"the result would have a YAML problem ({', '.join(sorted(worse))})"
    if documents(after) != expected:
        return "the result would not read back as the fixed resource"
    return ""
