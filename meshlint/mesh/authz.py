"""AuthorizationPolicy fields, with their paths."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.fieldpath import Path
from meshlint.model import Resource


def pattern_matches(pattern: str, value: str) -> bool:
    """Istio's string patterns (AuthorizationPolicy values, namespace lists): exact,
    ``prefix*``, ``*suffix``, or ``*`` for any non-empty value."""
    if pattern == "*":
        return value != ""
    if pattern.startswith("*"):
        return value.endswith(pattern[1:])
    if pattern.endswith("*"):
        return value.startswith(pattern[:-1])
    return value == pattern


def operation_values(policy: Resource, field: str) -> Iterator[tuple[Path, str]]:
    """(path, value) of every ``rules[].to[].operation.<field>`` entry."""
    rules = policy.spec.get("rules")
    for i, rule in enumerate(rules if isinstance(rules, list) else ()):
        targets = rule.get("to") if isinstance(rule, dict) else None
        for j, target in enumerate(targets if isinstance(targets, list) else ()):
            operation = target.get("operation") if isinstance(target, dict) else None
            values = operation.get(field) if isinstance(operation, dict) else None
            for k, value in enumerate(values if isinstance(values, list) else ()):
                if isinstance(value, str):
                    yield ("spec", "rules", i, "to", j, "operation", field, k), value
