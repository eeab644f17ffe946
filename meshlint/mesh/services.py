"""The service registry: every host a Service or ServiceEntry puts in the mesh."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from meshlint.fieldpath import Path
from meshlint.mesh import hosts
from meshlint.model import Resource, as_list, string_map
from meshlint.validation.values import decimal

EXPORT_TO_ANNOTATION = "networking.istio.io/exportTo"


@dataclass(slots=True, frozen=True)
class ServicePort:
    number: int | None
    name: str
    protocol: str
    target_port: int | str | None
    app_protocol: str | None = None


@dataclass(slots=True, eq=False)
class ServiceHost:
    """One host of the registry and the resource that defines it."""

    host: str
    resource: Resource
    path: Path
    ports: list[ServicePort]
    export_to: frozenset
    selector: dict[str, str] | None = None

    @property
    def namespace(self) -> str:
        return self.resource.namespace

    def port(self, number: int) -> ServicePort | None:
        return next((p for p in self.ports if p.number == number), None)


def as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return decimal(value)
    return None


def service_hosts(
    resource: Resource, domain: str, default_export: Iterable[str]
) -> list[ServiceHost]:
    """The registry entries a Service (one FQDN) or a ServiceEntry (each host) defines."""
    spec = resource.spec
    if resource.kind == "Service":
        ports = [
            ServicePort(
                as_int(p.get("port")),
                str(p.get("name") or ""),
                str(p.get("protocol") or "TCP"),
                p.get("targetPort", p.get("port")),
                p.get("appProtocol"),
            )
            for p in as_list(spec.get("ports"))
            if isinstance(p, dict)
        ]
        export = resource.annotations.get(EXPORT_TO_ANNOTATION)
        scope = hosts.export_scope(export.split(",") if export else None, default_export)
        selector = string_map(spec.get("selector")) if spec.get("selector") is not None else None
        host = f"{resource.name}.{resource.namespace}.svc.{domain}"
        return [ServiceHost(host, resource, ("metadata", "name"), ports, scope, selector)]
    if resource.kind == "ServiceEntry":
        ports = [
            ServicePort(
                as_int(p.get("number")),
                str(p.get("name") or ""),
                str(p.get("protocol") or ""),
                p.get("targetPort"),
            )
            for p in as_list(spec.get("ports"))
            if isinstance(p, dict)
        ]
        raw_export = spec.get("exportTo")
        scope = hosts.export_scope(
            raw_export if isinstance(raw_export, list) else None, default_export
        )
        selector = spec.get("workloadSelector")
        labels = string_map(selector.get("labels")) if isinstance(selector, dict) else None
        entries = spec.get("hosts")
        if not isinstance(entries, list):
            return []
        return [
            ServiceHost(str(h), resource, ("spec", "hosts", i), ports, scope, labels)
            for i, h in enumerate(entries)
            if isinstance(h, str) and h
        ]
    return []


@dataclass
class ServiceRegistry:
    """Hosts by exact name, plus the wildcard hosts that must be matched by suffix.

    Lookups go through suffix indexes and are memoized per (host, namespace), so a mesh
    that asks about one host thousands of times does the work once. Returned lists are
    shared: callers must not modify them.
    """

    exact: dict[str, list[ServiceHost]] = field(default_factory=dict)
    wildcards: list[ServiceHost] = field(default_factory=list)
    _memo: dict[tuple[str, str | None], list[ServiceHost]] = field(default_factory=dict, repr=False)
    _scopes: dict[str, hosts.VisibleFrom] = field(default_factory=dict, repr=False)
    _wild_by_suffix: dict[str, list[int]] = field(default_factory=dict, repr=False)
    _exact_by_suffix: dict[str, list[str]] | None = field(default=None, repr=False)
    _by_namespace: tuple[str, dict[str, list[str]]] | None = field(default=None, repr=False)
    _by_length: dict[int, list[str]] | None = field(default=None, repr=False)

    def add(self, entry: ServiceHost) -> None:
        self._memo.clear()
        self._scopes.clear()
        self._exact_by_suffix = self._by_namespace = self._by_length = None
        if hosts.is_wildcard(entry.host):
            self._wild_by_suffix.setdefault(entry.host[1:], []).append(len(self.wildcards))
            self.wildcards.append(entry)
        else:
            self.exact.setdefault(entry.host, []).append(entry)

    def lookup(self, host: str, from_namespace: str | None = None) -> list[ServiceHost]:
        """Entries that define ``host`` (exactly, or through a wildcard entry), visible from
        ``from_namespace`` (all entries when None)."""
        key = (host, from_namespace)
        if key not in self._memo:
            if from_namespace is None:
                self._memo[key] = self._defining(host)
            else:
                self._memo[key] = self._visible(host, from_namespace)
        return self._memo[key]

    def lookup_parts(self, host: str, from_namespace: str) -> tuple[list, list]:
        """``lookup(host, from_namespace)`` in two parts, each entry with its position:
        the entries exported everywhere (a list shared by every namespace) and the others.
        See :meth:`meshlint.mesh.hosts.VisibleFrom.parts`."""
        return self._visibility(host).parts(from_namespace)

    def _visible(self, host: str, namespace: str) -> list[ServiceHost]:
        return self._visibility(host)(namespace)

    def _visibility(self, host: str) -> hosts.VisibleFrom:
        if host not in self._scopes:
            entries = self.lookup(host)
            scopes = [(e.export_to, e.namespace) for e in entries]
            self._scopes[host] = hosts.VisibleFrom(entries, scopes)
        return self._scopes[host]

    def _defining(self, host: str) -> list[ServiceHost]:
        found = list(self.exact.get(host, ()))
        if hosts.is_wildcard(host):
            found += [e for name in self._exact_under(host) for e in self.exact[name]]
        positions = hosts.wildcards_covering(host, self._wild_by_suffix)
        found += [self.wildcards[i] for i in sorted(positions)]
        return found

    def in_namespace(self, namespace: str, domain: str) -> list[str]:
        """Exact hosts ``<name>.<namespace>.svc.<domain>`` (a shared list)."""
        if self._by_namespace is None or self._by_namespace[0] != domain:
            index: dict[str, list[str]] = {}
            for name in self.exact:
                owner = hosts.cluster_local_namespace(name, domain)
                if owner is not None:
                    index.setdefault(owner, []).append(name)
            self._by_namespace = domain, index
        return self._by_namespace[1].get(namespace, [])

    def near(self, name: str, slack: int = 3) -> list[str]:
        """Exact hosts whose length is within ``slack`` of the name's: the only ones a
        did-you-mean suggestion may pick."""
        if self._by_length is None:
            self._by_length = {}
            for host in self.exact:
                self._by_length.setdefault(len(host), []).append(host)
        lengths = range(len(name) - slack, len(name) + slack + 1)
        return [host for n in lengths for host in self._by_length.get(n, ())]

    def _exact_under(self, pattern: str) -> list[str]:
        """Exact hosts a wildcard ``pattern`` covers, in the order they were added."""
        return hosts.covered(pattern, self.exact, self._exact_index)

    def _exact_index(self) -> dict[str, list[str]]:
        if self._exact_by_suffix is None:
            self._exact_by_suffix = hosts.by_label_suffix(self.exact)
        return self._exact_by_suffix
