"""``meshlint trace``: where would this request go, and would it be allowed?"""

from __future__ import annotations

import sys
from types import SimpleNamespace

import click

from meshlint.cli.exit_codes import EXIT_OK, EXIT_UNPARSED
from meshlint.cli.run_options import build_lint_options, run_options, warn

SCHEMES = ("http", "https", "tcp")


@click.command("trace")
@click.argument("paths", nargs=-1)
@run_options
@click.option("--to", "target", required=True, metavar="HOST[:PORT]", help="What the client dials.")
@click.option("--from", "identity", metavar="NS/SA", help="The client: namespace/serviceaccount.")
@click.option("--from-workload", metavar="KIND/NS/NAME", help="The client workload.")
@click.option("--gateway", metavar="NS/NAME", help="Enter through this Gateway instead.")
@click.option("--method", default="GET", show_default=True)
@click.option("--path", "request_path", default="/", show_default=True, help="Path and query.")
@click.option("--header", "headers", multiple=True, metavar="NAME=VALUE", help="Repeatable.")
@click.option("--scheme", type=click.Choice(SCHEMES), default="http", show_default=True)
@click.option("--request-principal", metavar="ISS/SUB", help="The request carries this JWT.")
@click.option("--claim", "claims", multiple=True, metavar="NAME=VALUE", help="A claim of it.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("text", "json", "mermaid")),
    default="text",
    show_default=True,
)
def trace(
    paths: tuple[str, ...],
    target: str,
    identity: str | None,
    from_workload: str | None,
    gateway: str | None,
    method: str,
    request_path: str,
    headers: tuple[str, ...],
    scheme: str,
    request_principal: str | None,
    claims: tuple[str, ...],
    fmt: str,
    **kw,
) -> None:
    """Trace a request through the manifests: the entry point (the client's sidecar or a
    Gateway), the VirtualService rule that takes it, its destinations, subsets and
    workloads, mTLS, and the AuthorizationPolicies that allow or deny it. Every step is
    decided, or unknown with the reason. Exit 0 whatever the decision."""
    from meshlint.trace.request import RequestError

    if kw.get("write_baseline"):
        raise click.UsageError("--write-baseline belongs to `meshlint lint`")
    if identity and from_workload:
        raise click.UsageError("give --from or --from-workload, not both")
    options = build_lint_options(paths, kw)
    if not options.paths:
        raise click.UsageError(
            "no paths to read: name files or directories, or set `paths` in .meshlint.yaml"
        )
    try:
        text, unparsed = _run(options, fmt, SimpleNamespace(**click.get_current_context().params))
    except RequestError as error:
        raise click.UsageError(str(error)) from None
    sys.stdout.write(text)
    sys.stdout.flush()
    for path in unparsed:
        warn(f"{path} could not be read; the trace may miss what it holds")
    sys.exit(EXIT_UNPARSED if unparsed else EXIT_OK)


def _run(options, fmt: str, args: SimpleNamespace) -> tuple[str, list[str]]:
    from meshlint.loader.sources import MissingPath
    from meshlint.mesh.generated import generated_resources
    from meshlint.mesh.index import Mesh
    from meshlint.pipeline.lint import load_inputs
    from meshlint.trace import render
    from meshlint.trace.engine import source_of_account, source_of_workload, trace
    from meshlint.trace.request import (
        Request,
        RequestError,
        Source,
        parse_identity,
        parse_pairs,
        parse_target,
        parse_workload,
    )

    try:
        inputs = load_inputs(options)
    except MissingPath as missing:
        raise click.UsageError(f"path does not exist: {missing}") from None
    resources = [r for f in (*inputs.loaded, *inputs.context) for r in f.resources]
    mesh = Mesh([*resources, *generated_resources(resources)], options.settings)
    unparsed = [f.path for f in inputs.loaded if not f.parsed]
    host, port = parse_target(args.target, args.scheme)
    request = Request(
        host,
        port,
        args.scheme,
        args.method.upper(),
        args.request_path if args.request_path.startswith("/") else "/" + args.request_path,
        {k.lower(): v for k, v in parse_pairs(args.headers, "--header").items()},
        args.request_principal,
        parse_pairs(args.claims, "--claim"),
    )
    if args.identity:
        source = source_of_account(mesh, *parse_identity(args.identity))
    elif args.from_workload:
        kind, namespace, name = parse_workload(args.from_workload)
        found = [
            w
            for w in mesh.workloads.matching({}, namespace)
            if w.resource.kind.lower() == kind.lower() and w.resource.name == name
        ]
        if not found:
            raise RequestError(f"--from-workload: no {kind} {namespace}/{name} among the inputs")
        source = source_of_workload(found[0])
    else:
        source = Source(options.settings.default_namespace, None)
    result = trace(mesh, request, source, args.gateway)
    if fmt == "json":
        return render.render_json(result), unparsed
    if fmt == "mermaid":
        return render.render_mermaid_path(result, mesh), unparsed
    return render.render_text(result), unparsed
