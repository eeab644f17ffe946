"""Kubernetes label selectors (``matchLabels`` + ``matchExpressions``), as webhooks use."""

from __future__ import annotations

from collections.abc import Mapping

from meshlint.model import as_list, string_map


def _expression_matches(expression: object, labels: Mapping[str, str]) -> bool:
    if not isinstance(expression, dict):
        return False
    key = str(expression.get("key") or "")
    operator = expression.get("operator")
    values = [str(v) for v in as_list(expression.get("values"))]
    if operator == "In":
        return key in labels and labels[key] in values
    if operator == "NotIn":
        return key not in labels or labels[key] not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    return False  # an invalid selector selects nothing


def selector_matches(selector: object, labels: Mapping[str, str]) -> bool:
    """Whether a LabelSelector selects ``labels``; an absent or empty one selects all."""
    if selector is None:
        return True
    if not isinstance(selector, dict):
        return False
    wanted = string_map(selector.get("matchLabels"))
    if any(labels.get(k) != v for k, v in wanted.items()):
        return False
    expressions = as_list(selector.get("matchExpressions"))
    return all(_expression_matches(e, labels) for e in expressions)
