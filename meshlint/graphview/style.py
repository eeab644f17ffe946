"""Colours and shapes shared by the renderers: a role tint, overridden by a finding."""

from __future__ import annotations

from meshlint.engine.finding import Severity

#: Fill and border of each role.
ROLE_COLOURS: dict[str, tuple[str, str]] = {
    "mesh": ("#eceff1", "#607d8b"),
    "gateway": ("#ede7f6", "#5e35b1"),
    "route": ("#e3f2fd", "#1e88e5"),
    "host": ("#e8f5e9", "#43a047"),
    "subset": ("#e0f2f1", "#00897b"),
    "workload": ("#f5f5f5", "#616161"),
    "policy": ("#fff8e1", "#8d6e63"),
}

#: Fill and border (and edge colour) of a node or edge with a finding of that severity.
SEVERITY_COLOURS: dict[Severity, tuple[str, str]] = {
    Severity.ERROR: ("#fde2e1", "#d93025"),
    Severity.WARNING: ("#fff0c2", "#e37400"),
}

EDGE_COLOUR = "#78909c"
#: Placeholders that are not errors by themselves (unknown, external): grey.
PLACEHOLDER_COLOURS = ("#fafafa", "#9e9e9e")


def node_colours(role: str, severity: Severity | None, placeholder: bool) -> tuple[str, str]:
    """(fill, border) of a node."""
    if severity in SEVERITY_COLOURS:
        return SEVERITY_COLOURS[severity]
    return PLACEHOLDER_COLOURS if placeholder else ROLE_COLOURS[role]


def edge_colour(severity: Severity | None) -> str:
    return SEVERITY_COLOURS[severity][1] if severity in SEVERITY_COLOURS else EDGE_COLOUR
