"""Finding hosts that overlap a host (either side a wildcard) through suffix indexes.

:class:`meshlint.mesh.hosts.HostIndex` scans its wildcard entries (and, for a wildcard
query, every exact entry). When every entry may be queried, that is quadratic; this index
answers each query with dictionary lookups over the suffixes of the queried name instead.
Equal hosts are not reported as overlaps: callers look them up exactly.
"""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.mesh.hosts import is_wildcard


class SuffixIndex:
    """Values by host, queried for the values whose host overlaps another one."""

    def __init__(self) -> None:
        self._wild: dict[str, list] = {}  # "*<suffix>" entries by suffix
        self._exact_under: dict[str, list] = {}  # exact hosts by each shorter suffix
        self._wild_under: dict[str, list] = {}  # wildcards by each shorter suffix

    def add(self, host: str, value: object) -> None:
        if is_wildcard(host):
            suffix = host[1:]
            self._wild.setdefault(suffix, []).append(value)
            for j in range(1, len(suffix) + 1):
                self._wild_under.setdefault(suffix[j:], []).append(value)
        else:
            for j in range(1, len(host) + 1):
                self._exact_under.setdefault(host[j:], []).append(value)

    def overlapping(self, host: str) -> Iterator:
        """Values whose host overlaps ``host`` without being equal to it, lazily."""
        if is_wildcard(host):
            suffix = host[1:]
            yield from self._exact_under.get(suffix, ())
            yield from self._wild_under.get(suffix, ())
            start = 2
        else:
            start = 1
        for j in range(start, len(host) + 1):
            yield from self._wild.get(host[j:], ())
