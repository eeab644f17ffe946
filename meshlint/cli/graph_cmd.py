"""``meshlint graph``: draw the mesh, with the findings where they are."""

from __future__ import annotations

import sys

import click

from meshlint.cli.exit_codes import EXIT_OK, EXIT_UNPARSED
from meshlint.cli.output import refuse_unsafe_outputs, write_text_file
from meshlint.cli.run_options import analysis_options, build_lint_options
from meshlint.graphview import FORMATS


@click.command("graph")
@click.argument("paths", nargs=-1)
@analysis_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="mermaid",
    show_default=True,
    help="mermaid (GitHub Markdown), dot (Graphviz), html (one "
    "self-contained page with pan/zoom and the findings), json (nodes and edges).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the picture to this file instead of standard output.",
)
@click.option(
    "--namespace",
    "namespaces",
    multiple=True,
    metavar="NS",
    help="Only what is in this namespace, and its direct neighbours (repeatable).",
)
@click.option(
    "--host",
    "hosts",
    multiple=True,
    metavar="HOST",
    help="Only what leads to or from this host: a short name, FQDN or wildcard (repeatable).",
)
@click.option(
    "--from",
    "start",
    metavar="KIND/NS/NAME",
    help="Only what traffic reaches from this node, e.g. Gateway/istio-system/main.",
)
def graph(
    paths: tuple[str, ...],
    fmt: str,
    output: str | None,
    namespaces: tuple[str, ...],
    hosts: tuple[str, ...],
    start: str | None,
    **kw,
) -> None:
    """Draw where traffic goes: Gateways, VirtualServices, hosts, subsets, workloads and
    the policies on them; errors in red, warnings in amber, missing targets dashed."""
    from meshlint.graphview import build_view, renderer
    from meshlint.graphview.filters import NodeNotFound, find_node, select
    from meshlint.loader.sources import MissingPath
    from meshlint.pipeline.lint import lint as run_lint

    refuse_unsafe_outputs(output)
    options = build_lint_options(paths, kw)
    if not options.paths:
        raise click.UsageError(
            "no paths to draw: name files or directories, or set `paths` in .meshlint.yaml"
        )
    try:
        result = run_lint(options)
    except MissingPath as missing:
        raise click.UsageError(f"path does not exist: {missing}") from None
    view = build_view(result.mesh, result.findings)
    try:
        node = find_node(view, start, options.settings.default_namespace) if start else None
    except NodeNotFound as error:
        raise click.UsageError(f"--from: {error}") from None
    view = select(view, namespaces=namespaces, hosts=hosts, start=node)
    _warn_if_large(fmt, view)
    text = renderer(fmt)(view)
    if output:
        write_text_file(output, text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    sys.exit(EXIT_UNPARSED if result.unparsed else EXIT_OK)


#: Beyond this many nodes a drawing is hard to read, whatever the format.
READABLE_NODES = 2000


def _warn_if_large(fmt: str, view) -> None:
    from meshlint.graphview.mermaid import MAX_EDGES

    if fmt == "mermaid" and len(view.edges) > MAX_EDGES:
        problem = f"{len(view.edges)} edges; Mermaid (and GitHub) draw at most {MAX_EDGES}"
    elif fmt != "json" and len(view.nodes) > READABLE_NODES:
        problem = f"{len(view.nodes)} nodes are hard to read in one picture"
    else:
        return
    click.echo(
        f"meshlint: warning: {problem}: narrow it with --namespace, --host or --from", err=True
    )
