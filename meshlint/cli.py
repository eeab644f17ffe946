"""The ``meshlint`` command line."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import click

from meshlint import __version__
from meshlint.engine.finding import Finding, Severity

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_UNPARSED, EXIT_INTERNAL = 0, 1, 2, 3, 4
THRESHOLDS = ("error", "warning", "info", "none")


@dataclass
class ReportContext:
    result: object
    colour: bool


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="meshlint")
def cli() -> None:
    """Lint Istio service-mesh configuration and the Kubernetes manifests around it."""


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the report to this file instead of standard output.",
)
@click.option(
    "--failure-threshold",
    type=click.Choice(THRESHOLDS),
    default="warning",
    show_default=True,
    help="Exit 1 when a finding is at least this severe.",
)
@click.option(
    "--select",
    multiple=True,
    help="Only these rules (ids, slugs, IST/KIA codes, "
    "or prefixes such as ML1); comma-separated or repeated.",
)
@click.option("--ignore", multiple=True, help="Skip these rules (same names as --select).")
@click.option("--exclude", multiple=True, help="Skip files matching this glob (repeatable).")
@click.option(
    "--context",
    "context_paths",
    multiple=True,
    help="Manifests used to resolve references but never reported on (repeatable).",
)
@click.option(
    "--default-namespace",
    default="default",
    show_default=True,
    help="Namespace of namespaced objects without one ('' keeps it empty).",
)
@click.option(
    "--mesh-config",
    type=click.Path(exists=True, dir_okay=False),
    help="Istio MeshConfig YAML (or the istio ConfigMap), layered over the defaults.",
)
@click.option(
    "--mesh-networks", type=click.Path(exists=True, dir_okay=False), help="Istio MeshNetworks YAML."
)
@click.option("--cluster-domain", default="cluster.local", show_default=True)
@click.option(
    "--assume-complete",
    is_flag=True,
    help="Treat the analyzed files as the whole mesh: report references to anything "
    "not in them as not found.",
)
@click.option(
    "--report-unknown",
    is_flag=True,
    help="Report references meshlint cannot check (outside the analyzed files) as info.",
)
@click.option(
    "--no-default-gateways",
    is_flag=True,
    help="Do not assume Istio's default ingress/egress gateway deployments exist.",
)
@click.option(
    "--max-file-size",
    type=int,
    default=50 * 1024 * 1024,
    show_default=True,
    help="Skip files larger than this many bytes.",
)
@click.option(
    "--color/--no-color",
    "colour",
    default=None,
    help="Colour text output (default: only on a terminal).",
)
@click.option("-v", "--verbose", is_flag=True, help="Say what was assumed and what was read.")
def lint(
    paths,
    fmt,
    output,
    failure_threshold,
    select,
    ignore,
    exclude,
    context_paths,
    default_namespace,
    mesh_config,
    mesh_networks,
    cluster_domain,
    assume_complete,
    report_unknown,
    no_default_gateways,
    max_file_size,
    colour,
    verbose,
) -> None:
    """Lint manifests: files, directories (recursive), globs, or - for standard input."""
    from meshlint.engine.lint import LintOptions
    from meshlint.engine.lint import lint as run_lint
    from meshlint.loader.sources import MissingPath
    from meshlint.mesh.config import DEFAULT_MESH_CONFIG, MeshSettings, layer, read_mesh_config

    try:
        config = DEFAULT_MESH_CONFIG
        if mesh_config:
            config = layer(DEFAULT_MESH_CONFIG, read_mesh_config(_read(mesh_config)))
        networks = read_mesh_config(_read(mesh_networks)) if mesh_networks else {}
    except (OSError, ValueError) as error:
        raise click.UsageError(f"cannot read mesh config: {error}") from error
    settings = MeshSettings(
        mesh_config=config,
        mesh_networks=networks,
        cluster_domain=cluster_domain,
        default_namespace=default_namespace,
        assume_complete=assume_complete,
        report_unknown=report_unknown,
    )
    if no_default_gateways:
        settings.gateways = []
    options = LintOptions(
        paths=list(paths),
        exclude=list(exclude),
        context=list(context_paths),
        settings=settings,
        select=_split(select),
        ignore=_split(ignore),
        max_file_size=max_file_size,
    )
    _warn_unknown_rule_names(options.select + options.ignore)
    try:
        result = run_lint(options)
    except MissingPath as missing:
        raise click.UsageError(f"path does not exist: {missing}") from None
    if verbose:
        _describe_run(settings, result)
    findings = result.findings
    _write_report(fmt, findings, result, output, colour)
    if fmt == "text":
        _print_summary(result, findings)
    sys.exit(exit_code(findings, result, failure_threshold))


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _warn_unknown_rule_names(names: list[str]) -> None:
    from meshlint.engine.registry import builtin_rules
    from meshlint.engine.selection import unknown_names

    for name in unknown_names(builtin_rules(), names):
        click.echo(f"meshlint: warning: no rule is named {name!r}", err=True)


def _describe_run(settings, result) -> None:
    click.echo("meshlint: assumptions:", err=True)
    for line in settings.describe_assumptions():
        click.echo(f"  {line}", err=True)
    click.echo(
        f"meshlint: read {len(result.files)} files, {result.resources} resources, "
        f"{len(result.rules)} rules",
        err=True,
    )


def _write_report(fmt: str, findings: list[Finding], result, output, colour) -> None:
    from meshlint.report import renderer

    to_terminal = output is None and sys.stdout.isatty()
    use_colour = colour if colour is not None else (to_terminal and "NO_COLOR" not in os.environ)
    text = renderer(fmt)(findings, ReportContext(result, bool(use_colour and fmt == "text")))
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def _print_summary(result, findings: list[Finding]) -> None:
    from meshlint.report.summary import counts

    parts = [
        f"{n} {label}{'s' if n != 1 and label != 'info' else ''}"
        for label, n in counts(findings).items()
    ]
    line = (
        f"{', '.join(parts)} in {len(result.files)} file"
        f"{'s' if len(result.files) != 1 else ''} ({result.resources} resources)"
    )
    if result.unparsed:
        line += f"; {len(result.unparsed)} could not be parsed"
    click.echo(line, err=True)


def exit_code(findings: list[Finding], result, threshold: str) -> int:
    """0 clean, 1 findings at or above the threshold, 3 unparsable input only."""
    if threshold != "none":
        limit = Severity.parse(threshold)
        input_only = all(f.rule.category == "input" for f in findings if f.severity >= limit)
        if any(f.severity >= limit for f in findings):
            return EXIT_UNPARSED if result.unparsed and input_only else EXIT_FINDINGS
    return EXIT_UNPARSED if result.unparsed else EXIT_OK


@cli.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def list_rules(fmt: str) -> None:
    """List every rule with its id, severity and summary."""
    import json

    from meshlint.engine.registry import builtin_rules

    rules = builtin_rules()
    if fmt == "json":
        data = [
            {
                "id": r.id,
                "name": r.name,
                "severity": r.severity.label,
                "category": r.category,
                "summary": r.summary(),
                "kinds": list(r.kinds),
                "equivalents": r.equivalents.as_dict(),
            }
            for r in rules
        ]
        click.echo(json.dumps(data, indent=2))
        return
    for r in rules:
        eq = " ".join(c for c in (r.equivalents.istio, r.equivalents.kiali) if c)
        click.echo(
            f"{r.id}  {r.name:<34} {r.severity.label:<8} {r.summary()}"
            + (f"  [{eq}]" if eq else "")
        )


@cli.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Print a rule's documentation (by id, slug, or IST/KIA code)."""
    from meshlint.engine.docs import render_docs
    from meshlint.engine.registry import builtin_rules
    from meshlint.engine.selection import select_rules

    matches = [
        r
        for r in select_rules(builtin_rules(), [rule])
        if not r.input_rule or rule in r.names() or rule.upper() in r.names()
    ]
    exact = [r for r in matches if rule in r.names() or rule.upper() in r.names()]
    if not matches:
        raise click.UsageError(f"no rule is named {rule!r}; see `meshlint rules`")
    for r in exact or matches:
        click.echo(render_docs(r))


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
    except Exception as error:
        click.echo(
            f"meshlint: internal error: {type(error).__name__}: {error}. Please report this.",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
