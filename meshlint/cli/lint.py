"""``meshlint lint``."""

from __future__ import annotations

import sys

import click

from meshlint.cli.exit_codes import THRESHOLDS, exit_code
from meshlint.cli.output import output_options, write_reports
from meshlint.cli.run_options import build_lint_options, run_options


@click.command()
@click.argument("paths", nargs=-1, required=True)
@run_options
@output_options
@click.option("--failure-threshold", type=click.Choice(THRESHOLDS), default="warning",
              show_default=True, help="Exit 1 when a finding is at least this severe.")
@click.option("-v", "--verbose", is_flag=True, help="Say what was assumed and what was read.")
def lint(paths: tuple[str, ...], failure_threshold: str, verbose: bool, **kw) -> None:
    """Lint manifests: files, directories (recursive), globs, or - for standard input."""
    from meshlint.engine.lint import lint as run_lint
    from meshlint.loader.sources import MissingPath

    options = build_lint_options(paths, kw)
    _warn_unknown_rule_names(options.select + options.ignore)
    try:
        result = run_lint(options)
    except MissingPath as missing:
        raise click.UsageError(f"path does not exist: {missing}") from None
    if verbose:
        _describe_run(options.settings, result)
    findings = [f for f in result.findings if not f.suppressed_by]
    write_reports(findings, result, kw)
    sys.exit(exit_code(findings, result.unparsed, failure_threshold))


def _warn_unknown_rule_names(names: list[str]) -> None:
    from meshlint.engine.registry import builtin_rules
    from meshlint.engine.selection import unknown_names

    for name in unknown_names(builtin_rules(), names):
        click.echo(f"meshlint: warning: no rule is named {name!r}", err=True)


def _describe_run(settings, result) -> None:
    click.echo("meshlint: assumptions:", err=True)
    for line in settings.describe_assumptions():
        click.echo(f"  {line}", err=True)
    click.echo(
        f"meshlint: read {len(result.files)} files, {result.resources} resources, "
        f"{len(result.rules)} rules",
        err=True,
    )
