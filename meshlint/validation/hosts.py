"""Host names as Istio validates them: DNS-1123 labels, FQDNs, wildcard domains and the
``namespace/host`` form of Gateway servers and Sidecar egress listeners."""

from __future__ import annotations

import re

from meshlint.validation.addresses import is_ip

MAX_LABEL = 63
MAX_NAME = 255
_LABEL = re.compile(r"[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?")
_WILDCARD_LABEL = re.compile(r"\*|(?:\*|\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?")
_SNI_OUTBOUND = re.compile(r"outbound_.([0-8].*).*")


def is_dns1123_label(value: str) -> bool:
    return len(value) <= MAX_LABEL and _LABEL.fullmatch(value) is not None


def is_wildcard_label(value: str) -> bool:
    return len(value) <= MAX_LABEL and _WILDCARD_LABEL.fullmatch(value) is not None


def _length_error(name: str) -> str | None:
    if not name:
        return "empty domain name not allowed"
    if len(name) > MAX_NAME:
        return f'domain name "{name[:40]}..." too long (max {MAX_NAME})'
    return None


def _labels_error(domain: str, whole: str) -> str | None:
    parts = domain.split(".")
    if parts[-1].isdigit():
        return (
            f'domain name "{whole}" invalid (top level domain "{parts[-1]}" cannot be all-numeric)'
        )
    for i, label in enumerate(parts):
        if i == len(parts) - 1 and label == "":
            return None
        if not is_dns1123_label(label):
            return f'domain name "{whole}" invalid (label "{label}" invalid)'
    return None


def fqdn_error(name: str) -> str | None:
    """Why ``name`` is not a valid DNS name (no wildcards), or None."""
    return _length_error(name) or _labels_error(name, name)


def wildcard_domain_error(name: str, *, sni_gateway: bool = False) -> str | None:
    """Why ``name`` is not a DNS name with an optional wildcard first label, or None.

    ``sni_gateway`` accepts the ``outbound_.<port>_...`` names Istio generates for SNI
    routes of gateway-bound VirtualServices.
    """
    error = _length_error(name)
    if error:
        return error
    first, dot, rest = name.partition(".")
    if sni_gateway and first == "outbound_":
        if _SNI_OUTBOUND.search(name):
            return None
        return f'domain name "{name}" invalid (label "{first}" invalid)'
    if not is_wildcard_label(first):
        return f'domain name "{name}" invalid (label "{first}" invalid)'
    return _labels_error(rest, name) if dot else None


def partial_wildcard_error(name: str) -> str | None:
    """A wildcard anywhere but as a whole first label (``*.example.com`` or ``*``)."""
    if "*" in name and name != "*" and not name.startswith("*."):
        return f'partial wildcard "{name}" not allowed'
    return None


def _dns_part_errors(name: str, *, gateway: bool) -> list[str]:
    errors = []
    if name != "*" and "." not in name:
        errors.append(f'short name "{name}" is not allowed: use a fully qualified name')
    error = wildcard_domain_error(name)
    if error and not (gateway and is_ip(name)):
        errors.append(error)
    partial = partial_wildcard_error(name)
    if partial:
        errors.append(partial)
    return errors


def namespaced_host_errors(host: str, *, gateway: bool) -> list[str]:
    """Errors of a ``namespace/dnsName`` host (Gateway servers accept a bare name too)."""
    namespace, slash, name = host.partition("/")
    if not slash:
        if gateway:
            return _dns_part_errors(host, gateway=True)
        return [f'host "{host}" must be of the form namespace/dnsName']
    if not namespace or not name:
        return ["namespace and dnsName in a host entry cannot be empty"]
    errors = []
    allowed = ("*", ".") if gateway else ("*", ".", "~")
    if namespace not in allowed and not is_dns1123_label(namespace):
        errors.append(f'invalid namespace "{namespace}" in host "{host}"')
    errors.extend(_dns_part_errors(name, gateway=gateway))
    return errors
