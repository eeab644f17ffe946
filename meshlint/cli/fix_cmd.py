"""``meshlint fix``."""

from __future__ import annotations

import difflib
import os
import sys
from typing import TYPE_CHECKING

import click

from meshlint.cli.exit_codes import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, THRESHOLDS, exit_code
from meshlint.cli.output import (
    ReportingCommand,
    output_options,
    refuse_unsafe_outputs,
    report_scope,
    write_reports,
)
from meshlint.cli.run_options import finish_run, prepare_run, run_options

if TYPE_CHECKING:
    from meshlint.fixer.run import FixOutcome

NO_NEWLINE = "\\ No newline at end of file\n"


@click.command(cls=ReportingCommand)
@click.argument("paths", nargs=-1)
@click.option(
    "--unsafe",
    is_flag=True,
    help="Also make the fixes that change behaviour (a route to the closest subset, an "
    "annotation moved to where Istio reads it): review them.",
)
@click.option(
    "--diff",
    "show_diff",
    is_flag=True,
    help="Print a unified diff of the fixes instead of writing the files; exit 1 when a "
    "file would change.",
)
@run_options
@output_options
@click.option(
    "--failure-threshold",
    type=click.Choice(THRESHOLDS),
    default=None,
    help="Exit 1 when a finding left after fixing is at least this severe (default: warning).",
)
@click.option("-v", "--verbose", is_flag=True, help="List every fix made.")
def fix(
    paths: tuple[str, ...],
    unsafe: bool,
    show_diff: bool,
    failure_threshold: str | None,
    verbose: bool,
    **kw,
) -> None:
    """Fix what meshlint can fix safely in files, directories or globs (default: the
    config's `paths`), keeping comments and layout, then report what remains."""
    from meshlint.fixer.run import fix as run_fix
    from meshlint.loader.sources import STDIN, MissingPath

    if STDIN in paths:
        raise click.UsageError("fix rewrites files: it cannot fix standard input")
    refuse_unsafe_outputs(*kw.get("outputs") or (), kw.get("write_baseline"))
    scope = report_scope(paths, kw)
    run = prepare_run(tuple(scope.lint_paths), kw, failure_threshold)
    try:
        outcome = run_fix(run.options, unsafe=unsafe, only=scope.reported)
    except MissingPath as missing:
        raise click.UsageError(f"path does not exist: {missing}") from None
    if show_diff:
        _describe(outcome, unsafe=unsafe, verbose=verbose, dry=True)
        for path in outcome.changed:
            sys.stdout.write(unified_diff(path, outcome.files[path].text, outcome.texts[path]))
        sys.exit(EXIT_FINDINGS if outcome.changed else EXIT_OK)
    refused = _write_files(outcome)
    _describe(outcome, unsafe=unsafe, verbose=verbose, dry=False)
    result = scope.apply(outcome.result)
    finish_run(run, result)
    write_reports(
        result.findings,
        result,
        {**kw, "show_suppressed": run.show_suppressed},
        threshold=run.failure_threshold,
        overrides=run.options.severity_overrides,
    )
    if refused:
        sys.exit(EXIT_USAGE)
    sys.exit(exit_code(result.findings, result.unparsed, run.failure_threshold))


def _write_files(outcome: FixOutcome) -> list[str]:
    """Write every fixed file; a file that must not or cannot be replaced is left as it
    is, its fixes dropped from the outcome, with a warning. The files left."""
    from meshlint.fs.write import RefusedWrite

    refused = []
    for path in outcome.changed:
        try:
            outcome.files[path].write(outcome.texts[path])
        except RefusedWrite as error:
            reason = error.reason
        except OSError as error:
            reason = f"cannot write: {error.strerror or error}"
        else:
            continue
        click.echo(f"meshlint: warning: not fixed {path}: {reason}", err=True)
        refused.append(path)
        outcome.texts[path] = outcome.files[path].text
    outcome.applied = [r for r in outcome.applied if r.finding.resource.file not in refused]
    return refused


def unified_diff(path: str, old: str, new: str) -> str:
    """A ``git diff``-style unified diff of one file."""
    name = os.path.normpath(path).replace(os.sep, "/")
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{name}", f"b/{name}"
    )
    return "".join(line if line.endswith("\n") else f"{line}\n{NO_NEWLINE}" for line in lines)


def _where(finding) -> str:
    location = finding.location
    return str(location) if location else finding.file or ""


def _describe(outcome, *, unsafe: bool, verbose: bool, dry: bool) -> None:
    from meshlint.fixer.run import chosen_fix

    for record in outcome.applied if verbose else ():
        finding = record.finding
        click.echo(
            f"meshlint: {'would fix' if dry else 'fixed'} {_where(finding)}: "
            f"{finding.rule.id} {record.fix.title}",
            err=True,
        )
    for record in outcome.skipped:
        finding = record.finding
        click.echo(
            f"meshlint: warning: could not fix {_where(finding)}: {finding.rule.id} "
            f"{record.fix.title}: {record.reason}",
            err=True,
        )
    if not outcome.converged:
        click.echo(
            f"meshlint: warning: stopped after {outcome.rounds} rounds of fixes; "
            "run meshlint fix again",
            err=True,
        )
    count, files = len(outcome.applied), len(outcome.changed)
    line = (
        f"meshlint: {'would fix' if dry else 'fixed'} {count} finding{'s' if count != 1 else ''}"
        f" in {files} file{'s' if files != 1 else ''}"
    )
    if not unsafe:
        more = sum(
            1
            for f in outcome.result.findings
            if not f.suppressed_by and f.fixes and chosen_fix(f, True) and not chosen_fix(f, False)
        )
        if more:
            line += f"; {more} more with --unsafe (review those fixes)"
    click.echo(line, err=True)
