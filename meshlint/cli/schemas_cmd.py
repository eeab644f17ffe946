"""``meshlint schemas export DIR``: JSON Schemas for editors."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("schemas")
def schemas() -> None:
    """JSON Schemas of every kind meshlint knows (for the YAML language server)."""


@schemas.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export(directory: Path) -> None:
    """Write draft-07 schemas and the all.json bundle into DIRECTORY."""
    from meshlint.schema_export import export as write

    files = write(directory)
    click.echo(f"wrote {len(files)} schemas to {directory} (bundle: {directory / 'all.json'})")
