"""Matching request values as Istio's APIs do: VirtualService StringMatch (exact, prefix,
RE2 regex, full match as Envoy's ``safe_regex``) and AuthorizationPolicy values (exact,
``prefix*``, ``*suffix``, ``*``)."""

from __future__ import annotations

import re
from functools import cache

from meshlint.mesh.authz import pattern_matches
from meshlint.trace.tri import YES, Answer, no, unknown


@cache
def _compiled(pattern: str):
    import re2

    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(pattern, options)
    except re2.error:
        return None


def regex_full_match(pattern: str, value: str) -> bool | None:
    """Whether RE2 ``pattern`` matches all of ``value`` (None: not a valid RE2 regex)."""
    compiled = _compiled(pattern)
    if compiled is None:
        return None
    return compiled.fullmatch(value) is not None


def describe(match: object) -> str:
    """``exact "jason"``, ``prefix "/api"``, ``regex "v[0-9]+"`` (or the raw value)."""
    if isinstance(match, dict):
        for kind in ("exact", "prefix", "regex"):
            if kind in match:
                return f'{kind} "{match[kind]}"'
        return "present"
    return str(match)


def string_match(match: object, value: str | None, *, ignore_case: bool = False) -> Answer:
    """A StringMatch against a request value (None: the value is absent). An empty
    StringMatch (``{}``) asks for presence, as Istio's header matches do."""
    if not isinstance(match, dict):
        return unknown(f"cannot read the match {match!r}")
    if value is None:
        return no(f"absent, wanted {describe(match)}")
    subject = value.lower() if ignore_case else value
    for kind in ("exact", "prefix", "regex"):
        if kind not in match:
            continue
        wanted = str(match[kind])
        if kind == "regex":
            result = regex_full_match(wanted, value)
            if result is None:
                return unknown(f"regex {wanted!r} is not valid RE2 (Istio rejects it)")
            ok = result
        else:
            target = wanted.lower() if ignore_case else wanted
            ok = subject == target if kind == "exact" else subject.startswith(target)
        return YES if ok else no(f'"{value}" does not match {describe(match)}')
    return YES


def authz_value(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """An AuthorizationPolicy string (see :func:`meshlint.mesh.authz.pattern_matches`),
    optionally compared without case."""
    if ignore_case:
        pattern, value = pattern.lower(), value.lower()
    return pattern_matches(pattern, value)


_TEMPLATE = re.compile(r"\{\*\*\}|\{\*\}")


def authz_path(pattern: str, path: str) -> bool:
    """An AuthorizationPolicy path: the plain forms of :func:`authz_value`, or a template
    where ``{*}`` is one path segment and ``{**}`` any number of them."""
    if "{*" not in pattern:
        return authz_value(pattern, path)
    parts = []
    position = 0
    for found in _TEMPLATE.finditer(pattern):
        parts.append(re.escape(pattern[position : found.start()]))
        parts.append(".*" if found.group() == "{**}" else "[^/]+")
        position = found.end()
    parts.append(re.escape(pattern[position:]))
    return re.fullmatch("".join(parts), path) is not None
