"""How Kubernetes reads a YAML scalar, where that differs from (or surprises next to) PyYAML.

``kubectl``, Helm and the API server turn YAML into JSON with Go's ``yaml.v2`` (through
``sigs.k8s.io/yaml``). It resolves plain scalars much like PyYAML's YAML 1.1 resolver, with
these differences:

- ``y``, ``Y``, ``n``, ``N`` are booleans to Go, strings to PyYAML;
- base-60 numbers (``1:30``) are strings to Go, integers to PyYAML;
- ``0o17``, ``1e3``, ``-.5`` and ``09`` are numbers to Go, strings to PyYAML;
- in a flow list, ``001:db8::`` is one string to Go, while PyYAML reads a one-pair mapping
  (or, with libyaml, rejects the file).

``yes``/``no``/``on``/``off`` are booleans to both, but strings to YAML 1.2 tools such as
kustomize (``yaml.v3``), so the same file means different things depending on the tool.
Leading-zero octals (``0644``) are read as octal by Go YAML v2 and v3 alike, as the
Kubernetes documentation for ``defaultMode`` intends: they are not reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"

#: First characters of the plain scalars this module may have something to say about.
SUSPECT_FIRST = frozenset("0123456789+-.yYnNoO")
_YAML11_BOOLS = frozenset(
    {"yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"}
)
_GO_ONLY_BOOLS = {"y": True, "Y": True, "n": False, "N": False}
_GO_INT = r"([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)"
_GO_FLOAT = r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?"
_BASES = {"x": 16, "o": 8, "b": 2}
_MAX_DIGITS = 64


@dataclass(frozen=True, slots=True)
class Reading:
    """What Kubernetes sees for a scalar, and a note explaining the difference."""

    value: object
    note: str


def _json(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


@cache
def _go_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Go's integer and float forms, compiled on first use (a lint may need neither)."""
    return re.compile(_GO_INT), re.compile(_GO_FLOAT)


def go_number(text: str) -> int | float | None:
    """The number Go's ``yaml.v2`` reads from a plain scalar, or None if it reads no number."""
    plain = text.replace("_", "")
    go_int, go_float = _go_patterns()
    match = go_int.fullmatch(plain)
    if match:
        sign, digits = match.groups()
        base = _BASES.get(digits[1:2].lower(), 8) if len(digits) > 1 and digits[0] == "0" else 10
        body = digits[2:] if base != 10 and digits[1:2].isalpha() else digits
        if len(body.lstrip("0")) <= _MAX_DIGITS:  # more cannot fit 64 bits in any base
            value = int(body, base) * (-1 if sign == "-" else 1)
            if -(2**63) <= value < 2**64 and not (value >= 2**63 and sign):
                return value
    if go_float.fullmatch(plain):
        value = float(plain)
        if value not in (float("inf"), float("-inf")):
            return value
    return None


def kubernetes_reading(text: str, tag: str) -> Reading | None:
    """How Kubernetes reads the plain scalar ``text`` that PyYAML resolved to ``tag``, when
    there is something to say about it; None otherwise."""
    if tag == BOOL:
        if text not in _YAML11_BOOLS:
            return None
        value = text.lower() in ("yes", "on")
        return Reading(
            value,
            f"{text} is the boolean {_json(value)} to Kubernetes (YAML 1.1) but the string "
            f'"{text}" to YAML 1.2 tools such as kustomize: write {_json(value)}, '
            f'or "{text}" in quotes for the text',
        )
    if tag == STR and text in _GO_ONLY_BOOLS:
        value = _GO_ONLY_BOOLS[text]
        return Reading(
            value,
            f'Kubernetes reads {text} as the boolean {_json(value)}, not the string "{text}": '
            f'quote it ("{text}") to keep the text',
        )
    if tag in (INT, FLOAT) and ":" in text:
        return Reading(
            text,
            f'Kubernetes reads {text} as the string "{text}", not as a base-60 number: '
            f'quote it ("{text}") to say so',
        )
    if tag == STR and text[:1] in "0123456789+-.":
        number = go_number(text)
        if number is not None:
            return Reading(
                number,
                f'Kubernetes reads {text} as the number {number}, not as text: quote it ("{text}") '
                "to keep the text",
            )
    return None
