"""Parse YAML or JSON text into positioned containers.

Two paths give the same result. The native one (:mod:`meshlint.loader.native`, a C
extension on vendored libyaml) builds :class:`PMap`/:class:`PList` straight from libyaml's
events; it is used whenever it was compiled and ``MESHLINT_PURE_YAML`` is not set. The
Python one, kept as the fallback and as the reference, lets PyYAML's libyaml-backed
composer build the node graph and walks it into the same containers, with spans for every
key, value and item. ruamel.yaml's round-trip loader is about twenty times slower and is
kept for rewriting files, not for reading them. Nothing is ever constructed from YAML
tags: unknown tags read as plain data.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from meshlint.apiserver.goyaml import (
    SUSPECT_FIRST,
    flow_pair_text,
    go_number,
    kubernetes_reading,
)
from meshlint.core.nodes import PList, PMap, Span
from meshlint.gc_pause import gc_paused

STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_TRUE = frozenset({"true", "yes", "on"})
_HELM_SOURCE = re.compile(r"^# Source: (\S.*?)\s*$", re.MULTILINE)
#: Significant digits past which an integer cannot fit 64 bits in any base.
_MAX_DIGITS = 64


def _fast_resolving(loader: type) -> type:
    """``loader`` with PyYAML's tag resolution cut to what a safe loader uses: implicit
    resolvers by first character, no path resolvers (it runs once per node)."""

    class Loader(loader):
        _implicit = loader.yaml_implicit_resolvers

        def descend_resolver(self, current_node, current_index) -> None:
            return None

        def ascend_resolver(self) -> None:
            return None

        def resolve(self, kind, value, implicit):
            if kind is not ScalarNode:
                return super().resolve(kind, value, implicit)
            if implicit[0]:
                for tag, regexp in self._implicit.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return STR

    return Loader


try:
    _Loader = _fast_resolving(yaml.CSafeLoader)
except AttributeError:  # pragma: no cover - libyaml missing: slower, same results
    _Loader = _fast_resolving(yaml.SafeLoader)


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


class _TooDeep(Exception):
    pass


class _TooLarge(Exception):
    """A limit issue: the span and its code in :data:`_LIMITS`."""


def _check_expansion(root: object, limits: Limits, span: Span) -> None:
    size = expanded_size(root, limits.max_expanded_nodes)
    if size is None:
        raise _TooLarge(span, "recursive-doc")
    if size > limits.max_expanded_nodes:
        raise _TooLarge(span, "bomb-doc")


def _span(node: Node) -> Span:
    s, e = node.start_mark, node.end_mark
    return (s.line, s.column, e.line, e.column)


class _Spans(dict):
    """Spans of one file's nodes, their line numbers shared (large files hold millions
    of spans, and every line number above 256 is an int object of its own)."""

    def __missing__(self, line: int) -> int:
        self[line] = line
        return line

    def of(self, node: Node) -> Span:
        s, e = node.start_mark, node.end_mark
        return (self[s.line], s.column, self[e.line], e.column)


def _int(text: str) -> int | float | str:
    """A YAML 1.1 integer; past 64 bits, what Go's YAML reads (a float or the text), which
    also keeps every integer short enough to turn back into text."""
    value = text.replace("_", "")
    sign = 1
    if value[:1] in ("+", "-"):
        sign = -1 if value[0] == "-" else 1
        value = value[1:]
    body = value[2:] if value[:2] in ("0b", "0x", "0o") else value
    if len(body.lstrip("0")) > _MAX_DIGITS:
        number = go_number(text)
        return text if number is None else number
    try:
        if value == "0":
            return 0
        if value.startswith("0b"):
            return sign * int(value[2:], 2)
        if value.startswith("0x"):
            return sign * int(value[2:], 16)
        if value.startswith("0o"):
            return sign * int(value[2:], 8)
        if value.startswith("0"):
            return sign * int(value, 8)
        if ":" in value:
            total = 0
            for part in value.split(":"):
                total = total * 60 + int(part)
            return sign * total
        return sign * int(value)
    except ValueError:
        return text


def _float(text: str) -> float | str:
    value = text.replace("_", "").lower()
    if value in (".inf", "+.inf"):
        return float("inf")
    if value == "-.inf":
        return float("-inf")
    if value == ".nan":
        return float("nan")
    try:
        if ":" in value:
            sign = -1.0 if value.startswith("-") else 1.0
            total = 0.0
            for part in value.lstrip("+-").split(":"):
                total = total * 60 + float(part)
            return sign * total
        return float(value)
    except ValueError:
        return text


def scalar_value(node: ScalarNode) -> object:
    """The plain value of a scalar, resolved as YAML 1.1 (PyYAML's resolver) reads it."""
    return _tagged_value(node.tag, node.value)


def _tagged_value(tag: str, text: str) -> object:
    if tag == STR:
        return text
    if tag == _INT:
        return _int(text)
    if tag == _BOOL:
        return text.lower() in _TRUE
    if tag == _NULL:
        return None
    if tag == _FLOAT:
        return _float(text)
    return text


def resolve_scalar(
    text: str, tag: str | None, plain: bool, implicit: bool
) -> tuple[object, str | None]:
    """The value of one scalar event as the Python path reads it, and the note on how
    Kubernetes reads it differently (None when it does not): ``tag`` is the event's
    explicit tag, ``implicit`` whether a plain scalar's tag is left to the resolver."""
    if tag is None or tag == "!":
        tag = STR
        if implicit:
            for candidate, regexp in _Loader._implicit.get(text[:1], ()):
                if regexp.match(text):
                    tag = candidate
                    break
    if plain and text[:1] in SUSPECT_FIRST:
        reading = kubernetes_reading(text, tag)
        if reading is not None:
            return reading.value, reading.note
    return _tagged_value(tag, text), None


class _Builder:
    """Walks one composed document, sharing objects for aliased nodes."""

    def __init__(
        self, limits: Limits, issues: list[ParseIssue], doc_index: int, spans: _Spans
    ) -> None:
        self.limits = limits
        self.issues = issues
        self.doc_index = doc_index
        self.spans = spans
        self.built: dict[int, object] = {}
        self.aliased = False
        #: Nodes that non-scalar keys may still stand for once turned into text.
        self.key_budget = limits.max_expanded_nodes

    def build(self, node: Node, depth: int = 0) -> object:
        if isinstance(node, ScalarNode):
            if not node.style and node.value[:1] in SUSPECT_FIRST:  # plain scalars
                return self._kubernetes_scalar(node)
            return scalar_value(node)
        known = self.built.get(id(node))
        if known is not None:
            self.aliased = True
            return known
        if depth > self.limits.max_depth:
            raise _TooDeep(_span(node))
        if isinstance(node, SequenceNode):
            seq = PList(self.spans.of(node))
            self.built[id(node)] = seq
            for item in node.value:
                text = flow_pair_text(node, item)
                if text is not None:
                    self.issues.append(
                        coded_issue("pair", text, _span(item), self.doc_index, self.limits)
                    )
                seq.append(self.build(item, depth + 1) if text is None else text)
                seq.item_spans.append(self.spans.of(item))
            return seq
        if isinstance(node, MappingNode):
            return self._mapping(node, depth)
        return None

    def _mapping(self, node: MappingNode, depth: int) -> PMap:
        mapping = PMap(self.spans.of(node))
        self.built[id(node)] = mapping
        merges: list[PMap] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merges.extend(self._merge_sources(value_node, depth))
                continue
            key = self.build(key_node, depth + 1)
            if not isinstance(key, str):
                self._spend_on_key(key, key_node)
                key = _key_text(key, key_node)
            if key in mapping:
                self.issues.append(
                    coded_issue("duplicate", key, _span(key_node), self.doc_index, self.limits)
                )
            mapping[key] = self.build(value_node, depth + 1)
            mapping.key_spans[key] = self.spans.of(key_node)
            mapping.value_spans[key] = self.spans.of(value_node)
        for source in merges:
            for key, value in source.items():
                if key not in mapping:
                    mapping[key] = value
                    mapping.key_spans[key] = source.key_spans[key]
                    mapping.value_spans[key] = source.value_spans[key]
        return mapping

    def _spend_on_key(self, key: object, node: Node) -> None:
        """Charge a container key's expanded size to the document's budget before it is
        turned into text: an alias bomb used as a key is caught here, not after."""
        if not self.aliased or not isinstance(key, PMap | PList):
            return
        size = expanded_size(key, self.key_budget)
        if size is None:
            raise _TooLarge(_span(node), "recursive-key")
        self.key_budget -= size
        if self.key_budget < 0:
            raise _TooLarge(_span(node), "bomb-key")

    def _kubernetes_scalar(self, node: ScalarNode) -> object:
        """The value Kubernetes (Go YAML) reads, noting where it is not PyYAML's."""
        reading = kubernetes_reading(node.value, node.tag)
        if reading is None:
            return scalar_value(node)
        self.issues.append(
            coded_issue("note", reading.note, _span(node), self.doc_index, self.limits)
        )
        return reading.value

    def _merge_sources(self, node: Node, depth: int) -> list[PMap]:
        value = self.build(node, depth + 1)
        if isinstance(value, PMap):
            return [value]
        if isinstance(value, PList):
            return [item for item in value if isinstance(item, PMap)]
        return []


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


def _key_text(key: object, node: Node) -> str:
    if isinstance(node, ScalarNode):
        return node.value
    return str(key)


def helm_sources(text: str) -> list[tuple[int, str]]:
    if "# Source: " not in text:
        return []
    return [(text.count("\n", 0, m.start()), m.group(1)) for m in _HELM_SOURCE.finditer(text)]


def _problem_span(error: yaml.YAMLError) -> Span | None:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is None:
        return None
    return (mark.line, mark.column, mark.line, mark.column + 1)


def _describe(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None)
    context = getattr(error, "context", None)
    if problem and context:
        return f"{context}: {problem}"
    return problem or context or str(error).splitlines()[0]


def _compose(text: str, loader_class: type = _Loader) -> Iterator[Node]:
    loader = loader_class(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                yield node
    finally:
        loader.dispose()


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
            return _parse_documents(text, limits, yaml.SafeLoader)
        return _parse_documents(text, limits, _Loader)


def parse_text_python(text: str, limits: Limits | None = None) -> ParseResult:
    """:func:`parse_text` on the Python path alone (the reference for the native one)."""
    with gc_paused():
        return _parse_documents(text, limits or Limits(), _Loader)


def native_reader():  # -> module | None
    """The native reader, unless ``MESHLINT_PURE_YAML`` is set or it was not compiled."""
    if os.environ.get("MESHLINT_PURE_YAML"):
        return None
    try:
        from meshlint.loader import native
    except ImportError:
        return None
    return native


def _parse_documents(text: str, limits: Limits, loader_class: type) -> ParseResult:
    result = ParseResult()
    helm = helm_sources(text)
    spans = _Spans()
    previous_end = -1
    recursion = sys.getrecursionlimit()
    sys.setrecursionlimit(max(recursion, limits.max_depth * 3 + 500))
    try:
        for index, node in enumerate(_compose(text, loader_class)):
            if index >= limits.max_documents:
                result.issues.append(coded_issue("documents", None, _span(node), index, limits))
                break
            span = _span(node)
            builder = _Builder(limits, result.issues, index, spans)
            try:
                root = builder.build(node)
                if builder.aliased:
                    _check_expansion(root, limits, span)
            except (_TooDeep, RecursionError) as exc:
                where = exc.args[0] if isinstance(exc, _TooDeep) else span
                result.issues.append(coded_issue("deep", None, where, index, limits))
                previous_end = span[2]
                continue
            except _TooLarge as exc:
                where, code = exc.args
                result.issues.append(coded_issue(code, None, where, index, limits))
                previous_end = span[2]
                continue
            origin = helm_origin(helm, previous_end, span[0])
            result.documents.append(ParsedDocument(index, root, span, origin))
            previous_end = span[2]
    except yaml.YAMLError as error:
        if loader_class is not yaml.SafeLoader and "found unexpected ':'" in str(error):
            return _parse_documents(text, limits, yaml.SafeLoader)
        result.issues.append(
            coded_issue("syntax", _describe(error), _problem_span(error), None, limits)
        )
    except RecursionError:
        result.issues.append(
            ParseIssue("limit", "nesting too deep to parse; rest of file skipped", None)
        )
    finally:
        sys.setrecursionlimit(recursion)
    return result
