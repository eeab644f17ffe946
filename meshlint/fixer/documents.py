"""A file cut into its documents, so that a fix reads, rewrites and checks the text of one
document rather than the whole file (a large multi-document file is read once per round,
not once per fix), and the other documents are kept as they are by construction."""

from __future__ import annotations

from dataclasses import dataclass

from meshlint.core.nodes import PList, PMap
from meshlint.fixer.source import Source
from meshlint.fixer.spans import content_end
from meshlint.loader.yaml_reader import ParseResult, parse_text


@dataclass(slots=True)
class Piece:
    """Text of the file: the whole lines of one document's content (``document`` is its
    index), or what stands between (``document`` None)."""

    text: str
    document: int | None
    #: The line of the file the piece started on when the file was cut.
    first_line: int


class Cut:
    """The pieces of a text, in order; joined again, they are the text."""

    def __init__(self, text: str, parsed: ParseResult | None = None) -> None:
        self.parsed = parsed or parse_text(text)
        source = Source(text)
        self.pieces: list[Piece] = []
        cursor = (0, 0)
        for doc in self.parsed.documents:
            line, column = doc.span[0], doc.span[1]
            if not isinstance(doc.root, PMap | PList) or source.line(line)[:column].strip():
                continue  # a scalar, or a root that starts after other text on its line
            start, end = (line, 0), source.next_line(content_end(source, doc.root, doc.span)[0])
            self.pieces.append(Piece(source.slice(cursor, start), None, cursor[0]))
            self.pieces.append(Piece(source.slice(start, end), doc.index, line))
            cursor = end
        self.pieces.append(Piece(text[source.offset(cursor) :], None, cursor[0]))

    def piece(self, document: int) -> Piece | None:
        return next((p for p in self.pieces if p.document == document), None)

    @property
    def text(self) -> str:
        return "".join(piece.text for piece in self.pieces)
