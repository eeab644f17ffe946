"""Sidecar ingress listener values as the webhook validates them."""

from __future__ import annotations

from meshlint.validation.addresses import UNIX_PREFIX, is_ip, unix_path_error
from meshlint.validation.values import decimal

_LOOPBACKS = ("127.0.0.1", "0.0.0.0", "::1", "::")


def default_endpoint_error(endpoint: str) -> str | None:
    """A ``defaultEndpoint``: a loopback or wildcard address with a port, or a Unix socket."""
    if endpoint.startswith(UNIX_PREFIX):
        return unix_path_error(endpoint[len(UNIX_PREFIX) :])
    host, colon, port = endpoint.rpartition(":")
    if not colon:
        return f'defaultEndpoint "{endpoint}" must be host:port'
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if host and host not in _LOOPBACKS:
        return (
            "defaultEndpoint must be 127.0.0.1:<port>, 0.0.0.0:<port>, [::1]:<port>, "
            "[::]:<port> or unix://<path>"
        )
    if not 1 <= (decimal(port) or 0) <= 65535:
        return f'defaultEndpoint port "{port}" must be a number in 1..65535'
    return None


def bind_error(bind: object) -> str | None:
    """A ``bind`` address, which must be an IP address."""
    if isinstance(bind, str) and bind and not is_ip(bind):
        return f'bind "{bind}" is not an IP address'
    return None
