"""``meshlint config``: the configuration's JSON Schema, and a check of the config files."""

from __future__ import annotations

import click

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
    """Validate the config files a run would read: exit 2 naming each bad key and line."""
    from meshlint.pipeline.options import lint_options

    settings = file_config(kw)
    try:
        _, warnings = lint_options(settings, [])
    except ConfigError as error:
        raise ConfigUsageError(error) from None
    for message in warnings:
        warn(message)
    if not settings.files:
        click.echo("no config file found; meshlint uses its defaults")
    for file in settings.files:
        click.echo(f"{file}: ok")
