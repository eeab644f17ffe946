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
    return re2_error(pattern)


def re2_error(pattern: str) -> str | None:
    """Why RE2 rejects ``pattern`` (of any length), or None."""
    import re2

    try:
        re2.compile(pattern, _options())
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        return f"invalid RE2 regex {pattern!r}: {reason}"
    return None


@cache
def _compiled(pattern: str):
    import re2

    try:
        return re2.compile(pattern, _options())
    except re2.error:
        return None


def re2_search(pattern: str, text: str) -> bool | None:
    """Whether RE2 finds ``pattern`` in ``text``, in time linear in the text (no pattern can
    backtrack); None when RE2 rejects the pattern."""
    compiled = _compiled(pattern)
    return None if compiled is None else compiled.search(text) is not None
