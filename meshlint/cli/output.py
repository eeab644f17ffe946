"""Output options: formats, destinations, colour, and the summary line."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import click

from meshlint.engine.finding import Finding

OUTPUT_OPTIONS = [
    click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                 show_default=True, help="Output format."),
    click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
                 help="Write the report to this file instead of standard output."),
    click.option("--color/--no-color", "colour", default=None,
                 help="Colour text output (default: only on a terminal)."),
]


@dataclass
class ReportContext:
    """What a reporter may need besides the findings."""

    result: object
    colour: bool


def output_options(function):
    """Decorate a command with every option of :data:`OUTPUT_OPTIONS`."""
    for option in reversed(OUTPUT_OPTIONS):
        function = option(function)
    return function


def write_reports(findings: list[Finding], result, kw: dict) -> None:
    """Render and write the report(s); the text format also prints a summary on stderr."""
    from meshlint.report import renderer

    fmt, output, colour = kw["fmt"], kw["output"], kw["colour"]
    to_terminal = output is None and sys.stdout.isatty()
    use_colour = colour if colour is not None else (to_terminal and "NO_COLOR" not in os.environ)
    text = renderer(fmt)(findings, ReportContext(result, bool(use_colour and fmt == "text")))
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    if fmt == "text":
        print_summary(result, findings)


def print_summary(result, findings: list[Finding]) -> None:
    from meshlint.report.summary import counts

    parts = [
        f"{n} {label}{'s' if n != 1 and label != 'info' else ''}"
        for label, n in counts(findings).items()
    ]
    files = len(result.files)
    line = f"{', '.join(parts)} in {files} file{'s' if files != 1 else ''} "
    line += f"({result.resources} resources)"
    if result.unparsed:
        line += f"; {len(result.unparsed)} could not be parsed"
    click.echo(line, err=True)
