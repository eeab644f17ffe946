"""Host names as Istio reads them: short names, FQDNs, wildcards and exportTo scopes."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable


def is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def fqdn(host: str, namespace: str, domain: str = "cluster.local") -> str:
    """Expand a short name as istiod does: ``reviews`` -> ``reviews.<ns>.svc.<domain>``.

    Names with a dot, ``*`` and IP addresses are left as they are.
    """
    if not host or host == "*" or "." in host or (":" in host and is_ip(host)):
        return host
    return f"{host}.{namespace}.svc.{domain}"


def is_wildcard(host: str) -> bool:
    return host.startswith("*")


def matches(pattern: str, host: str) -> bool:
    """Whether ``host`` (possibly a wildcard itself) falls within ``pattern``.

    ``*.example.com`` covers ``a.example.com`` and ``*.a.example.com``; ``*`` covers all.
    """
    if pattern == host or pattern == "*":
        return True
    if not is_wildcard(pattern):
        return False
    suffix = pattern[1:]
    return host.endswith(suffix) and len(host) > len(suffix)


def overlaps(a: str, b: str) -> bool:
    """Whether two hosts (either possibly wildcards) can name a common host."""
    return matches(a, b) or matches(b, a)


def cluster_local_namespace(host: str, domain: str = "cluster.local") -> str | None:
    """The namespace of ``name.ns.svc.<domain>``, or None for other hosts."""
    suffix = f".svc.{domain}"
    if not host.endswith(suffix):
        return None
    parts = host[: -len(suffix)].split(".")
    return parts[-1] if len(parts) >= 2 else None


def export_scope(values: Iterable[object] | None, default: Iterable[str] = ("*",)) -> frozenset:
    """The exportTo values as a set (``*``, ``.``, ``~`` or namespace names)."""
    scope = [str(v).strip() for v in values] if values else list(default)
    return frozenset(v for v in scope if v)


def visible(scope: frozenset, owner_namespace: str, from_namespace: str) -> bool:
    """Whether a resource exported with ``scope`` from ``owner_namespace`` is visible in
    ``from_namespace``."""
    if "*" in scope:
        return True
    if "." in scope and owner_namespace == from_namespace:
        return True
    return from_namespace in scope


class HostIndex:
    """Values keyed by host, where hosts may be wildcards: exact lookups are dictionary
    hits, wildcard entries are checked by suffix, so queries stay cheap at any mesh size."""

    def __init__(self) -> None:
        self.exact: dict[str, list] = {}
        self.wildcards: list[tuple[str, object]] = []

    def add(self, host: str, value: object) -> None:
        if is_wildcard(host):
            self.wildcards.append((host, value))
        else:
            self.exact.setdefault(host, []).append(value)

    def overlapping(self, host: str) -> list:
        """Values whose host overlaps ``host`` (either side may be a wildcard)."""
        found = list(self.exact.get(host, ()))
        if is_wildcard(host):
            found += [v for name, vs in self.exact.items() if matches(host, name) for v in vs]
            found += [v for name, v in self.wildcards if overlaps(name, host)]
        else:
            found += [v for name, v in self.wildcards if matches(name, host)]
        return found
