"""The configuration's JSON Schema (shipped as package data) and readable errors."""

from __future__ import annotations

import json
from functools import cache

from meshlint.config.errors import ConfigProblem
from meshlint.config.source import ConfigSource
from meshlint.core.suggest import hint
from meshlint.fieldpath import Path
from meshlint.package_data import DATA


@cache
def config_schema_text() -> str:
    """The schema as shipped (for ``meshlint config schema``)."""
    return (DATA / "config.schema.json").read_text("utf-8")


@cache
def config_schema() -> dict:
    return json.loads(config_schema_text())


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    for python_type, name in ((int, "integer"), (float, "number"), (str, "string"),
                              (list, "array"), (dict, "object")):  # fmt: skip
        if isinstance(value, python_type):
            return name
    return "null"


def _short(value: object) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _specific(error):
    """The most telling error inside a oneOf/anyOf failure (ignoring wrong-type branches)."""
    while error.context:
        branches = [e for e in error.context if e.validator != "type"] or list(error.context)
        if error.validator == "anyOf" and all(e.validator == "required" for e in branches):
            return error
        error = min(branches, key=lambda e: (-len(e.absolute_path), e.validator == "type"))
    return error


def _problems_of(error, source: ConfigSource, prefix: Path) -> list[ConfigProblem]:
    error = _specific(error)
    path = prefix + tuple(error.absolute_path)
    instance, expected = error.instance, error.validator_value
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = error.schema.get("properties", {})
        return [
            source.problem((*path, k), f"unknown key {k!r}{hint(k, allowed)}", key=True)
            for k in instance
            if k not in allowed
        ]
    if error.validator == "required":
        missing = [k for k in expected if k not in instance]
        return [
            source.problem(
                path, f"missing required key {', '.join(map(repr, missing))}", key=bool(path)
            )
        ]
    if error.validator == "anyOf" and error.context:
        keys = sorted({k for e in error.context for k in e.validator_value})
        return [source.problem(path, f"needs one of the keys {', '.join(keys)}", key=bool(path))]
    if error.validator == "type":
        wanted = expected if isinstance(expected, str) else " or ".join(expected)
        message = f"expected {wanted}, got {_json_type(instance)} {_short(instance)}"
    elif error.validator == "enum":
        names = (v if isinstance(v, str) else json.dumps(v) for v in expected)
        message = f"{_short(instance)} is not one of {', '.join(names)}"
    elif error.validator == "pattern" and path and path[-1] == "expires":
        message = f"{_short(instance)} is not a date (YYYY-MM-DD)"
    else:
        message = error.message
    return [source.problem(path, message)]


def schema_problems(
    data: object, source: ConfigSource, ref: str = "", prefix: Path = ()
) -> list[ConfigProblem]:
    """Problems of ``data`` against the config schema, or against one of its ``$defs``
    (``ref`` such as ``"policyFile"``); ``prefix`` is where ``data`` sits in ``source``."""
    from jsonschema import Draft202012Validator

    schema = config_schema()
    if ref:
        schema = {"$ref": f"#/$defs/{ref}", "$defs": schema["$defs"]}
    validator = Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    return [p for error in errors for p in _problems_of(error, source, prefix)]
