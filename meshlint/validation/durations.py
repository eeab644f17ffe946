"""Durations: Go ``time.ParseDuration`` syntax, at least 1 ms and millisecond precision."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_NANOS = {
    "ns": Decimal(1),
    "us": Decimal(10) ** 3,
    "µs": Decimal(10) ** 3,
    "μs": Decimal(10) ** 3,
    "ms": Decimal(10) ** 6,
    "s": Decimal(10) ** 9,
    "m": Decimal(60) * 10**9,
    "h": Decimal(3600) * 10**9,
}
_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
MILLISECOND = 10**6
SECOND = 10**9


def parse_duration(value: str) -> int | None:
    """The duration in nanoseconds, or None when Go would not parse it."""
    body = value.strip()
    sign = -1 if body.startswith("-") else 1
    body = body.lstrip("+-")
    if body == "0":
        return 0
    if not body:
        return None
    total = Decimal(0)
    pos = 0
    while pos < len(body):
        match = _PART.match(body, pos)
        if not match:
            return None
        try:
            total += Decimal(match.group(1)) * _NANOS[match.group(2)]
        except InvalidOperation:
            return None
        pos = match.end()
    return sign * int(total)


def duration_error(value: object, *, check_minimum: bool = True) -> str | None:
    """Why Istio rejects this duration value, or None.

    With ``check_minimum=False`` only the precision is checked: use it where the CRD's
    CEL rule already rejects unparsable values and values below 1 ms.
    """
    if not isinstance(value, str):
        return None
    nanos = parse_duration(value)
    if nanos is None:
        return f'"{value}" is not a duration (use e.g. 500ms, 5s, 1m)' if check_minimum else None
    if nanos < MILLISECOND:
        return f'duration "{value}" must be at least 1ms' if check_minimum else None
    if nanos % MILLISECOND:
        return f'duration "{value}" is finer than a millisecond: only ms precision is supported'
    return None
