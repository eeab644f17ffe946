"""Parse YAML or JSON text into positioned containers.

PyYAML's libyaml-backed composer builds the node graph; a small walker turns it into
:class:`PMap`/:class:`PList` carrying spans for every key, value and item. This is the
fastest path that keeps positions (see ``benchmarks/``): ruamel.yaml's round-trip loader
is about twenty times slower and is kept for rewriting files, not for reading them.
Nothing is ever constructed from YAML tags: unknown tags read as plain data.
"""

from __future__ import annotations

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


class _TooDeep(Exception):
    pass


class _TooLarge(Exception):
    pass


def _check_expansion(root: object, limits: Limits, span: Span) -> None:
    size = expanded_size(root, limits.max_expanded_nodes)
    if size is None:
        raise _TooLarge(span, "aliases refer to their own ancestors (a recursive document)")
    if size > limits.max_expanded_nodes:
        raise _TooLarge(
            span,
            f"aliases expand to more than {limits.max_expanded_nodes} nodes (an alias bomb?)",
        )


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
    if value[:1] in "+-":
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
    tag = node.tag
    if tag == STR:
        return node.value
    if tag == _INT:
        return _int(node.value)
    if tag == _BOOL:
        return node.value.lower() in _TRUE
    if tag == _NULL:
        return None
    if tag == _FLOAT:
        return _float(node.value)
    return node.value


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
                    self._ambiguity(
                        item,
                        f'Kubernetes reads {text} as the string "{text}", as meant; Python '
                        "YAML readers read a mapping: quote it for them",
                        minor=True,
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
                    ParseIssue(
                        "duplicate-key",
                        f"duplicate key {key!r}: Kubernetes rejects it, and YAML readers "
                        "disagree on which value wins",
                        _span(key_node),
                        self.doc_index,
                    )
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
            raise _TooLarge(_span(node), "aliases refer to their own ancestors (a recursive key)")
        self.key_budget -= size
        if self.key_budget < 0:
            raise _TooLarge(
                _span(node),
                f"aliases in keys expand to more than {self.limits.max_expanded_nodes} nodes "
                "(an alias bomb?)",
            )

    def _kubernetes_scalar(self, node: ScalarNode) -> object:
        """The value Kubernetes (Go YAML) reads, noting where it is not PyYAML's."""
        reading = kubernetes_reading(node.value, node.tag)
        if reading is None:
            return scalar_value(node)
        self._ambiguity(node, reading.note)
        return reading.value

    def _ambiguity(self, node: Node, message: str, *, minor: bool = False) -> None:
        issue = ParseIssue("yaml-ambiguity", message, _span(node), self.doc_index, minor)
        self.issues.append(issue)

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


def _helm_sources(text: str) -> list[tuple[int, str]]:
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


def parse_text(
    text: str, limits: Limits | None = None, loader_class: type = _Loader
) -> ParseResult:
    """Parse every document of ``text``; a syntax error keeps the documents before it.

    libyaml rejects a colon right before ``]`` or ``,`` in a flow list (``[001:db8::]``),
    which Go's YAML reads as part of a string: such files are read again with PyYAML's
    Python parser, whose reading the builder then corrects.
    """
    with gc_paused():
        return _parse_documents(text, limits or Limits(), loader_class)


def _parse_documents(text: str, limits: Limits, loader_class: type) -> ParseResult:
    result = ParseResult()
    helm = _helm_sources(text)
    spans = _Spans()
    previous_end = -1
    recursion = sys.getrecursionlimit()
    sys.setrecursionlimit(max(recursion, limits.max_depth * 3 + 500))
    try:
        for index, node in enumerate(_compose(text, loader_class)):
            if index >= limits.max_documents:
                result.issues.append(
                    ParseIssue(
                        "limit",
                        f"more than {limits.max_documents} documents; the rest were skipped",
                        _span(node),
                        index,
                    )
                )
                break
            span = _span(node)
            builder = _Builder(limits, result.issues, index, spans)
            try:
                root = builder.build(node)
                if builder.aliased:
                    _check_expansion(root, limits, span)
            except (_TooDeep, RecursionError) as exc:
                where = exc.args[0] if isinstance(exc, _TooDeep) else span
                result.issues.append(
                    ParseIssue(
                        "limit",
                        f"nesting deeper than {limits.max_depth} levels; document skipped",
                        where,
                        index,
                    )
                )
                previous_end = span[2]
                continue
            except _TooLarge as exc:
                where, why = exc.args
                result.issues.append(ParseIssue("limit", f"{why}; document skipped", where, index))
                previous_end = span[2]
                continue
            origin = None
            for line, source in helm:
                if previous_end < line <= span[0]:
                    origin = source
            result.documents.append(ParsedDocument(index, root, span, origin))
            previous_end = span[2]
    except yaml.YAMLError as error:
        if loader_class is not yaml.SafeLoader and "found unexpected ':'" in str(error):
            return parse_text(text, limits, yaml.SafeLoader)
        result.issues.append(ParseIssue("syntax", _describe(error), _problem_span(error)))
    except RecursionError:
        result.issues.append(
            ParseIssue("limit", "nesting too deep to parse; rest of file skipped", None)
        )
    finally:
        sys.setrecursionlimit(recursion)
    return result
