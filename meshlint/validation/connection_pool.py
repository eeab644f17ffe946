"""Connection pool settings (DestinationRule traffic policies, Sidecar inbound pools)."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.validation import Issue
from meshlint.validation.values import is_int, mapping

_HTTP_COUNTS = (
    "http1MaxPendingRequests",
    "http2MaxRequests",
    "maxRequestsPerConnection",
    "maxRetries",
    "maxConcurrentStreams",
)


def connection_pool_errors(pool: dict) -> Iterator[Issue]:
    """What Istio rejects in a ``connectionPool`` block (paths below it)."""
    http, tcp = pool.get("http"), pool.get("tcp")
    if http is None and tcp is None:
        yield ((), "connection pool must set http or tcp settings")
        return
    http, tcp = mapping(http), mapping(tcp)
    for field in _HTTP_COUNTS:
        if is_int(http.get(field)) and http[field] < 0:
            yield (("http", field), f"{field} must not be negative")
    if http.get("h2UpgradePolicy") == "UPGRADE" and http.get("useClientProtocol") is True:
        yield (
            ("http", "useClientProtocol"),
            "useClientProtocol must not be true when h2UpgradePolicy is UPGRADE",
        )
    if is_int(tcp.get("maxConnections")) and tcp["maxConnections"] < 0:
        yield (("tcp", "maxConnections"), "maxConnections must not be negative")
