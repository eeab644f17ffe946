"""One walk of a resource alongside its schema for what the schema rules report beyond
JSON Schema validation: fields the schema does not know (``unknown-field``) and repeated
items of ``x-kubernetes-list-type`` lists (``schema-violation``). Each rule reads its part
of the survey, made once per resource."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from meshlint.apiserver.fields import unknown_field
from meshlint.apiserver.lists import repeated_items
from meshlint.apiserver.plan import SchemaNode, plan_for
from meshlint.apiserver.problems import Problem
from meshlint.core.memo import while_first_lives
from meshlint.fieldpath import Path
from meshlint.model import Resource

_CONTAINERS = (dict, list)


@dataclass(frozen=True, slots=True)
class Survey:
    """The problems of one document, each kind in document order (depth first)."""

    unknown: tuple[Problem, ...]
    duplicates: tuple[Problem, ...]


@while_first_lives
def survey_of(resource: Resource) -> Survey | None:
    """The survey of a resource (None when meshlint has no schema for its kind); shared
    by every rule that asks."""
    plan = plan_for(resource.api_version, resource.kind)
    return survey(plan, resource.body) if plan is not None else None


def survey(node: SchemaNode, value: Any) -> Survey:
    """Every key of ``value`` (recursively) that ``node``'s schema does not describe, and
    every item of a list-type ``set`` or ``map`` list that repeats an earlier one.

    Duplicates are looked for only along schema nodes that have such lists below them
    (a recursive reference counts as having none)."""
    unknown: list[Problem] = []
    duplicates: list[Problem] = []
    _walk(node, value, (), node.lists_below, unknown, duplicates)
    return Survey(tuple(unknown), tuple(duplicates))


def _walk(
    node: SchemaNode,
    value: Any,
    path: Path,
    lists: bool,
    unknown: list[Problem],
    duplicates: list[Problem],
) -> None:
    """Add the problems of ``value`` to the lists (``lists``: whether duplicates are
    looked for here)."""
    if isinstance(value, dict):
        properties = node.properties
        closed = bool(properties) and not node.open
        for key, item in value.items():
            child = properties.get(key)
            if child is None:
                if closed:
                    unknown.append(unknown_field((*path, key), key, list(properties)))
                    continue
                child = node.values
            if child is not None and isinstance(item, _CONTAINERS):
                below = lists and child.lists_below
                _walk(child, item, (*path, key), below, unknown, duplicates)
    elif isinstance(value, list):
        if lists:
            duplicates += repeated_items(node, value, path)
        child = node.items
        if child is not None:
            below = lists and child.lists_below
            for index, item in enumerate(value):
                if isinstance(item, _CONTAINERS):
                    _walk(child, item, (*path, index), below, unknown, duplicates)
