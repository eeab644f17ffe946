"""The native reader: :mod:`meshlint.loader._fastyaml` builds the positioned containers
straight from libyaml's events, giving what the Python path of
:mod:`meshlint.loader.pyyaml_composer` gives (tests/test_native_yaml.py holds them equal).

Importing this module fails when the extension was not compiled; the caller then uses
the Python path.
"""

from __future__ import annotations

from meshlint.core.nodes import PList, PMap, Span
from meshlint.loader import _fastyaml
from meshlint.loader.yaml_reader import (
    Limits,
    ParsedDocument,
    ParseResult,
    coded_issue,
    expanded_size,
    helm_origin,
    helm_sources,
    resolve_scalar,
)

_fastyaml.configure(PMap, PList, resolve_scalar, expanded_size)

#: The positioned document :func:`meshlint.cache.encoding.encode` gave as nested tuples
#: (what :func:`meshlint.cache.encoding.decode` builds, in C).
decode = _fastyaml.decode


def parse(text: str, limits: Limits) -> ParseResult | None:
    """Every document of ``text`` read natively, or None when the file needs PyYAML's
    Python parser (libyaml rejects it where Go's YAML reads it: ``[001:db8::]``)."""
    documents, issues, fallback = _fastyaml.parse(
        text, limits.max_depth, limits.max_documents, limits.max_expanded_nodes
    )
    if fallback:
        return None
    result = ParseResult()
    for code, arg, span, document in issues:
        result.issues.append(coded_issue(code, arg, _settled(span), document, limits))
    helm = helm_sources(text)
    previous_end = -1
    for index, root, span, skipped, placeholders in documents:
        if placeholders:
            _settle_spans(root)
        if not skipped:
            origin = helm_origin(helm, previous_end, span[0])
            result.documents.append(ParsedDocument(index, root, span, origin))
        previous_end = span[2]
    return result


def _settled(span: object) -> Span | None:
    """A span, or the container standing in for it (see :func:`_settle_spans`)."""
    return span if span is None or isinstance(span, tuple) else span.span


def _settle_spans(root: object) -> None:
    """Replace the spans still held by a container instead: the extension gives an alias
    to a container not yet closed (an ancestor) that container as its span, and the
    container knows its own span once the document is read."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if not isinstance(node, PMap | PList) or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, PMap):
            for table in (node.key_spans, node.value_spans):
                for key, span in table.items():
                    table[key] = _settled(span)
            stack.extend(node.values())
        else:
            node.item_spans[:] = [_settled(span) for span in node.item_spans]
            stack.extend(node)
