"""Fixes: small, certain edits a rule offers with a finding, expressed against field paths.

``safe`` fixes are what the author certainly meant and change nothing else (a misspelt key
one letter away from the only field it can be, an enum value in the wrong case); unsafe
ones may change behaviour (pointing a route at the closest existing subset, moving an
annotation to where Istio reads it). ``meshlint fix`` applies the safe ones, and the others
with ``--unsafe``; the language server and SARIF offer both.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from meshlint.core.suggest import closest
from meshlint.fieldpath import Path

EDIT_KINDS = ("replace", "rename-key", "insert", "delete")
#: Characters that end or split a plain scalar inside a flow collection.
_FLOW_INDICATORS = frozenset(",[]{}")


@dataclass(frozen=True, slots=True)
class Edit:
    """One edit inside the finding's resource.

    ``replace`` sets the scalar at ``path`` to ``value``; ``rename-key`` renames the key at
    ``path`` to ``value``; ``insert`` sets ``path`` (a new key, creating the mappings above
    it that are missing, or a list index) to ``value``; ``delete`` removes the key or item
    at ``path``, and the mapping above it when that leaves it empty.
    """

    kind: str
    path: Path
    value: object = None


@dataclass(frozen=True, slots=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]
    safe: bool = False


def replace(path: Path, value: object, title: str, *, safe: bool = False) -> Fix:
    """A fix that sets one scalar."""
    return Fix(title, (Edit("replace", tuple(path), value),), safe)


def rename_key(path: Path, name: str, title: str, *, safe: bool = False) -> Fix:
    """A fix that renames one mapping key, keeping its value."""
    return Fix(title, (Edit("rename-key", tuple(path), name),), safe)


def move(source: Path, target: Path, value: object, title: str, *, safe: bool = False) -> Fix:
    """A fix that deletes the entry at ``source`` and sets ``target`` to ``value``."""
    return Fix(title, (Edit("delete", tuple(source)), Edit("insert", tuple(target), value)), safe)


def scalar_text(value: object, like: str = "") -> str:
    """YAML text for a scalar: in the quoting style of ``like`` (the text it replaces) when
    that is quoted, else plain when plain text reads back as the same string, else
    double-quoted (JSON quoting is valid YAML)."""
    if isinstance(value, str):
        if like.startswith("'") and "\n" not in value:
            return "'" + value.replace("'", "''") + "'"
        if not like.startswith('"') and _plain_reads_back(value):
            return value
    return json.dumps(value, ensure_ascii=False)


@lru_cache(maxsize=1024)
def _plain_reads_back(text: str) -> bool:
    """Whether ``text`` written plain is read back, by PyYAML and by Kubernetes alike, as
    this very string, in block and in flow context."""
    from meshlint.loader.yaml_reader import parse_text

    if not text or text != text.strip() or "\n" in text or _FLOW_INDICATORS & set(text):
        return False
    parsed = parse_text(f"k: {text}\n")
    return not parsed.issues and [d.root for d in parsed.documents] == [{"k": text}]


def suggestion(name: str, candidates: Iterable[str], path: tuple) -> tuple[str, list]:
    """The did-you-mean text and, when there is a close match, an (unsafe) fix that
    replaces the value at ``path`` with it."""
    match = closest(name, candidates)
    if match is None:
        return "", []
    return f'; did you mean "{match}"?', [replace(path, match, f'Change to "{match}"')]
