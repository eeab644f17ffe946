"""Parse YAML or JSON text into positioned containers.

Two paths give the same result. The native one (:mod:`meshlint.loader.native`, a C
extension on vendored libyaml) builds :class:`PMap`/:class:`PList` straight from libyaml's
events; it is used whenever it was compiled and ``MESHLINT_PURE_YAML`` is not set. The
Python one (:mod:`meshlint.loader.pyyaml_composer`, imported only when used), kept as the
fallback and as the reference, lets PyYAML's libyaml-backed composer build the node graph
and walks it into the same containers, with spans for every key, value and item. This
module holds what both share, and types scalars without PyYAML (:mod:`.yaml11`), so a
lint on the native path never imports it. ruamel.yaml's round-trip loader is about
twenty times slower and is kept for rewriting files, not for reading them. Nothing is
ever constructed from YAML tags: unknown tags read as plain data.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from meshlint.apiserver.goyaml import SUSPECT_FIRST, kubernetes_reading
from meshlint.core.nodes import PList, PMap, Span
from meshlint.gc_pause import gc_paused
from meshlint.loader.yaml11 import STR, implicit_tag, tagged_value

_HELM_SOURCE = re.compile(r"^# Source: (\S.*?)\s*$", re.MULTILINE)


@dataclass(slots=True)
class Limits:
    """Bounds that keep hostile input from exhausting the machine."""

    max_depth: int = 400
    max_documents: int = 10_000
    #: Nodes a document may stand for once aliases are expanded (alias bombs).
    max_expanded_nodes: int = 1_000_000
    #: Seconds reading and parsing one file may take (a FIFO, a pathological input).
    max_seconds_per_file: float = 60.0


@dataclass(slots=True)
class ParsedDocument:
    """One document of a stream: its root value, span, and Helm origin if any."""

    index: int
    root: object
    span: Span
    helm_source: str | None = None


@dataclass(slots=True)
class ParseIssue:
    """Something the reader could not take as it stood, with where it happened."""

    kind: str
    message: str
    span: Span | None
    document: int | None = None
    #: A note rather than a problem: Kubernetes reads the text as intended.
    minor: bool = False


@dataclass(slots=True)
class ParseResult:
    documents: list[ParsedDocument] = field(default_factory=list)
    issues: list[ParseIssue] = field(default_factory=list)


#: The messages of limit issues by code, shared by both paths.
_LIMITS = {
    "deep": "nesting deeper than {limits.max_depth} levels; document skipped",
    "recursive-doc": "aliases refer to their own ancestors (a recursive document); "
    "document skipped",
    "bomb-doc": "aliases expand to more than {limits.max_expanded_nodes} nodes (an alias bomb?); "
    "document skipped",
    "recursive-key": "aliases refer to their own ancestors (a recursive key); document skipped",
    "bomb-key": "aliases in keys expand to more than {limits.max_expanded_nodes} nodes "
    "(an alias bomb?); document skipped",
    "documents": "more than {limits.max_documents} documents; the rest were skipped",
}


def coded_issue(
    code: str, arg: object, span: Span | None, document: int | None, limits: Limits
) -> ParseIssue:
    """The issue a reader reports as ``code`` (with its argument), worded once for both
    paths: ``duplicate`` (the key), ``note`` (the message), ``pair`` (the flow-pair text),
    ``syntax`` (the message) or one of the limits."""
    if code == "duplicate":
        message = (
            f"duplicate key {arg!r}: Kubernetes rejects it, and YAML readers "
            "disagree on which value wins"
        )
        return ParseIssue("duplicate-key", message, span, document)
    if code == "note":
        return ParseIssue("yaml-ambiguity", str(arg), span, document)
    if code == "pair":
        message = (
            f'Kubernetes reads {arg} as the string "{arg}", as meant; Python '
            "YAML readers read a mapping: quote it for them"
        )
        return ParseIssue("yaml-ambiguity", message, span, document, minor=True)
    if code == "syntax":
        return ParseIssue("syntax", str(arg), span)
    return ParseIssue("limit", _LIMITS[code].format(limits=limits), span, document)


def helm_origin(helm: list[tuple[int, str]], previous_end: int, start: int) -> str | None:
    """The ``# Source:`` comment between the previous document and this one's start."""
    origin = None
    for line, source in helm:
        if previous_end < line <= start:
            origin = source
    return origin


def resolve_scalar(
    text: str, tag: str | None, plain: bool, implicit: bool
) -> tuple[object, str | None]:
    """The value of one scalar event as the Python path reads it, and the note on how
    Kubernetes reads it differently (None when it does not): ``tag`` is the event's
    explicit tag, ``implicit`` whether a plain scalar's tag is left to the resolver."""
    if tag is None or tag == "!":
        tag = implicit_tag(text) if implicit else STR
    if plain and text[:1] in SUSPECT_FIRST:
        reading = kubernetes_reading(text, tag)
        if reading is not None:
            return reading.value, reading.note
    return tagged_value(tag, text), None


def expanded_size(root: object, limit: int) -> int | None:
    """How many nodes ``root`` stands for with aliases expanded, counting at most past
    ``limit``; None when aliases make it recursive (a cycle)."""
    sizes: dict[int, int] = {}
    open_ids: set[int] = set()
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_ids.discard(key)
            children = node.values() if isinstance(node, dict) else node
            total = 1 + sum(sizes.get(id(c), 1) for c in children)
            sizes[key] = min(total, limit + 1)
            continue
        if key in sizes:
            continue
        if key in open_ids:
            return None
        open_ids.add(key)
        stack.append((node, True))
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, False) for c in children if isinstance(c, PMap | PList))
    return sizes[id(root)] if isinstance(root, PMap | PList) else 1


def helm_sources(text: str) -> list[tuple[int, str]]:
    if "# Source: " not in text:
        return []
    return [(text.count("\n", 0, m.start()), m.group(1)) for m in _HELM_SOURCE.finditer(text)]


def parse_text(text: str, limits: Limits | None = None) -> ParseResult:
    """Parse every document of ``text``; a syntax error keeps the documents before it.

    libyaml rejects a colon right before ``]`` or ``,`` in a flow list (``[001:db8::]``),
    which Go's YAML reads as part of a string: such files are read again with PyYAML's
    Python parser, whose reading the builder then corrects.
    """
    limits = limits or Limits()
    with gc_paused():
        native = native_reader()
        if native is not None:
            result = native.parse(text, limits)
            if result is not None:
                return result
        from meshlint.loader.pyyaml_composer import parse_documents

        return parse_documents(text, limits, python_parser=native is not None)


def parse_text_python(text: str, limits: Limits | None = None) -> ParseResult:
    """:func:`parse_text` on the Python path alone (the reference for the native one)."""
    from meshlint.loader.pyyaml_composer import parse_documents

    with gc_paused():
        return parse_documents(text, limits or Limits())


def native_reader():  # -> module | None
    """The native reader, unless ``MESHLINT_PURE_YAML`` is set or it was not compiled."""
    if os.environ.get("MESHLINT_PURE_YAML"):
        return None
    try:
        from meshlint.loader import native
    except ImportError:
        return None
    return native
