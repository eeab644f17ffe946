"""The rule API.

A rule is a class whose attributes are its metadata and whose docstring is its
documentation (summary line, then ``## What it does``, ``## Why it matters``,
``## Example`` and ``## Use instead`` sections; the examples are also its tests). It reads
the kinds it declares and yields findings with a resource and a field path; the engine
turns paths into file:line:column.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar

from meshlint.engine.finding import Finding, Related, Severity
from meshlint.engine.fix import Fix
from meshlint.fieldpath import PathLike, parse
from meshlint.mesh.index import Mesh
from meshlint.mesh.resolve import Resolution, Status
from meshlint.model import Resource

#: What a finding is about. Orthogonal to the id ranges below, which say where it is.
CATEGORIES = ("input", "schema", "reference", "conflict", "security", "best-practice", "policy")

#: Rule id ranges, by the resources a rule is about (a new rule takes the next free id of
#: its range; ``rules/<folder>/`` in parentheses). Policy packs use MPxxx.
ID_RANGES = {
    "ML0": "input: unreadable files, YAML syntax and ambiguity, internal errors (input, meta)",
    "ML1": "VirtualService (virtualservice, exportto)",
    "ML2": "Istio Gateway (gateway)",
    "ML3": "DestinationRule (destinationrule)",
    "ML4": "egress and the registry: ServiceEntry, Sidecar, egress gateways",
    "ML5": "security: AuthorizationPolicy, RequestAuthentication, PeerAuthentication and mTLS,"
    " ambient waypoints of Telemetry and WasmPlugin",
    "ML6": "workloads and Kubernetes: Services, Deployments, injection, annotations, webhooks,"
    " WorkloadGroups",
    "ML7": "schema: CRD schemas, API versions, Istio's webhook validation (schema)",
    "ML8": "Gateway API (gatewayapi)",
    "ML9": "other Istio kinds and the mesh as a whole: EnvoyFilter, Telemetry, multicluster,"
    " status conditions",
}


@dataclass(frozen=True, slots=True)
class Equivalents:
    """The matching checks of other tools: Istio message code and the Istio analyzers that
    emit it for this concern (Go type names, e.g. ``virtualservice.GatewayAnalyzer``), and
    the Kiali validation code."""

    istio: str | None = None
    analyzers: tuple[str, ...] = ()
    kiali: str | None = None

    @property
    def analyzer(self) -> str | None:
        return self.analyzers[0] if self.analyzers else None

    def as_dict(self) -> dict:
        return {
            "istio": self.istio,
            "kiali": self.kiali,
            "analyzer": self.analyzer,
            "analyzers": list(self.analyzers),
        }


class Rule:
    """Base class of every rule. Subclasses set the metadata and override a check method."""

    id: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    category: ClassVar[str]
    #: The kinds the rule reads; empty for a rule that reads every resource.
    kinds: ClassVar[tuple[str, ...]] = ()
    #: The kinds :meth:`check_resource` is called for (default: every kind in ``kinds``).
    #: A rule that reads Services to check VirtualServices sets ``targets`` to the latter.
    #: For a rule that checks the whole mesh, the kinds its findings are on.
    targets: ClassVar[tuple[str, ...]] = ()
    equivalents: ClassVar[Equivalents] = Equivalents()
    #: Rules reported by the loader rather than by a check (parse errors and the like).
    input_rule: ClassVar[bool] = False
    #: Rules that run only when selected by name or profile (policy packs).
    opt_in: ClassVar[bool] = False
    #: Tunable parameters and their defaults; the config's ``rules:`` section sets them.
    parameters: ClassVar[dict[str, object]] = {}
    #: Its messages suggest names from anywhere in the mesh (``mesh.whole``: "did you
    #: mean ..."), so an edit anywhere may change the text of its findings.
    hints_from_whole_mesh: ClassVar[bool] = False

    def __init__(
        self, severity: Severity | None = None, params: dict[str, object] | None = None
    ) -> None:
        self.effective_severity = severity or self.severity
        self.params = {**self.parameters, **(params or {})}

    # -- metadata --------------------------------------------------------------------

    @classmethod
    def docs(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        return cls.docs().split("\n", 1)[0].strip()

    @classmethod
    def section(cls, title: str) -> str:
        """The text of one ``## title`` section of the docs ('' when absent)."""
        _, _, rest = cls.docs().partition(f"## {title}\n")
        if not rest:
            return ""
        return rest.split("\n## ", 1)[0].strip()

    @classmethod
    def names(cls) -> set[str]:
        """Every name that selects this rule: id, slug, and its Istio/Kiali codes."""
        eq = cls.equivalents
        return {n for n in (cls.id, cls.name, eq.istio, eq.kiali) if n}

    # -- checking --------------------------------------------------------------------

    def check(self, mesh: Mesh) -> Iterable[Finding]:
        """Check the whole mesh. Rules about one resource at a time override
        :meth:`check_resource` instead, and the engine calls it for each linted resource of
        the declared kinds (so a crash is reported on the resource that caused it)."""
        for resource in mesh.checked_by(self):
            if resource.linted:
                yield from self.check_resource(resource, mesh)

    @classmethod
    def reads(cls) -> str | None:
        """The kinds the rule reads, as the docs show them (None for input rules)."""
        if cls.input_rule:
            return None
        return ", ".join(cls.kinds) or "every kind"

    @classmethod
    def checked_kinds(cls) -> tuple[str, ...]:
        return cls.targets or cls.kinds

    @classmethod
    def per_resource(cls) -> bool:
        return cls.check is Rule.check

    def check_resource(self, resource: Resource, mesh: Mesh) -> Iterable[Finding]:
        return ()

    # -- reporting helpers -----------------------------------------------------------

    def report(
        self,
        resource: Resource,
        path: PathLike,
        message: str,
        *,
        related: Iterable[Related] = (),
        key: bool = False,
        severity: Severity | None = None,
        fixes: Iterable[Fix] = (),
    ) -> Finding:
        """A finding on ``resource`` at ``path`` (the value; the key with ``key=True``)."""
        return Finding(
            rule=type(self),
            message=message,
            severity=severity or self.effective_severity,
            resource=resource,
            path=parse(path),
            key=key,
            related=list(related),
            fixes=list(fixes),
        )

    def unresolved(
        self,
        resource: Resource,
        path: PathLike,
        resolution: Resolution,
        message: str,
        *,
        related: Iterable[Related] = (),
        fixes: Iterable[Fix] = (),
    ) -> Iterator[Finding]:
        """Report a reference that did not resolve: at the rule's severity when it is
        provably missing; when it is unknown, as an info finding marked ``unchecked`` (the
        engine reports those only when the user asked to see them, and counts them)."""
        if resolution.status is Status.NOT_FOUND:
            text = f"{message} ({resolution.reason})" if resolution.reason else message
            yield self.report(resource, path, text, related=related, fixes=fixes)
        elif resolution.status is Status.UNKNOWN:
            text = f"cannot check: {message.rstrip('.')}? ({resolution.reason})"
            finding = self.report(resource, path, text, related=related, severity=Severity.INFO)
            finding.unchecked = resolution.reason
            yield finding


def related_to(
    resource: Resource, path: PathLike = ("metadata", "name"), message: str = ""
) -> Related:
    """A related location pointing at another resource (by default its name)."""
    return Related(message or resource.ref, resource, parse(path))
