"""A fix made with ruamel.yaml's round-trip mode, on the one document it edits.

Only the edited document is loaded and dumped again; the text before and after it (other
documents, ``---`` markers, Helm ``# Source:`` comments) is kept as it is. ruamel keeps
comments, key order and quoting, but may lay out some lines differently from the file:
the caller checks the result and falls back to :mod:`meshlint.fixer.splice`.
"""

from __future__ import annotations

import io
import re
from collections import Counter

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from meshlint.engine.fix import Fix, scalar_text
from meshlint.fixer.edits import CannotFix, apply_edits
from meshlint.fixer.source import Source
from meshlint.fixer.spans import content_end
from meshlint.loader.yaml_reader import ParsedDocument

_KEY_LINE = re.compile(r"( *)(- +)?[^\s#-][^#]*:(\s|$)")
_ITEM_LINE = re.compile(r"( *)-( +)")
_QUOTED = (DoubleQuotedScalarString, SingleQuotedScalarString)


def roundtrip_fix(
    source: Source, document: ParsedDocument, fixes: list[tuple[int | None, Fix]]
) -> str:
    """The whole new text with ``fixes`` (each on the document's root, or on an item of
    its ``items``) made; raises CannotFix (or any ruamel error) when ruamel cannot."""
    root, span = document.root, document.span
    if source.line(span[0])[: span[1]].strip():
        raise CannotFix("the document starts after other text on its line")
    last = content_end(source, root, span)[0]
    start, end = (span[0], 0), source.next_line(last)
    region = source.slice(start, end)
    yaml = _yaml(region)
    data = yaml.load(region)
    for item, fix in fixes:
        target = data if item is None else data["items"][item]
        apply_edits(target, fix.edits, new_map=CommentedMap, styled=_styled)
    out = io.StringIO()
    yaml.dump(data, out)
    text = out.getvalue()
    if source.newline != "\n":
        text = text.replace("\n", source.newline)
    if not source.breaks[last]:
        text = text.removesuffix(source.newline)
    return source.text[: source.offset(start)] + text + source.text[source.offset(end) :]


def _styled(old: object, new: object) -> object:
    """A new string in the quoting style of the one it replaces, else quoted as
    :func:`~meshlint.engine.fix.scalar_text` quotes it (so both ways of fixing agree)."""
    if not isinstance(new, str):
        return new
    if isinstance(old, _QUOTED):
        return type(old)(new)
    return new if scalar_text(new) == new else DoubleQuotedScalarString(new)


def _yaml(text: str) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1 << 20
    mapping, sequence, offset = guess_indent(text)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def guess_indent(text: str) -> tuple[int, int, int]:
    """ruamel's (mapping, sequence, offset) indentation for the most common layout of the
    text: how far nested keys are indented, and where a list's dash stands under its key."""
    steps: Counter[int] = Counter()
    offsets: Counter[int] = Counter()
    parent: int | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        item = _ITEM_LINE.match(line)
        if parent is not None and item and indent >= parent:
            offsets[indent - parent] += 1
        elif parent is not None and indent > parent:
            steps[indent - parent] += 1
        parent = None
        if line.rstrip().endswith(":") and _KEY_LINE.match(line):
            parent = indent + (1 + len(item.group(2)) if item else 0)
    mapping = steps.most_common(1)[0][0] if steps else 2
    offset = offsets.most_common(1)[0][0] if offsets else 0
    return mapping, offset + 2, offset
