"""Evidence that the inputs hold the place a reference would be found.

A reference is *not found* only when the place it would be found in is among the inputs
(linted files and context): a cluster-local host of namespace N when at least one
Service of N is (a ServiceEntry of N for some external host says nothing of N's
Services); an external host when at least one ServiceEntry of the referring namespace
is; a Gateway of N when at least one Gateway of N is; a gateway selector when at least
one gateway workload is. Anything Istio is assumed to create (the
default gateways) is not evidence. Without evidence a reference is *unknown*: the file
may simply be one of many in a repository.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from meshlint.mesh.generated import GATEWAY_NAME_LABEL
from meshlint.mesh.memo import per_resource
from meshlint.mesh.workloads import Workload, workload_of
from meshlint.model import Resource

INJECT_TEMPLATES = "inject.istio.io/templates"


def is_gateway_workload(workload: Workload) -> bool:
    """Whether a workload runs an Istio gateway: an injected gateway template, an
    ``istio: ...gateway`` label, a Gateway API deployment, or a proxy in router mode."""
    return _runs_gateway(workload.resource)


@per_resource
def _runs_gateway(resource: Resource) -> bool:
    workload = workload_of(resource)
    if workload is None:
        return False
    labels, annotations = workload.labels, workload.annotations
    if "gateway" in labels.get("istio", "") or GATEWAY_NAME_LABEL in labels:
        return True
    if "gateway" in annotations.get(INJECT_TEMPLATES, ""):
        return True
    for container in workload.containers():
        args = container.get("args")
        if isinstance(args, list) and "router" in args:
            return True
    return False


@dataclass(frozen=True, slots=True)
class Evidence:
    """Which places the inputs describe."""

    #: The namespaces (``""`` for cluster-scoped objects) each kind has objects in.
    by_kind: dict[str, frozenset[str]]
    #: Whether a gateway workload is among the inputs.
    gateway_workloads: bool

    @classmethod
    def of(
        cls,
        resources: Iterable[Resource],
        workloads: Iterable[Workload],
        *,
        declared_gateways: bool = False,
    ) -> Evidence:
        """The evidence of some input resources (assumed ones already left out) and the
        workloads they define; gateways the user declared in the config count as gateway
        workloads. Istio and Gateway API Gateways both count as Gateway."""
        by_kind: dict[str, set[str]] = {}
        for resource in resources:
            by_kind.setdefault(resource.kind, set()).add(resource.namespace)
        return cls.of_kinds(
            {kind: frozenset(namespaces) for kind, namespaces in by_kind.items()},
            workloads,
            declared_gateways=declared_gateways,
        )

    @classmethod
    def of_kinds(
        cls,
        by_kind: dict[str, frozenset[str]],
        workloads: Iterable[Workload],
        *,
        declared_gateways: bool = False,
    ) -> Evidence:
        """As :meth:`of`, from the namespaces each kind has input objects in."""
        return cls(
            by_kind=by_kind,
            gateway_workloads=declared_gateways or any(map(is_gateway_workload, workloads)),
        )

    def has(self, kind: str, namespace: str) -> bool:
        """Whether an object of ``kind`` in ``namespace`` is among the inputs."""
        return namespace in self.by_kind.get(kind, ())


def no_services(namespace: str) -> str:
    """The reason a host of ``namespace`` cannot be checked."""
    return f"no Services of namespace {namespace} among the inputs"


def no_service_entries(namespace: str) -> str:
    """The reason an external host referred to from ``namespace`` cannot be checked."""
    return f"no ServiceEntries of namespace {namespace} among the inputs"


def no_gateways(namespace: str) -> str:
    """The reason a Gateway of ``namespace`` cannot be checked."""
    return f"no Gateways of namespace {namespace} among the inputs"


def no_workloads(namespace: str) -> str:
    """The reason a selector in ``namespace`` cannot be checked."""
    return f"no workloads of namespace {namespace} among the inputs"


NO_GATEWAY_WORKLOADS = "no gateway workloads among the inputs"
