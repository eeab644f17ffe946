"""The ``meshlint`` command line: a click group with one module per command."""

from __future__ import annotations

import sys

import click

from meshlint import __version__
from meshlint.cli.exit_codes import EXIT_INTERNAL, EXIT_OK


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="meshlint")
def cli() -> None:
    """Lint Istio service-mesh configuration and the Kubernetes manifests around it."""


def _register() -> None:
    from meshlint.cli import config_cmd, info, lint, lsp_cmd, schemas_cmd

    cli.add_command(lint.lint)
    cli.add_command(info.list_rules)
    cli.add_command(info.explain)
    cli.add_command(config_cmd.config)
    cli.add_command(lsp_cmd.lsp)
    cli.add_command(schemas_cmd.schemas)
    from meshlint.cli.graph_cmd import graph

    cli.add_command(graph)
    from meshlint.cli.fix_cmd import fix

    cli.add_command(fix)


_register()


def main() -> None:
    """Entry point: never lets a traceback reach the user."""
    try:
        cli.main(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(EXIT_OK)
    except Exception as error:  # last line of defence: no traceback reaches the user
        click.echo(
            f"meshlint: internal error: {type(error).__name__}: {error}. Please report this.",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
