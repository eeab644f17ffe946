"""The mesh index: what the manifests define, looked up the way Istio looks it up."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property

from meshlint.core.nodes import positioned
from meshlint.core.suggest import distance
from meshlint.mesh import hosts
from meshlint.mesh.evidence import Evidence, no_gateways, no_service_entries, no_services
from meshlint.mesh.groups import MAX_NAMED
from meshlint.mesh.patch_fragments import is_patch_fragment
from meshlint.mesh.resolve import Resolution, found, not_found, unknown
from meshlint.mesh.services import ServiceHost, ServiceRegistry, service_hosts
from meshlint.mesh.settings import AssumedGateway, MeshSettings
from meshlint.mesh.workloads import WORKLOAD_KINDS, WorkloadIndex, workload_of
from meshlint.model import Resource

ISTIO_NETWORKING = "networking.istio.io"
GATEWAY_API = "gateway.networking.k8s.io"
ASSUMED_FILE = "<assumed>"


#: The kinds each shared index is built from (host resolutions also depend on which
#: namespaces are seen).
_INDEX_INPUTS: dict[str, tuple[str, ...]] = {
    "services": ("Service", "ServiceEntry"),
    "_services_by_namespace": ("Service", "ServiceEntry"),
    "_resolved": ("Service", "ServiceEntry"),
    "workloads": WORKLOAD_KINDS,
    "_dr_hosts": ("DestinationRule",),
    "_rules_for": ("DestinationRule",),
}


def assumed_resources(gateway: AssumedGateway) -> list[Resource]:
    """A Pod and a Service standing for a gateway deployment that is assumed to exist."""
    pod = positioned(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": gateway.name,
                "namespace": gateway.namespace,
                "labels": dict(gateway.labels),
            },
            "spec": {"containers": [{"name": "istio-proxy", "image": "proxyv2"}]},
        }
    )
    service = positioned(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": gateway.name,
                "namespace": gateway.namespace,
                "labels": dict(gateway.labels),
            },
            "spec": {
                "selector": dict(gateway.labels),
                "ports": [
                    {
                        "name": p.name,
                        "port": p.port,
                        "targetPort": p.target_port,
                        "protocol": p.protocol,
                    }
                    for p in gateway.ports
                ],
            },
        }
    )
    return [
        Resource("v1", kind, gateway.namespace, gateway.name, body, ASSUMED_FILE, linted=False)
        for kind, body in (("Pod", pod), ("Service", service))
    ]


def gateway_name(reference: str, from_namespace: str) -> tuple[str, str]:
    """(namespace, name) of a gateway reference, resolved as istiod resolves it."""
    if "/" in reference:
        namespace, _, name = reference.partition("/")
        return namespace, name
    if "." in reference:
        name, _, rest = reference.partition(".")
        return rest.split(".", 1)[0], name
    return from_namespace, reference


class Mesh:
    """Resources of one run, indexed by kind, name, host and labels.

    Later resources with the same identity replace earlier ones, as ``kubectl apply`` would;
    the earlier copies are kept in :attr:`shadowed` (linted on their own, and consulted
    where a reference may be satisfied by any copy).
    """

    def __init__(
        self,
        resources: Iterable[Resource],
        settings: MeshSettings | None = None,
        *,
        previous: Mesh | None = None,
    ):
        self.settings = settings or MeshSettings()
        by_key: dict[tuple, Resource] = {}
        #: Earlier copies of resources a later one with the same identity replaced.
        self.shadowed: list[Resource] = []
        for resource in resources:
            key = resource.key
            earlier = by_key.get(key)
            if earlier is not None:
                if is_patch_fragment(resource) and not is_patch_fragment(earlier):
                    # a kustomize patch never stands for the object it patches
                    self.shadowed.append(resource)
                    continue
                self.shadowed.append(earlier)
            by_key[key] = resource
        if previous is not None and previous.settings is self.settings:
            self._assumed = previous._assumed
        else:
            self._assumed = [r for g in self._assumed_gateways() for r in assumed_resources(g)]
        for resource in self._assumed:
            by_key.setdefault(resource.key, resource)
        self.resources: list[Resource] = list(by_key.values())
        #: The mesh this one is part of (itself unless made by :meth:`within`): where
        #: did-you-mean suggestions look for names.
        self.whole: Mesh = self
        self._by_key = by_key
        by_kind: dict[str, list[Resource]] = {}
        for resource in self.resources:
            members = by_kind.get(resource.kind)
            if members is None:
                by_kind[resource.kind] = [resource]
            else:
                members.append(resource)
        self._by_kind = by_kind

    def _assumed_gateways(self) -> list[AssumedGateway]:
        gateways = self.settings.gateways
        if not self.settings.ingress_enabled:
            ingress = self.settings.mesh_config.get("ingressService")
            gateways = [g for g in gateways if g.name != ingress]
        return gateways

    # -- resources -------------------------------------------------------------------

    def of_kind(self, *kinds: str, group: str | None = None) -> list[Resource]:
        """Resources of the given kinds (optionally only of one API group)."""
        out: list[Resource] = []
        for kind in kinds:
            out.extend(r for r in self._by_kind.get(kind, ()) if group is None or r.group == group)
        return out

    def checked_by(self, rule, among: list[Resource] | None = None) -> list[Resource]:
        """The resources a rule checks: of its checked kinds, or all when it declares
        none (a rule about every kind); only those ``among`` some when given."""
        kinds = rule.checked_kinds()
        if among is not None:
            return [r for r in among if r.kind in kinds] if kinds else among
        return self.of_kind(*kinds) if kinds else self.resources

    def get(
        self, group: str, kind: str, namespace: str, name: str, cluster: str = ""
    ) -> Resource | None:
        return self._by_key.get((group, kind, namespace, name, cluster))

    def in_order(self, resources: Iterable[Resource]) -> list[Resource]:
        """Some of this mesh's resources, in its order."""
        position = self._positions
        return sorted(resources, key=lambda r: position[id(r)])

    @cached_property
    def _positions(self) -> dict[int, int]:
        return {id(r): i for i, r in enumerate(self.resources)}

    def copies(self, resource: Resource) -> list[Resource]:
        """Every copy of a resource's identity, the one in the mesh first."""
        if not self.shadowed:
            return [resource]
        return [resource, *(r for r in self._shadowed_by_key.get(resource.key, ()))]

    @cached_property
    def _shadowed_by_key(self) -> dict[tuple, list[Resource]]:
        out: dict[tuple, list[Resource]] = {}
        for resource in reversed(self.shadowed):
            out.setdefault(resource.key, []).append(resource)
        return out

    def get_key(self, key: tuple) -> Resource | None:
        """The resource with a :attr:`Resource.key`."""
        return self._by_key.get(key)

    def reuse_indexes(self, previous: Mesh, changed_kinds: frozenset[str]) -> None:
        """Take over the shared indexes of ``previous`` (a mesh built with the same
        settings, and ``previous=`` it) that none of the changed kinds feeds."""
        if previous.settings is not self.settings:
            return
        same_namespaces = previous.namespaces_seen == self.namespaces_seen
        for name, kinds in _INDEX_INPUTS.items():
            if name in previous.__dict__ and changed_kinds.isdisjoint(kinds):
                if name == "_resolved" and not same_namespaces:
                    continue
                self.__dict__[name] = previous.__dict__[name]

    def within(self, resources: Iterable[Resource]) -> Mesh:
        """A mesh of some of this mesh's resources that still knows every namespace this
        one does and suggests names from all of it (for a re-check of part of the mesh)."""
        part = Mesh(resources, self.settings, previous=self)
        part.__dict__["namespaces_seen"] = self.namespaces_seen
        part.__dict__["evidence"] = self.evidence
        part.shadowed = self.shadowed
        part.__dict__["_shadowed_by_key"] = self._shadowed_by_key
        part.whole = self.whole
        return part

    def build_indexes(self) -> None:
        """Build the shared indexes now rather than on first use (before the rules run
        in several processes, so that each finds them built)."""
        for index in (
            "namespaces_seen",
            "services",
            "workloads",
            "_dr_hosts",
            "_services_by_namespace",
        ):
            getattr(self, index)

    @cached_property
    def namespaces_seen(self) -> frozenset[str]:
        """Namespaces meshlint has evidence of: a Namespace object, or anything living there."""
        seen = {r.namespace for r in self.resources if r.namespace and r.file != ASSUMED_FILE}
        seen.update(r.name for r in self._by_kind.get("Namespace", ()))
        return frozenset(seen)

    @cached_property
    def evidence(self) -> Evidence:
        """Which places the inputs describe: not what Istio is assumed to run or would
        create from them, but an install spec's gateways count as gateway workloads."""

        def held(resource: Resource) -> bool:
            return resource.file != ASSUMED_FILE and not resource.generated_by

        by_kind = {
            kind: namespaces
            for kind, members in self._by_kind.items()
            if (namespaces := frozenset(r.namespace for r in members if held(r)))
        }
        # Not the workload index: after an edit the language server asks for the evidence
        # of the whole mesh, whose index no rule needs then.
        workloads = (
            w
            for kind in WORKLOAD_KINDS
            for r in self._by_kind.get(kind, ())
            if held(r) and (w := workload_of(r)) is not None
        )
        declared = any(g.declared for g in self.settings.gateways) or any(
            r.generated_by == "IstioOperator" for r in self.resources
        )
        return Evidence.of_kinds(by_kind, workloads, declared_gateways=declared)

    def namespace(self, name: str) -> Resolution:
        """Whether a namespace exists: found, or unknown (never provably absent offline)
        unless the analyzed files are declared complete."""
        if name in self.namespaces_seen or name == self.settings.root_namespace:
            return found([])
        if self.settings.assume_complete:
            return not_found(f"no Namespace {name} and nothing in it")
        return unknown(f"namespace {name} is not in the analyzed files")

    # -- hosts -----------------------------------------------------------------------

    def fqdn(self, host: str, namespace: str) -> str:
        return hosts.fqdn(host, namespace, self.settings.cluster_domain)

    @cached_property
    def services(self) -> ServiceRegistry:
        registry = ServiceRegistry()
        export = self.settings.mesh_config.get("defaultServiceExportTo") or ["*"]
        domain = self.settings.cluster_domain
        for resource in self.of_kind("Service", "ServiceEntry"):
            for entry in service_hosts(resource, domain, export):
                registry.add(entry)
        return registry

    def resolve_host(self, host: str, from_namespace: str) -> Resolution:
        """The registry entries for a (fully qualified) host, as seen from a namespace
        (memoized: the resolution is shared, callers must not modify it)."""
        key = (host, from_namespace)
        if key not in self._resolved:
            self._resolved[key] = self._resolve_host(host, from_namespace)
        return self._resolved[key]

    @cached_property
    def _resolved(self) -> dict[tuple[str, str], Resolution]:
        return {}

    def _resolve_host(self, host: str, from_namespace: str) -> Resolution:
        entries = self.services.lookup(host, from_namespace)
        if entries:
            return found(entries)
        if any(hosts.matches(p, host) for p in self.settings.external_hosts):
            return found([])
        hidden = self.services.lookup(host)
        if hidden:
            refs = sorted({e.resource.ref for e in hidden})
            owners = ", ".join(refs[:MAX_NAMED])
            if len(refs) > MAX_NAMED:
                owners += f" and {len(refs) - MAX_NAMED} more"
            return not_found(f"{owners} defines it but does not export it to {from_namespace}")
        if self.settings.assume_complete:
            return not_found()
        return self._absent_host(host, from_namespace)

    def _absent_host(self, host: str, from_namespace: str) -> Resolution:
        """A host the registry lacks: not found when the inputs hold the place it would
        be defined in (the Services of its namespace; for an external host, the
        ServiceEntries of the referring namespace) or a host one or two edits from it
        there; unknown otherwise."""
        domain = self.settings.cluster_domain
        owner = hosts.cluster_local_namespace(host, domain)
        evidence = self.evidence
        if owner is not None:
            if evidence.has("Service", owner):
                return not_found()
            reason = no_services(owner)
            nearby = self.whole.services.in_namespace(owner, domain)
        else:
            if evidence.has("ServiceEntry", from_namespace):
                return not_found()
            reason = no_service_entries(from_namespace)
            nearby = self.whole.services.near(host, slack=2)
        if any(0 < distance(host, other) <= 2 for other in nearby):
            return not_found()
        return unknown(reason)

    def destination_rules_for(self, host: str, from_namespace: str) -> list[Resource]:
        """DestinationRules visible from a namespace whose host covers ``host``
        (memoized: the list is shared, callers must not modify it)."""
        if host not in self._rules_for:
            rules = self._dr_hosts.overlapping(host)
            scopes = [(self._dr_scope(dr), dr.namespace) for dr in rules]
            self._rules_for[host] = hosts.VisibleFrom(rules, scopes)
        return self._rules_for[host](from_namespace)

    @cached_property
    def _rules_for(self) -> dict[str, hosts.VisibleFrom]:
        return {}

    @cached_property
    def _dr_hosts(self) -> hosts.HostIndex:
        index = hosts.HostIndex()
        for dr in self.of_kind("DestinationRule"):
            host = dr.spec.get("host")
            if isinstance(host, str) and host:
                index.add(self.fqdn(host, dr.namespace), dr)
        return index

    def _dr_scope(self, dr: Resource) -> frozenset:
        default = self.settings.mesh_config.get("defaultDestinationRuleExportTo") or ["*"]
        export = dr.spec.get("exportTo")
        return hosts.export_scope(export if isinstance(export, list) else None, default)

    # -- workloads -------------------------------------------------------------------

    @cached_property
    def workloads(self) -> WorkloadIndex:
        return WorkloadIndex(
            w for w in (workload_of(r) for r in self.of_kind(*WORKLOAD_KINDS)) if w is not None
        )

    def services_selecting(self, labels: dict[str, str], namespace: str) -> list[ServiceHost]:
        """Kubernetes Services in ``namespace`` whose selector selects pods with ``labels``."""
        return [
            e
            for e in self._services_by_namespace.get(namespace, ())
            if e.selector and all(labels.get(k) == v for k, v in e.selector.items())
        ]

    @cached_property
    def _services_by_namespace(self) -> dict[str, list[ServiceHost]]:
        out: dict[str, list[ServiceHost]] = {}
        for entries in self.services.exact.values():
            for entry in entries:
                if entry.resource.kind == "Service":
                    out.setdefault(entry.namespace, []).append(entry)
        return out

    # -- gateways --------------------------------------------------------------------

    def resolve_gateway(self, reference: str, from_namespace: str) -> Resolution:
        """A VirtualService ``gateways`` entry: ``namespace/name``, ``name``, or the legacy
        dotted ``name.namespace[.svc.cluster.local]`` that istiod still accepts."""
        namespace, name = gateway_name(reference, from_namespace)
        matches = [
            r
            for group in (ISTIO_NETWORKING, GATEWAY_API)
            if (r := self.get(group, "Gateway", namespace, name)) is not None
        ]
        if matches:
            return found(matches)
        if self.settings.assume_complete or self.evidence.has("Gateway", namespace):
            return not_found()
        return unknown(no_gateways(namespace))
