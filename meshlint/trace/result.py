"""What a trace finds: numbered steps, each decided or unknown, and the decision."""

from __future__ import annotations

from dataclasses import dataclass, field

from meshlint.fieldpath import Path, span_of
from meshlint.mesh.index import ASSUMED_FILE
from meshlint.model import Resource

ALLOW = "allow"
DENY = "deny"
UNKNOWN = "unknown"


@dataclass(slots=True)
class Step:
    """One step of the path: its kind (entry, host, virtualservice, rule, delegate,
    destination, mirror, subset, workloads, mtls, authorization, outcome), what it found,
    the field that decided it, and whether it is unknown."""

    kind: str
    text: str
    resource: Resource | None = None
    path: Path = ()
    unknown: bool = False

    def location(self) -> str | None:
        """``file:line`` of the deciding field (None for assumed or absent resources)."""
        resource = self.resource
        if resource is None or resource.file == ASSUMED_FILE:
            return None
        span, _ = span_of(resource.body, self.path)
        return f"{resource.file}:{span[0] + 1}" if span else resource.file


@dataclass(slots=True)
class RouteChoice:
    """The rule that takes the request: VirtualService, section, rule and match index
    (match None: a rule without matches)."""

    virtual_service: Resource
    section: str
    rule: int
    match: int | None
    #: The delegate VirtualService whose rule finally routes, when there is one.
    delegate: RouteChoice | None = None

    @property
    def innermost(self) -> RouteChoice:
        """The rule that finally routes (the last delegate's, or this one)."""
        choice = self
        while choice.delegate is not None:
            choice = choice.delegate
        return choice

    def as_dict(self) -> dict:
        out = {
            "virtual_service": self.virtual_service.qualified_name,
            "section": self.section,
            "rule": self.rule,
            "match": self.match,
        }
        if self.delegate is not None:
            out["delegate"] = self.delegate.as_dict()
        return out


@dataclass(slots=True)
class Arrival:
    """One destination of the route: host, port, subset, weight share, the workloads
    it reaches, and the authorization decision there."""

    host: str
    port: int | None
    subset: str | None
    weight: float
    workloads: list[Resource] = field(default_factory=list)
    decision: str = UNKNOWN
    reason: str = ""
    decided_by: list[Resource] = field(default_factory=list)
    #: The hosts' Service/ServiceEntry and the subset's DestinationRule, for the picture.
    host_resources: list[Resource] = field(default_factory=list)
    rule: Resource | None = None

    def as_dict(self) -> dict:
        return {
            "host": self.host,
            "port": self.port,
            "subset": self.subset,
            "weight": self.weight,
            "workloads": [w.ref for w in self.workloads],
            "decision": self.decision,
            "reason": self.reason,
            "decided_by": [p.qualified_name for p in self.decided_by],
        }


@dataclass(slots=True)
class Trace:
    """The answer: the decision (allow, deny, unknown) and why, the route, where the
    request arrives, and every step on the way."""

    request: str
    source: str
    decision: str = UNKNOWN
    reason: str = ""
    outcome: str = ""
    entry: Resource | None = None
    route: RouteChoice | None = None
    arrivals: list[Arrival] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    #: VirtualServices the request passes through, in order (for the picture).
    virtual_services: list[Resource] = field(default_factory=list)
    #: The client's workloads among the inputs (the gateway's, through a gateway).
    clients: list[Resource] = field(default_factory=list)

    def step(self, kind: str, text: str, resource: Resource | None = None, path: Path = ()):
        self.steps.append(Step(kind, text, resource, path))

    def doubt(self, kind: str, text: str, resource: Resource | None = None, path: Path = ()):
        self.steps.append(Step(kind, text, resource, path, unknown=True))

    def decide(self, decision: str, reason: str, outcome: str = "") -> Trace:
        self.decision, self.reason = decision, reason
        self.outcome = outcome or self.outcome
        return self

    @property
    def decided_by(self) -> list[Resource]:
        seen: dict[tuple, Resource] = {}
        for arrival in self.arrivals:
            for policy in arrival.decided_by:
                seen.setdefault(policy.key, policy)
        return list(seen.values())
