"""Turn the merged configuration into the engine's LintOptions."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from meshlint.config.errors import ConfigError, ConfigProblem
from meshlint.config.layers import Config, MeshKeys
from meshlint.config.pack_catalog import lazy_pack_rules
from meshlint.core.suggest import hint
from meshlint.engine.finding import Severity
from meshlint.engine.registry import known_rules
from meshlint.engine.rule import Rule
from meshlint.engine.rule_selection import matches
from meshlint.mesh.settings import (
    DEFAULT_MESH_CONFIG,
    AssumedGateway,
    GatewayPort,
    MeshSettings,
    default_gateways,
    layer,
    read_mesh_config,
    read_mesh_networks,
)
from meshlint.pipeline.lint import LintOptions
from meshlint.suppress.apply import SuppressOptions
from meshlint.suppress.baseline import load_baseline

COMMAND_LINE = "command line"


def _error(origin: str, key: str, message: str) -> ConfigError:
    return ConfigError([ConfigProblem(origin, None, None, key, message)])


def _read(path: str, reader=read_mesh_config) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            return reader(handle.read())
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise _error(path, "", f"cannot read mesh config: {reason}") from None


def _gateway(spec: dict, root: str) -> AssumedGateway:
    ports = [
        GatewayPort(
            p["port"],
            p.get("target-port", p["port"]),
            p.get("name", f"port-{p['port']}"),
            p.get("protocol", "TCP"),
        )
        for p in spec.get("ports", [])
    ] or [GatewayPort(80, 8080, "http2"), GatewayPort(443, 8443, "https")]
    return AssumedGateway(
        spec["name"], spec.get("namespace", root), dict(spec["labels"]), ports, declared=True
    )


def mesh_settings(keys: MeshKeys) -> MeshSettings:
    """MeshSettings from the ``mesh:`` keys, over Istio's defaults."""
    mesh_config = DEFAULT_MESH_CONFIG
    if keys.config_file:
        mesh_config = layer(mesh_config, _read(keys.config_file))
    if keys.config:
        mesh_config = layer(mesh_config, keys.config)
    if keys.root_namespace:
        mesh_config = layer(mesh_config, {"rootNamespace": keys.root_namespace})
    settings = MeshSettings(
        mesh_config=mesh_config,
        mesh_networks=_read(keys.networks_file, read_mesh_networks) if keys.networks_file else {},
        mesh_networks_file=keys.networks_file or "",
        cluster_domain=keys.cluster_domain or "cluster.local",
        default_namespace="default" if keys.default_namespace is None else keys.default_namespace,
        assume_complete=bool(keys.assume_complete),
        report_unknown=bool(keys.report_unknown),
        external_hosts=list(keys.external_hosts),
    )
    root = settings.root_namespace
    gateways = default_gateways(root) if keys.default_gateways is not False else []
    settings.gateways = gateways + [_gateway(g, root) for g in keys.gateways]
    return settings


def configured_policies(config: Config) -> list[type[Rule]]:
    """The config's policies and those of its policy files; raises ConfigError when one
    takes a name already in use."""
    policies = list(config.policies)
    if config.policy_files:
        from meshlint.config.policy_files import load_policy_file

        policies.extend(p for file in config.policy_files for p in load_policy_file(file))
    taken = {n: "built-in" for r in known_rules(packs=lazy_pack_rules()) for n in (r.id, r.name)}
    for rule in policies:
        for name in {rule.id, rule.name}:
            if name in taken:
                raise _error(
                    rule.source,
                    "policies",
                    f"{name!r} is already {taken[name]} rule name; choose another id",
                )
            taken[name] = f"policy {rule.source}'s"
    return policies


def _profiles(config: Config) -> list[str]:
    if not config.profile:
        return []
    from meshlint.config.policy_files import pack_names

    packs = pack_names()
    for name in config.profile:
        if name not in packs:
            raise _error("profile", "", f"unknown profile {name!r}; known: {', '.join(packs)}")
    return list(config.profile)


_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def rule_hint(name: str, known: list[type[Rule]]) -> str:
    """A did-you-mean for a rule name that selects nothing: a code typed with a letter
    for a digit (``ML1O4``) first, else the closest name."""
    letters, digits = re.fullmatch(r"([A-Za-z]*)(.*)", name, re.DOTALL).groups()
    lookalike = letters.upper() + digits.upper().translate(_LOOKALIKES)
    if lookalike != name and any(matches(r, lookalike) for r in known):
        return f'; did you mean "{lookalike}"?'
    return hint(name, {n for r in known for n in r.names()})


def _unknown_names(config: Config, known: list[type[Rule]]) -> list[ConfigProblem]:
    """A problem for each rule name in ``select``, ``ignore``, ``rules`` (severities and
    parameters) and ``ignore:`` entries that selects no rule: a typo there would silently
    check less, so it is a usage error."""
    names = [*(config.select or []), *config.ignore, *config.severity, *config.params]
    origins = dict(config.rule_origins)
    for entry in config.ignore_entries:
        for name in entry.rules:
            names.append(name)
            origins.setdefault(name, entry.origin)
    problems = []
    for name in dict.fromkeys(names):
        if not any(matches(r, name) for r in known):
            origin = origins.get(name, COMMAND_LINE)
            message = f"unknown rule selector {name!r}{rule_hint(name, known)}"
            problems.append(ConfigProblem(origin, None, None, "", message))
    return problems


def _check_params(rule: type[Rule], params: dict, origin: str) -> None:
    for key, value in params.items():
        if key not in rule.parameters:
            known = ", ".join(rule.parameters) or "none"
            raise _error(origin, key, f"{rule.id} has no parameter {key!r} (parameters: {known})")
        default = rule.parameters[key]
        expected = float if isinstance(default, float) else type(default)
        ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        if default is not None and not (ok or (expected is float and type(value) is int)):
            raise _error(origin, key, f"expected {expected.__name__}, got {value!r}")


def _per_rule(config: Config, known: list[type[Rule]]):
    overrides: dict[str, Severity] = {}
    params: dict[str, dict] = {}
    off: list[str] = []
    for name, level in config.severity.items():
        if level == "off":
            off.append(name)
            continue
        severity = Severity.parse(level)
        overrides.update({r.id: severity for r in known if matches(r, name)})
    for name, values in config.params.items():
        for rule in (r for r in known if matches(r, name)):
            _check_params(rule, values, config.rule_origins.get(name, COMMAND_LINE))
            params[rule.id] = {**params.get(rule.id, {}), **values}
    return overrides, params, off


def lint_options(config: Config, paths: list[str]) -> LintOptions:
    """LintOptions for ``paths`` under ``config``.

    Raises ConfigError for settings that cannot be honoured, and for rule names that
    select no rule.
    """
    policies = configured_policies(config)
    known = known_rules(policies, lazy_pack_rules())
    unknown = _unknown_names(config, known)
    if unknown:
        raise ConfigError(unknown)
    overrides, params, off = _per_rule(config, known)
    baseline = None
    if config.baseline:
        try:
            baseline = load_baseline(config.baseline)
        except ValueError as error:
            raise _error(config.baseline, "baseline", str(error)) from None
    options = LintOptions(
        paths=paths,
        exclude=list(config.exclude),
        context=list(config.context),
        settings=mesh_settings(config.mesh),
        select=list(config.select or []),
        ignore=[*config.ignore, *off],
        severity_overrides=overrides,
        extra_rules=policies,
        enable=_profiles(config),
        rule_params=params,
        suppress=SuppressOptions(entries=list(config.ignore_entries), baseline=baseline),
    )
    if config.max_file_size is not None:
        options.max_file_size = config.max_file_size
    if config.limits:
        options.limits = replace(options.limits, **config.limits)
    options.kustomize = bool(config.kustomize)
    if config.clusters:
        options.clusters = _cluster_files(config, options.exclude)
    return options


def _cluster_files(config: Config, exclude: list[str]) -> dict[str, list[str]]:
    """Each cluster's files: its directories walked, as the engine matches files."""
    from meshlint.loader.sources import MissingPath, discover

    clusters = {}
    for name, paths in config.clusters.items():
        try:
            clusters[name] = discover(paths, exclude)
        except MissingPath as missing:
            message = f"cluster {name}: path does not exist: {missing}"
            raise ConfigError([ConfigProblem("--cluster", None, None, "", message)]) from None
    return clusters


def expired_entries(config: Config, today: date | None = None) -> list[str]:
    """A warning for each ``ignore:`` entry past its ``expires`` date (its findings are
    reported again), as ``meshlint lint`` gives them."""
    today = today or date.today()
    return [
        f"{entry.origin}: ignore entry expired on {entry.expires.isoformat()}; "
        "its findings are reported again"
        for entry in config.ignore_entries
        if entry.expired(today) and entry.expires is not None
    ]
