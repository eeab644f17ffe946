"""AuthorizationPolicy fields and values as the webhook validates them: IP blocks, ports,
path templates and condition keys."""

from __future__ import annotations

import re

from meshlint.validation.addresses import is_cidr, is_ip
from meshlint.validation.values import decimal

SOURCE_FIELDS = (
    "principals",
    "requestPrincipals",
    "namespaces",
    "ipBlocks",
    "remoteIpBlocks",
    "serviceAccounts",
    "trustDomains",
)


OPERATION_FIELDS = ("ports", "methods", "paths", "hosts")


#: Source fields that identify a peer without HTTP, so a DENY rule using them applies to
#: TCP traffic too.
TCP_SOURCE_FIELDS = (
    "principals",
    "namespaces",
    "ipBlocks",
    "remoteIpBlocks",
    "serviceAccounts",
    "trustDomains",
)


#: Service port protocols on which a DENY rule's HTTP attributes cannot be evaluated.
NON_HTTP_PROTOCOLS = frozenset({"TCP", "TLS", "Mongo", "Redis", "MySQL"})


IP_FIELDS = ("ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks")


CUSTOM_UNSUPPORTED_SOURCES = (
    "namespaces",
    "notNamespaces",
    "principals",
    "notPrincipals",
    "requestPrincipals",
    "notRequestPrincipals",
)


_UNSUPPORTED_TEMPLATE = re.compile(r"/\{\w+=\*\*?\}|\{\w*\}|/\*\*?|\*\*?/")


IP_KEYS = ("source.ip", "remote.ip", "destination.ip")


PLAIN_KEYS = frozenset(
    {
        "source.namespace",
        "source.principal",
        "source.serviceAccount",
        "source.trustDomain",
        "request.auth.principal",
        "request.auth.audiences",
        "request.auth.presenter",
        "connection.sni",
    }
)


MAP_KEY_PREFIXES = ("request.headers", "request.auth.claims", "experimental.envoy.filters.")


REPLACED_KEYS = {
    "destination.namespace": "use the policy's namespace instead",
    "destination.name": "deprecated since v1alpha1",
    "destination.user": "deprecated since v1alpha1",
}


def with_negated(field: str) -> tuple[str, str]:
    """A field and its negation: ``hosts`` -> (``hosts``, ``notHosts``)."""
    return field, "not" + field[0].upper() + field[1:]


def ip_error(value: str) -> str | None:
    ok = is_cidr(value) if "/" in value else is_ip(value)
    return None if ok else f'"{value}" is not an IP address or CIDR block'


def port_text_error(value: str) -> str | None:
    number = decimal(value)
    if number is not None and number <= 65535:
        return None
    return f'"{value}" is not a port number'


def unsupported_template(path: str) -> bool:
    """A path template (with ``{*}`` or ``{**}``) using a form Istio does not support."""
    return ("{*}" in path or "{**}" in path) and bool(_UNSUPPORTED_TEMPLATE.search(path))


def _map_key_error(key: str) -> str | None:
    open_at = key.find("[")
    if key.endswith("]") and 0 < open_at < len(key) - 2:
        return None
    return f'condition key "{key}" must have the form name[key]'


def condition_key_error(key: str) -> str | None:
    """Why Istio rejects a ``when`` key, or None."""
    if key.startswith(MAP_KEY_PREFIXES):
        return _map_key_error(key)
    if key in PLAIN_KEYS or key in IP_KEYS or key == "destination.port":
        return None
    if key in REPLACED_KEYS:
        return f'condition key "{key}" is not supported: {REPLACED_KEYS[key]}'
    if key.startswith("destination.labels"):
        return f'condition key "{key}" is not supported: use the workload selector instead'
    return f'unknown condition key "{key}"'


def condition_value_error(key: str, value: str) -> str | None:
    if value == "":
        return "empty value not allowed"
    if key in IP_KEYS:
        return ip_error(value)
    if key == "destination.port":
        return port_text_error(value)
    return None
