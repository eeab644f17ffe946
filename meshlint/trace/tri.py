"""Three-valued answers: true, false, or unknown with the reason meshlint cannot tell."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Answer:
    """``value`` is True, False or None (unknown); ``reason`` says why (for False: what
    did not match; for None: what meshlint cannot see offline)."""

    value: bool | None
    reason: str = ""

    @property
    def unknown(self) -> bool:
        return self.value is None


YES = Answer(True)


def no(reason: str) -> Answer:
    return Answer(False, reason)


def unknown(reason: str) -> Answer:
    return Answer(None, reason)


def all_of(answers: Iterable[Answer]) -> Answer:
    """False as soon as one is false; else unknown if one is unknown; else true."""
    pending: Answer | None = None
    for answer in answers:
        if answer.value is False:
            return answer
        if answer.value is None and pending is None:
            pending = answer
    return pending or YES


def any_of(answers: Iterable[Answer], empty: str = "nothing to match") -> Answer:
    """True as soon as one is true; else unknown if one is unknown; else false (with
    the first reason, or ``empty`` when there was nothing)."""
    pending: Answer | None = None
    first: Answer | None = None
    for answer in answers:
        if answer.value is True:
            return answer
        if answer.value is None and pending is None:
            pending = answer
        first = first or answer
    return pending or first or no(empty)


def negate(answer: Answer, reason: str) -> Answer:
    """The opposite answer; a true one becomes false with ``reason``."""
    if answer.value is None:
        return answer
    return no(reason) if answer.value else YES
