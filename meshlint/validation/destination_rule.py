"""DestinationRule values as the webhook validates them."""

from __future__ import annotations

import math

from meshlint.validation.hosts import is_dns1123_label
from meshlint.validation.values import is_int


def subset_name_error(name: object) -> str | None:
    """A subset name: a non-empty DNS-1123 label."""
    if not isinstance(name, str):
        return None
    if name == "":
        return "subset name cannot be empty"
    if not is_dns1123_label(name):
        return f'subset name "{name}" must be a DNS-1123 label (letters, digits and -)'
    return None


MAGLEV_LIMIT = 5000011


def _is_prime(n: int) -> bool:
    if 0 < n < 4:
        return True
    if n % 2 == 0:
        return False
    return all(n % f for f in range(3, math.isqrt(n) + 1, 2))


def maglev_error(size: object) -> str | None:
    """A Maglev ``tableSize``: set, below the limit, and prime."""
    if not is_int(size):
        return None
    if size == 0:
        return "maglev tableSize must be set"
    if size >= MAGLEV_LIMIT:
        return f"maglev tableSize must be less than {MAGLEV_LIMIT}"
    if not _is_prime(size):
        return f"maglev tableSize {size} must be a prime number"
    return None
