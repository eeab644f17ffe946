"""A kind's schema compiled into a tree that the checks walk alongside a document."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from meshlint.schemastore import schema_for

if TYPE_CHECKING:
    from meshlint.cel import Expression

Schema = dict[str, Any]
_BRANCHES = ("allOf", "anyOf", "oneOf")


@dataclass(slots=True)
class ValidationRule:
    """One ``x-kubernetes-validations`` entry of a schema node. Its rule is compiled when
    first evaluated, so a document that reaches no rule never loads the CEL interpreter."""

    rule: str
    message: str = ""
    message_expression: str = ""
    field_path: str = ""
    _compiled: tuple[Expression | None] | tuple[()] = field(
        default=(), init=False, repr=False, compare=False
    )

    @property
    def expression(self) -> Expression | None:
        """The compiled rule as evaluated on a create: None for a transition rule (one that
        reads ``oldSelf``) and for a rule meshlint cannot compile."""
        if not self._compiled:
            self._compiled = (_compiled(self.rule),)
        return self._compiled[0]


def _compiled(rule: str) -> Expression | None:
    from meshlint.cel import CelError, compile_expression

    try:
        expression = compile_expression(rule)
    except CelError:
        return None
    return None if "oldSelf" in expression.variables else expression


@dataclass(eq=False, slots=True)
class SchemaNode:
    """What the checks need from one schema node, with ``$ref`` resolved.

    ``open`` objects keep keys their ``properties`` do not name (preserved unknown fields,
    or an ``additionalProperties`` map whose values ``values`` describes). The ``*_below``
    flags say whether the node or anything under it has CEL rules, list-type lists or
    defaults, so a walk can skip the subtrees that have none.
    """

    types: frozenset[str] = frozenset()
    properties: dict[str, SchemaNode] = field(default_factory=dict)
    open: bool = False
    values: SchemaNode | None = None
    items: SchemaNode | None = None
    rules: tuple[ValidationRule, ...] = ()
    list_type: str = ""
    map_keys: tuple[str, ...] = ()
    #: ``maxItems`` of a list, ``maxProperties`` of a map (None when unbounded).
    max_size: int | None = None
    defaults: dict[str, Any] = field(default_factory=dict)
    rules_below: bool = False
    lists_below: bool = False
    defaults_below: bool = False

    def children(self) -> list[SchemaNode]:
        out = list(self.properties.values())
        out += [child for child in (self.values, self.items) if child is not None]
        return out

    def accepts(self, value: Any) -> bool:
        """Whether ``value`` has one of the node's JSON types (any type when none is set)."""
        return not self.types or json_type(value) in self.types or _integral(value, self.types)


def json_type(value: Any) -> str:
    """The JSON type name of a YAML-read value."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "null" if value is None else "unknown"


def _integral(value: Any, types: frozenset[str]) -> bool:
    """Kubernetes decodes whole-number floats as integers; integers are numbers."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return "number" in types
    return isinstance(value, float) and value.is_integer() and "integer" in types


class _Compiler:
    """Builds the node tree of one schema, sharing nodes for shared ``$defs``."""

    def __init__(self, root: Schema) -> None:
        self.defs: dict[str, Schema] = root.get("$defs", {})
        self.built: dict[int, SchemaNode] = {}

    def resolve(self, schema: Schema) -> Schema:
        while "$ref" in schema:
            schema = self.defs[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def node(self, schema: Schema) -> SchemaNode:
        schema = self.resolve(schema)
        known = self.built.get(id(schema))
        if known is not None:
            return known
        node = SchemaNode()
        self.built[id(schema)] = node
        types = schema.get("type", [])
        node.types = frozenset([types] if isinstance(types, str) else types)
        properties = dict(schema.get("properties", {}))
        for keyword in _BRANCHES:
            for branch in schema.get(keyword, []):
                for name, sub in self.resolve(branch).get("properties", {}).items():
                    properties.setdefault(name, sub)
        node.properties = {name: self.node(sub) for name, sub in properties.items()}
        node.defaults = {
            name: self.resolve(sub)["default"]
            for name, sub in properties.items()
            if "default" in self.resolve(sub)
        }
        additional = schema.get("additionalProperties")
        node.open = bool(
            schema.get("x-kubernetes-preserve-unknown-fields")
            or additional not in (None, False)
            or schema.get("patternProperties")
        )
        if isinstance(additional, dict):
            node.values = self.node(additional)
        if isinstance(schema.get("items"), dict):
            node.items = self.node(schema["items"])
        node.rules = tuple(_rule(entry) for entry in schema.get("x-kubernetes-validations", ()))
        node.max_size = schema.get("maxItems", schema.get("maxProperties"))
        node.list_type = schema.get("x-kubernetes-list-type", "")
        node.map_keys = tuple(schema.get("x-kubernetes-list-map-keys", ()))
        return node


def _rule(entry: Schema) -> ValidationRule:
    return ValidationRule(
        rule=entry["rule"],
        message=entry.get("message", ""),
        message_expression=entry.get("messageExpression", ""),
        field_path=entry.get("fieldPath", ""),
    )


def _mark(node: SchemaNode, visiting: set[int]) -> None:
    """Set the ``*_below`` flags bottom-up (a recursive reference counts as having none)."""
    visiting.add(id(node))
    rules, lists, defaults = bool(node.rules), node.list_type in ("map", "set"), bool(node.defaults)
    for child in node.children():
        if id(child) not in visiting:
            _mark(child, visiting)
        rules |= child.rules_below
        lists |= child.lists_below
        defaults |= child.defaults_below
    node.rules_below, node.lists_below, node.defaults_below = rules, lists, defaults


def compile_schema(schema: Schema) -> SchemaNode:
    """The node tree of a JSON Schema written by ``tools/gen_schemas.py``."""
    root = _Compiler(schema).node(schema)
    _mark(root, set())
    return root


@functools.cache
def plan_for(api_version: str, kind: str) -> SchemaNode | None:
    """The cached node tree of ``kind`` at ``api_version``, or None without a schema."""
    schema = schema_for(api_version, kind)
    return compile_schema(schema) if schema is not None else None
