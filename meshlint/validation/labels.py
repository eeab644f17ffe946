"""Label keys and values, as Istio checks the label maps it matches on."""

from __future__ import annotations

import re

_NAME = r"(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_DNS_LABEL = r"[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?"
_KEY = re.compile(rf"((?:{_DNS_LABEL}(?:\.{_DNS_LABEL})*)/)?({_NAME})")
_VALUE = re.compile(rf"(?:{_NAME})?")
MAX_PREFIX = 253
MAX_NAME = 63


def label_key_error(key: str) -> str | None:
    match = _KEY.fullmatch(key)
    if match is None:
        return f'invalid label key "{key}"'
    prefix, name = match.group(1), match.group(2)
    if prefix and len(prefix) - 1 > MAX_PREFIX:
        return f'invalid label key "{key}" (prefix longer than {MAX_PREFIX})'
    if len(name) > MAX_NAME:
        return f'invalid label key "{key}" (name longer than {MAX_NAME})'
    return None


def label_value_error(value: str) -> str | None:
    if _VALUE.fullmatch(value) is None:
        return f'invalid label value "{value}"'
    return None
