"""Config ``ignore:`` entries: suppress findings by rule, resource and path, with a reason."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase
from functools import cached_property

from meshlint.engine.finding import Finding
from meshlint.engine.rule_selection import matches


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A regex for a path glob: ``*`` and ``?`` stay within a folder, ``**`` spans folders."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        else:
            char = pattern[i]
            out.append("[^/]*" if char == "*" else "[^/]" if char == "?" else re.escape(char))
            i += 1
    return re.compile("".join(out) + r"\Z")


@dataclass(frozen=True)
class IgnoreEntry:
    """One ``ignore:`` entry. ``path`` is an absolute glob; ``rules`` ``("*",)`` covers all."""

    reason: str
    rules: tuple[str, ...] = ("*",)
    resource: str | None = None
    path: str | None = None
    expires: date | None = None
    origin: str = ""

    def expired(self, today: date) -> bool:
        return self.expires is not None and today > self.expires

    @cached_property
    def _path_regex(self) -> re.Pattern[str] | None:
        return glob_regex(self.path.replace(os.sep, "/")) if self.path else None

    def _path_matches(self, file: str | None) -> bool:
        if not file or file == "-":
            return False
        candidate = os.path.abspath(file).replace(os.sep, "/")
        while True:
            if self._path_regex.match(candidate):
                return True
            parent = candidate.rsplit("/", 1)[0]
            if parent == candidate or not parent:
                return False
            candidate = parent

    def matches(self, finding: Finding) -> bool:
        if not any(matches(finding.rule, name) for name in self.rules):
            return False
        if self.resource is not None and (
            finding.resource is None or not fnmatchcase(finding.resource.ref, self.resource)
        ):
            return False
        file = finding.location.file if finding.location else finding.file
        return self._path_regex is None or self._path_matches(file)
