"""Apply suppressions: a filter over findings after the rules ran, never inside them.

Layers, in order: comments in the source and annotations on the resource (``inSource``),
then the config's ``ignore:`` entries and the baseline (``external``). A suppressed finding
keeps its place in the result, marked with its justification.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from meshlint.core.suggest import hint
from meshlint.engine.finding import Finding
from meshlint.engine.rule import Rule
from meshlint.engine.rule_selection import matches
from meshlint.fieldpath import span_of
from meshlint.loader.comments import CommentDirective, FileDirectives
from meshlint.model import Resource
from meshlint.suppress.annotations import reason_of, suppressions_of
from meshlint.suppress.baseline import Baseline, apply_baseline
from meshlint.suppress.entries import IgnoreEntry

IN_SOURCE, EXTERNAL = "inSource", "external"


@dataclass
class SuppressOptions:
    """The suppressions that come from outside the linted files."""

    entries: list[IgnoreEntry] = field(default_factory=list)
    baseline: Baseline | None = None
    today: date | None = None


@dataclass
class SuppressOutcome:
    warnings: list[str] = field(default_factory=list)
    #: Baseline entries that no longer occur (None without a baseline).
    baseline_gone: int | None = None


def _covers(names: Iterable[str], finding: Finding) -> bool:
    names = tuple(names)
    return not names or any(matches(finding.rule, n) for n in names)


def _comment(finding: Finding, directives: FileDirectives | None) -> CommentDirective | None:
    if directives is None:
        return None
    line = finding.location.line if finding.location else None
    candidates = [*directives.by_line.get(line, ()), *directives.file_wide]
    return next((d for d in candidates if _covers(d.names, finding)), None)


def _suppress(finding: Finding, justification: str, kind: str) -> None:
    finding.suppressed_by = justification
    finding.suppression_kind = kind


def _in_source(finding: Finding, directives: dict[str, FileDirectives]) -> bool:
    file = finding.location.file if finding.location else finding.file
    directive = _comment(finding, directives.get(file or ""))
    if directive is not None:
        _suppress(finding, directive.reason or f"comment at {file}:{directive.line}", IN_SOURCE)
        return True
    if finding.resource is None:
        return False
    for annotation in suppressions_of(finding.resource):
        if _covers(annotation.names, finding):
            _suppress(finding, reason_of(finding.resource, annotation.key), IN_SOURCE)
            return True
    return False


class _NameChecker:
    """Warns once per place about suppression names that select no rule."""

    def __init__(self, known: list[type[Rule]], warnings: list[str]) -> None:
        self.known = known
        self.all_names = {n for r in known for n in r.names()}
        self.warnings = warnings

    def check(self, where: str, names: Iterable[str], foreign=lambda name: False) -> None:
        for name in names:
            if foreign(name) or any(matches(r, name) for r in self.known):
                continue
            text = f"{where}: suppression names no rule {name!r}{hint(name, self.all_names)}"
            if text not in self.warnings:
                self.warnings.append(text)


def _annotation_line(resource: Resource, key: str) -> str:
    span, _ = span_of(resource.body, ("metadata", "annotations", key))
    return f"{resource.file}:{span[0] + 1}" if span else resource.file


def _check_names(
    checker: _NameChecker,
    directives: dict[str, FileDirectives],
    resources: Iterable[Resource],
    entries: list[IgnoreEntry],
) -> None:
    for file, found in directives.items():
        for directive in found.all():
            checker.check(f"{file}:{directive.line}", directive.names)
    for resource in resources:
        if resource.linted:
            for annotation in suppressions_of(resource):
                where = _annotation_line(resource, annotation.key)
                checker.check(where, annotation.names, annotation.is_foreign_code)
    for entry in entries:
        checker.check(entry.origin, entry.rules)


def apply_suppressions(
    findings: list[Finding],
    directives: dict[str, FileDirectives],
    resources: Iterable[Resource],
    options: SuppressOptions,
    known: list[type[Rule]],
) -> SuppressOutcome:
    """Mark suppressed findings; warn about unknown rule names and expired entries."""
    outcome = SuppressOutcome()
    _check_names(_NameChecker(known, outcome.warnings), directives, resources, options.entries)
    today = options.today or date.today()
    active = []
    for entry in options.entries:
        if entry.expired(today):
            outcome.warnings.append(
                f"{entry.origin}: ignore entry expired on {entry.expires.isoformat()}; "
                "its findings are reported again"
            )
        else:
            active.append(entry)
    for finding in findings:
        if finding.suppressed_by or _in_source(finding, directives):
            continue
        entry = next((e for e in active if e.matches(finding)), None)
        if entry is not None:
            _suppress(finding, entry.reason, EXTERNAL)
    if options.baseline is not None:
        outcome.baseline_gone = apply_baseline(findings, options.baseline)
    return outcome
