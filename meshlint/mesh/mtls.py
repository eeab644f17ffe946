"""Mutual TLS as istiod decides it, offline.

Two sides decide whether a connection is mutual TLS:

* the server's PeerAuthentication mode: the oldest workload-level policy (one with a
  selector, outside the root namespace) that selects the pod, else the namespace-wide one,
  else the mesh-wide one (no selector, in the root namespace), else PERMISSIVE; ``UNSET``
  at a level inherits the level above;
* the client's DestinationRule TLS mode: istiod looks in the client's namespace, then in
  the service's namespace, then in the root namespace, and takes the most specific host
  match it finds there. With no TLS setting, auto mTLS (mesh config ``enableAutoMtls``,
  on by default) sends ISTIO_MUTUAL to meshed servers; with auto mTLS off the client sends
  plaintext.

Files carry no creation times, so "oldest" is the first one read. :func:`model` builds the
indexes once per mesh; every lookup is a dictionary hit plus a scan of a namespace's few
wildcard DestinationRules or selector policies.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from functools import cached_property

from meshlint.fieldpath import Path, get
from meshlint.mesh import hosts
from meshlint.mesh.dataplane import Mode, workload_mode
from meshlint.mesh.index import ASSUMED_FILE, ISTIO_NETWORKING, Mesh
from meshlint.mesh.istio_install import effective_mesh_config
from meshlint.mesh.services import ServiceHost
from meshlint.mesh.workloads import WORKLOAD_KINDS, Workload, selects
from meshlint.model import Resource, string_map

STRICT = "STRICT"
PERMISSIVE = "PERMISSIVE"
DISABLE = "DISABLE"
ISTIO_MUTUAL = "ISTIO_MUTUAL"
PEER_MODES = (STRICT, PERMISSIVE, DISABLE)
TLS_MODE: Path = ("spec", "trafficPolicy", "tls", "mode")
PEER_MODE: Path = ("spec", "mtls", "mode")

#: The kinds an mTLS rule reads: policies, DestinationRules, Services, workloads (and the
#: Namespaces that decide injection), Gateways (whose workloads are not servers) and the
#: ``istio`` ConfigMap (``enableAutoMtls``, ``rootNamespace``).
INPUT_KINDS = (
    "PeerAuthentication",
    "DestinationRule",
    "Service",
    *WORKLOAD_KINDS,
    "Namespace",
    "Gateway",
    "ConfigMap",
)

MESH = "mesh"
NAMESPACE = "namespace"
WORKLOAD = "workload"
DEFAULT = "default"


def peer_mode(policy: Resource) -> str | None:
    """A PeerAuthentication's own mode (None when absent or ``UNSET``: it inherits)."""
    mode = get(policy.body, PEER_MODE)
    return mode if mode in PEER_MODES else None


def peer_port_modes(policy: Resource) -> dict[str, str]:
    """``portLevelMtls`` modes by port (as text); ``UNSET`` ports are left out."""
    ports = policy.spec.get("portLevelMtls")
    if not isinstance(ports, dict):
        return {}
    out = {}
    for port, setting in ports.items():
        mode = setting.get("mode") if isinstance(setting, dict) else None
        if mode in PEER_MODES:
            out[str(port)] = mode
    return out


def peer_selector(policy: Resource) -> dict[str, str]:
    return string_map(get(policy.body, ("spec", "selector", "matchLabels")))


def tls_mode(dr: Resource) -> str | None:
    """A DestinationRule's top-level ``trafficPolicy.tls.mode``."""
    mode = get(dr.body, TLS_MODE)
    return mode if isinstance(mode, str) else None


def has_tls_settings(dr: Resource) -> bool:
    """Whether the DestinationRule sets TLS at the top level or for any port."""
    policy = dr.spec.get("trafficPolicy")
    if not isinstance(policy, dict):
        return False
    if policy.get("tls") is not None:
        return True
    ports = policy.get("portLevelSettings")
    return isinstance(ports, list) and any(
        isinstance(p, dict) and p.get("tls") is not None for p in ports
    )


def port_tls_modes(dr: Resource) -> list[tuple[Path, int | None, str]]:
    """(path of the mode, port number, mode) of each ``portLevelSettings`` TLS mode."""
    ports = get(dr.body, ("spec", "trafficPolicy", "portLevelSettings"))
    out = []
    for i, setting in enumerate(ports if isinstance(ports, list) else []):
        mode = get(setting, ("tls", "mode"))
        if isinstance(mode, str):
            number = get(setting, ("port", "number"))
            path = ("spec", "trafficPolicy", "portLevelSettings", i, "tls", "mode")
            out.append((path, number if isinstance(number, int) else None, mode))
    return out


def subset_tls_modes(dr: Resource) -> list[tuple[Path, dict[str, str], str]]:
    """(path of the mode, subset labels, mode) of each subset's top-level TLS mode."""
    subsets = dr.spec.get("subsets")
    out = []
    for i, subset in enumerate(subsets if isinstance(subsets, list) else []):
        mode = get(subset, ("trafficPolicy", "tls", "mode"))
        if isinstance(mode, str):
            path = ("spec", "subsets", i, "trafficPolicy", "tls", "mode")
            out.append((path, string_map(subset.get("labels")), mode))
    return out


@dataclass(slots=True, frozen=True)
class Decision:
    """The PeerAuthentication mode a server ends up with, and which policy decided it
    (None: no policy, Istio's default PERMISSIVE)."""

    mode: str
    level: str
    policy: Resource | None = None
    #: Port-level modes of a workload-level policy, when they differ from ``mode``.
    ports: dict[str, str] = field(default_factory=dict)

    @property
    def uniform(self) -> bool:
        """Whether every port has the same mode."""
        return not self.ports

    def describe(self) -> str:
        if self.policy is None:
            return "no PeerAuthentication applies (Istio's default is PERMISSIVE)"
        scope = {MESH: "mesh-wide", NAMESPACE: "namespace-wide", WORKLOAD: "workload"}[self.level]
        return f"{scope} PeerAuthentication {self.policy.qualified_name}"


class MtlsModel:
    """PeerAuthentications and DestinationRules of one mesh, indexed for mTLS questions."""

    def __init__(self, mesh: Mesh) -> None:
        self.mesh = mesh
        config = effective_mesh_config(mesh)
        self.auto_mtls = config.get("enableAutoMtls", True) is not False
        self.root = str(config.get("rootNamespace") or "istio-system")
        self.domain = mesh.settings.cluster_domain
        self._dr_export_default = config.get("defaultDestinationRuleExportTo") or ["*"]
        self.mesh_policy: Resource | None = None
        self.namespace_policies: dict[str, Resource] = {}
        self.workload_policies: dict[str, list[Resource]] = {}
        for policy in mesh.of_kind("PeerAuthentication"):
            if peer_selector(policy):
                if policy.namespace != self.root:
                    self.workload_policies.setdefault(policy.namespace, []).append(policy)
            elif policy.namespace == self.root:
                self.mesh_policy = self.mesh_policy or policy
            else:
                self.namespace_policies.setdefault(policy.namespace, policy)
        self._rules: dict[str, hosts.HostIndex] = {}
        self.rule_host: dict[Resource, str] = {}
        for dr in mesh.of_kind("DestinationRule"):
            host = dr.spec.get("host")
            if isinstance(host, str) and host:
                fqdn = mesh.fqdn(host, dr.namespace)
                self.rule_host[dr] = fqdn
                self._rules.setdefault(dr.namespace, hosts.HostIndex()).add(fqdn, dr)
        self._decisions: dict[tuple, Decision] = {}
        self._services: dict[tuple, list[ServiceHost]] = {}
        self._service_decisions: dict[tuple, list[tuple[Workload | None, Decision]]] = {}

    # -- hosts -----------------------------------------------------------------------

    def is_mesh_wide_host(self, host: str) -> bool:
        """Whether a (wildcard) host covers every Kubernetes service: ``*``, ``*.local``,
        ``*.cluster.local``, ``*.svc.cluster.local``."""
        return hosts.is_wildcard(host) and hosts.matches(host, f"*.svc.{self.domain}")

    def namespace_host(self, namespace: str) -> str:
        """The wildcard naming every service of a namespace."""
        return f"*.{namespace}.svc.{self.domain}"

    def wide_namespace(self, host: str) -> str | None:
        """``N`` for the namespace-wide host ``*.N.svc.<domain>``, else None."""
        suffix = f".svc.{self.domain}"
        if not host.startswith("*.") or not host.endswith(suffix):
            return None
        name = host[2 : -len(suffix)]
        return name if name and "." not in name and "*" not in name else None

    # -- servers: PeerAuthentication -------------------------------------------------

    def mesh_decision(self) -> Decision:
        policy = self.mesh_policy
        if policy is not None and (mode := peer_mode(policy)):
            return Decision(mode, MESH, policy)
        return Decision(PERMISSIVE, DEFAULT)

    def namespace_decision(self, namespace: str) -> Decision:
        if namespace != self.root:
            policy = self.namespace_policies.get(namespace)
            if policy is not None and (mode := peer_mode(policy)):
                return Decision(mode, NAMESPACE, policy)
        return self.mesh_decision()

    def workload_policy(self, workload: Workload) -> Resource | None:
        """The workload-level PeerAuthentication that applies to a workload, if any."""
        for policy in self.workload_policies.get(workload.namespace, ()):
            if selects(peer_selector(policy), workload.labels):
                return policy
        return None

    def workload_decision(self, workload: Workload) -> Decision:
        """The mode of a workload's server: the same for every workload with its labels in
        its namespace, so decided once per such class."""
        key = _label_class(workload)
        if key in self._decisions:
            return self._decisions[key]
        inherited = self.namespace_decision(workload.namespace)
        policy = self.workload_policy(workload)
        decision = inherited
        if policy is not None:
            mode = peer_mode(policy) or inherited.mode
            ports = {p: m for p, m in peer_port_modes(policy).items() if m != mode}
            if peer_mode(policy) or ports:
                decision = Decision(mode, WORKLOAD, policy, ports)
        self._decisions[key] = decision
        return decision

    # -- services and their workloads ------------------------------------------------

    @cached_property
    def services_by_namespace(self) -> dict[str, list[ServiceHost]]:
        """Kubernetes Services (registry entries) by namespace."""
        out: dict[str, list[ServiceHost]] = {}
        for entries in self.mesh.services.exact.values():
            for entry in entries:
                if entry.resource.kind == "Service":
                    out.setdefault(entry.namespace, []).append(entry)
        return out

    @cached_property
    def workloads_by_namespace(self) -> dict[str, list[Workload]]:
        out: dict[str, list[Workload]] = {}
        for workload in self.mesh.workloads.all:
            out.setdefault(workload.namespace, []).append(workload)
        return out

    def has_sidecar(self, workload: Workload) -> bool:
        """Whether the workload runs (or, undecided offline, may run) a sidecar."""
        return workload_mode(self.mesh, workload) in (Mode.SIDECAR, Mode.UNKNOWN)

    @cached_property
    def gateway_workloads(self) -> set[Workload]:
        """Workloads that Istio Gateways select: their listeners ignore PeerAuthentication."""
        out: set[Workload] = set()
        for gateway in self.mesh.of_kind("Gateway", group=ISTIO_NETWORKING):
            selector = string_map(gateway.spec.get("selector"))
            if selector:
                out.update(self.mesh.workloads.matching(selector))
        return out

    @cached_property
    def _workloads_of_service(self) -> dict[ServiceHost, list[Workload]]:
        out = {}
        by_selector: dict[tuple, list[Workload]] = {}  # Services with one selector share
        for entries in self.services_by_namespace.values():
            for entry in entries:
                if entry.selector:
                    key = _selector_class(entry)
                    if key not in by_selector:
                        matches = self.mesh.workloads.matching(entry.selector, entry.namespace)
                        by_selector[key] = matches
                    out[entry] = by_selector[key]
        return out

    @cached_property
    def sidecar_services(self) -> list[ServiceHost]:
        """Services in front of application workloads with sidecars (or of workloads not
        in the analyzed files): not the assumed gateways, not Gateway deployments."""
        out = []
        fronts: dict[tuple, bool] = {}  # by selector: Services with one selector share
        for entries in self.services_by_namespace.values():
            for entry in entries:
                if entry.resource.file == ASSUMED_FILE:
                    continue
                key = _selector_class(entry)
                if key not in fronts:
                    workloads = self.workloads_of(entry)
                    fronts[key] = not any(w in self.gateway_workloads for w in workloads) and (
                        not workloads or any(self.has_sidecar(w) for w in workloads)
                    )
                if fronts[key]:
                    out.append(entry)
        return out

    def workloads_of(self, service: ServiceHost) -> list[Workload]:
        """The workloads a Service selects (a list shared by Services with its selector)."""
        return self._workloads_of_service.get(service, [])

    def services_of(self, workload: Workload) -> list[ServiceHost]:
        """The Services selecting a workload: the same for every workload with its labels
        in its namespace, so computed once per such class (a shared list)."""
        key = _label_class(workload)
        if key not in self._services:
            self._services[key] = self.mesh.services_selecting(workload.labels, key[0])
        return self._services[key]

    def service_decisions(self, service: ServiceHost) -> list[tuple[Workload | None, Decision]]:
        """The mode of each workload behind a Service (the namespace's mode when none of
        its workloads is in the analyzed files); a list shared by Services with its
        selector."""
        key = _selector_class(service)
        if key not in self._service_decisions:
            workloads = self.workloads_of(service)
            if not workloads:
                decisions = [(None, self.namespace_decision(service.namespace))]
            else:
                decisions = [
                    (w, self.workload_decision(w)) for w in workloads if self.has_sidecar(w)
                ]
            self._service_decisions[key] = decisions
        return self._service_decisions[key]

    def server_decisions(
        self, host: str, subset: dict[str, str] | None = None
    ) -> list[tuple[Workload | None, Decision]]:
        """The modes of the servers behind a DestinationRule host (only the workloads a
        subset's labels select, with ``subset``). A mesh-wide host reaches the mesh-wide
        mode and every namespace-wide one; external hosts have none."""
        if self.is_mesh_wide_host(host):
            out = [(None, self.mesh_decision())]
            out += [
                (None, d)
                for ns in self.namespace_policies
                if (d := self.namespace_decision(ns)).level == NAMESPACE
            ]
            return out
        namespace = self.wide_namespace(host)
        if namespace is not None:
            return [(None, self.namespace_decision(namespace))]
        namespace = hosts.cluster_local_namespace(host, self.domain)
        if namespace is None or hosts.is_wildcard(host):
            return []
        services = [
            e for e in self.mesh.services.exact.get(host, ()) if e.resource.kind == "Service"
        ]
        if not services:
            return [(None, self.namespace_decision(namespace))]
        return [
            (w, d)
            for service in services
            if service in self.sidecar_set
            for w, d in self.service_decisions(service)
            if w is None or not subset or selects(subset, w.labels)
        ]

    @cached_property
    def sidecar_set(self) -> set[ServiceHost]:
        return set(self.sidecar_services)

    @cached_property
    def _sidecar_services_by_namespace(self) -> dict[str, list[ServiceHost]]:
        out: dict[str, list[ServiceHost]] = {}
        for entry in self.sidecar_services:
            out.setdefault(entry.namespace, []).append(entry)
        return out

    def sidecar_services_in(self, namespace: str) -> list[ServiceHost]:
        return self._sidecar_services_by_namespace.get(namespace, [])

    # -- clients: DestinationRules ---------------------------------------------------

    def visible(self, dr: Resource, from_namespace: str) -> bool:
        """Whether a DestinationRule is exported to ``from_namespace``."""
        export = dr.spec.get("exportTo")
        scope = hosts.export_scope(
            export if isinstance(export, list) else None, self._dr_export_default
        )
        return hosts.visible(scope, dr.namespace, from_namespace)

    def _most_specific(
        self, namespace: str, host: str, client: str, exported: bool
    ) -> Resource | None:
        index = self._rules.get(namespace)
        if index is None:
            return None
        candidates = [
            dr
            for dr in index.overlapping(host)
            if hosts.matches(self.rule_host[dr], host)
            and (not exported or self.visible(dr, client))
        ]
        if not candidates:
            return None
        exact = [dr for dr in candidates if self.rule_host[dr] == host]
        if exact:
            return exact[0]
        return max(candidates, key=lambda dr: len(self.rule_host[dr]))

    def client_rule(
        self, host: str, service_namespace: str, client_namespace: str | None = None
    ) -> Resource | None:
        """The DestinationRule a client in ``client_namespace`` (by default the service's
        own) uses for ``host``: its own namespace's, else the service namespace's
        exported ones, else the root namespace's exported ones."""
        client = client_namespace or service_namespace
        if client != self.root:
            found = self._most_specific(client, host, client, exported=False)
            if found is not None:
                return found
        for namespace in (service_namespace, self.root):
            found = self._most_specific(namespace, host, client, exported=True)
            if found is not None:
                return found
        return None

    def client_tls(
        self, host: str, service_namespace: str, client_namespace: str | None = None
    ) -> tuple[str | None, Resource | None]:
        """(top-level TLS mode, DestinationRule) clients use for ``host``."""
        dr = self.client_rule(host, service_namespace, client_namespace)
        return (tls_mode(dr) if dr is not None else None), dr

    def sends_mtls(self, host: str, service_namespace: str) -> tuple[bool, Resource | None]:
        """Whether clients send Istio mTLS to ``host``: an ISTIO_MUTUAL DestinationRule,
        or no TLS setting and auto mTLS on."""
        mode, dr = self.client_tls(host, service_namespace)
        if mode is None:
            return self.auto_mtls, dr
        return mode == ISTIO_MUTUAL, dr

    def wide_rules(self) -> list[Resource]:
        """DestinationRules whose host is a wildcard."""
        return [dr for dr, host in self.rule_host.items() if hosts.is_wildcard(host)]


def _selector_class(service: ServiceHost) -> tuple:
    """Services that select the same workloads: same namespace, same selector."""
    return service.namespace, frozenset((service.selector or {}).items())


def _label_class(workload: Workload) -> tuple:
    """Workloads that every selector selects alike: same namespace, same labels."""
    return workload.namespace, frozenset(workload.labels.items())


_MODELS: weakref.WeakKeyDictionary[Mesh, MtlsModel] = weakref.WeakKeyDictionary()


def model(mesh: Mesh) -> MtlsModel:
    """The mTLS model of a mesh, built on first use and shared by every rule."""
    found = _MODELS.get(mesh)
    if found is None:
        found = _MODELS[mesh] = MtlsModel(mesh)
    return found
