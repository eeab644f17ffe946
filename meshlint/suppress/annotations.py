"""Suppression annotations on resources: meshlint's own key, and the keys istioctl and
Kiali already honour (their codes map onto meshlint rules through the equivalents)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from meshlint.model import Resource

MESHLINT = "meshlint.io/ignore"
REASON = "meshlint.io/ignore-reason"
ISTIO = "galley.istio.io/analyze-suppress"
KIALI = "kiali.io/ignore-validations"
#: Codes of the other tools: valid there even when no meshlint rule is equivalent.
FOREIGN_CODES = {ISTIO: re.compile(r"IST\d{4}"), KIALI: re.compile(r"KIA\d{4}")}


@dataclass(frozen=True, slots=True)
class AnnotationSuppression:
    """One suppression annotation. ``names`` is empty when it covers every rule."""

    key: str
    names: tuple[str, ...]

    def is_foreign_code(self, name: str) -> bool:
        pattern = FOREIGN_CODES.get(self.key)
        return bool(pattern and pattern.fullmatch(name.upper()))


def _names(value: str) -> list[str]:
    return [n.strip() for n in value.split(",") if n.strip()]


def suppressions_of(resource: Resource) -> list[AnnotationSuppression]:
    """The suppression annotations a resource carries.

    ``*`` covers every rule; for Kiali's key an empty value does too, as in Kiali.
    """
    annotations = resource.annotations
    if not annotations:
        return []
    found = []
    for key in (MESHLINT, ISTIO, KIALI):
        if key not in annotations:
            continue
        names = _names(annotations[key])
        if "*" in names or (key == KIALI and not names):
            found.append(AnnotationSuppression(key, ()))
        elif names:
            found.append(AnnotationSuppression(key, tuple(names)))
    return found


def reason_of(resource: Resource, key: str) -> str:
    """The justification: ``meshlint.io/ignore-reason`` if set, else the key itself."""
    annotations = resource.metadata.get("annotations") or {}
    reason = annotations.get(REASON) if isinstance(annotations, dict) else None
    return str(reason) if reason else f"annotation {key}"
