"""``meshlint clean``."""

from __future__ import annotations

import click


@click.command()
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False))
def clean(path: str) -> None:
    """Remove the cache entries of the project that holds PATH (default: here)."""
    from meshlint.cache.location import cache_root, project_folder, root_of
    from meshlint.cache.store import remove

    project = root_of([path])
    folder = project_folder(cache_root(), project)
    entries, size = remove(folder)
    if entries:
        click.echo(f"meshlint: removed {entries} cache entries ({size / 1e6:.1f} MB) of {project}")
    else:
        click.echo(f"meshlint: no cache entries for {project}")
