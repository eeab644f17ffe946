"""Reference resolution is three-valued: found, not found, or unknown (outside what
meshlint can see). Only "not found" is ever reported as a broken reference."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Status(Enum):
    FOUND = "found"
    NOT_FOUND = "not found"
    UNKNOWN = "unknown"


@dataclass(slots=True)
class Resolution:
    status: Status
    targets: list = field(default_factory=list)
    reason: str = ""

    @property
    def found(self) -> bool:
        return self.status is Status.FOUND

    @property
    def missing(self) -> bool:
        return self.status is Status.NOT_FOUND


def found(targets: list) -> Resolution:
    return Resolution(Status.FOUND, targets)


def not_found(reason: str = "") -> Resolution:
    return Resolution(Status.NOT_FOUND, [], reason)


def unknown(reason: str) -> Resolution:
    return Resolution(Status.UNKNOWN, [], reason)
