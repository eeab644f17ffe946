"""``meshlint lint``."""

from __future__ import annotations

import gc
import sys

import click

from meshlint.cli.exit_codes import THRESHOLDS, exit_code
from meshlint.cli.output import ReportingCommand, output_options, report_scope, write_reports
from meshlint.cli.run_options import describe_config, finish_run, prepare_run, run_options


@click.command(cls=ReportingCommand)
@click.argument("paths", nargs=-1)
@run_options
@output_options
@click.option(
    "--failure-threshold",
    type=click.Choice(THRESHOLDS),
    default=None,
    help="Exit 1 when a finding is at least this severe (default: warning).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Processes that check the rules of a large mesh (0: one per core, at most 4).",
)
@click.option("-v", "--verbose", is_flag=True, help="Say what was assumed and what was read.")
def lint(
    paths: tuple[str, ...], failure_threshold: str | None, jobs: int, verbose: bool, **kw
) -> None:
    """Lint manifests: files, directories (recursive), globs, or - for standard input
    (default: the config's `paths`)."""
    from meshlint.loader.sources import MissingPath
    from meshlint.pipeline.lint import lint as run_lint
    from meshlint.pipeline.parallel import default_jobs

    gc.disable()  # one short-lived process building millions of objects: collect at exit
    scope = report_scope(paths, kw)
    run = prepare_run(tuple(scope.lint_paths), kw, failure_threshold)
    options, failure_threshold = run.options, run.failure_threshold
    options.jobs = jobs or default_jobs()
    try:
        result = scope.apply(run_lint(options))
    except MissingPath as missing:
        raise click.UsageError(f"path does not exist: {missing}") from None
    if verbose:
        _describe_run(options.settings, result, describe_config(run))
    finish_run(run, result)
    write_reports(
        result.findings,
        result,
        {**kw, "show_suppressed": run.show_suppressed},
        threshold=failure_threshold,
        overrides=options.severity_overrides,
    )
    sys.exit(exit_code(result.findings, result.unparsed, failure_threshold))


def _describe_run(settings, result, config_lines: list[str]) -> None:
    for line in config_lines:
        click.echo(f"meshlint: {line}", err=True)
    click.echo("meshlint: assumptions:", err=True)
    for line in settings.describe_assumptions():
        click.echo(f"  {line}", err=True)
    click.echo(
        f"meshlint: read {len(result.files)} files, {result.resources} resources, "
        f"{len(result.rules)} rules",
        err=True,
    )
