"""Istio Gateways: the workloads a Gateway's selector picks."""

from __future__ import annotations

from meshlint.mesh.index import Mesh
from meshlint.mesh.workloads import Workload
from meshlint.model import Resource, string_map


def selector_of(gateway: Resource) -> dict[str, str]:
    """The labels of ``spec.selector`` (empty when there are none)."""
    return string_map(gateway.spec.get("selector"))


def selected_workloads(gateway: Resource, mesh: Mesh) -> list[Workload]:
    """The workloads a Gateway's selector picks, in every namespace (istiod's default)."""
    return mesh.workloads.matching(selector_of(gateway))
