"""The CRDs' CEL validation rules (``x-kubernetes-validations``), evaluated as the API server
evaluates them on a create: on every value that is present, after defaulting, skipping
transition rules (those that read ``oldSelf``).

Cost is bounded as the API server bounds it: a rule on a list or map that already has more
entries than the schema's ``maxItems``/``maxProperties`` is not evaluated (the schema check
reports the size), and each evaluation has an estimated cost, the size of the largest
collection it can reach raised to the depth of its nested comprehensions, held to the API
server's per-call limit and, summed over one resource, to its per-request budget. A rule
over either is reported as skipped rather than evaluated (``self.all(a, self.exists(b,
...))`` over 10,000 ports would run for minutes).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from meshlint.apiserver.plan import SchemaNode, ValidationRule
from meshlint.apiserver.problems import Problem
from meshlint.fieldpath import Path

if TYPE_CHECKING:
    from meshlint.cel import Scope

_FIELD_PATH = re.compile(r"\.([A-Za-z_][\w-]*)|\['([^']*)'\]")
#: The API server's cost limits (``k8s.io/apiserver`` celconfig): one rule evaluation, and
#: every evaluation for one object.
PER_CALL_LIMIT = 1_000_000
RUNTIME_BUDGET = 10_000_000


@dataclass(slots=True)
class Budget:
    """What is left of one resource's evaluation cost; ``spent`` once a rule overran it."""

    remaining: int = RUNTIME_BUDGET
    spent: bool = False


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
    node: SchemaNode, value: Any, scope: Scope, path: Path = (), budget: Budget | None = None
) -> list[Problem]:
    """Every rule under ``node`` that ``value`` breaks, at the field holding the rule (or
    at its ``fieldPath``), and every rule skipped as too costly, in document order."""
    found: list[Problem] = []
    _violations(node, value, scope, path, budget if budget is not None else Budget(), found)
    return found


def _violations(
    node: SchemaNode, value: Any, scope: Scope, path: Path, budget: Budget, found: list[Problem]
) -> None:
    if value is None or not node.accepts(value):
        return
    if node.rules and not _oversized(node, value):
        found += _check_node(node, value, scope, path, budget)
    if isinstance(value, dict):
        for key, item in value.items():
            child = node.properties.get(key) or node.values
            if child is not None and child.rules_below:
                _violations(child, item, scope, (*path, key), budget, found)
    elif isinstance(value, list) and node.items is not None and node.items.rules_below:
        child = node.items
        for index, item in enumerate(value):
            _violations(child, item, scope, (*path, index), budget, found)


def _oversized(node: SchemaNode, value: Any) -> bool:
    """A list or map past its ``maxItems``/``maxProperties``: the API server evaluates no
    rule on an object the schema rejects that way."""
    return (
        node.max_size is not None and isinstance(value, list | dict) and len(value) > node.max_size
    )


def largest_collection(value: Any, fields: frozenset[str] | None) -> int:
    """The most entries a list or map in ``value`` has, among those an expression can
    reach by selecting ``fields`` (any field when None)."""
    largest = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            largest = max(largest, len(item))
            stack.extend(v for k, v in item.items() if fields is None or k in fields)
        elif isinstance(item, list):
            largest = max(largest, len(item))
            stack.extend(item)
    return largest


def _cost(rule: ValidationRule, value: Any) -> int:
    """The estimated cost of one evaluation: the largest collection it can reach, to the
    power of its comprehension nesting."""
    nesting = rule.expression.nesting
    return (largest_collection(value, rule.expression.selected) + 1) ** nesting if nesting else 1


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


def _check_node(
    node: SchemaNode, value: Any, scope: Scope, path: Path, budget: Budget
) -> Iterator[Problem]:
    from meshlint.cel import CelError

    rules = tuple(rule for rule in node.rules if rule.expression is not None)
    if budget.spent or not rules:
        return
    bound = _bound_value(value, rules)
    try:
        scope.bind("self", bound)
    except CelError:
        return
    for rule in rules:
        cost = _cost(rule, bound)
        if cost > PER_CALL_LIMIT or cost > budget.remaining:
            yield _skipped(path, rule, cost, budget)
            if budget.spent:
                return
            continue
        budget.remaining -= cost
        try:
            result = rule.expression.evaluate(scope)
        except CelError as error:
            if error.supported:
                message = f"{error} evaluating rule: {_describe(rule)}"
                yield Problem(_target(path, rule), message, failed=True)
            continue
        if result is False:
            yield Problem(_target(path, rule), _message(rule, scope))


def _skipped(path: Path, rule: ValidationRule, cost: int, budget: Budget) -> Problem:
    if cost > PER_CALL_LIMIT:
        why = f"its estimated cost {cost:,} exceeds the API server's limit of {PER_CALL_LIMIT:,}"
    else:
        budget.spent = True
        why = (
            f"the resource's rules exceed the API server's cost budget of {RUNTIME_BUDGET:,}; "
            "no further rules were evaluated"
        )
    return Problem(
        path, f"validation rule skipped: too costly ({why}): {_describe(rule)}", skipped=True
    )


def _describe(rule: ValidationRule) -> str:
    return rule.message or f"failed rule: {rule.rule}"


def _message(rule: ValidationRule, scope: Scope) -> str:
    from meshlint.cel import CelError, compile_expression

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
