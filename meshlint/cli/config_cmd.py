"""``meshlint config``: the configuration's JSON Schema, and a check of the config files."""

from __future__ import annotations

import sys

import click

from meshlint.cli.exit_codes import EXIT_FINDINGS
from meshlint.cli.run_options import ConfigUsageError, config_options, file_config, warn
from meshlint.config import ConfigError


@click.group("config")
def config() -> None:
    """Inspect meshlint's configuration."""


@config.command("schema")
def schema() -> None:
    """Print the JSON Schema of .meshlint.yaml (for editors and SchemaStore)."""
    from meshlint.config import config_schema_text

    click.echo(config_schema_text(), nl=False)


@config.command("check")
@config_options
def check(**kw) -> None:
    """Validate the config files a run would read: exit 2 naming each bad key, unknown
    rule name and line; exit 1 when `meshlint lint` would warn about them (settings a
    repository's config may not make, expired ignore entries)."""
    from meshlint.pipeline.options import expired_entries, lint_options
    from meshlint.report.summary import plural

    settings = file_config(kw)
    try:
        lint_options(settings, [])
    except ConfigError as error:
        raise ConfigUsageError(error) from None
    expired = expired_entries(settings)
    for message in expired:
        warn(message)
    warnings = [*settings.warnings, *expired]
    if not settings.files:
        click.echo("no config file found; meshlint uses its defaults")
    for file in settings.files:
        problems = sum(1 for w in warnings if w.startswith(f"{file}:"))
        click.echo(f"{file}: {plural(problems, 'warning')}" if problems else f"{file}: ok")
    if warnings:
        sys.exit(EXIT_FINDINGS)
