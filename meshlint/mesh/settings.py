"""Mesh-wide settings: Istio's mesh config (defaults layered with the user's) and the
assumptions meshlint makes about what exists outside the analyzed files."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

DEFAULT_MESH_CONFIG: dict = {
    "rootNamespace": "istio-system",
    "trustDomain": "cluster.local",
    "ingressControllerMode": "STRICT",
    "ingressService": "istio-ingressgateway",
    "ingressSelector": "ingressgateway",
    "ingressClass": "istio",
    "enableAutoMtls": True,
    "outboundTrafficPolicy": {"mode": "ALLOW_ANY"},
    "defaultServiceExportTo": ["*"],
    "defaultVirtualServiceExportTo": ["*"],
    "defaultDestinationRuleExportTo": ["*"],
    "defaultConfig": {"proxyMetadata": {}},
    "defaultProviders": {},
    "extensionProviders": [
        {"name": "prometheus", "prometheus": {}},
        {"name": "stackdriver", "stackdriver": {}},
        {"name": "envoy", "envoyFileAccessLog": {"path": "/dev/stdout"}},
    ],
}

_MERGED_BY_NAME = ("extensionProviders",)


@dataclass(slots=True)
class GatewayPort:
    port: int
    target_port: int
    name: str
    protocol: str = "TCP"
    app_protocol: str | None = None


@dataclass(slots=True)
class AssumedGateway:
    """A gateway deployment assumed to exist although no analyzed file defines it."""

    name: str
    namespace: str
    labels: dict[str, str]
    ports: list[GatewayPort]
    #: Declared by the user (``mesh.gateways``) rather than Istio's default: evidence of
    #: which gateway workloads exist.
    declared: bool = False


def default_gateways(namespace: str = "istio-system") -> list[AssumedGateway]:
    """Istio's default-profile ingress and egress gateways.

    The ingress Service's ports accept both the analyzer's defaults (80, 443, 31400, 15443)
    and the default profile's target ports (80->8080, 443->8443), so Gateways written either
    way lint clean.
    """
    ingress_ports = [
        GatewayPort(15021, 15021, "status-port"),
        GatewayPort(80, 8080, "http2"),
        GatewayPort(443, 8443, "https"),
        GatewayPort(31400, 31400, "tcp"),
        GatewayPort(15443, 15443, "tls"),
    ]
    egress_ports = [
        GatewayPort(80, 8080, "http2"),
        GatewayPort(443, 8443, "https"),
    ]
    return [
        AssumedGateway(
            "istio-ingressgateway",
            namespace,
            {"istio": "ingressgateway", "app": "istio-ingressgateway"},
            ingress_ports,
        ),
        AssumedGateway(
            "istio-egressgateway",
            namespace,
            {"istio": "egressgateway", "app": "istio-egressgateway"},
            egress_ports,
        ),
    ]


def layer(base: dict, override: dict) -> dict:
    """Overlay a user's MeshConfig on the defaults as istiod does.

    Scalars and lists replace, mappings merge recursively, and ``extensionProviders`` merge
    by name.
    """
    out = copy.deepcopy(base)
    for key, value in override.items():
        if key in _MERGED_BY_NAME and isinstance(value, list):
            by_name = {p.get("name"): p for p in out.get(key, []) if isinstance(p, dict)}
            for provider in value:
                if isinstance(provider, dict):
                    by_name[provider.get("name")] = provider
            out[key] = list(by_name.values())
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = layer(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def read_mesh_config(text: str, key: str = "mesh") -> dict:
    """A MeshConfig from YAML text: raw MeshConfig, or the ``istio`` ConfigMap's ``mesh``
    key (``key`` names another entry, e.g. ``meshNetworks``)."""
    import yaml  # only for an embedded config: a one-file lint never needs PyYAML

    data = yaml.safe_load(text) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{key} config must be a YAML mapping")
    if data.get("kind") == "ConfigMap":
        entry = (data.get("data") or {}).get(key) or ""
        data = yaml.safe_load(entry) or {}
        if not isinstance(data, dict):
            raise ValueError(f"the ConfigMap's data.{key} must be a YAML mapping")
    return data


#: The kind of the resource a mesh networks file or ConfigMap key is read as.
MESH_NETWORKS_KIND = "MeshNetworks"


def read_mesh_networks(text: str) -> dict:
    """MeshNetworks from YAML text: raw, or the ``istio`` ConfigMap's ``meshNetworks`` key."""
    return read_mesh_config(text, "meshNetworks")


@dataclass(slots=True)
class MeshSettings:
    """Everything about the mesh that is not in the analyzed manifests.

    ``assume_complete``: when true, anything meshlint cannot see is reported as not found
    (the analyzed files are the whole mesh). When false (the default), a reference into a
    namespace that no analyzed file lives in resolves as unknown and is not reported.
    """

    mesh_config: dict = field(default_factory=lambda: copy.deepcopy(DEFAULT_MESH_CONFIG))
    mesh_networks: dict = field(default_factory=dict)
    #: The file ``mesh_networks`` was read from ('' when unknown), to place findings.
    mesh_networks_file: str = ""
    cluster_domain: str = "cluster.local"
    default_namespace: str = "default"
    gateways: list[AssumedGateway] = field(default_factory=default_gateways)
    assume_complete: bool = False
    report_unknown: bool = False
    external_hosts: list[str] = field(default_factory=list)

    @property
    def root_namespace(self) -> str:
        return str(self.mesh_config.get("rootNamespace") or "istio-system")

    @property
    def linted_kinds(self) -> frozenset[str]:
        """Kinds of the resources rules are given from these settings rather than from
        the linted files (a mesh networks file becomes a ``MeshNetworks`` resource)."""
        return frozenset({MESH_NETWORKS_KIND}) if self.mesh_networks else frozenset()

    @property
    def ingress_enabled(self) -> bool:
        return self.mesh_config.get("ingressControllerMode") != "OFF"

    @property
    def outbound_policy(self) -> str:
        policy = self.mesh_config.get("outboundTrafficPolicy") or {}
        return str(policy.get("mode") or "ALLOW_ANY")

    def describe_assumptions(self) -> list[str]:
        """Human-readable lines for ``meshlint lint -v``."""
        lines = [
            f"root namespace: {self.root_namespace}",
            f"cluster domain: {self.cluster_domain}",
            f"default namespace for namespaced objects without one: "
            f"{self.default_namespace or '(none)'}",
            f"outbound traffic policy: {self.outbound_policy}",
            "references outside the analyzed files: "
            + ("not found (assume complete)" if self.assume_complete else "unknown"),
        ]
        for gw in self.gateways:
            labels = ",".join(f"{k}={v}" for k, v in gw.labels.items())
            ports = ",".join(f"{p.port}->{p.target_port}" for p in gw.ports)
            lines.append(
                f"assumed gateway {gw.namespace}/{gw.name}: labels {labels}; ports {ports}"
            )
        return lines
