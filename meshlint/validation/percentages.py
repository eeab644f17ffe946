"""Percentages and weights."""

from __future__ import annotations

from meshlint.validation.values import is_number


def percent_error(value: object) -> str | None:
    """An integer percent in 0..100."""
    if is_number(value) and not 0 <= value <= 100:
        return f"percentage {value} is not in range 0..100"
    return None


def fraction_error(value: object) -> str | None:
    """A ``Percent`` value: 0, or within [0.0001, 100]."""
    if is_number(value) and (value < 0 or value > 100 or 0 < value < 0.0001):
        return f"percentage {value} is neither 0 nor in range [0.0001, 100]"
    return None
