"""YAML 1.1 scalar typing: the tag a plain scalar resolves to, and the value of a scalar
of a given tag.

The implicit types are those of the YAML 1.1 type repository (bool, int, float, null,
merge, timestamp, value) as PyYAML's safe loader reads them, which is narrower than the
spec in places: a float needs a dot (``1e3`` is text) and a signed one a digit before it
(``-.5`` is text), an exponent needs its sign. Needs no PyYAML, so the native reader can
type the scalars it hands back to Python without importing it.
"""

from __future__ import annotations

import re
from functools import cache

from meshlint.apiserver.goyaml import go_number

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
MERGE = "tag:yaml.org,2002:merge"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
VALUE = "tag:yaml.org,2002:value"

_TRUE = frozenset({"true", "yes", "on"})
_BOOL_WORDS = frozenset(
    case(word)
    for word in ("yes", "no", "true", "false", "on", "off")
    for case in (str.lower, str.capitalize, str.upper)
)
_NULL_WORDS = frozenset({"", "~", "null", "Null", "NULL"})
_SIGN = "[-+]?"
_EXPONENT = "(?:[eE][-+][0-9]+)?"
_SEXAGESIMAL = "(?::[0-5]?[0-9])+"
_FLOAT = "|".join(
    (
        rf"{_SIGN}[0-9][0-9_]*\.[0-9_]*{_EXPONENT}",  # 1.5, 1., 1.5e+3
        rf"\.[0-9][0-9_]*{_EXPONENT}",  # .5 (unsigned only)
        rf"{_SIGN}[0-9][0-9_]*{_SEXAGESIMAL}\.[0-9_]*",  # 1:30.5
        rf"{_SIGN}\.(?:inf|Inf|INF)",
        r"\.(?:nan|NaN|NAN)",
    )
)
_INT = "|".join(
    (
        rf"{_SIGN}0b[01_]+",
        rf"{_SIGN}0x[0-9a-fA-F_]+",
        rf"{_SIGN}0[0-7_]+",  # octal
        rf"{_SIGN}(?:0|[1-9][0-9_]*)",
        rf"{_SIGN}[1-9][0-9_]*{_SEXAGESIMAL}",  # 1:30
    )
)
_DATE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
_TIMESTAMP = (
    rf"{_DATE}"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?"
)
#: Significant digits past which an integer cannot fit 64 bits in any base.
_MAX_DIGITS = 64


@cache
def _numeric() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The numeric-looking implicit types in resolution order, compiled on first use (most
    scalars the native reader hands back never need them)."""
    return tuple(
        (tag, re.compile(p)) for tag, p in ((FLOAT, _FLOAT), (INT, _INT), (TIMESTAMP, _TIMESTAMP))
    )


def implicit_tag(text: str) -> str:
    """The tag YAML 1.1 gives the plain, untagged scalar ``text``."""
    first = text[:1]
    if text in _BOOL_WORDS:
        return BOOL
    if text in _NULL_WORDS:
        return NULL
    if first in "-+.0123456789" and first:
        for tag, pattern in _numeric():
            if pattern.fullmatch(text):
                return tag
        return STR
    if text == "<<":
        return MERGE
    if text == "=":
        return VALUE
    return STR


def tagged_value(tag: str, text: str) -> object:
    """The plain value of a scalar ``text`` of ``tag``; text for tags meshlint keeps as
    text (timestamps, binary, unknown tags)."""
    if tag == STR:
        return text
    if tag == INT:
        return _int(text)
    if tag == BOOL:
        return text.lower() in _TRUE
    if tag == NULL:
        return None
    if tag == FLOAT:
        return _float(text)
    return text


def _int(text: str) -> int | float | str:
    """A YAML 1.1 integer; past 64 bits, what Go's YAML reads (a float or the text), which
    also keeps every integer short enough to turn back into text."""
    value = text.replace("_", "")
    sign = 1
    if value[:1] in ("+", "-"):
        sign = -1 if value[0] == "-" else 1
        value = value[1:]
    body = value[2:] if value[:2] in ("0b", "0x", "0o") else value
    if len(body.lstrip("0")) > _MAX_DIGITS:
        number = go_number(text)
        return text if number is None else number
    try:
        if value == "0":
            return 0
        if value.startswith("0b"):
            return sign * int(value[2:], 2)
        if value.startswith("0x"):
            return sign * int(value[2:], 16)
        if value.startswith("0o"):
            return sign * int(value[2:], 8)
        if value.startswith("0"):
            return sign * int(value, 8)
        if ":" in value:
            total = 0
            for part in value.split(":"):
                total = total * 60 + int(part)
            return sign * total
        return sign * int(value)
    except ValueError:
        return text


def _float(text: str) -> float | str:
    value = text.replace("_", "").lower()
    if value in (".inf", "+.inf"):
        return float("inf")
    if value == "-.inf":
        return float("-inf")
    if value == ".nan":
        return float("nan")
    try:
        if ":" in value:
            sign = -1.0 if value.startswith("-") else 1.0
            total = 0.0
            for part in value.lstrip("+-").split(":"):
                total = total * 60 + float(part)
            return sign * total
        return float(value)
    except ValueError:
        return text
