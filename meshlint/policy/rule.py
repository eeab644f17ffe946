"""Declarative policies: a JSON Schema every resource of some kinds must satisfy, turned
into a rule with the same API as the built-ins. Each validation failure is a finding at
the failing field."""

from __future__ import annotations

import json
from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import ClassVar

from meshlint.engine.finding import Finding, Severity
from meshlint.engine.rule import Rule
from meshlint.fieldpath import get
from meshlint.mesh.index import Mesh
from meshlint.model import Resource
from meshlint.schemastore import SchemaError, Validator
from meshlint.validation.regex import re2_error

#: Validators whose own message adds to the policy's (the others just restate the schema).
_DETAILED = frozenset(
    {
        "required", "type", "enum", "const", "pattern", "format", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength",
        "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties",
        "additionalProperties", "dependentRequired",
    }
)  # fmt: skip


#: Keywords whose content is data, not schema.
_VALUES = frozenset({"const", "enum", "default", "examples"})


def _at_key(resource: Resource, path: tuple) -> bool:
    """Failures about a mapping point at its key (``retries:``), not at its first entry."""
    return bool(path) and isinstance(path[-1], str) and isinstance(get(resource.body, path), dict)


class PolicyRule(Rule):
    """Base of the rules built from ``policies:`` entries."""

    category = "policy"
    message: ClassVar[str] = ""
    namespaces: ClassVar[tuple[str, ...]] = ()
    label_selector: ClassVar[dict[str, str]] = {}
    #: The pack a shipped policy belongs to (its name selects the whole pack).
    pack: ClassVar[str | None] = None
    source: ClassVar[str] = ""
    schema: ClassVar[dict] = {}
    _validator: ClassVar[Validator | None] = None

    @classmethod
    def names(cls) -> set[str]:
        names = super().names()
        return names | {cls.pack} if cls.pack else names

    @classmethod
    def applies_to(cls, resource: Resource) -> bool:
        if cls.namespaces and not any(fnmatchcase(resource.namespace, p) for p in cls.namespaces):
            return False
        labels = resource.labels
        return all(labels.get(k) == v for k, v in cls.label_selector.items())

    def _text(self, error: SchemaError) -> str:
        if error.validator not in _DETAILED:
            return self.message
        missing = getattr(error, "field", None) if error.validator == "required" else None
        detail = f"missing {missing!r}" if missing else error.message
        return f"{self.message} ({detail})"

    def check_resource(self, resource: Resource, mesh: Mesh) -> Iterator[Finding]:
        if not self.applies_to(resource):
            return
        seen = set()
        cls = type(self)
        if cls._validator is None:
            cls._validator = Validator(cls.schema)
        for error in cls._validator.errors(resource.body):
            text = self._text(error)
            if (error.path, text) not in seen:
                seen.add((error.path, text))
                yield self.report(resource, error.path, text, key=_at_key(resource, error.path))


def _docs(spec: dict, source: str) -> str:
    scope = f"every {', '.join(spec['kinds'])}"
    if spec.get("namespaces"):
        scope += f" in namespaces {', '.join(spec['namespaces'])}"
    if spec.get("labels"):
        scope += " labelled " + ", ".join(f"{k}={v}" for k, v in spec["labels"].items())
    parts = [
        spec["message"],
        "",
        "## What it does",
        f"Policy `{spec['id']}` ({source}): {scope} must satisfy this JSON Schema; each "
        "failure is reported at the failing field.",
        "",
        "```json",
        json.dumps(spec["schema"], indent=2),
        "```",
        "",
        "## Why it matters",
        spec.get("description") or "Required by the policy's author.",
    ]
    for title, key in (("Example", "example"), ("Use instead", "use-instead")):
        if spec.get(key):
            parts += ["", f"## {title}", "```yaml", spec[key].rstrip("\n"), "```"]
    return "\n".join(parts)


class InvalidPolicySchema(ValueError):
    """A policy's schema is not a valid JSON Schema; ``path`` is where, inside it."""

    def __init__(self, message: str, path: tuple) -> None:
        super().__init__(message)
        self.path = path


def check_policy_schema(schema: object) -> None:
    """Raise InvalidPolicySchema when ``schema`` is not a valid JSON Schema (2020-12)."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError as InvalidSchema

    try:
        Draft202012Validator.check_schema(schema)
    except InvalidSchema as error:
        raise InvalidPolicySchema(
            f"invalid JSON Schema: {error.message}", tuple(error.absolute_path)
        ) from None


def _patterns(schema: object, path: tuple = ()) -> Iterator[tuple[str, tuple]]:
    """Every regular expression of ``schema`` (``pattern`` values, ``patternProperties``
    keys) with where it is."""
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key in _VALUES:
                continue
            if key == "pattern" and isinstance(value, str):
                yield value, (*path, key)
            if key == "patternProperties" and isinstance(value, dict):
                yield from ((name, (*path, key, name)) for name in value)
            yield from _patterns(value, (*path, key))
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            yield from _patterns(value, (*path, i))


def check_policy_patterns(policy_id: str, schema: object) -> None:
    """Raise InvalidPolicySchema when a pattern of ``schema`` is not RE2 syntax (patterns
    are matched with RE2, so none can backtrack)."""
    for pattern, path in _patterns(schema):
        if error := re2_error(pattern):
            raise InvalidPolicySchema(f"policy {policy_id}: {error}", path)


def policy_rule(spec: dict, source: str, pack: str | None = None) -> type[PolicyRule]:
    """The rule class of one policy (``spec`` as the config schema describes it).

    Policies of a pack are opt-in: they run when selected by name, id or pack name. The
    schemas of shipped packs are checked by the tests, not at every start.
    Raises InvalidPolicySchema when the schema is invalid.
    """
    schema = json.loads(json.dumps(spec["schema"]))
    if pack is None:
        check_policy_schema(schema)
        check_policy_patterns(spec["id"], schema)
    if isinstance(schema, bool):
        schema = {} if schema else {"not": {}}
    attributes = {
        "__doc__": _docs(spec, source),
        "__module__": __name__,
        "id": spec["id"],
        "name": spec.get("name") or spec["id"],
        "severity": Severity.parse(spec.get("severity", "warning")),
        "kinds": tuple(spec["kinds"]),
        "message": spec["message"],
        "namespaces": tuple(spec.get("namespaces", ())),
        "label_selector": dict(spec.get("labels", {})),
        "pack": pack,
        "opt_in": pack is not None,
        "source": source,
        "schema": schema,
    }
    class_name = "Policy_" + "".join(c if c.isalnum() else "_" for c in spec["id"])
    return type(class_name, (PolicyRule,), attributes)
