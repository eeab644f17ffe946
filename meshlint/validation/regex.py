"""Regular expressions as Envoy compiles them: RE2 syntax, at most 1024 characters.

Python's ``re`` accepts lookarounds and backreferences that RE2 rejects, so patterns are
compiled with the RE2 binding (``google-re2``), imported on first use.
"""

from __future__ import annotations

from functools import cache

MAX_LENGTH = 1024


@cache
def _options():
    import re2

    options = re2.Options()
    options.log_errors = False
    return options


@cache
def regex_error(pattern: str) -> str | None:
    """Why RE2 (and so Envoy and Istio) rejects ``pattern``, or None."""
    if len(pattern) > MAX_LENGTH:
        return f"regex is too large ({len(pattern)} characters, at most {MAX_LENGTH})"
    import re2

    try:
        re2.compile(pattern, _options())
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        return f"invalid RE2 regex {pattern!r}: {reason}"
    return None
