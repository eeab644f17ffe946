"""The service registry: every host a Service or ServiceEntry puts in the mesh."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from meshlint.fieldpath import Path
from meshlint.mesh import hosts
from meshlint.model import Resource, as_list, string_map

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
    if isinstance(value, str) and value.isdigit():
        return int(value)
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
    """Hosts by exact name, plus the wildcard hosts that must be matched by suffix."""

    exact: dict[str, list[ServiceHost]] = field(default_factory=dict)
    wildcards: list[ServiceHost] = field(default_factory=list)

    def add(self, entry: ServiceHost) -> None:
        if hosts.is_wildcard(entry.host):
            self.wildcards.append(entry)
        else:
            self.exact.setdefault(entry.host, []).append(entry)

    def lookup(self, host: str, from_namespace: str | None = None) -> list[ServiceHost]:
        """Entries that define ``host`` (exactly, or through a wildcard entry), visible from
        ``from_namespace`` (all entries when None)."""
        found = list(self.exact.get(host, ()))
        if hosts.is_wildcard(host):
            found += [e for name, es in self.exact.items() if hosts.matches(host, name) for e in es]
        found += [e for e in self.wildcards if hosts.matches(e.host, host)]
        if from_namespace is None:
            return found
        return [e for e in found if hosts.visible(e.export_to, e.namespace, from_namespace)]
