"""Positioned documents as plain values for :mod:`marshal`, and stable digests.

A :class:`PMap` becomes ``(0, span, keys, values, key spans, value spans)``, a
:class:`PList` ``(1, span, items, item spans)``; scalars stay as they are. Only the public
interface of the containers is used (``span``, ``key_spans``, ``value_spans``,
``item_spans``), so any implementation of them round-trips. A value of another type is
:class:`Unencodable`: its file is simply not cached.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
from typing import Any

from meshlint.core.nodes import PList, PMap
from meshlint.loader.yaml_reader import native_reader

_SCALARS = (str, int, float, bool, type(None), bytes)


class Unencodable(Exception):
    """A value the cache cannot store faithfully."""


def encode(value: object) -> object:
    """``value`` (a positioned document or a scalar) as nested tuples and scalars."""
    kind = type(value)
    if kind is PMap:
        keys = tuple(value)
        for key in keys:
            if type(key) not in _SCALARS:
                raise Unencodable(type(key).__name__)
        key_spans, value_spans = value.key_spans, value.value_spans
        return (
            0,
            value.span,
            keys,
            tuple(encode(value[k]) for k in keys),
            tuple(key_spans[k] for k in keys),
            tuple(value_spans[k] for k in keys),
        )
    if kind is PList:
        return (1, value.span, tuple(encode(item) for item in value), tuple(value.item_spans))
    if kind not in _SCALARS:
        raise Unencodable(kind.__name__)
    return value


def decode(value: Any) -> object:
    """The positioned document :func:`encode` gave ``value`` for (built by the native
    reader when it was compiled, else by :func:`decode_python`)."""
    native = native_reader()
    return decode_python(value) if native is None else native.decode(value)


def decode_python(value: Any) -> object:
    """:func:`decode` in Python: the fallback, and the reference for the native one."""
    if type(value) is not tuple:
        return value
    if value[0] == 0:
        _, span, keys, values, key_spans, value_spans = value
        mapping = PMap(span)
        mapping.update(
            zip(keys, [decode_python(v) if type(v) is tuple else v for v in values], strict=True)
        )
        mapping.key_spans.update(zip(keys, key_spans, strict=True))
        mapping.value_spans.update(zip(keys, value_spans, strict=True))
        return mapping
    _, span, items, item_spans = value
    sequence = PList(span)
    sequence.extend([decode_python(v) if type(v) is tuple else v for v in items])
    sequence.item_spans.extend(item_spans)
    return sequence


def canonical(value: object) -> str:
    """A text that is the same for equal values in any process (sets sorted, dataclasses
    by field). An object it does not know reads with its identity, so a digest of it
    never matches another run's: a miss, never a wrong hit."""
    if isinstance(value, str | int | float | bool | type(None) | bytes):
        return repr(value)
    if isinstance(value, enum.Enum):
        return f"{type(value).__qualname__}.{value.name}"
    if isinstance(value, dict):
        items = sorted((canonical(k), canonical(v)) for k, v in value.items())
        return "d{" + ",".join(f"{k}:{v}" for k, v in items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, set | frozenset):
        return "s{" + ",".join(sorted(canonical(v) for v in value)) + "}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = (
            f"{f.name}={canonical(getattr(value, f.name))}" for f in dataclasses.fields(value)
        )
        return f"{type(value).__qualname__}({','.join(fields)})"
    return f"{type(value).__qualname__}@{id(value)}"


def digest(*parts: str | bytes) -> bytes:
    """SHA-256 of ``parts``, each length-prefixed (no two sequences of parts collide)."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.digest()
