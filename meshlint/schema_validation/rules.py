"""The CRDs' CEL validation rules (``x-kubernetes-validations``), evaluated as the API server
evaluates them on a create: on every value that is present, after defaulting, skipping
transition rules (those that read ``oldSelf``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from meshlint.cel import CelError, Scope, compile_expression
from meshlint.fieldpath import Path
from meshlint.schema_validation.plan import SchemaNode, ValidationRule
from meshlint.schema_validation.problems import Problem

_FIELD_PATH = re.compile(r"\.([A-Za-z_][\w-]*)|\['([^']*)'\]")


def with_defaults(node: SchemaNode, value: Any) -> Any:
    """A copy of ``value`` with the schema's defaults filled in where fields are absent."""
    if not node.defaults_below or not node.accepts(value):
        return value
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            child = node.properties.get(key) or node.values
            out[key] = with_defaults(child, item) if child is not None else item
        for name, default in node.defaults.items():
            if name not in out:
                out[name] = with_defaults(node.properties[name], default)
        return out
    if isinstance(value, list) and node.items is not None:
        return [with_defaults(node.items, item) for item in value]
    return value


def rule_violations(
    node: SchemaNode, value: Any, scope: Scope, path: Path = ()
) -> Iterator[Problem]:
    """Every rule under ``node`` that ``value`` breaks, at the field holding the rule (or
    at its ``fieldPath``)."""
    if value is None or not node.accepts(value):
        return
    if node.rules:
        yield from _check_node(node, value, scope, path)
    if isinstance(value, dict):
        for key, item in value.items():
            child = node.properties.get(key) or node.values
            if child is not None and child.rules_below:
                yield from rule_violations(child, item, scope, (*path, key))
    elif isinstance(value, list) and node.items is not None and node.items.rules_below:
        for index, item in enumerate(value):
            yield from rule_violations(node.items, item, scope, (*path, index))


def _bound_value(value: Any, rules: tuple[ValidationRule, ...]) -> Any:
    """``value``, or only the fields of it the expressions read (converting a large object
    for CEL costs more than evaluating a rule on it)."""
    if not isinstance(value, dict):
        return value
    wanted: set[str] = set()
    for rule in rules:
        fields = rule.expression.fields_of("self")
        if fields is None:
            return value
        wanted |= fields
    return {key: value[key] for key in wanted if key in value}


def _check_node(node: SchemaNode, value: Any, scope: Scope, path: Path) -> Iterator[Problem]:
    try:
        scope.bind("self", _bound_value(value, node.rules))
    except CelError:
        return
    for rule in node.rules:
        try:
            result = rule.expression.evaluate(scope)
        except CelError as error:
            if error.supported:
                message = f"{error} evaluating rule: {_describe(rule)}"
                yield Problem(_target(path, rule), message, failed=True)
            continue
        if result is False:
            yield Problem(_target(path, rule), _message(rule, scope))


def _describe(rule: ValidationRule) -> str:
    return rule.message or f"failed rule: {rule.rule}"


def _message(rule: ValidationRule, scope: Scope) -> str:
    if rule.message_expression:
        try:
            text = compile_expression(rule.message_expression).evaluate(scope)
        except CelError:
            text = None
        if isinstance(text, str) and text.strip():
            return text
    return _describe(rule)


def _target(path: Path, rule: ValidationRule) -> Path:
    """The rule's ``fieldPath`` (``.a.b`` or ``.a['b']``) below ``path``, if it gives one."""
    if not rule.field_path:
        return path
    parts = [name or quoted for name, quoted in _FIELD_PATH.findall(rule.field_path)]
    return (*path, *parts)
