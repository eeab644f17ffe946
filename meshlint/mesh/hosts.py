"""Host names as Istio reads them: short names, FQDNs, wildcards and exportTo scopes."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from meshlint.validation.addresses import is_ip


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


def wildcards_covering(host: str, by_suffix: dict[str, list[int]]) -> list[int]:
    """Positions of the wildcards ``*s`` (indexed by ``s`` in ``by_suffix``) that cover
    ``host`` (see :func:`matches`); no scan at all when there are none."""
    if not by_suffix:
        return []
    suffixes = [host[j:] for j in range(1, len(host) + 1)] if host else [""]
    return [i for s in suffixes for i in by_suffix.get(s, ())]


def label_suffixes(name: str) -> list[str]:
    """The suffixes a wildcard pattern ``*.x.y`` (or ``*``) may have to cover ``name``:
    ``""`` and each of its dotted suffixes, shorter than the name."""
    return ["", *(name[j:] for j in range(1, len(name)) if name[j] == ".")]


def by_label_suffix(names: Iterable[str]) -> dict[str, list[str]]:
    """Names by each suffix of :func:`label_suffixes`, in order (for :func:`covered`)."""
    index: dict[str, list[str]] = {}
    for name in names:
        for suffix in label_suffixes(name):
            index.setdefault(suffix, []).append(name)
    return index


def covered(pattern: str, names: Iterable[str], index: Callable[[], dict]) -> list[str]:
    """The exact ``names`` a wildcard ``pattern`` covers, in order: through ``index()``
    (:func:`by_label_suffix` of the names, built on demand) when the pattern is ``*`` or
    ``*.x``, by matching each name otherwise."""
    suffix = pattern[1:]
    if suffix and not suffix.startswith("."):
        return [name for name in names if matches(pattern, name)]
    return index().get(suffix, [])


class HostIndex:
    """Values keyed by host, where hosts may be wildcards: exact lookups are dictionary
    hits, wildcard entries are found through suffix indexes, so queries stay cheap at any
    mesh size."""

    def __init__(self) -> None:
        self.exact: dict[str, list] = {}
        self.wildcards: list[tuple[str, object]] = []
        self._wild_by_suffix: dict[str, list[int]] = {}
        self._names_by_suffix: dict[str, list[str]] | None = None
        self._wildcards_by_suffix: dict[str, list[int]] | None = None

    def add(self, host: str, value: object) -> None:
        self._names_by_suffix = self._wildcards_by_suffix = None
        if is_wildcard(host):
            self._wild_by_suffix.setdefault(host[1:], []).append(len(self.wildcards))
            self.wildcards.append((host, value))
        else:
            self.exact.setdefault(host, []).append(value)

    def overlapping(self, host: str) -> list:
        """Values whose host overlaps ``host`` (either side may be a wildcard)."""
        found = list(self.exact.get(host, ()))
        wider = set(wildcards_covering(host, self._wild_by_suffix))
        if is_wildcard(host):
            names = covered(host, self.exact, self._names_under)
            found += [v for name in names for v in self.exact[name]]
            wider.update(self._wildcards_under(host))
        found += [self.wildcards[i][1] for i in sorted(wider)]
        return found

    def _names_under(self) -> dict[str, list[str]]:
        if self._names_by_suffix is None:
            self._names_by_suffix = by_label_suffix(self.exact)
        return self._names_by_suffix

    def _wildcards_under(self, pattern: str) -> list[int]:
        """Positions of the wildcard entries a wildcard pattern covers."""
        suffix = pattern[1:]
        if suffix and not suffix.startswith("."):
            return [i for i, (name, _) in enumerate(self.wildcards) if matches(pattern, name)]
        if self._wildcards_by_suffix is None:
            self._wildcards_by_suffix = {}
            for i, (name, _) in enumerate(self.wildcards):
                for label in {*label_suffixes(name[1:]), name[1:]}:
                    self._wildcards_by_suffix.setdefault(label, []).append(i)
        return self._wildcards_by_suffix.get(suffix, [])
