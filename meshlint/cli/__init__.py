"""The ``meshlint`` command line: a click group with one module per command."""

from __future__ import annotations

import importlib
import sys
from typing import NoReturn

import click

from meshlint import __version__
from meshlint.cli.exit_codes import EXIT_INTERNAL, EXIT_OK
from meshlint.cli.quick_exit import exit_now
from meshlint.gc_pause import gc_paused

#: Each command and where it lives: a command's module is imported only when it runs
#: (or when help lists it), so ``meshlint lint`` does not pay for the others.
COMMANDS = {
    "lint": "meshlint.cli.lint:lint",
    "fix": "meshlint.cli.fix_cmd:fix",
    "rules": "meshlint.cli.info:list_rules",
    "explain": "meshlint.cli.info:explain",
    "config": "meshlint.cli.config_cmd:config",
    "graph": "meshlint.cli.graph_cmd:graph",
    "lsp": "meshlint.cli.lsp_cmd:lsp",
    "schemas": "meshlint.cli.schemas_cmd:schemas",
    "trace": "meshlint.cli.trace_cmd:trace",
    "clean": "meshlint.cli.clean_cmd:clean",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on demand."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, _, attribute = COMMANDS[cmd_name].partition(":")
        with gc_paused():  # a command imports hundreds of long-lived objects: no use collecting
            return getattr(importlib.import_module(module), attribute)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in COMMANDS:
            from meshlint.core.suggest import hint

            ctx.fail(f"no such command {name!r}{hint(name, COMMANDS)}")
        return super().resolve_command(ctx, args)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="meshlint")
def cli() -> None:
    """Lint Istio service-mesh configuration and the Kubernetes manifests around it."""


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


def program() -> NoReturn:
    """The ``meshlint`` program (its console script and ``python -m meshlint``):
    :func:`main`, then an exit without the interpreter's teardown."""
    try:
        main()
    except SystemExit as done:
        code = done.code
    else:
        code = EXIT_OK
    if code is None:
        code = EXIT_OK
    if not isinstance(code, int):
        raise SystemExit(code)
    exit_now(code)
