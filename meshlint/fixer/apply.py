"""Apply one fix to a file's text: by ruamel.yaml round-trip when that keeps every other
line as it was, else by splicing text at the reader's spans; each result is checked."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from meshlint.core.nodes import PMap, Span
from meshlint.engine.finding import Finding
from meshlint.engine.fix import Fix
from meshlint.fixer.documents import Cut
from meshlint.fixer.edits import CannotFix, apply_edits
from meshlint.fixer.roundtrip import roundtrip_fix
from meshlint.fixer.source import Source, TextEdit
from meshlint.fixer.splice import text_edits
from meshlint.fixer.verify import Touched, documents, reads_back, touched, unchanged_elsewhere
from meshlint.loader.yaml_reader import ParsedDocument, ParseResult, parse_text

ROUNDTRIP, SPLICE = "round-trip", "splice"


@dataclass(frozen=True, slots=True)
class Target:
    """Where a resource is in its file: the document, and the item of a ``List`` kind."""

    document: int
    item: int | None = None


def target_of(parsed: ParseResult, document: int, body_span: Span) -> Target:
    """The target of the resource read from ``document`` whose body spans ``body_span``."""
    doc = _document(parsed, Target(document))
    if isinstance(doc.root, PMap) and doc.root.span == body_span:
        return Target(document)
    items = doc.root.get("items") if isinstance(doc.root, PMap) else None
    for index, span in enumerate(getattr(items, "item_spans", ())):
        if span == body_span:
            return Target(document, index)
    raise CannotFix("the resource is not where it was read from")


def _document(parsed: ParseResult, target: Target) -> ParsedDocument:
    for doc in parsed.documents:
        if doc.index == target.document:
            return doc
    raise CannotFix("the document is not there any more")


def _body(doc: ParsedDocument, target: Target) -> PMap:
    body = doc.root if target.item is None else doc.root["items"][target.item]
    if not isinstance(body, PMap):
        raise CannotFix("the resource is not there any more")
    return body


@dataclass(frozen=True, slots=True)
class Applied:
    text: str
    method: str


def apply_fix(text: str, target: Target, fix: Fix) -> Applied:
    """The text with ``fix`` made on the resource at ``target``; raises CannotFix (with the
    reason) when neither way gives a text that keeps the rest and reads back right."""
    return apply_fixes(text, target.document, [(target.item, fix)])


def apply_fixes(
    text: str, document: int, fixes: list[tuple[int | None, Fix]], parsed: ParseResult | None = None
) -> Applied:
    """The text with ``fixes`` (each on the document's root, or on an item of a ``List``)
    made together, as :func:`apply_fix` makes one."""
    attempt = _Attempt(text, document, fixes, parsed)
    reason = ""
    for method in (ROUNDTRIP, SPLICE):
        try:
            if method == ROUNDTRIP:
                new_text = roundtrip_fix(attempt.source, attempt.doc, fixes)
            else:
                new_text = attempt.source.apply(attempt.text_edits())
            attempt.check(new_text)
        except CannotFix as error:
            reason = str(error)
            continue
        except Exception as error:  # ruamel.yaml refusing the document, or a bug there
            reason = f"ruamel.yaml cannot rewrite the document ({type(error).__name__})"
            continue
        return Applied(new_text, method)
    raise CannotFix(reason)


def splice_edits(text: str, document: int, body_span: Span, fix: Fix) -> list[TextEdit]:
    """The text edits that make ``fix`` on the resource read from ``document`` with the
    body at ``body_span`` (checked as :func:`apply_fix` checks); raises CannotFix."""
    parsed = parse_text(text)
    target = target_of(parsed, document, body_span)
    attempt = _Attempt(text, document, [(target.item, fix)], parsed)
    edits = attempt.text_edits()
    attempt.check(attempt.source.apply(edits))
    return edits


class _Attempt:
    """Fixes on one document of a text: what the result must keep and read back as."""

    def __init__(
        self,
        text: str,
        document: int,
        fixes: list[tuple[int | None, Fix]],
        parsed: ParseResult | None = None,
    ) -> None:
        self.source = Source(text)
        self.parsed = parsed or parse_text(text)
        self.doc = _document(self.parsed, Target(document))
        self.fixes = [(_body(self.doc, Target(document, item)), fix) for item, fix in fixes]
        self.expected = _expected(self.parsed, document, fixes)
        self.allowed = Touched()
        for body, fix in self.fixes:
            self.allowed.add(touched(self.source, body, fix))

    def text_edits(self) -> list[TextEdit]:
        return [edit for body, fix in self.fixes for edit in text_edits(self.source, body, fix)]

    def check(self, new_text: str) -> None:
        if new_text == self.source.text:
            raise CannotFix("the fix changes nothing")
        if not unchanged_elsewhere(self.source, new_text, self.allowed):
            raise CannotFix("rewriting would change lines the fix does not touch")
        reason = reads_back(new_text, self.expected, self.parsed)
        if reason:
            raise CannotFix(reason)


def _expected(
    parsed: ParseResult, document: int, fixes: list[tuple[int | None, Fix]]
) -> list[tuple[int, object]]:
    """Every document as plain data, with the fixes made."""
    expected = documents(parsed)
    for index, (number, root) in enumerate(expected):
        if number == document:
            root = copy.deepcopy(root)
            for item, fix in fixes:
                apply_edits(root if item is None else root["items"][item], fix.edits)
            expected[index] = (number, root)
    return expected


def finding_edits(
    finding: Finding, fix: Fix, text: str, cut: Cut | None = None
) -> list[TextEdit] | None:
    """A finding's fix as text edits on ``text`` (the file it was found in, already ``cut``
    when given), for the language server and SARIF; None when it cannot be made there."""
    resource = finding.resource
    if resource is None:
        return None
    cut = cut or Cut(text)
    piece = cut.piece(resource.document)
    span = resource.body.span
    try:
        if piece is None:
            return splice_edits(text, resource.document, span, fix)
        shift = piece.first_line
        local = (span[0] - shift, span[1], span[2] - shift, span[3])
        edits = splice_edits(piece.text, 0, local, fix)
    except CannotFix:
        return None
    return [
        TextEdit((e.start[0] + shift, e.start[1]), (e.end[0] + shift, e.end[1]), e.text)
        for e in edits
    ]
