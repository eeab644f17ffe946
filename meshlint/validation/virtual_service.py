"""VirtualService facts and values the webhook checks across several fields."""

from __future__ import annotations

from meshlint.model import Resource
from meshlint.validation.values import is_int, items
from meshlint.validation.walk import enumerate_maps


def bound_to_gateway(vs: Resource) -> bool:
    """Whether a VirtualService applies to gateways only (not to the ``mesh``)."""
    gateways = items(vs.spec.get("gateways"))
    return bool(gateways) and "mesh" not in gateways


def has_sni_match(vs: Resource) -> bool:
    """Whether a TLS route of the VirtualService matches on ``sniHosts``."""
    return any(
        items(match.get("sniHosts"))
        for _, route in enumerate_maps(vs.spec.get("tls"), ())
        for _, match in enumerate_maps(route.get("match"), ())
    )


def http_status_error(status: object) -> str | None:
    """An HTTP status outside 200..600, which the webhook rejects."""
    if is_int(status) and not 200 <= status <= 600:
        return f"HTTP status {status} is not in range 200-599"
    return None
