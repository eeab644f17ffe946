"""The native reader: :mod:`meshlint.loader._fastyaml` builds the positioned containers
straight from libyaml's events, giving what the Python path of
:mod:`meshlint.loader.yaml_reader` gives (tests/test_native_yaml.py holds them equal).

Importing this module fails when the extension was not compiled; the caller then uses
the Python path.
"""

from __future__ import annotations

from meshlint.core.nodes import PList, PMap
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


def parse(text: str, limits: Limits) -> ParseResult | None:
    """Every document of ``text`` read natively, or None when the file needs PyYAML's
    Python parser (libyaml rejects it where Go's YAML reads it: ``[001:db8::]``)."""
    documents, issues, fallback = _fastyaml.parse(
        text, limits.max_depth, limits.max_documents, limits.max_expanded_nodes
    )
    if fallback:
        return None
    result = ParseResult(issues=[coded_issue(*issue, limits) for issue in issues])
    helm = helm_sources(text)
    previous_end = -1
    for index, root, span, skipped in documents:
        if not skipped:
            origin = helm_origin(helm, previous_end, span[0])
            result.documents.append(ParsedDocument(index, root, span, origin))
        previous_end = span[2]
    return result
