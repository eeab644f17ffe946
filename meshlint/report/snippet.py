"""The source lines a finding points at, for the caret under the field (text) and
``region.snippet`` (SARIF). Only files read as they stand: never standard input or a
rendered kustomization; a file that cannot be read has no snippet."""

from __future__ import annotations

from meshlint.engine.finding import Location

STDIN = "-"


class Sources:
    """The lines of each file, read once."""

    def __init__(self) -> None:
        self.lines: dict[str, list[str] | None] = {}

    def _read(self, file: str) -> list[str] | None:
        from meshlint.fs.regular import read_regular
        from meshlint.loader.documents import is_kustomization
        from meshlint.loader.sources import decode

        if file == STDIN or file.startswith("<") or is_kustomization(file):
            return None
        try:
            data, _ = read_regular(file)
        except OSError:
            return None
        text = decode(file, data).text
        return text.splitlines() if text is not None else None

    def line(self, file: str, number: int) -> str | None:
        """Line ``number`` (1-based) of ``file``, or None."""
        if file not in self.lines:
            self.lines[file] = self._read(file)
        lines = self.lines[file]
        if lines is None or not 1 <= number <= len(lines):
            return None
        return lines[number - 1]

    def snippet(self, location: Location) -> str | None:
        """The text of the lines ``location`` spans (its first line only when it spans
        more than a few)."""
        end = location.end_line - (location.end_column == 1 and location.end_line > location.line)
        last = end if end - location.line < 3 else location.line
        lines = [self.line(location.file, n) for n in range(location.line, last + 1)]
        if not lines or lines[0] is None:
            return None
        return "\n".join(line for line in lines if line is not None) + "\n"


def caret(location: Location, text: str) -> str:
    """Spaces up to the column and a ``^`` under each character of the field on that
    line (one at least)."""
    start = max(location.column - 1, 0)
    end = location.end_column - 1 if location.end_line == location.line else len(text)
    width = max(min(end, len(text.rstrip())) - start, 1)
    return " " * start + "^" * width
