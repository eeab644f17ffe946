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


class VisibleFrom:
    """Items with export scopes, filtered by the namespace that looks at them: the items
    exported everywhere are shared by every namespace, so asking from many namespaces
    does not rescan them (equivalent to filtering with :func:`visible`)."""

    def __init__(self, items: list, scopes: Iterable[tuple[frozenset, str]]) -> None:
        """``scopes``: each item's export scope and owner namespace, in order."""
        self.items = items
        self._everywhere: list[int] = []
        self._by_namespace: dict[str, list[int]] = {}
        self._seen: dict[str | None, list] = {}
        self._shared: list[tuple[int, object]] | None = None
        for i, (scope, owner) in enumerate(scopes):
            if "*" in scope:
                self._everywhere.append(i)
                continue
            names = {owner} if "." in scope else set()
            for name in names.union(scope - {"."}):
                self._by_namespace.setdefault(name, []).append(i)

    def __call__(self, namespace: str) -> list:
        """The items visible in ``namespace``, in order (a shared list: do not modify)."""
        if len(self._everywhere) == len(self.items):
            return self.items
        key = namespace if namespace in self._by_namespace else None
        if key not in self._seen:
            positions = sorted({*self._everywhere, *self._by_namespace.get(namespace, ())})
            self._seen[key] = [self.items[i] for i in positions]
        return self._seen[key]

    def parts(self, namespace: str) -> tuple[list[tuple[int, object]], list[tuple[int, object]]]:
        """The items visible in ``namespace`` in two parts, each item with its position:
        those exported everywhere (a list shared by every namespace) and the others. What
        is computed from the shared part can be computed once for every namespace."""
        if self._shared is None:
            self._shared = [(i, self.items[i]) for i in self._everywhere]
        specific = [(i, self.items[i]) for i in self._by_namespace.get(namespace, ())]
        return self._shared, specific


def covering_suffixes(host: str) -> list[str]:
    """The suffixes ``s`` for which the wildcard ``*s`` covers ``host`` (see :func:`matches`)."""
    return [host[j:] for j in range(1, len(host) + 1)] if host else [""]


def label_suffixes(name: str) -> list[str]:
    """The suffixes a wildcard pattern ``*.x.y`` (or ``*``) may have to cover ``name``:
    ``""`` and each of its dotted suffixes, shorter than the name."""
    return ["", *(name[j:] for j in range(1, len(name)) if name[j] == ".")]


class HostIndex:
    """Values keyed by host, where hosts may be wildcards: exact lookups are dictionary
    hits, wildcard entries are found through suffix indexes, so queries stay cheap at any
    mesh size."""

    def __init__(self) -> None:
        self.exact: dict[str, list] = {}
        self.wildcards: list[tuple[str, object]] = []
        self._wild_by_suffix: dict[str, list[int]] = {}
        self._under: tuple[dict[str, list[str]], dict[str, list[int]]] | None = None

    def add(self, host: str, value: object) -> None:
        self._under = None
        if is_wildcard(host):
            self._wild_by_suffix.setdefault(host[1:], []).append(len(self.wildcards))
            self.wildcards.append((host, value))
        else:
            self.exact.setdefault(host, []).append(value)

    def overlapping(self, host: str) -> list:
        """Values whose host overlaps ``host`` (either side may be a wildcard)."""
        found = list(self.exact.get(host, ()))
        wider = {i for s in covering_suffixes(host) for i in self._wild_by_suffix.get(s, ())}
        if is_wildcard(host):
            names, narrower = self._covered(host)
            found += [v for name in names for v in self.exact[name]]
            wider.update(narrower)
        found += [self.wildcards[i][1] for i in sorted(wider)]
        return found

    def _covered(self, pattern: str) -> tuple[list[str], list[int]]:
        """Exact hosts and wildcard entries (positions) that a wildcard pattern covers."""
        suffix = pattern[1:]
        if suffix and not suffix.startswith("."):
            names = [name for name in self.exact if matches(pattern, name)]
            wild = [i for i, (name, _) in enumerate(self.wildcards) if matches(pattern, name)]
            return names, wild
        if self._under is None:
            names_under: dict[str, list[str]] = {}
            for name in self.exact:
                for s in label_suffixes(name):
                    names_under.setdefault(s, []).append(name)
            wild_under: dict[str, list[int]] = {}
            for i, (name, _) in enumerate(self.wildcards):
                for s in {*label_suffixes(name[1:]), name[1:]}:
                    wild_under.setdefault(s, []).append(i)
            self._under = names_under, wild_under
        return self._under[0].get(suffix, []), self._under[1].get(suffix, [])
