"""``meshlint fix``'s engine: lint, make the fixes of the findings, lint again, until
nothing is left to fix (a fix may make another one possible) or a bound is reached.

Each round makes, per resource, the fixes whose fields do not overlap; the others wait
for the next round, when they are made on the new text (or are gone with their finding).
A fix must not add a finding, except on the fields it writes (a misspelt key, once
corrected, is read and its value checked): when a round does, the files it blames are put
back, and their fixes are then made one per round, so that the culprit is refused.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field

from meshlint.engine.finding import Finding
from meshlint.engine.fix import Fix
from meshlint.fieldpath import Path
from meshlint.fixer.apply import Target, apply_fix, apply_fixes, target_of
from meshlint.fixer.documents import Cut
from meshlint.fixer.edits import CannotFix
from meshlint.fixer.files import FileText
from meshlint.loader.documents import is_kustomization, load_source
from meshlint.loader.sources import STDIN, SourceText
from meshlint.loader.yaml_reader import ParseResult, parse_text
from meshlint.pipeline.lint import LintOptions, LintResult, LoadedInputs, analyze, load_inputs

MAX_ROUNDS = 20


@dataclass(frozen=True, slots=True)
class FixRecord:
    """A fix made (``method`` says how) or not made (``reason`` says why)."""

    finding: Finding
    fix: Fix
    method: str = ""
    reason: str = ""


@dataclass
class FixOutcome:
    files: dict[str, FileText]
    texts: dict[str, str]
    result: LintResult
    applied: list[FixRecord] = field(default_factory=list)
    skipped: list[FixRecord] = field(default_factory=list)
    rounds: int = 0
    #: False when the bound on rounds stopped the fixing.
    converged: bool = True

    @property
    def changed(self) -> list[str]:
        return [path for path, file in self.files.items() if self.texts[path] != file.text]


@dataclass
class _State:
    """What the rounds learnt: fixes not to try again, files to fix one fix at a time,
    and every text each file has had (coming back to one means fixes undo each other)."""

    failed: set[tuple] = field(default_factory=set)
    serial: set[str] = field(default_factory=set)
    #: One fix per round in all: a finding added to a file no fix changed could not be
    #: blamed on one file.
    one_at_a_time: bool = False
    seen: dict[str, set[str]] = field(default_factory=dict)


def chosen_fix(finding: Finding, unsafe: bool) -> Fix | None:
    """The fix to make for a finding: its first safe one, or first of any with ``unsafe``."""
    return next((f for f in finding.fixes if f.safe or unsafe), None)


def fix(
    options: LintOptions,
    *,
    unsafe: bool = False,
    only: set[str] | None = None,
    max_rounds: int = MAX_ROUNDS,
) -> FixOutcome:
    """Fix the files ``options`` names (only those whose real path is in ``only``, if
    given) and lint the result; nothing is written."""
    inputs = load_inputs(options)
    files = {
        path: text
        for path in inputs.files
        if path != STDIN
        and not (options.kustomize and is_kustomization(path))
        and (only is None or os.path.realpath(path) in only)
        and (text := FileText.read(path)) is not None
    }
    outcome = FixOutcome(files, {p: f.text for p, f in files.items()}, analyze(inputs, options))
    state = _State(seen={path: {text} for path, text in outcome.texts.items()})
    for _ in range(max_rounds):
        parsed: dict[str, ParseResult] = {}
        plan = _plan(outcome, unsafe, state, parsed)
        if not plan:
            return outcome
        outcome.rounds += 1
        before = {path: outcome.texts[path] for path in plan}
        made = {
            path: _apply(outcome, path, items, parsed[path], state) for path, items in plan.items()
        }
        changed = [path for path in plan if outcome.texts[path] != before[path]]
        if not changed:
            return outcome
        for path in changed:
            _reload(inputs, path, outcome.texts[path], options)
        previous, outcome.result = outcome.result, analyze(inputs, options)
        blamed = _blame(previous, outcome.result, made, changed)
        if len({id(f) for f in blamed.values()}) < len(blamed) and not state.one_at_a_time:
            state.one_at_a_time = True
            blamed = dict.fromkeys(blamed)
        for path, added in blamed.items():
            if added is not None:
                _refuse(outcome, path, made[path], added, state)
            made.pop(path)
            outcome.texts[path] = before[path]
            _reload(inputs, path, before[path], options)
        if blamed:
            outcome.result = analyze(inputs, options)
        for path, records in made.items():
            outcome.applied += records
            if outcome.texts[path] in state.seen[path] and records:
                state.failed.add((path,))  # back to an earlier text: fixes undo each other
            state.seen[path].add(outcome.texts[path])
    outcome.converged = not _plan(outcome, unsafe, state, {})
    return outcome


def _plan(
    outcome: FixOutcome, unsafe: bool, state: _State, parsed: dict[str, ParseResult]
) -> dict[str, list]:
    """Per file, the (finding, fix, target) to make this round: per resource, fixes whose
    claimed fields do not overlap those of an earlier one (one fix for a serial file).
    ``parsed`` keeps the texts read on the way."""
    plan: dict[str, list] = {}
    claims: dict[tuple, list[Path]] = {}
    planned: set[tuple] = set()
    for finding in outcome.result.findings:
        resource = finding.resource
        chosen = chosen_fix(finding, unsafe)
        if chosen is None or finding.suppressed_by or resource is None or not resource.linted:
            continue
        path = resource.file
        if path not in outcome.texts or (path,) in state.failed:
            continue
        if (path, resource.key, _identity(chosen)) in state.failed:
            continue
        if (plan.get(path) and path in state.serial) or (plan and state.one_at_a_time):
            continue
        if path not in parsed:
            parsed[path] = parse_text(outcome.texts[path])
        try:
            target = target_of(parsed[path], resource.document, resource.body.span)
        except CannotFix:
            continue
        if (path, target, _identity(chosen)) in planned:
            continue
        held = claims.setdefault((path, target), [])
        wanted = [_claim(edit) for edit in chosen.edits]
        if any(_overlap(a, b) for a in wanted for b in held):
            continue
        held.extend(wanted)
        planned.add((path, target, _identity(chosen)))
        plan.setdefault(path, []).append((finding, chosen, target))
    return plan


def _identity(chosen: Fix) -> tuple:
    return (chosen.title, repr(chosen.edits))


def _claim(edit) -> Path:
    """The fields an edit may change: a list edit shifts the indexes of the whole list."""
    if edit.kind in ("insert", "delete") and edit.path and isinstance(edit.path[-1], int):
        return edit.path[:-1]
    return edit.path


def _overlap(a: Path, b: Path) -> bool:
    shorter = min(len(a), len(b))
    return a[:shorter] == b[:shorter]


def _apply(
    outcome: FixOutcome, path: str, items: list, parsed: ParseResult, state: _State
) -> list[FixRecord]:
    """Make the file's planned fixes, each on its document's text (on the whole text for a
    document that cannot be cut out): a document's fixes together when that works, else
    one after the other. The fixes made."""
    cut = Cut(outcome.texts[path], parsed)
    made = []
    by_document: dict[int, list] = {}
    for item in items:
        by_document.setdefault(item[2].document, []).append(item)
    for document, planned in by_document.items():
        piece = cut.piece(document)
        if piece is not None and len(planned) > 1:
            fixes = [(target.item, chosen) for _, chosen, target in planned]
            try:
                applied = apply_fixes(piece.text, 0, fixes)
            except CannotFix:
                pass
            else:
                piece.text = applied.text
                made += [FixRecord(f, c, method=applied.method) for f, c, _ in planned]
                continue
        for finding, chosen, target in planned:
            try:
                if piece is None:
                    applied = apply_fix(cut.text, target, chosen)
                    cut = Cut(applied.text)
                else:
                    applied = apply_fix(piece.text, Target(0, target.item), chosen)
                    piece.text = applied.text
            except CannotFix as error:
                state.failed.add((path, finding.resource.key, _identity(chosen)))
                outcome.skipped.append(FixRecord(finding, chosen, reason=str(error)))
                continue
            made.append(FixRecord(finding, chosen, method=applied.method))
    outcome.texts[path] = cut.text
    return made


def _key(finding: Finding) -> tuple:
    resource = finding.resource
    where = resource.key if resource is not None else finding.file
    return (finding.rule.id, where, finding.path)


def _blame(
    before: LintResult, after: LintResult, made: dict[str, list[FixRecord]], changed: list[str]
) -> dict[str, Finding | None]:
    """The changed files whose fixes added a finding (one of those findings each): the
    file of the resource it is on, or every changed file for one elsewhere (the same
    finding then blames several files)."""
    known = Counter(_key(f) for f in before.findings if not f.suppressed_by)
    current = [f for f in after.findings if not f.suppressed_by]
    extra = Counter(_key(f) for f in current) - known
    blamed: dict[str, Finding | None] = {}
    for finding in current:
        if not extra[_key(finding)] or _written(finding, made):
            continue
        extra[_key(finding)] -= 1
        file = finding.resource.file if finding.resource is not None else finding.file
        for path in [file] if file in changed else changed:
            blamed.setdefault(path, finding)
    return blamed


def _written(finding: Finding, made: dict[str, list[FixRecord]]) -> bool:
    """Whether the finding is on a field a fix of its resource wrote."""
    resource = finding.resource
    if resource is None:
        return False
    for record in made.get(resource.file, ()):
        if record.finding.resource.key != resource.key:
            continue
        for edit in record.fix.edits:
            written = edit.path
            if edit.kind == "rename-key":
                written = (*edit.path[:-1], edit.value)
            elif edit.kind == "delete":
                continue
            if finding.path[: len(written)] == written:
                return True
    return False


def _refuse(
    outcome: FixOutcome, path: str, records: list[FixRecord], added: Finding, state: _State
) -> None:
    """Undo a file's fixes of this round: a lone fix is refused for good, several are
    made one per round from now on (the file goes serial)."""
    if len(records) > 1 and path not in state.serial:
        state.serial.add(path)
        return
    for record in records:
        resource = record.finding.resource
        state.failed.add((path, resource.key, _identity(record.fix)))
        reason = f"it would add a finding: {added.rule.id} {added.message}"
        outcome.skipped.append(FixRecord(record.finding, record.fix, reason=reason))


def _reload(inputs: LoadedInputs, path: str, text: str, options: LintOptions) -> None:
    """Put the file's new text in place of its old one among the inputs."""
    cluster_of = {p: name for name, paths in (options.clusters or {}).items() for p in paths}
    loaded = load_source(SourceText(path, text), options.settings.default_namespace, options.limits)
    for resource in loaded.resources:
        resource.cluster = cluster_of.get(resource.file, "")
    inputs.loaded = [loaded if f.path == path else f for f in inputs.loaded]
