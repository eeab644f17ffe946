"""JSON Schema keywords that match patterns with RE2 instead of Python's backtracking ``re``.

A pattern comes from a schema, and for policies from the repository's own config: with
``re``, ``^(a+)+$`` against a long string runs for minutes. RE2 is also what Go (and so the
Kubernetes API server) matches with. A pattern RE2 rejects matches everything here (no
finding); policies with such patterns are refused when the config is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jsonschema.exceptions import ValidationError

from meshlint.validation.regex import re2_search


def _matches(pattern: str, text: str) -> bool:
    return re2_search(pattern, text) is not False


def pattern(validator: Any, expected: str, instance: Any, schema: dict) -> Iterator[Any]:
    if validator.is_type(instance, "string") and not _matches(expected, instance):
        yield ValidationError(f"{instance!r} does not match {expected!r}")


def pattern_properties(
    validator: Any, patterns: dict, instance: Any, schema: dict
) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for expected, subschema in patterns.items():
        for key, value in instance.items():
            if _matches(expected, key):
                yield from validator.descend(value, subschema, path=key, schema_path=expected)


def additional_properties(
    validator: Any, additional: Any, instance: Any, schema: dict
) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    named = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    extras = [
        key for key in instance if key not in named and not any(_matches(p, key) for p in patterns)
    ]
    if validator.is_type(additional, "object"):
        for key in extras:
            yield from validator.descend(instance[key], additional, path=key)
    elif not additional and extras:
        listed = ", ".join(repr(key) for key in sorted(extras, key=str))
        if patterns:
            verb = "does" if len(extras) == 1 else "do"
            regexes = ", ".join(repr(p) for p in sorted(patterns))
            yield ValidationError(f"{listed} {verb} not match any of the regexes: {regexes}")
        else:
            verb = "was" if len(extras) == 1 else "were"
            yield ValidationError(
                f"Additional properties are not allowed ({listed} {verb} unexpected)"
            )


#: The keywords above, by name, to extend a jsonschema validator class with.
KEYWORDS = {
    "pattern": pattern,
    "patternProperties": pattern_properties,
    "additionalProperties": additional_properties,
}
