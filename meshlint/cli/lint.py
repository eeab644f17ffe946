"""``meshlint lint``."""

from __future__ import annotations

import gc
import sys
import time

import click

from meshlint.cli.exit_codes import THRESHOLDS, exit_code
from meshlint.cli.output import (
    ReportingCommand,
    output_options,
    refuse_unsafe_outputs,
    report_scope,
    write_reports,
)
from meshlint.cli.progress import Status, wanted
from meshlint.cli.run_options import (
    describe_config,
    finish_run,
    prepare_run,
    run_options,
    warn,
)


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
@click.option(
    "--helm",
    is_flag=True,
    default=None,
    help="Render Helm chart directories with `helm template` (when helm is on PATH) and "
    "lint the output, with findings pointing into the templates.",
)
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Print only findings at or above the failure threshold, and the summary.",
)
@click.option("--statistics", is_flag=True, help="Print how many findings each rule has.")
@click.option(
    "--show-info",
    is_flag=True,
    help="Print info findings in text output too (they are counted in the summary).",
)
@click.option("-v", "--verbose", is_flag=True, help="Say what was assumed and what was read.")
@click.option(
    "--no-cache",
    is_flag=True,
    help="Neither read nor write the cache of parsed files and findings (`meshlint clean` "
    "empties it).",
)
def lint(
    paths: tuple[str, ...],
    failure_threshold: str | None,
    jobs: int,
    verbose: bool,
    no_cache: bool,
    **kw,
) -> None:
    """Lint manifests: files, directories (recursive), globs, or - for standard input
    (default: the config's `paths`, else the current directory)."""
    from meshlint.loader.sources import MissingPath
    from meshlint.pipeline.lint import analyze, load_inputs
    from meshlint.pipeline.parallel import default_jobs

    gc.disable()  # one short-lived process building millions of objects: collect at exit
    refuse_unsafe_outputs(*kw.get("outputs") or (), kw.get("write_baseline"))
    scope = report_scope(paths, kw)
    run = prepare_run(tuple(scope.lint_paths), kw, failure_threshold)
    options, failure_threshold = run.options, run.failure_threshold
    options.jobs = jobs or default_jobs()
    options.cache = not no_cache
    _warn_unused_excludes(options)
    charts = _helm_charts(options) if run.config.helm else None
    status = Status(wanted(kw["quiet"]))
    try:
        if status.enabled:
            status.show(_starting(options))
        started = time.monotonic()
        inputs = load_inputs(options)
        if status.enabled:
            status.show(_reading_done(inputs, time.monotonic() - started))
        result = analyze(inputs, options)
        if charts is not None:
            charts.map_back(result)
        result = scope.apply(result)
    except MissingPath as missing:
        raise click.UsageError(f"path does not exist: {missing}") from None
    finally:
        status.done()
        if charts is not None:
            charts.cleanup()
    if not result.files:
        warn(f"no manifests found in {' '.join(options.paths)}")
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


def _helm_charts(options):
    """The charts among the paths, rendered (``--helm``; helm's machinery is imported
    only then)."""
    from meshlint.cli.helm_run import render_charts

    return render_charts(options)


def _warn_unused_excludes(options) -> None:
    from meshlint.loader.sources import MissingPath, unused_excludes

    if not options.exclude:
        return
    try:
        unused = unused_excludes(options.paths, options.exclude)
    except MissingPath:
        return  # reported as a usage error by the lint itself
    for pattern in unused:
        warn(f"--exclude / exclude: {pattern!r} matches no file")


def _reading_done(inputs, seconds: float) -> str:
    """The status line once every file is read: files, resources and the reading rate,
    while the rules run."""
    from meshlint.report.summary import plural

    files = len(inputs.loaded)
    resources = sum(len(f.resources) for f in inputs.loaded)
    rate = files / seconds if seconds > 0 else files
    return (
        f"meshlint: read {plural(files, 'file')} ({rate:,.0f}/s), "
        f"{plural(resources, 'resource')}; checking the rules..."
    )


def _starting(options) -> str:
    """The status line while linting: how many files, and where."""
    from meshlint.loader.sources import discover
    from meshlint.report.summary import plural

    files = discover(options.paths, options.exclude)
    return f"meshlint: linting {plural(len(files), 'file')}..."


def _describe_run(settings, result, config_lines: list[str]) -> None:
    for line in config_lines:
        click.echo(f"meshlint: {line}", err=True)
    click.echo("meshlint: assumptions:", err=True)
    for line in settings.describe_assumptions():
        click.echo(f"  {line}", err=True)
    from meshlint.report.summary import plural

    counts = [
        plural(len(result.files), "file"),
        plural(result.resources, "resource"),
    ]
    rules = plural(len(result.rules), "rule")
    click.echo(f"meshlint: read {', '.join(counts)}; checked with {rules}", err=True)
