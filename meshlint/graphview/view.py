"""The traffic view: nodes (resources, subsets, missing targets) and edges in traffic order."""

from __future__ import annotations

from dataclasses import dataclass, field

from meshlint.engine.finding import Finding, Severity
from meshlint.fieldpath import Path
from meshlint.model import Resource

#: Roles, in the order traffic meets them; renderers pick shapes and colours by role.
ROLES = ("mesh", "gateway", "route", "host", "subset", "workload", "policy")


def worst(findings: list[Finding]) -> Severity | None:
    """The highest severity among ``findings``, or None when there are none."""
    return max((f.severity for f in findings), default=None)


@dataclass(eq=False)
class Node:
    """One box of the picture."""

    id: str
    role: str
    kind: str
    namespace: str
    name: str
    #: First line of the box (the kind, maybe a qualifier); the second line is ``text``.
    heading: str = ""
    text: str = ""
    #: defined (in the files), assumed (a default meshlint supposes), external (a host the
    #: settings declare outside), missing (referenced, provably undefined), unknown
    #: (referenced, outside the analyzed files).
    state: str = "defined"
    resource: Resource | None = None
    #: Where the node lives inside its resource (a DestinationRule subset), else ().
    path: Path = ()
    #: The fully qualified hosts the node stands for (hosts, subsets), for ``--host``.
    hosts: tuple[str, ...] = ()
    findings: list[Finding] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.heading = self.heading or self.kind
        self.text = self.text or self.title

    @property
    def severity(self) -> Severity | None:
        return worst(self.findings)

    @property
    def dashed(self) -> bool:
        return self.state in ("missing", "unknown")

    @property
    def placeholder(self) -> bool:
        """Whether the node stands for something no analyzed file defines."""
        return self.state in ("missing", "unknown", "external")

    @property
    def title(self) -> str:
        """``namespace/name`` (or the name alone)."""
        return f"{self.namespace}/{self.name}" if self.namespace else self.name

    @property
    def caption(self) -> str:
        """The heading as drawn: with the state unless the node is defined."""
        return self.heading if self.state == "defined" else f"{self.heading} · {self.state}"

    @property
    def description(self) -> str:
        """One line for tooltips: what the node is and, unless defined, its state."""
        what = f"{self.kind} {self.title}" if self.resource else f"{self.heading}: {self.text}"
        return what if self.state == "defined" else f"{what} ({self.state})"


@dataclass(eq=False)
class Edge:
    """An arrow in the direction traffic flows, declared by ``owner`` at ``paths``."""

    source: str
    target: str
    kind: str
    label: str = ""
    owner: Resource | None = None
    paths: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def severity(self) -> Severity | None:
        return worst(self.findings)

    @property
    def dashed(self) -> bool:
        return self.kind in ("mirrors", "applies")


@dataclass
class View:
    """Nodes by id (in insertion order), edges, and every finding of the run."""

    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    _arrows: dict[tuple, Edge] = field(default_factory=dict, init=False, repr=False)

    def add(self, node: Node) -> Node:
        """Add ``node`` unless a node with its id exists; return the one in the view."""
        return self.nodes.setdefault(node.id, node)

    def connect(self, edge: Edge) -> Edge:
        """Add ``edge``, merged into an identical arrow (same ends, kind and label)."""
        key = (edge.source, edge.target, edge.kind, edge.label)
        existing = self._arrows.get(key)
        if existing is not None:
            existing.paths.extend(p for p in edge.paths if p not in existing.paths)
            return existing
        self._arrows[key] = edge
        self.edges.append(edge)
        return edge
