"""Output options: formats and destinations, colour, the report scope, the summary line.

Several reports in one run: each ``--output FILE`` belongs to the ``--format`` given just
before it, and a ``--format`` without one writes to standard output, so
``--format github --format sarif -o meshlint.sarif`` annotates the log and writes SARIF.
With one format and one output the order does not matter.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, replace

import click

from meshlint.cli.exit_codes import EXIT_USAGE
from meshlint.engine.finding import Finding, Severity
from meshlint.report import FORMATS, LINE_FORMATS
from meshlint.report.context import ReportContext

__all__ = ["OUTPUT_OPTIONS", "ReportContext", "ReportingCommand", "output_options"]

AUTO = "auto"
STDOUT = "-"
_ORDER_KEY = "meshlint.option_order"

OUTPUT_OPTIONS = [
    click.option(
        "--format",
        "formats",
        multiple=True,
        type=click.Choice([*FORMATS, AUTO]),
        help="Output format (repeatable; default text). auto: github inside GitHub Actions, "
        "else text.",
    ),
    click.option(
        "-o",
        "--output",
        "outputs",
        multiple=True,
        type=click.Path(dir_okay=False, allow_dash=True),
        help="Write the report of the --format before it to this file (repeatable; "
        "default: standard output).",
    ),
    click.option(
        "--color/--no-color",
        "colour",
        default=None,
        help="Colour text output (default: only on a terminal).",
    ),
    click.option(
        "--sarif-category",
        default="meshlint",
        show_default=True,
        help="SARIF automationDetails.id category: distinct categories keep several "
        "uploads per commit apart.",
    ),
    click.option(
        "--project",
        "project",
        multiple=True,
        type=click.Path(exists=True, file_okay=False),
        help="Lint every manifest under this directory too (repeatable), but report "
        "only findings in PATHS or pointing into them. For pre-commit, which passes "
        "the changed files as PATHS.",
    ),
]


def output_options(function):
    """Decorate a command with every option of :data:`OUTPUT_OPTIONS`."""
    for option in reversed(OUTPUT_OPTIONS):
        function = option(function)
    return function


class ReportingCommand(click.Command):
    """A command that remembers the order of its options on the command line, so each
    ``--output`` can be paired with the ``--format`` before it."""

    def make_parser(self, ctx: click.Context):
        parser = super().make_parser(ctx)
        parse = parser.parse_args

        def parse_and_record(args):
            opts, largs, order = parse(args=args)
            ctx.meta[_ORDER_KEY] = [param.name for param in order]
            return opts, largs, order

        parser.parse_args = parse_and_record
        return parser


# -- which reports go where ---------------------------------------------------------------


def resolve_format(name: str, environ=os.environ) -> str:
    """``auto`` is ``github`` inside GitHub Actions, else ``text``."""
    if name != AUTO:
        return name
    return "github" if environ.get("GITHUB_ACTIONS") == "true" else "text"


def pair_reports(
    formats: tuple[str, ...], outputs: tuple[str, ...], order: list[str] | None
) -> list[tuple[str, str]]:
    """(format, destination) pairs; the destination is a path or ``-`` for stdout."""
    formats = formats or ("text",)
    if len(formats) == 1 and len(outputs) <= 1:
        pairs = [(formats[0], outputs[0] if outputs else STDOUT)]
    elif order is None:
        if len(outputs) > len(formats):
            raise click.UsageError("more --output than --format options")
        pairs = [(f, outputs[i] if i < len(outputs) else STDOUT) for i, f in enumerate(formats)]
    else:
        pairs = _positional(formats, outputs, order)
    _check_destinations(pairs)
    return pairs


def _positional(formats, outputs, order: list[str]) -> list[tuple[str, str]]:
    pairs: list[list[str | None]] = [] if order.count("formats") else [["text", None]]
    fmt_iter, out_iter = iter(formats), iter(outputs)
    for name in order:
        if name == "formats":
            pairs.append([next(fmt_iter), None])
        elif name == "outputs":
            if not pairs or pairs[-1][1] is not None:
                raise click.UsageError("each --output must follow the --format it is for")
            pairs[-1][1] = next(out_iter)
    return [(str(f), str(o) if o is not None else STDOUT) for f, o in pairs]


def _check_destinations(pairs: list[tuple[str, str]]) -> None:
    files = [os.path.abspath(o) for _, o in pairs if o != STDOUT]
    if len(files) != len(set(files)):
        raise click.UsageError("two reports cannot be written to the same --output file")
    to_stdout = [f for f, o in pairs if o == STDOUT]
    if len(to_stdout) > 1 and not set(to_stdout) <= LINE_FORMATS:
        raise click.UsageError(
            f"only one of {', '.join(to_stdout)} can go to standard output; "
            "give the others an --output FILE"
        )


# -- the report scope (--project) ----------------------------------------------------------


@dataclass
class ReportScope:
    """Which files are linted and which are reported on."""

    lint_paths: list[str]
    #: Real paths of the files to report on, or None to report on everything linted.
    reported: set[str] | None = None

    def apply(self, result):
        """The result restricted to findings in (or pointing into) the reported files."""
        if self.reported is None:
            return result

        def inside(path: str | None) -> bool:
            return path is not None and os.path.realpath(path) in self.reported

        def wanted(finding: Finding) -> bool:
            file = finding.location.file if finding.location else finding.file
            if file is None:
                return True
            return inside(file) or any(
                r.location and inside(r.location.file) for r in finding.related
            )

        return replace(
            result,
            findings=[f for f in result.findings if wanted(f)],
            files=[f for f in result.files if inside(f)],
            unparsed=[f for f in result.unparsed if inside(f)],
        )


def report_scope(paths: tuple[str, ...], kw: dict) -> ReportScope:
    """Without ``--project``, lint and report PATHS. With it, lint the project directories
    and PATHS, and report on the files PATHS name."""
    from meshlint.loader.sources import MissingPath, discover

    project = list(kw.get("project") or ())
    if not project:
        return ReportScope(list(paths))
    exclude = kw.get("exclude") or ()
    try:
        named = discover(paths, exclude)
    except MissingPath as missing:
        raise click.UsageError(f"path does not exist: {missing}") from None
    in_project = {os.path.realpath(f) for f in discover(project, exclude)}
    extra = [f for f in named if os.path.realpath(f) not in in_project]
    return ReportScope([*project, *extra], {os.path.realpath(f) for f in named})


# -- writing -------------------------------------------------------------------------------


def _blob_url(environ=os.environ) -> str | None:
    parts = [environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA")]
    if not all(parts):
        return None
    server, repository, sha = parts
    return f"{server}/{repository}/blob/{sha}"


def write_reports(
    findings: list[Finding],
    result,
    kw: dict,
    *,
    threshold: str = "warning",
    overrides: dict[str, Severity] | None = None,
    show_suppressed: bool | None = None,
) -> None:
    """Render and write every requested report. ``findings`` include suppressed ones; each
    format decides whether to show them (``show_suppressed`` defaults to the flag of that
    name). A text report also prints a summary on stderr."""
    from meshlint.report import renderer
    from meshlint.report.paths import repository_root

    order = click.get_current_context(silent=True)
    order = order.meta.get(_ORDER_KEY) if order is not None else None
    pairs = pair_reports(tuple(kw.get("formats") or ()), tuple(kw.get("outputs") or ()), order)
    colour = kw.get("colour")
    base = ReportContext(
        result=result,
        show_suppressed=bool(
            kw.get("show_suppressed", False) if show_suppressed is None else show_suppressed
        ),
        threshold=threshold,
        overrides=overrides or {},
        root=repository_root(),
        category=kw.get("sarif_category") or "meshlint",
        blob_url=_blob_url(),
        show_info=kw.get("show_info", True) or threshold == "info",
        quiet=bool(kw.get("quiet")),
        statistics=bool(kw.get("statistics")),
        snippets=True,
    )
    wrote_text = False
    for name, destination in pairs:
        fmt = resolve_format(name)
        use_colour = colour if colour is not None else auto_colour(destination)
        context = replace(base, colour=bool(use_colour and fmt == "text"))
        _write(renderer(fmt)(findings, context), destination)
        wrote_text = wrote_text or fmt == "text"
    if wrote_text:
        print_summary(result, findings, base)


def auto_colour(destination: str, environ=os.environ) -> bool:
    """Colour by default: FORCE_COLOR (non-empty) forces it, NO_COLOR turns it off,
    otherwise only on a terminal."""
    if environ.get("FORCE_COLOR"):
        return True
    if "NO_COLOR" in environ:
        return False
    return destination == STDOUT and sys.stdout.isatty()


class CannotWrite(click.ClickException):
    """A file meshlint was asked to write could not or must not be written; exit 2."""

    exit_code = EXIT_USAGE

    def show(self, file=None) -> None:
        click.echo(f"meshlint: error: {self.message}", err=True)


def refuse_unsafe_outputs(*paths: str | None) -> None:
    """Exit 2 before any work when a file the command will write must not be written."""
    files = [path for path in paths if path and path != STDOUT]
    if not files:
        return
    from meshlint.fs.write import RefusedWrite, check_destination

    for path in files:
        try:
            check_destination(path)
        except RefusedWrite as refused:
            raise CannotWrite(f"not writing {refused.path}: {refused.reason}") from None


def write_text_file(path: str, text: str) -> None:
    """Write ``text`` to ``path`` the safe way (see :mod:`meshlint.fs.write`); exit 2 with
    the reason when it cannot be written."""
    from meshlint.fs.write import RefusedWrite, write_file

    try:
        write_file(path, text.encode("utf-8"))
    except RefusedWrite as refused:
        raise CannotWrite(f"not writing {refused.path}: {refused.reason}") from None
    except OSError as error:
        raise CannotWrite(f"cannot write {path}: {error.strerror or error}") from None


def _write(text: str, destination: str) -> None:
    if destination == STDOUT:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_text_file(destination, text)


def print_summary(result, findings: list[Finding], context: ReportContext | None = None) -> None:
    """The closing lines on stderr: counts (with the info findings not printed), what was
    suppressed or unparsable, references not checked, and what ``meshlint fix`` fixes."""
    from meshlint.report.summary import (
        active,
        describe,
        fixable_note,
        plural,
        shown_in_text,
        unchecked_note,
    )

    line = f"{describe(findings)} in {plural(len(result.files), 'file')} "
    line += f"({plural(result.resources, 'resource')})"
    if context is not None and not context.show_info:
        shown = set(map(id, shown_in_text(findings, replace(context, quiet=False))))
        hidden = sum(1 for f in active(findings) if id(f) not in shown)
        if hidden:
            line += f"; {hidden} info not shown (--show-info)"
    suppressed = sum(1 for f in findings if f.suppressed_by)
    if suppressed:
        line += f"; {suppressed} suppressed"
    if result.unparsed:
        line += f"; {len(result.unparsed)} could not be parsed"
    click.echo(line, err=True)
    note = unchecked_note(result)
    if note:
        click.echo(note, err=True)
    fixes = fixable_note(findings)
    if fixes:
        click.echo(fixes, err=True)
