"""Workloads: Pods and the pod templates of controllers, with label-selector matching.

Offline, a Deployment's pod template stands for the pods it will create, so selectors can
be checked against a repository of manifests without a cluster.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from meshlint.fieldpath import Path, get
from meshlint.model import Resource, string_map

TEMPLATE_PATHS: dict[str, Path] = {
    "Pod": (),
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}
WORKLOAD_KINDS = tuple(TEMPLATE_PATHS)


@dataclass(slots=True, eq=False)
class Workload:
    """The pods one resource stands for: their namespace, labels and pod spec."""

    resource: Resource
    template_path: Path
    labels: dict[str, str]
    annotations: dict[str, str]
    pod_spec: dict

    @property
    def namespace(self) -> str:
        return self.resource.namespace

    def containers(self, *, init: bool = False) -> list[dict]:
        items = self.pod_spec.get("initContainers" if init else "containers")
        return [c for c in items if isinstance(c, dict)] if isinstance(items, list) else []

    @property
    def has_proxy(self) -> bool:
        return any(c.get("name") == "istio-proxy" for c in self.containers())


def workload_of(resource: Resource) -> Workload | None:
    """The workload a Pod or controller resource defines, if it is one."""
    path = TEMPLATE_PATHS.get(resource.kind)
    if path is None:
        return None
    template = get(resource.body, path)
    if not isinstance(template, dict):
        return None
    metadata = template.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    spec = template.get("spec")
    return Workload(
        resource=resource,
        template_path=path,
        labels=string_map(metadata.get("labels")),
        annotations=string_map(metadata.get("annotations")),
        pod_spec=spec if isinstance(spec, dict) else {},
    )


def selects(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    """Equality-based label selection; an empty selector selects everything."""
    return all(labels.get(k) == v for k, v in selector.items())


class WorkloadIndex:
    """Workloads by namespace and by label, for fast selector queries."""

    def __init__(self, workloads: Iterable[Workload]) -> None:
        self.all: list[Workload] = list(workloads)
        self._by_label: dict[tuple[str, str], list[Workload]] = {}
        for workload in self.all:
            for item in workload.labels.items():
                self._by_label.setdefault(item, []).append(workload)

    def matching(self, selector: Mapping[str, str], namespace: str | None = None) -> list[Workload]:
        """Workloads the selector selects, in ``namespace`` or in every namespace if None."""
        if selector:
            first = next(iter(selector.items()))
            candidates = self._by_label.get(first, [])
        else:
            candidates = self.all
        return [
            w
            for w in candidates
            if (namespace is None or w.namespace == namespace) and selects(selector, w.labels)
        ]
