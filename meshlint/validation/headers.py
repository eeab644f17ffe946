"""HTTP header names and values as Istio and Envoy accept them."""

from __future__ import annotations

import re

_NAME = re.compile(r"[-_A-Za-z0-9]+")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_JWT_CLAIM_PREFIX = "@request.auth.claims."


def header_name_error(name: str, *, jwt_claims: bool = False, cors: bool = False) -> str | None:
    """A header name to match on: letters, digits, ``-`` and ``_``.

    ``jwt_claims`` also accepts ``@request.auth.claims.<name>`` routing keys; ``cors``
    accepts ``*``.
    """
    if name == "":
        return "header name cannot be empty"
    if cors and name == "*":
        return None
    if jwt_claims and is_jwt_claim(name):
        return None
    if not _NAME.fullmatch(name):
        return f'"{name}" is not a valid header name (letters, digits, "-" and "_" only)'
    return None


def is_jwt_claim(name: str) -> bool:
    return name.startswith(_JWT_CLAIM_PREFIX) and len(name) > len(_JWT_CLAIM_PREFIX)


def is_authority(name: str) -> bool:
    return name.lower() in (":authority", "host")


def is_internal(name: str) -> bool:
    return name.startswith(":") or name.lower() == "host"


def set_name_error(name: str) -> str | None:
    """A request header to add or set (``:authority``/``host`` rewrite the authority)."""
    if name == "":
        return "header name cannot be empty"
    if is_internal(name) and not is_authority(name):
        return f'invalid header "{name}": header cannot have ":" prefix'
    return None


def operation_name_error(name: str) -> str | None:
    """A request header to remove, or a response header to add, set or remove."""
    if name == "":
        return "header name cannot be empty"
    if name.lower() == "host":
        return f'invalid header "{name}": cannot set Host header'
    if is_internal(name):
        return f'invalid header "{name}": header cannot have ":" prefix'
    return None


def value_error(value: str) -> str | None:
    """A header value: no control characters, and Envoy's ``%VARIABLE%`` syntax intact
    (``%%`` is a literal percent sign)."""
    if _CONTROL.search(value):
        return f"header value {value!r} contains control characters"
    reason = _format_error(value)
    return f"header value {value!r}: {reason}" if reason else None


def _format_error(value: str) -> str | None:
    state = "literal"
    pos = 0
    while pos < len(value):
        ch = value[pos]
        last = pos + 1 >= len(value)
        if state == "literal":
            if ch == "%":
                if last:
                    return "un-escaped % (write %% for a literal percent sign)"
                if value[pos + 1] == "%":
                    pos += 1
                else:
                    state = "name"
        elif state == "name":
            if ch == "%":
                state = "literal"
            elif ch == "(":
                state = "array"
        elif state == "array":
            if ch == "[":
                state = "string_start"
            elif ch != " ":
                state = "string"
        elif state == "delimiter":
            if ch == ",":
                state = "string_start"
            elif ch == "]":
                state = "args_end"
            elif ch != " ":
                return "expected ',', ']' or a space in a %VARIABLE([...])% argument list"
        elif state == "string_start":
            if ch == '"':
                state = "string"
            elif ch != " ":
                return "expected '\"' to start an argument"
        elif state == "string":
            if ch == "\\":
                if last:
                    return "un-terminated backslash in an argument"
                pos += 1
            elif ch == ")":
                state = "variable_end"
            elif ch == '"':
                state = "delimiter"
        elif state == "args_end":
            if ch == ")":
                state = "variable_end"
            elif ch != " ":
                return "expected ')' after the argument list"
        elif state == "variable_end":
            if ch == "%":
                state = "literal"
            elif ch != " ":
                return "expected '%' to close the variable"
        pos += 1
    if state != "literal":
        return "un-terminated %VARIABLE% expression"
    return None
