"""``meshlint lsp``: the language server over stdio."""

from __future__ import annotations

import click

from meshlint.cli.run_options import analysis_options, build_lint_options


@click.command("lsp")
@analysis_options
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
def lsp(no_cache: bool, **kw) -> None:
    """Run the language server on stdin/stdout (for editors)."""
    from meshlint.lsp.server import serve

    options = build_lint_options((), kw)
    options.cache = not no_cache
    serve(options)
