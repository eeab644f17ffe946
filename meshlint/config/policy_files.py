"""Policies from the config, from policy files, and the packs shipped with meshlint
(``meshlint/data/policies/NAME.yaml``, opt-in: enabled by ``select`` or ``--profile NAME``)."""

from __future__ import annotations

from functools import cache
from pathlib import Path as FilePath

from meshlint.config.errors import ConfigError, ConfigProblem
from meshlint.config.schema import schema_problems
from meshlint.config.source import ConfigSource, read_yaml
from meshlint.fieldpath import Path
from meshlint.package_data import DATA
from meshlint.policy.rule import InvalidPolicySchema, PolicyRule, policy_rule


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def compile_policies(
    items: list, source: ConfigSource, prefix: Path, pack: str | None = None
) -> list[type[PolicyRule]]:
    """Rules of already schema-checked policy entries; raises ConfigError for bad schemas
    and repeated ids."""
    rules: list[type[PolicyRule]] = []
    problems: list[ConfigProblem] = []
    seen: set[str] = set()
    label = f"pack {pack}" if pack else f"policy in {source.file}"
    for i, item in enumerate(items):
        spec = _plain(item)
        names = {spec["id"], spec.get("name") or spec["id"]}
        if names & seen:
            problems.append(source.problem((*prefix, i, "id"), f"{spec['id']!r} is used twice"))
            continue
        seen |= names
        try:
            rules.append(policy_rule(spec, label, pack))
        except InvalidPolicySchema as error:
            problems.append(source.problem((*prefix, i, "schema", *error.path), str(error)))
    if problems:
        raise ConfigError(problems)
    return rules


def _read(file: str, text: str, pack: str | None = None) -> list[type[PolicyRule]]:
    """The policies of a file; shipped packs are trusted (the tests check them)."""
    source = read_yaml(file, text)
    problems = [] if pack else schema_problems(source.data, source, ref="policyFile")
    if problems:
        raise ConfigError(problems)
    data = source.data
    if isinstance(data, list):
        return compile_policies(data, source, (), pack)
    return compile_policies(data["policies"], source, ("policies",), pack)


def load_policy_file(file: str) -> list[type[PolicyRule]]:
    """The policies of a YAML file: a list of policies, or a mapping with ``policies``."""
    try:
        with open(file, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ConfigError([ConfigProblem(file, None, None, "", f"cannot read: {reason}")]) from None
    return _read(file, text)


def _pack_folder() -> FilePath:
    return DATA / "policies"


@cache
def _packs() -> dict[str, tuple[type[PolicyRule], ...]]:
    packs = {}
    for entry in sorted(_pack_folder().iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            name = entry.name.removesuffix(".yaml")
            packs[name] = tuple(_read(f"<pack {name}>", entry.read_text("utf-8"), pack=name))
    return packs


def pack_names() -> list[str]:
    """The policy packs shipped with meshlint (the values ``--profile`` accepts)."""
    files = sorted(e.name for e in _pack_folder().iterdir() if e.name.endswith(".yaml"))
    return [name.removesuffix(".yaml") for name in files]


def pack_rules() -> tuple[type[PolicyRule], ...]:
    """Every rule of every shipped pack (opt-in)."""
    return tuple(rule for rules in _packs().values() for rule in rules)


def pack_rule(pack: str, rule_id: str) -> type[PolicyRule]:
    """The rule ``rule_id`` of the shipped pack ``pack``."""
    return next(rule for rule in _packs()[pack] if rule.id == rule_id)
