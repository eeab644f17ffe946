"""The lint options that decide what is linted and how the mesh is assumed to look."""

from __future__ import annotations

import click

from meshlint.engine.lint import LintOptions


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


RUN_OPTIONS = [
    click.option("--select", multiple=True, help="Only these rules (ids, slugs, IST/KIA codes, "
                 "or prefixes such as ML1); comma-separated or repeated."),
    click.option("--ignore", multiple=True, help="Skip these rules (same names as --select)."),
    click.option("--exclude", multiple=True, help="Skip files matching this glob (repeatable)."),
    click.option("--context", "context_paths", multiple=True,
                 help="Manifests used to resolve references but never reported on (repeatable)."),
    click.option("--default-namespace", default="default", show_default=True,
                 help="Namespace of namespaced objects without one ('' keeps it empty)."),
    click.option("--mesh-config", type=click.Path(exists=True, dir_okay=False),
                 help="Istio MeshConfig YAML (or the istio ConfigMap), layered over defaults."),
    click.option("--mesh-networks", type=click.Path(exists=True, dir_okay=False),
                 help="Istio MeshNetworks YAML."),
    click.option("--cluster-domain", default="cluster.local", show_default=True),
    click.option("--assume-complete", is_flag=True,
                 help="Treat the analyzed files as the whole mesh: report references to "
                 "anything not in them as not found."),
    click.option("--report-unknown", is_flag=True,
                 help="Report references meshlint cannot check (outside the analyzed files) "
                 "as info."),
    click.option("--no-default-gateways", is_flag=True,
                 help="Do not assume Istio's default ingress/egress gateway deployments exist."),
    click.option("--max-file-size", type=int, default=50 * 1024 * 1024, show_default=True,
                 help="Skip files larger than this many bytes."),
]


def run_options(function):
    """Decorate a command with every option of :data:`RUN_OPTIONS`."""
    for option in reversed(RUN_OPTIONS):
        function = option(function)
    return function


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def build_lint_options(paths: tuple[str, ...], kw: dict) -> LintOptions:
    """LintOptions from the command line; raises click.UsageError for bad input."""
    from meshlint.mesh.config import DEFAULT_MESH_CONFIG, MeshSettings, layer, read_mesh_config

    try:
        config = DEFAULT_MESH_CONFIG
        if kw["mesh_config"]:
            config = layer(DEFAULT_MESH_CONFIG, read_mesh_config(_read(kw["mesh_config"])))
        networks = read_mesh_config(_read(kw["mesh_networks"])) if kw["mesh_networks"] else {}
    except (OSError, ValueError) as error:
        raise click.UsageError(f"cannot read mesh config: {error}") from error
    settings = MeshSettings(
        mesh_config=config,
        mesh_networks=networks,
        cluster_domain=kw["cluster_domain"],
        default_namespace=kw["default_namespace"],
        assume_complete=kw["assume_complete"],
        report_unknown=kw["report_unknown"],
    )
    if kw["no_default_gateways"]:
        settings.gateways = []
    return LintOptions(
        paths=list(paths),
        exclude=list(kw["exclude"]),
        context=list(kw["context_paths"]),
        settings=settings,
        select=_split(kw["select"]),
        ignore=_split(kw["ignore"]),
        max_file_size=kw["max_file_size"],
    )
