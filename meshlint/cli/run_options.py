"""The lint options that decide what is linted, and how they meet the configuration file.

Every flag mirrors a config key (see ``meshlint config schema``) and wins over it: flags are
read as one more config layer over the user's and the project's files.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass

import click

from meshlint.cli.exit_codes import EXIT_USAGE
from meshlint.config import Config, ConfigError, MeshKeys, load_config, merge
from meshlint.config.layers import exclude_pattern
from meshlint.engine.rule import Rule
from meshlint.pipeline.lint import LintOptions, LintResult


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


CONFIG_OPTIONS = [
    click.option(
        "-c",
        "--config",
        "config_file",
        type=click.Path(exists=True, dir_okay=False),
        help="Read this config file instead of discovering .meshlint.yaml.",
    ),
    click.option("--no-config", is_flag=True, help="Read no config file at all."),
    click.option(
        "--trust-config",
        is_flag=True,
        help="Let the repository's config run programs (kustomize) and raise safety limits "
        "(also MESHLINT_TRUST_CONFIG=1). Only for repositories you trust.",
    ),
]

#: What is analysed and how: every command that runs the engine.
ANALYSIS_OPTIONS = [
    *CONFIG_OPTIONS,
    click.option(
        "--select",
        multiple=True,
        help="Only these rules (ids, slugs, IST/KIA codes, "
        "prefixes such as ML1, globs, pack names); comma-separated or repeated.",
    ),
    click.option("--ignore", multiple=True, help="Skip these rules (same names as --select)."),
    click.option(
        "--profile",
        multiple=True,
        metavar="NAME",
        help="Enable a shipped policy pack (production) beside the default rules.",
    ),
    click.option(
        "--policy-file",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False),
        help="Load declarative policies from this YAML file (repeatable).",
    ),
    click.option(
        "--severity",
        "severities",
        multiple=True,
        metavar="RULE=LEVEL",
        help="Set a rule's severity: error, warning, info, or off (repeatable).",
    ),
    click.option("--exclude", multiple=True, help="Skip files matching this glob (repeatable)."),
    click.option(
        "--cluster",
        "clusters",
        multiple=True,
        metavar="NAME=PATH",
        help="Files or a directory describing one cluster of a multi-cluster mesh "
        "(repeatable): the clusters are linted together and compared.",
    ),
    click.option(
        "--context",
        "context_paths",
        multiple=True,
        help="Manifests used to resolve references but never reported on (repeatable).",
    ),
    click.option(
        "--default-namespace",
        default=None,
        help="Namespace of namespaced objects without one ('' keeps it empty; default: default).",
    ),
    click.option(
        "--mesh-config",
        type=click.Path(exists=True, dir_okay=False),
        help="Istio MeshConfig YAML (or the istio ConfigMap), layered over defaults.",
    ),
    click.option(
        "--mesh-networks",
        type=click.Path(exists=True, dir_okay=False),
        help="Istio MeshNetworks YAML.",
    ),
    click.option(
        "--root-namespace",
        "--istio-namespace",
        "root_namespace",
        default=None,
        help="Istio's root namespace (default: istio-system).",
    ),
    click.option("--cluster-domain", default=None, help="Cluster domain (default: cluster.local)."),
    click.option(
        "--external-host",
        multiple=True,
        help="A host known to exist outside the analyzed files (glob; repeatable).",
    ),
    click.option(
        "--assume-complete/--no-assume-complete",
        default=None,
        help="Treat the analyzed files as the whole mesh: report references to "
        "anything not in them as not found.",
    ),
    click.option(
        "--report-unknown/--no-report-unknown",
        default=None,
        help="Report references meshlint cannot check (outside the analyzed files) as info.",
    ),
    click.option(
        "--default-gateways/--no-default-gateways",
        default=None,
        help="Assume Istio's default ingress/egress gateway deployments exist (default: yes).",
    ),
    click.option(
        "--max-file-size",
        type=int,
        default=None,
        help="Skip files larger than this many bytes (default: 50 MiB).",
    ),
    click.option(
        "--max-depth",
        type=click.IntRange(min=1),
        default=None,
        help="Skip documents nested deeper than this many levels (default: 400).",
    ),
    click.option(
        "--max-documents",
        type=click.IntRange(min=1),
        default=None,
        help="Read at most this many documents per file (default: 10000).",
    ),
    click.option(
        "--max-expanded-nodes",
        type=click.IntRange(min=1),
        default=None,
        help="Skip documents whose aliases expand to more nodes than this (default: 1000000).",
    ),
    click.option(
        "--kustomize",
        is_flag=True,
        default=None,
        help="Render kustomization directories with kustomize (or kubectl kustomize) "
        "when one is on PATH, and lint the output.",
    ),
    click.option(
        "--baseline",
        type=click.Path(dir_okay=False),
        help="Report only findings not recorded in this baseline file.",
    ),
]
#: Options of the commands that report findings (lint, fix), not of graph or lsp.
REPORT_OPTIONS = [
    click.option(
        "--write-baseline",
        type=click.Path(dir_okay=False),
        help="Record today's findings in this baseline file (and report none).",
    ),
    click.option(
        "--show-suppressed/--hide-suppressed",
        default=None,
        help="Report suppressed findings too, with their justification.",
    ),
]


def _decorate(function, options: list):
    for option in reversed(options):
        function = option(function)
    return function


def run_options(function):
    """Decorate a command with every option of :data:`ANALYSIS_OPTIONS` and
    :data:`REPORT_OPTIONS`."""
    return _decorate(function, [*ANALYSIS_OPTIONS, *REPORT_OPTIONS])


def analysis_options(function):
    """Decorate a command with the options that decide what is analysed, and how."""
    return _decorate(function, ANALYSIS_OPTIONS)


def config_options(function):
    """Decorate a command with ``-c/--config`` and ``--no-config``."""
    return _decorate(function, CONFIG_OPTIONS)


class ConfigUsageError(click.ClickException):
    """An invalid configuration: every problem with its file, line and key; exit 2."""

    exit_code = EXIT_USAGE

    def __init__(self, error: ConfigError) -> None:
        super().__init__(str(error))
        self.problems = error.problems

    def show(self, file=None) -> None:
        for problem in self.problems:
            kind = "error" if problem.file.startswith("--") else "config error"
            click.echo(f"meshlint: {kind}: {problem}", err=True)


def warn(message: str) -> None:
    click.echo(f"meshlint: warning: {message}", err=True)


def _severities(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for value in _split(values):
        name, sep, level = value.partition("=")
        level = level.strip().lower()
        if not sep or not name.strip() or level not in ("error", "warning", "info", "off"):
            raise click.BadParameter(
                f"{value!r}: expected RULE=LEVEL (error, warning, info, off)",
                param_hint="--severity",
            )
        out[name.strip()] = level
    return out


def _clusters(values: tuple[str, ...]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for value in values:
        name, sep, path = value.partition("=")
        if not sep or not name.strip() or not path:
            raise click.BadParameter(f"{value!r}: expected NAME=PATH", param_hint="--cluster")
        out.setdefault(name.strip(), []).append(path)
    return out


LIMIT_KEYS = ("max_depth", "max_documents", "max_expanded_nodes")


def _flag_origins(kw: dict, severity: dict[str, str]) -> dict[str, str]:
    """Which flag named each rule, for errors about names that select no rule."""
    origins = {name: "--severity" for name in severity}
    origins.update({name: "--ignore" for name in _split(kw["ignore"])})
    origins.update({name: "--select" for name in _split(kw["select"])})
    return origins


def flags_config(kw: dict, failure_threshold: str | None = None) -> Config:
    """The command-line flags as a config layer (None and empty mean: not given)."""
    severity = _severities(kw["severities"])
    return Config(
        select=_split(kw["select"]) or None,
        ignore=_split(kw["ignore"]),
        rule_origins=_flag_origins(kw, severity),
        exclude=[exclude_pattern(os.getcwd(), p) for p in kw["exclude"]],
        context=list(kw["context_paths"]),
        severity=severity,
        failure_threshold=failure_threshold,
        profile=list(kw["profile"]),
        policy_files=list(kw["policy_file"]),
        baseline=kw["baseline"],
        show_suppressed=kw.get("show_suppressed"),
        max_file_size=kw["max_file_size"],
        limits={k: kw[k] for k in LIMIT_KEYS if kw.get(k) is not None},
        kustomize=kw.get("kustomize"),
        helm=kw.get("helm"),
        clusters=_clusters(kw.get("clusters") or ()),
        mesh=MeshKeys(
            config_file=kw["mesh_config"],
            networks_file=kw["mesh_networks"],
            root_namespace=kw["root_namespace"],
            cluster_domain=kw["cluster_domain"],
            default_namespace=kw["default_namespace"],
            default_gateways=kw["default_gateways"],
            assume_complete=kw["assume_complete"],
            report_unknown=kw["report_unknown"],
            external_hosts=_split(kw["external_host"]),
        ),
    )


def file_config(kw: dict) -> Config:
    """The configuration files' settings (none with ``--no-config``)."""
    if kw.get("no_config"):
        return Config()
    try:
        config = load_config(kw.get("config_file"), trust=bool(kw.get("trust_config")))
    except ConfigError as error:
        raise ConfigUsageError(error) from None
    for message in config.warnings:
        warn(message)
    return config


@dataclass
class Run:
    """One lint run as configured: engine options plus what the command does around them."""

    options: LintOptions
    config: Config
    failure_threshold: str
    write_baseline: str | None
    show_suppressed: bool


def _options(config: Config, paths: list[str]) -> LintOptions:
    from meshlint.pipeline.options import lint_options

    try:
        return lint_options(config, paths)
    except ConfigError as error:
        raise ConfigUsageError(error) from None


def build_lint_options(paths: tuple[str, ...], kw: dict) -> LintOptions:
    """LintOptions from the config files and the flags of :func:`run_options`, for
    commands that run the engine themselves; ``paths`` default to the config's."""
    config = merge(file_config(kw), flags_config(kw))
    return _options(config, list(paths) or list(config.paths or []))


def prepare_run(paths: tuple[str, ...], kw: dict, failure_threshold: str | None = None) -> Run:
    """Merge the config files and the flags into a Run; exits 2 on a bad config."""
    config = merge(file_config(kw), flags_config(kw, failure_threshold))
    targets = list(paths) or list(config.paths or []) or ([] if config.clusters else ["."])
    if kw.get("write_baseline"):
        config.baseline = None
    options = _options(config, targets)
    return Run(
        options=options,
        config=config,
        failure_threshold=config.failure_threshold or "warning",
        write_baseline=kw.get("write_baseline"),
        show_suppressed=bool(config.show_suppressed),
    )


def finish_run(run: Run, result: LintResult) -> None:
    """Report warnings and baseline notes on stderr, and write the baseline if asked (its
    findings are then marked suppressed, so the run reports none of them)."""
    from meshlint.cli.output import write_text_file
    from meshlint.engine.fingerprint import fingerprint
    from meshlint.suppress.baseline import Baseline, apply_baseline, baseline_text

    for message in result.warnings:
        warn(message)
    if run.write_baseline:
        recorded = [f for f in result.findings if not f.suppressed_by]
        write_text_file(run.write_baseline, baseline_text(recorded))
        count = len(recorded)
        click.echo(f"meshlint: wrote {count} findings to baseline {run.write_baseline}", err=True)
        written = Counter(fingerprint(f) for f in recorded)
        apply_baseline(result.findings, Baseline(run.write_baseline, written))
    elif result.baseline_gone is not None and run.config.baseline:
        label = Baseline(run.config.baseline).label
        known = sum(1 for f in result.findings if f.suppressed_by == label)
        click.echo(
            f"meshlint: baseline: {known} known findings not reported; "
            f"{result.baseline_gone} baseline entries no longer occur"
            + (" (refresh it with --write-baseline)" if result.baseline_gone else ""),
            err=True,
        )


def describe_config(run: Run) -> list[str]:
    """Which config files were read, for ``meshlint lint -v``."""
    if not run.config.files:
        return ["config: none (defaults and flags only)"]
    return [f"config: {file}" for file in run.config.files]


def configured_rules(kw: dict) -> list[type[Rule]]:
    """Every rule a run with this config could use: built-ins, plugins, packs, policies."""
    from meshlint.config.policy_files import pack_rules
    from meshlint.engine.registry import known_rules, plugin_problems
    from meshlint.pipeline.options import configured_policies

    try:
        policies = configured_policies(file_config(kw))
    except ConfigError as error:
        raise ConfigUsageError(error) from None
    for message in plugin_problems():
        warn(message)
    return known_rules(policies, pack_rules())
