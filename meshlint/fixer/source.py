"""A file's text as the YAML reader sees it: lines, their breaks, and 0-based positions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

#: Line breaks as YAML (and so the reader's spans) count them.
_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")

Position = tuple[int, int]


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace the text from ``start`` to ``end`` (0-based line, column) with ``text``."""

    start: Position
    end: Position
    text: str


class Source:
    """Text with a line table: offsets of positions, lines without their breaks."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts, breaks = [0], []
        for match in _BREAK.finditer(text):
            breaks.append(match.group())
            starts.append(match.end())
        self.starts = starts
        self.breaks = [*breaks, ""]

    @cached_property
    def newline(self) -> str:
        """The break new lines get: the file's first one, else ``\\n``."""
        return self.breaks[0] or "\n"

    def line(self, number: int) -> str:
        """Line ``number`` without its break ('' past the end)."""
        if number >= len(self.starts):
            return ""
        return self.text[self.starts[number] : self.starts[number] + self.length(number)]

    def length(self, number: int) -> int:
        end = self.starts[number + 1] if number + 1 < len(self.starts) else len(self.text)
        return end - self.starts[number] - len(self.breaks[number])

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def full_lines(self) -> list[str]:
        """Every line with its break."""
        return [self.line(n) + self.breaks[n] for n in range(len(self.starts))]

    def offset(self, position: Position) -> int:
        line, column = position
        if line >= len(self.starts):
            return len(self.text)
        return self.starts[line] + column

    def slice(self, start: Position, end: Position) -> str:
        return self.text[self.offset(start) : self.offset(end)]

    def line_end(self, number: int) -> Position:
        """The position right after line ``number``'s last character (before its break)."""
        return (number, self.length(number))

    def next_line(self, number: int) -> Position:
        """The start of the line after ``number`` (the end of the text for the last line)."""
        if number + 1 < len(self.starts):
            return (number + 1, 0)
        return self.line_end(number)

    def apply(self, edits: list[TextEdit]) -> str:
        """The text with non-overlapping ``edits`` applied."""
        out, cursor = [], 0
        for edit in sorted(edits, key=lambda e: (self.offset(e.start), self.offset(e.end))):
            start, end = self.offset(edit.start), self.offset(edit.end)
            if start < cursor:
                raise ValueError("overlapping edits")
            out += [self.text[cursor:start], edit.text]
            cursor = end
        out.append(self.text[cursor:])
        return "".join(out)
