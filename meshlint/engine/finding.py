"""Findings: what a rule reports, and where the engine says it is."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING

from meshlint.fieldpath import Path
from meshlint.model import Resource

if TYPE_CHECKING:
    from meshlint.engine.fix import Fix
    from meshlint.engine.rule import Rule


class Severity(IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (error, warning or info)") from None


@dataclass(slots=True, frozen=True)
class Location:
    """A span in a file, 1-based lines and columns, end exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(slots=True)
class Related:
    """The other end of a reference, or another place that explains a finding."""

    message: str
    resource: Resource | None = None
    path: Path = ()
    location: Location | None = None


@dataclass(slots=True)
class Finding:
    """One problem. Rules fill in resource, path and message; the engine adds locations."""

    rule: type[Rule]
    message: str
    severity: Severity
    resource: Resource | None = None
    path: Path = ()
    key: bool = False
    related: list[Related] = field(default_factory=list)
    file: str | None = None
    location: Location | None = None
    #: Why the finding is suppressed (the justification), or None when it is not.
    suppressed_by: str | None = None
    #: Where the suppression lives: "inSource" (comment, annotation) or "external" (config,
    #: baseline), as SARIF names them.
    suppression_kind: str | None = None
    #: Edits that would resolve the finding (see meshlint.engine.fix).
    fixes: list[Fix] = field(default_factory=list)
    #: For a reference meshlint could not check: why (what the inputs lack). Such
    #: findings are info, reported only with ``--report-unknown`` and counted otherwise.
    unchecked: str | None = None

    @property
    def sort_key(self) -> tuple:
        loc = self.location
        if loc is None:
            return (self.file or "", 0, 0, self.rule.id)
        return (loc.file, loc.line, loc.column, self.rule.id)


def active(findings: list[Finding]) -> list[Finding]:
    """The findings that are not suppressed."""
    return [f for f in findings if not f.suppressed_by]


def counts(findings: list[Finding]) -> dict[str, int]:
    """Unsuppressed findings per severity label, most severe first."""
    by = Counter(f.severity for f in active(findings))
    return {s.label: by.get(s, 0) for s in sorted(Severity, reverse=True)}
