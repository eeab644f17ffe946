"""Port numbers, port names and the protocol names Istio understands."""

from __future__ import annotations

from meshlint.validation.hosts import is_dns1123_label
from meshlint.validation.values import is_int

HTTP_PROTOCOLS = frozenset({"HTTP", "HTTP2", "HTTP_PROXY", "GRPC", "GRPC-WEB"})
TLS_PROTOCOLS = frozenset({"HTTPS", "TLS"})
TCP_PROTOCOLS = frozenset({"TCP", "HTTPS", "TLS", "MONGO", "REDIS", "MYSQL"})
PROTOCOLS = HTTP_PROTOCOLS | TCP_PROTOCOLS | {"UDP"}


def port_error(value: object) -> str | None:
    """A port number must be in 1..65535 (non-numbers are the schema's business)."""
    if is_int(value) and not 1 <= value <= 65535:
        return f"port number {value} must be in the range 1..65535"
    return None


def protocol(name: object) -> str | None:
    """The canonical protocol (case-insensitive), or None when Istio does not know it."""
    if not isinstance(name, str):
        return None
    upper = name.upper()
    return upper if upper in PROTOCOLS else None


def is_http(name: object) -> bool:
    return protocol(name) in HTTP_PROTOCOLS


def is_tls(name: object) -> bool:
    return protocol(name) in TLS_PROTOCOLS


def is_tcp(name: object) -> bool:
    return protocol(name) in TCP_PROTOCOLS


def protocol_error(name: object) -> str | None:
    """An explicit protocol must be one Istio knows (empty means sniffing)."""
    if isinstance(name, str) and name and protocol(name) is None:
        known = "HTTP, HTTPS, HTTP2, GRPC, GRPC-Web, TCP, TLS, Mongo, Redis, MySQL, UDP"
        return f'unsupported protocol "{name}" (known: {known})'
    return None


def port_name_error(name: object) -> str | None:
    """A port name must be a DNS-1123 label."""
    if isinstance(name, str) and not is_dns1123_label(name):
        return f'invalid port name "{name}": must be a DNS-1123 label (a-z, 0-9, -)'
    return None
