"""The JSON Schemas bundled with meshlint, and validation of documents against them.

Schemas live in the ``meshlint.schemas`` package (the repository's top-level ``schemas/``
folder, written by ``tools/gen_schemas.py``) and are read lazily, one kind at a time.
Validation uses ``jsonschema_rs`` as a fast validity check when it is installed, and
``jsonschema`` for the detailed errors of documents that fail it; both match patterns in
linear time (Rust's regex engine, RE2), so no pattern can backtrack.
"""

from __future__ import annotations

import base64
import datetime
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from meshlint.package_data import package_folder

_VERSION = re.compile(r"v(\d+)(?:(alpha|beta)(\d+))?")
_STAGES = {None: 2, "beta": 1, "alpha": 0}
_MAX_MESSAGE = 200


@dataclass(frozen=True)
class SchemaError:
    """One schema violation inside a document.

    ``path`` is the field path of the offending value (for ``required``, of the object that
    lacks the key, which ``field`` and the message name); ``allowed`` lists the permitted
    values of an ``enum`` or ``const``, without ``null``. Messages follow the wording of the
    Kubernetes API server (``Unsupported value: ...: supported values: ...``).
    """

    path: tuple[str | int, ...]
    message: str
    validator: str
    allowed: list[Any] | None = None
    field: str | None = None


@functools.cache
def _root() -> Path:
    return package_folder("meshlint.schemas")


@functools.cache
def _index() -> dict[str, dict[str, Any]]:
    return json.loads(_root().joinpath("index.json").read_text(encoding="utf-8"))


@functools.cache
def _load(path: str) -> dict[str, Any]:
    return json.loads(_root().joinpath(*path.split("/")).read_text(encoding="utf-8"))


def schema_for(api_version: str, kind: str) -> dict[str, Any] | None:
    """The JSON Schema of ``kind`` at ``api_version`` (e.g. ``"apps/v1"``), or None if unknown.

    The returned dict is shared and cached: do not modify it.
    """
    entry = _index().get(f"{api_version}/{kind}")
    return _load(entry["path"]) if entry else None


def schema_entry(api_version: str, kind: str) -> dict[str, Any] | None:
    """What the index records about a schema: group, version, kind, scope, source,
    ``storage``, ``deprecated`` and ``deprecation_warning``; None if unknown."""
    return _index().get(f"{api_version}/{kind}")


@functools.cache
def known_kinds() -> tuple[str, ...]:
    """Every kind with a bundled schema, sorted."""
    return tuple(sorted({entry["kind"] for entry in _index().values()}))


@functools.cache
def known_groups() -> frozenset[str]:
    """Every API group with a bundled schema (the core group is ``""``)."""
    return frozenset(entry["group"] for entry in _index().values())


def kinds_of_group(group: str) -> list[str]:
    """The kinds of ``group`` with a bundled schema, sorted."""
    return sorted({kind for g, kind in _versions_by_group_kind() if g == group})


def _version_order(version: str) -> tuple[int, int, int, str]:
    """Kubernetes priority: GA before beta before alpha, newer before older."""
    match = _VERSION.fullmatch(version)
    if not match:
        return (-1, 0, 0, version)
    major, stage, minor = match.groups()
    return (_STAGES[stage], int(major), int(minor or 0), version)


@functools.cache
def _versions_by_group_kind() -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for entry in _index().values():
        found.setdefault((entry["group"], entry["kind"]), []).append(entry["version"])
    return {
        key: sorted(versions, key=_version_order, reverse=True) for key, versions in found.items()
    }


def known_versions(group: str, kind: str) -> list[str]:
    """Served versions of ``group``/``kind`` that have a schema, preferred version first.

    The core group is ``""`` (``"core"`` is accepted too).
    """
    group = "" if group == "core" else group
    return list(_versions_by_group_kind().get((group, kind), []))


def _key(key: object) -> str:
    if isinstance(key, str):
        return key
    plain = _plain(key)
    return plain if isinstance(plain, str) else json.dumps(plain, default=str)


def _plain(value: Any) -> Any:
    """The value as Kubernetes reads it from YAML: string keys, timestamps and binary as text."""
    if isinstance(value, dict):
        return {_key(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _json_type(value: Any) -> str:
    names = {bool: "boolean", int: "integer", float: "number", str: "string", type(None): "null"}
    for python_type, name in names.items():
        if type(value) is python_type:
            return name
    return "array" if isinstance(value, list) else "object" if isinstance(value, dict) else "?"


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _one_of_fields(branches: list[dict[str, Any]]) -> list[str] | None:
    """Field names of a proto ``oneof`` encoding, or None for any other ``oneOf``.

    The encoding is one ``not: {anyOf: ...}`` branch plus one ``required: [name]`` per field.
    """
    fields = [b["required"][0] for b in branches if set(b) == {"required"}]
    negations = [b for b in branches if set(b) == {"not"}]
    return fields if len(negations) == 1 and len(fields) == len(branches) - 1 else None


_BOUNDS = {
    "minimum": "greater than or equal to",
    "maximum": "less than or equal to",
    "exclusiveMinimum": "greater than",
    "exclusiveMaximum": "less than",
}
_COUNTS = {
    "minLength": ("should be at least {} chars long", len),
    "maxLength": ("may not be longer than {} chars", len),
    "minItems": ("should have at least {} items", len),
    "maxItems": ("may have at most {} items", len),
    "minProperties": ("should have at least {} properties", len),
    "maxProperties": ("may have at most {} properties", len),
}
_REQUIRED = re.compile(r"^(.*) is a required property$")


def missing_field(error: Any) -> str | None:
    """The property a ``required`` error of jsonschema is about."""
    match = _REQUIRED.match(error.message)
    if error.validator != "required" or not match:
        return None
    name = match.group(1)
    return name[1:-1] if name[:1] == name[-1:] and name[:1] in "'\"" else name


def _message(error: Any) -> str:
    """The error in the words of the Kubernetes API server, where it has words for it."""
    instance, expected, validator = error.instance, error.validator_value, error.validator
    if validator == "type":
        types = [expected] if isinstance(expected, str) else expected
        wanted = " or ".join(t for t in types if t != "null")
        got = "null" if instance is None else f"{_json_type(instance)} {_short(instance)}"
        return f"Invalid value: must be of type {wanted}, got {got}"
    if validator in ("enum", "const"):
        values = expected if validator == "enum" else [expected]
        allowed = ", ".join(json.dumps(value) for value in values if value is not None)
        return f"Unsupported value: {_short(instance)}: supported values: {allowed}"
    if validator == "required":
        return f'Required value: "{missing_field(error)}" is missing'
    if validator in _BOUNDS:
        return f"Invalid value: {_short(instance)}: should be {_BOUNDS[validator]} {expected}"
    if validator in _COUNTS:
        template, size = _COUNTS[validator]
        return (
            f"Invalid value: {_short(instance)}: "
            + template.format(expected)
            + (f" (has {size(instance)})" if validator.startswith("max") else "")
        )
    if validator == "pattern":
        return f"Invalid value: {_short(instance)}: should match '{expected}'"
    if validator == "multipleOf":
        return f"Invalid value: {_short(instance)}: should be a multiple of {expected}"
    if validator == "uniqueItems":
        return "Duplicate value: the list has repeated items"
    fields = _one_of_fields(expected) if validator == "oneOf" else None
    if fields and isinstance(instance, dict):
        present = ", ".join(f'"{name}"' for name in fields if name in instance)
        choices = ", ".join(f'"{name}"' for name in fields)
        return f"Invalid value: only one of {choices} may be set; found {present}"
    text = error.message
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def _redundant(error: Any) -> bool:
    """A ``oneOf``/``anyOf`` of object shapes failing on a value that is not an object: the
    ``type`` error at the same field already says what is wrong."""
    return error.validator in ("oneOf", "anyOf") and not isinstance(error.instance, dict)


def _allowed(error: Any) -> list[Any] | None:
    if error.validator == "enum":
        return [value for value in error.validator_value if value is not None]
    if error.validator == "const":
        return [error.validator_value]
    return None


def _path_order(error: SchemaError) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, part) if isinstance(part, int) else (1, part) for part in error.path)


class Validator:
    """Validates documents of one kind against its schema."""

    def __init__(self, schema: dict[str, Any], *, fast: bool = True) -> None:
        """Compile ``schema``; ``fast=False`` skips the jsonschema_rs validity check."""
        self._schema = schema
        self._fast = _compile_fast(schema) if fast else None
        self._detailed: Any = None

    def is_valid(self, document: Any) -> bool:
        """Whether ``document`` satisfies the schema."""
        if self._fast is None:
            return not self.errors(document)
        try:
            return self._fast.is_valid(document)
        except ValueError:
            pass
        try:
            return self._fast.is_valid(_plain(document))
        except ValueError:
            return False

    def errors(self, document: Any) -> list[SchemaError]:
        """Every violation in ``document``, ordered by field path."""
        if self._fast is not None and self.is_valid(document):
            return []
        if self._detailed is None:
            self._detailed = _linear_validator_class()(self._schema)
        found = [
            SchemaError(
                tuple(e.absolute_path), _message(e), str(e.validator), _allowed(e), missing_field(e)
            )
            for e in self._detailed.iter_errors(_plain(document))
            if not _redundant(e)
        ]
        return sorted(found, key=_path_order)


@functools.cache
def _linear_validator_class() -> Any:
    """Draft 2020-12 with patterns matched by RE2 (see :mod:`meshlint.linear_patterns`)."""
    from jsonschema import Draft202012Validator
    from jsonschema.validators import extend

    from meshlint.linear_patterns import KEYWORDS

    return extend(Draft202012Validator, KEYWORDS)


def _compile_fast(schema: dict[str, Any]) -> Any:
    """The jsonschema_rs validator of ``schema``, its patterns in the linear-time engine;
    None when it is not installed or cannot take the schema."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    try:
        return jsonschema_rs.validator_for(schema, pattern_options=jsonschema_rs.RegexOptions())
    except ValueError:
        return None


@functools.cache
def validator_for(api_version: str, kind: str) -> Validator | None:
    """The cached validator of ``kind`` at ``api_version``, or None if no schema is known."""
    schema = schema_for(api_version, kind)
    return Validator(schema) if schema is not None else None


def validate(api_version: str, kind: str, document: Any) -> list[SchemaError]:
    """Schema violations in ``document``; an unknown apiVersion/kind gives none."""
    validator = validator_for(api_version, kind)
    return validator.errors(document) if validator else []


def index() -> dict[str, dict[str, Any]]:
    """Every schema meshlint knows: "apiVersion/Kind" -> its file path and provenance."""
    return _index()
