"""Fixes: small, certain edits a rule offers with a finding, expressed against field paths.

``safe`` fixes cannot change what the configuration means (a renamed misspelt key);
unsafe ones change behaviour (pointing a route at the closest existing subset).
"""

from __future__ import annotations

from dataclasses import dataclass

from meshlint.fieldpath import Path


@dataclass(frozen=True, slots=True)
class Edit:
    """One edit inside the finding's resource.

    ``replace`` sets the scalar at ``path`` to ``value``; ``rename-key`` renames the key at
    ``path`` to ``value``; ``insert`` sets ``path`` (a new key or list index) to ``value``;
    ``delete`` removes the key or item at ``path``.
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
