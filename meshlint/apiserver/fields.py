"""Fields the schema does not know: the API server prunes them from custom resources and
drops them from built-in kinds, so the setting they carry silently never applies."""

from __future__ import annotations

from meshlint.apiserver.problems import Problem
from meshlint.core.suggest import closest
from meshlint.fieldpath import Path


def nearest_field(name: str, known: list[str]) -> str | None:
    """The known field ``name`` most likely stands for: same letters in another case, or
    a close spelling."""
    folded = name.casefold()
    same = [field for field in known if field.casefold() == folded]
    return same[0] if same else closest(name, known)


def unknown_field(path: Path, name: str, known: list[str]) -> Problem:
    """The unknown key ``name`` at ``path``, with a did-you-mean suggestion when one is close."""
    match = nearest_field(name, known)
    hint = f'; did you mean "{match}"?' if match else ""
    message = f'unknown field "{name}": the API server drops it, so it has no effect{hint}'
    return Problem(path, message, key=True, suggestion=match)
