"""Serialize sarif-om objects to SARIF JSON.

sarif-om classes are attrs classes whose fields carry SARIF's property name in their
metadata (``schema_property_name``). A field is written when it is set and differs from
its default (the defaults are SARIF's), except ``level``, which is always written: a
result without one takes its rule's default level, so a downgraded finding would silently
become an error again.
"""

from __future__ import annotations

from typing import Any

import attr
import sarif_om

_ALWAYS = frozenset({"level"})


def _is_default(field: attr.Attribute, value: Any) -> bool:
    default = field.default
    if default is attr.NOTHING or field.name in _ALWAYS:
        return False
    if isinstance(default, attr.Factory):  # type: ignore[arg-type]
        return value == default.factory()
    return value == default


def to_data(obj: Any) -> Any:
    """JSON-ready data for a sarif-om object (or a dict, list or scalar holding them)."""
    if attr.has(type(obj)):
        out: dict[str, Any] = {}
        names = set()
        for field in attr.fields(type(obj)):
            names.add(field.name)
            value = getattr(obj, field.name)
            if value is None or _is_default(field, value):
                continue
            out[field.metadata["schema_property_name"]] = to_data(value)
        if isinstance(obj, sarif_om.PropertyBag):  # a bag holds any property, not just tags
            out.update({k: to_data(v) for k, v in vars(obj).items() if k not in names})
        return out
    if isinstance(obj, dict):
        return {key: to_data(value) for key, value in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_data(value) for value in obj]
    return obj
