"""Suppression comments in the source text: ``# meshlint: ignore[RULE,...] reason``.

PyYAML drops comments, so they are found by scanning the text of each file. A directive
after YAML on the same line silences that line; one alone on its line silences the next
line that holds YAML. ``# meshlint: ignore-file[RULE,...]`` silences the whole file.
Without ``[...]`` a directive covers every rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_DIRECTIVE = re.compile(
    r"(?:^|\s)#\s*meshlint:\s*(?P<kind>ignore-file|disable-file|ignore)\b"
    r"(?:\[(?P<names>[^\]]*)\])?(?P<rest>.*)$"
)
_DOCUMENT_MARKERS = ("---", "...")


@dataclass(frozen=True, slots=True)
class CommentDirective:
    """One suppression comment. ``names`` is empty when it covers every rule."""

    names: tuple[str, ...]
    reason: str
    line: int
    target: int | None


@dataclass(slots=True)
class FileDirectives:
    """The directives of one file: file-wide ones, and line ones by the line they silence."""

    file_wide: list[CommentDirective] = field(default_factory=list)
    by_line: dict[int, list[CommentDirective]] = field(default_factory=dict)

    def all(self) -> list[CommentDirective]:
        return [*self.file_wide, *(d for ds in self.by_line.values() for d in ds)]


def _reason(rest: str) -> str:
    text = rest.strip().lstrip("-:—").strip()
    if text.startswith("reason="):
        text = text[len("reason=") :].strip()
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
            text = text[1:-1]
    return text


def _holds_yaml(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _next_yaml_line(lines: list[str], index: int) -> int | None:
    for i in range(index + 1, len(lines)):
        if _holds_yaml(lines[i]):
            return None if lines[i].strip() in _DOCUMENT_MARKERS else i + 1
    return None


def scan(text: str) -> FileDirectives | None:
    """Every suppression directive in ``text`` (1-based lines); None when there is none."""
    if "meshlint:" not in text:
        return None
    found = FileDirectives()
    lines = text.splitlines()
    for index, line in enumerate(lines):
        match = _DIRECTIVE.search(line) if "meshlint:" in line else None
        if match is None:
            continue
        names = tuple(n.strip() for n in (match["names"] or "").split(",") if n.strip())
        reason = _reason(match["rest"])
        if match["kind"] != "ignore":
            found.file_wide.append(CommentDirective(names, reason, index + 1, None))
            continue
        alone = line.lstrip().startswith("#")
        target = _next_yaml_line(lines, index) if alone else index + 1
        if target is not None:
            directive = CommentDirective(names, reason, index + 1, target)
            found.by_line.setdefault(target, []).append(directive)
    return found if found.file_wide or found.by_line else None
