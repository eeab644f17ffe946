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
    from meshlint.cli.output import CannotWrite
    from meshlint.fs.write import RefusedWrite
    from meshlint.schema_export import export as write

    try:
        files = write(directory)
    except RefusedWrite as refused:
        raise CannotWrite(f"not writing {refused.path}: {refused.reason}") from None
    except OSError as error:
        raise CannotWrite(f"cannot write in {directory}: {error.strerror or error}") from None
    click.echo(f"wrote {len(files)} schemas to {directory} (bundle: {directory / 'all.json'})")
