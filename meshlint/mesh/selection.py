"""What a policy's workload selector or namespace list selects, decided offline.

Selectors match Pods and pod templates (see :mod:`meshlint.mesh.workloads`). "Selects
nothing" is only provable when the analyzed files describe the namespace: they hold at
least one workload there, or they are declared complete. Otherwise the answer is unknown,
since the workloads may be deployed from elsewhere.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from meshlint.core.suggest import hint
from meshlint.fieldpath import Path, get
from meshlint.mesh.authz import pattern_matches
from meshlint.mesh.evidence import no_workloads
from meshlint.mesh.groups import MAX_NAMED, describe
from meshlint.mesh.index import ASSUMED_FILE, Mesh
from meshlint.mesh.memo import per_mesh
from meshlint.mesh.resolve import Resolution, found, not_found, unknown
from meshlint.mesh.workloads import Workload
from meshlint.model import Resource, string_map

POLICY_SELECTOR: Path = ("spec", "selector", "matchLabels")
SIDECAR_SELECTOR: Path = ("spec", "workloadSelector", "labels")
GATEWAY_SELECTOR: Path = ("spec", "selector")
_NAMESPACE_CHARS = re.compile(r"[a-z0-9-]*")


def selector_of(resource: Resource, path: Path = POLICY_SELECTOR) -> dict[str, str] | None:
    """The selector's labels; None when the resource has no selector (or an empty one)."""
    labels = string_map(get(resource.body, path))
    return labels or None


def has_target_ref(resource: Resource) -> bool:
    """Whether a policy attaches by ``targetRef``/``targetRefs`` instead of a selector."""
    spec = resource.spec
    return bool(spec.get("targetRef")) or bool(spec.get("targetRefs"))


def text(selector: dict[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in selector.items())


def describes_namespace(mesh: Mesh, namespace: str) -> bool:
    """Whether the analyzed files hold any workload in ``namespace``."""
    return any(w.resource.file != ASSUMED_FILE for w in mesh.workloads.matching({}, namespace))


def select_workloads(
    mesh: Mesh,
    selector: dict[str, str],
    namespace: str | None,
    in_mesh: Callable[[Workload], bool] | None = None,
) -> Resolution:
    """The workloads ``selector`` selects in ``namespace`` (every namespace when None);
    with ``in_mesh``, only those it says are in the mesh count."""
    matches = mesh.workloads.matching(selector, namespace)
    kept = [w for w in matches if in_mesh is None or in_mesh(w)]
    if kept:
        return found(kept)
    if matches:
        refs = ", ".join(sorted(w.resource.ref for w in matches))
        return not_found(f"{refs} not in the mesh")
    if mesh.settings.assume_complete:
        return not_found()
    if namespace is None:
        return unknown("workloads outside the analyzed files may carry these labels")
    if describes_namespace(mesh, namespace):
        return not_found()
    return unknown(no_workloads(namespace))


def no_match(
    mesh: Mesh, selector: dict[str, str], namespace: str | None, path: Path
) -> tuple[Path, str]:
    """Where and how to report a selector that matches nothing: at the first label no
    workload in ``namespace`` (every namespace when None) carries, with a did-you-mean."""
    where = "the mesh" if namespace is None else f"namespace {namespace}"
    message = f"selector {text(selector)} matches no workload in {where}"
    for key, value in selector.items():
        if mesh.workloads.matching({key: value}, namespace):
            continue
        values = {
            w.labels[key]
            for w in mesh.whole.workloads.all
            if key in w.labels and (namespace is None or w.namespace == namespace)
        }
        return (*path, key), f"{message}: no workload has {key}={value}" + hint(value, values)
    return path, message


@per_mesh
def selector_answer(
    mesh: Mesh,
    items: tuple[tuple[str, str], ...],
    namespace: str | None,
    path: Path,
    in_mesh: Callable[[Mesh, Workload], bool] | None = None,
) -> tuple[Resolution, Path, str]:
    """Whether the selector of ``items`` selects workloads in ``namespace`` (see
    :func:`select_workloads`; ``in_mesh(mesh, workload)`` says which count), and where
    and how to report it when it does not (see :func:`no_match`). Once per mesh and
    question: resources sharing a selector share the answer."""
    selector = dict(items)
    accept = None if in_mesh is None else (lambda w: in_mesh(mesh, w))
    resolution = select_workloads(mesh, selector, namespace, accept)
    if resolution.found:
        return resolution, path, ""
    return (resolution, *no_match(mesh, selector, namespace, path))


def resolve_namespace_pattern(mesh: Mesh, pattern: str) -> Resolution:
    """Whether a namespace matching ``pattern`` exists.

    A pattern that no valid namespace name can match (uppercase, ``_``, ...) is provably
    missing; otherwise a pattern matching no namespace meshlint has evidence of is unknown
    unless the analyzed files are declared complete.
    """
    if pattern == "*":
        return found([])
    if not _NAMESPACE_CHARS.fullmatch(pattern.strip("*")):
        return not_found(f"{pattern!r} cannot match a namespace name (lowercase DNS label)")
    if "*" not in pattern:
        return mesh.namespace(pattern)
    known = mesh.namespaces_seen | {mesh.settings.root_namespace}
    matches = sorted(ns for ns in known if pattern_matches(pattern, ns))
    if matches:
        return found(matches)
    if mesh.settings.assume_complete:
        return not_found()
    return unknown(f"no namespace in the analyzed files matches {pattern}")


@dataclass(slots=True, eq=False)
class Overlap:
    """The other resources that select some of a resource's workloads (the first
    ``MAX_NAMED`` of them, and how many there are), and those workloads."""

    others: list[Resource] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)
    total: int = 0

    def describe_others(self) -> str:
        return describe(self.others, self.total)

    def describe_workloads(self) -> str:
        return describe([w.resource for w in self.workloads[:MAX_NAMED]], len(self.workloads))


@dataclass(slots=True, eq=False)
class _Selecting:
    """Resources with one selector in one namespace: they select the same workloads."""

    members: list[tuple[int, Resource]]
    workloads: list[Workload]


def overlapping_selectors(
    mesh: Mesh,
    resources: Iterable[Resource],
    path: Path,
    keep: Callable[[Workload], bool] | None = None,
) -> dict[Resource, Overlap]:
    """Resources whose selectors (at ``path``) select a workload (that ``keep`` accepts)
    that another of them selects too, with the others and the shared workloads.

    Resources with the same selector in the same namespace are grouped first, so the work
    is linear in the resources and in the workloads of each distinct selector."""
    groups: dict[tuple, _Selecting] = {}
    kept: dict[Workload, bool] = {}
    for index, resource in enumerate(resources):
        selector = selector_of(resource, path)
        if selector is None:
            continue
        key = (resource.namespace, tuple(selector.items()))
        if key not in groups:
            matches = mesh.workloads.matching(selector, resource.namespace)
            for w in matches:
                if w not in kept:
                    kept[w] = keep is None or keep(w)
            groups[key] = _Selecting([], [w for w in matches if kept[w]])
        groups[key].members.append((index, resource))
    by_workload: dict[Workload, list[_Selecting]] = {}
    for group in groups.values():
        for workload in group.workloads:
            by_workload.setdefault(workload, []).append(group)
    order = {w: i for i, w in enumerate(by_workload)}
    out: dict[Resource, Overlap] = {}
    for group in sorted(groups.values(), key=lambda g: g.members[0][0]):
        shared = sorted(
            (w for w in group.workloads if sum(len(g.members) for g in by_workload[w]) > 1),
            key=order.__getitem__,
        )
        if not shared:
            continue
        selecting = {id(g): g for w in shared for g in by_workload[w]}.values()
        total = sum(len(g.members) for g in selecting)
        first = _first_selecting(shared, by_workload, MAX_NAMED + 1)
        for _, resource in group.members:
            others = [r for r in first if r is not resource][:MAX_NAMED]
            out[resource] = Overlap(others, shared, total - 1)
    return out


def _first_selecting(
    workloads: list[Workload], by_workload: dict[Workload, list[_Selecting]], limit: int
) -> list[Resource]:
    """The first ``limit`` distinct resources selecting the workloads, workload by
    workload, each workload's in resource order."""
    found: dict[int, Resource] = {}
    for workload in workloads:
        members = heapq.merge(*(g.members for g in by_workload[workload]), key=lambda m: m[0])
        for index, resource in members:
            found.setdefault(index, resource)
            if len(found) >= limit:
                return list(found.values())
    return list(found.values())
