"""``meshlint lsp``: the language server over stdio."""

from __future__ import annotations

import click

from meshlint.cli.run_options import analysis_options, build_lint_options


@click.command("lsp")
@analysis_options
def lsp(**kw) -> None:
    """Run the language server on stdin/stdout (for editors)."""
    from meshlint.lsp.server import serve

    serve(build_lint_options((), kw))
