"""The protocol Istio gives a Service port: from its ``appProtocol``, else the prefix of
its name (``http-web`` -> HTTP), as istio/istio ``pkg/config/kube`` ``ConvertProtocol``."""

from __future__ import annotations

UNSUPPORTED = "UnsupportedProtocol"
PROTOCOLS = {
    "tcp": "TCP",
    "udp": "UDP",
    "grpc": "GRPC",
    "grpc-web": "GRPC-Web",
    "http": "HTTP",
    "http_proxy": "HTTP_PROXY",
    "http2": "HTTP2",
    "https": "HTTPS",
    "tls": "TLS",
    "mongo": "Mongo",
    "redis": "Redis",
    "mysql": "MySQL",
}
#: Standard ``appProtocol`` values defined by Kubernetes.
KUBERNETES_APP_PROTOCOLS = {
    "kubernetes.io/h2c": "HTTP2",
    "kubernetes.io/ws": "HTTP",
    "kubernetes.io/wss": "HTTPS",
}
#: Ports treated as TCP when the name says nothing (sniffing would break them).
WELL_KNOWN_PORTS = frozenset({25, 53, 3306, 27017})


def parse(name: str) -> str:
    return PROTOCOLS.get(name.lower(), UNSUPPORTED)


def service_port_protocol(
    port: int | None, name: str, l4_protocol: str, app_protocol: str | None
) -> str:
    """Istio's protocol for a Kubernetes Service port (``UnsupportedProtocol`` when the
    name and appProtocol name none: Istio then sniffs the protocol)."""
    if l4_protocol == "UDP":
        return "UDP"
    label = name
    if app_protocol is not None:
        if app_protocol in KUBERNETES_APP_PROTOCOLS:
            return KUBERNETES_APP_PROTOCOLS[app_protocol]
        label = app_protocol
    if label[:8].lower() == "grpc-web":
        return "GRPC-Web"
    protocol = parse(label.split("-", 1)[0])
    if protocol == UNSUPPORTED and port in WELL_KNOWN_PORTS:
        return "TCP"
    return protocol
