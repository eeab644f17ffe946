"""The configuration as data: one :class:`Config` per file, merged lowest precedence first.

Merging: scalars of the higher layer win; ``paths`` and ``select`` are replaced; the other
lists extend; ``rules`` merge per rule and ``mesh.config`` is layered. Paths inside a file
are relative to that file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from datetime import date

from meshlint.config.errors import ConfigError
from meshlint.config.schema import schema_problems
from meshlint.config.source import ConfigSource
from meshlint.engine.rule import Rule
from meshlint.mesh.settings import layer
from meshlint.suppress.entries import IgnoreEntry


@dataclass
class MeshKeys:
    """The ``mesh:`` section (None: not set)."""

    config: dict | None = None
    config_file: str | None = None
    networks_file: str | None = None
    root_namespace: str | None = None
    cluster_domain: str | None = None
    default_namespace: str | None = None
    default_gateways: bool | None = None
    assume_complete: bool | None = None
    report_unknown: bool | None = None
    gateways: list[dict] = field(default_factory=list)
    external_hosts: list[str] = field(default_factory=list)


@dataclass
class Config:
    """Every setting (None: not set, so a lower layer or the default applies)."""

    files: list[str] = field(default_factory=list)
    paths: list[str] | None = None
    exclude: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    ignore_entries: list[IgnoreEntry] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    params: dict[str, dict] = field(default_factory=dict)
    #: Where each rule name of ``rules:`` (and ``select``/``ignore``) was written.
    rule_origins: dict[str, str] = field(default_factory=dict)
    failure_threshold: str | None = None
    profile: list[str] = field(default_factory=list)
    policies: list[type[Rule]] = field(default_factory=list)
    policy_files: list[str] = field(default_factory=list)
    baseline: str | None = None
    show_suppressed: bool | None = None
    max_file_size: int | None = None
    #: Input limits by Limits field name (max_depth, max_documents, max_expanded_nodes).
    limits: dict[str, int] = field(default_factory=dict)
    kustomize: bool | None = None
    #: Render Helm charts with ``helm template`` (a program: see meshlint.config.trust).
    helm: bool | None = None
    #: Multi-cluster input: cluster name -> files or directories.
    clusters: dict[str, list[str]] = field(default_factory=dict)
    mesh: MeshKeys = field(default_factory=MeshKeys)
    #: Settings a repository's config may not make, ignored (see meshlint.config.trust).
    warnings: list[str] = field(default_factory=list)


_REPLACED = frozenset({"paths", "select"})


def _merge_values(name: str, lower, upper):
    if upper is None or name in _REPLACED:
        return lower if upper is None else upper
    if lower is None:
        return upper
    if isinstance(lower, list):
        return [*lower, *upper]
    if isinstance(lower, MeshKeys):
        return MeshKeys(
            **{f.name: _merge_values(f.name, getattr(lower, f.name), getattr(upper, f.name))
               for f in fields(MeshKeys)}
        )  # fmt: skip
    if name == "config":
        return layer(lower, upper)
    if name == "params":
        return {k: {**lower.get(k, {}), **upper.get(k, {})} for k in {**lower, **upper}}
    if isinstance(lower, dict):
        return {**lower, **upper}
    return upper


def merge(lower: Config, upper: Config) -> Config:
    """``upper`` layered over ``lower``."""
    return Config(
        **{
            f.name: _merge_values(f.name, getattr(lower, f.name), getattr(upper, f.name))
            for f in fields(Config)
        }
    )


# -- reading one file --------------------------------------------------------------


def shown_path(path: str) -> str:
    """A path relative to the working directory when it is inside it, else absolute."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def resolve_path(base: str, path: str) -> str:
    if path == "-" or os.path.isabs(path):
        return path
    return shown_path(os.path.normpath(os.path.join(base, path)))


def exclude_pattern(base: str, pattern: str) -> str:
    """A glob without ``/`` matches any part of a path; one with ``/`` is relative to
    ``base`` (the config file's folder), so it is made absolute."""
    if "/" not in pattern or os.path.isabs(pattern) or pattern.startswith("*"):
        return pattern
    return os.path.normpath(os.path.join(base, pattern)).replace(os.sep, "/")


def _where(source: ConfigSource, path: tuple, key: bool = False) -> str:
    line, _ = source.position(path, key)
    return f"{source.file}:{line}" if line else source.file


def _ignore(source: ConfigSource, items: list, config: Config) -> None:
    for i, item in enumerate(items):
        if isinstance(item, str):
            config.ignore.append(item)
            config.rule_origins.setdefault(item, _where(source, ("ignore", i)))
            continue
        rules = item.get("rule", "*")
        path = item.get("path")
        config.ignore_entries.append(
            IgnoreEntry(
                reason=item["reason"],
                rules=(rules,) if isinstance(rules, str) else tuple(rules),
                resource=item.get("resource"),
                path=os.path.join(source.directory, path) if path else None,
                expires=_date(source, i, item.get("expires")),
                origin=_where(source, ("ignore", i)),
            )
        )


def _date(source: ConfigSource, index: int, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problem = source.problem(("ignore", index, "expires"), f"{text!r} is not a valid date")
        raise ConfigError([problem]) from None


def _rules(source: ConfigSource, section: dict, config: Config) -> None:
    for name, value in section.items():
        config.rule_origins[name] = _where(source, ("rules", name), key=True)
        settings = dict(value) if isinstance(value, dict) else {"severity": value}
        if "severity" in settings:
            severity = settings.pop("severity")
            config.severity[name] = "off" if severity is False else severity
        if settings:
            config.params[name] = settings


def _mesh(source: ConfigSource, section: dict) -> MeshKeys:
    def path(key: str) -> str | None:
        value = section.get(key)
        return resolve_path(source.directory, value) if value else None

    return MeshKeys(
        config=_plain(section["config"]) if "config" in section else None,
        config_file=path("config-file"),
        networks_file=path("networks-file"),
        root_namespace=section.get("root-namespace"),
        cluster_domain=section.get("cluster-domain"),
        default_namespace=section.get("default-namespace"),
        default_gateways=section.get("default-gateways"),
        assume_complete=section.get("assume-complete"),
        report_unknown=section.get("report-unknown"),
        gateways=[_plain(g) for g in section.get("gateways", [])],
        external_hosts=list(section.get("external-hosts", [])),
    )


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _policies(source: ConfigSource, data: dict, config: Config) -> None:
    from meshlint.config.policy_files import compile_policies

    config.policies = compile_policies(data.get("policies", []), source, ("policies",))


def from_source(source: ConfigSource) -> Config:
    """The settings of one file; raises ConfigError naming each bad key and its line."""
    problems = schema_problems(source.data, source)
    if problems:
        raise ConfigError(problems)
    data = source.data
    base = source.directory
    config = Config(files=[source.file])
    if "paths" in data:
        config.paths = [resolve_path(base, p) for p in data["paths"]]
    config.exclude = [exclude_pattern(base, p) for p in data.get("exclude", [])]
    config.context = [resolve_path(base, p) for p in data.get("context", [])]
    if "select" in data:
        config.select = list(data["select"])
        for i, name in enumerate(config.select):
            config.rule_origins.setdefault(name, _where(source, ("select", i)))
    _ignore(source, data.get("ignore", []), config)
    _rules(source, data.get("rules", {}), config)
    config.failure_threshold = data.get("failure-threshold")
    profile = data.get("profile", [])
    config.profile = [profile] if isinstance(profile, str) else list(profile)
    _policies(source, data, config)
    config.policy_files = [resolve_path(base, p) for p in data.get("policy-files", [])]
    config.baseline = resolve_path(base, data["baseline"]) if "baseline" in data else None
    config.show_suppressed = data.get("show-suppressed")
    config.max_file_size = data.get("max-file-size")
    config.limits = {
        key.replace("-", "_"): data[key]
        for key in ("max-depth", "max-documents", "max-expanded-nodes")
        if key in data
    }
    config.kustomize = data.get("kustomize")
    config.helm = data.get("helm")
    config.clusters = {
        str(name): [resolve_path(base, p) for p in paths]
        for name, paths in data.get("clusters", {}).items()
    }
    config.mesh = _mesh(source, data.get("mesh", {}))
    return config
