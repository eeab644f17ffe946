"""Reading decoded YAML values the way the Go proto decoder would accept them."""

from __future__ import annotations

#: Decimal digits in the largest 64-bit number.
_MAX_DIGITS = 20


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def mapping(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def items(value: object) -> list:
    return value if isinstance(value, list) else []


def text(value: object) -> str:
    return value if isinstance(value, str) else ""


def present(block: dict, key: str) -> bool:
    """Whether a field is set to something (null reads as unset, as in the API server)."""
    return block.get(key) is not None


def decimal(text: str) -> int | None:
    """ASCII decimal digits as a number; None for anything else, and for more digits than
    a 64-bit number has (so no conversion ever meets Python's limit on digits)."""
    if not (text.isascii() and text.isdigit()):
        return None
    digits = text.lstrip("0") or "0"
    return int(digits) if len(digits) <= _MAX_DIGITS else None
