"""The Python reading path: PyYAML's libyaml-backed composer builds the node graph, walked
into the positioned containers :mod:`meshlint.loader.yaml_reader` returns.

Imported only when it is used: ``MESHLINT_PURE_YAML`` is set, the native reader was not
compiled, or a file needs PyYAML's Python parser (``[001:db8::]``). It is also the
reference the native reader is tested against.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from meshlint.apiserver.goyaml import SUSPECT_FIRST, kubernetes_reading
from meshlint.core.nodes import PList, PMap, Span
from meshlint.loader.yaml11 import MERGE, NULL, STR, tagged_value
from meshlint.loader.yaml_reader import (
    Limits,
    ParsedDocument,
    ParseIssue,
    ParseResult,
    coded_issue,
    expanded_size,
    helm_origin,
    helm_sources,
)


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


def scalar_value(node: ScalarNode) -> object:
    """The plain value of a scalar, resolved as YAML 1.1 (PyYAML's resolver) reads it."""
    return tagged_value(node.tag, node.value)


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
            if key_node.tag == MERGE:
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


def _key_text(key: object, node: Node) -> str:
    if isinstance(node, ScalarNode):
        return node.value
    return str(key)


def flow_pair_text(sequence: Node, node: Node) -> str | None:
    """The scalar Go reads where PyYAML read a one-pair mapping ``node`` inside the flow
    list ``sequence``.

    In a flow list, ``[001:db8::]`` is one plain scalar to Go (a colon ends a plain scalar
    only before a space), while PyYAML takes the colon before ``]`` or ``,`` as a key/value
    indicator: ``{"001:db8:": None}``. Only that shape (a plain key, the colon right after
    it, no value) is turned back into text.
    """
    if not (isinstance(sequence, SequenceNode) and sequence.flow_style):
        return None
    if not isinstance(node, MappingNode) or not node.flow_style or len(node.value) != 1:
        return None
    key, value = node.value[0]
    if not (isinstance(key, ScalarNode) and isinstance(value, ScalarNode)):
        return None
    adjacent = value.start_mark.index == key.end_mark.index + 1
    empty = value.tag == NULL and value.value == "" and not value.style
    implicit = node.start_mark.index == key.start_mark.index
    if not key.style and adjacent and empty and implicit:
        return f"{key.value}:"
    return None


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


def parse_documents(text: str, limits: Limits, *, python_parser: bool = False) -> ParseResult:
    """Every document of ``text`` read by PyYAML's composer, with libyaml's parser unless
    ``python_parser`` (which also reads ``[001:db8::]``, where libyaml stops)."""
    return _parse_documents(text, limits, yaml.SafeLoader if python_parser else _Loader)


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
