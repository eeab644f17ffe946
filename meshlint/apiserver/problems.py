"""What the schema walks report: a field path and a message."""

from __future__ import annotations

from dataclasses import dataclass

from meshlint.fieldpath import Path, render


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding of a schema walk.

    ``key`` says to point at the key rather than the value; ``failed`` marks a CEL rule
    that could not be evaluated on the value (rather than one the value breaks);
    ``suggestion`` is the name the key most likely stands for; ``skipped`` marks a rule
    that was not evaluated because it would cost too much.
    """

    path: Path
    message: str
    key: bool = False
    failed: bool = False
    suggestion: str | None = None
    skipped: bool = False


def at(path: Path, message: str) -> str:
    """``message`` prefixed with the field path, as the API server words its errors."""
    return f"{render(path)}: {message}" if path else message
