"""Groups of resources that collide (same host, same labels, ...), reported without
quadratic work: each member names a few of the others and counts the rest."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

from meshlint.model import Resource

#: How many other resources a finding names (and points at) before "and N more".
MAX_NAMED = 5


class Group:
    """Distinct resources in the order they were added."""

    def __init__(self, members: Iterable[Resource] = ()) -> None:
        self.members: list[Resource] = []
        self._seen: set[int] = set()
        for member in members:
            self.add(member)

    def add(self, resource: Resource) -> None:
        if id(resource) not in self._seen:
            self._seen.add(id(resource))
            self.members.append(resource)

    def __len__(self) -> int:
        return len(self.members)

    def __contains__(self, resource: object) -> bool:
        return id(resource) in self._seen

    def others(self, resource: Resource, limit: int = MAX_NAMED) -> tuple[list[Resource], int]:
        """Up to ``limit`` members other than ``resource``, and how many others there are."""
        named = list(islice((m for m in self.members if m is not resource), limit))
        return named, len(self.members) - (resource in self)


def describe(named: list[Resource], total: int) -> str:
    """``Kind ns/a, Kind ns/b and 3 more``."""
    text = ", ".join(r.ref for r in named)
    rest = total - len(named)
    return f"{text} and {rest} more" if rest > 0 else text


class UnionSizes:
    """Sizes of unions of a few shared sets, memoized by the combination of sets.

    A union is counted from its smaller sets against the larger ones, so many queries that
    share their large sets (thousands of resources for one host, each with a host of its
    own) stay linear. The sets must not change while this object is in use (it keeps them
    alive, as they are known by identity).
    """

    def __init__(self) -> None:
        self._sizes: dict[tuple[int, ...], tuple[tuple[set, ...], int]] = {}

    def size(self, sets: Iterable[set]) -> int:
        distinct = {id(s): s for s in sets}.values()
        return self._size(tuple(sorted(distinct, key=lambda s: (-len(s), id(s)))))

    def _size(self, sets: tuple[set, ...]) -> int:
        if not sets:
            return 0
        key = tuple(id(s) for s in sets)
        if key not in self._sizes:
            *larger, smallest = sets
            extra = sum(1 for x in smallest if not any(x in s for s in larger))
            self._sizes[key] = sets, self._size(tuple(larger)) + extra
        return self._sizes[key][1]
