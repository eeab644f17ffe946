"""Istio Gateways: the workloads a Gateway's selector picks."""

from __future__ import annotations

from meshlint.mesh.index import Mesh
from meshlint.mesh.selection import GATEWAY_SELECTOR, selector_of
from meshlint.mesh.workloads import Workload
from meshlint.model import Resource


def gateway_selector(gateway: Resource) -> dict[str, str]:
    """The labels of ``spec.selector`` (empty when there are none)."""
    return selector_of(gateway, GATEWAY_SELECTOR) or {}


def selected_workloads(gateway: Resource, mesh: Mesh) -> list[Workload]:
    """The workloads a Gateway's selector picks, in every namespace (istiod's default)."""
    return mesh.workloads.matching(gateway_selector(gateway))
