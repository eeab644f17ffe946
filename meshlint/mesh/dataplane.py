"""Which data plane a workload runs in: an injected sidecar, ambient, or none.

Istio decides from the pod first (an ``istio-proxy`` container, the
``sidecar.istio.io/inject`` label or annotation, ambient redirection) and then from its
namespace's labels (see :mod:`meshlint.mesh.injection`). Offline, a namespace without a
Namespace object in the analyzed files is undecided: :data:`Mode.UNKNOWN`.
"""

from __future__ import annotations

from enum import Enum

from meshlint.mesh.index import Mesh
from meshlint.mesh.injection import (
    DATAPLANE_MODE_LABEL,
    is_ambient,
    namespace_injects,
    namespace_resource,
    opt_in,
    proxy_container,
)
from meshlint.mesh.workloads import Workload

AMBIENT_REDIRECTION = "ambient.istio.io/redirection"


class Mode(Enum):
    SIDECAR = "sidecar"
    AMBIENT = "ambient"
    NONE = "none"
    UNKNOWN = "unknown"


def namespace_mode(mesh: Mesh, namespace: str) -> Mode:
    """The data plane a namespace's labels ask for (UNKNOWN without a Namespace object).
    Sidecar injection labels win over the ambient label, as in Istio."""
    resource = namespace_resource(mesh, namespace)
    if resource is None:
        return Mode.UNKNOWN
    if namespace_injects(resource.labels):
        return Mode.SIDECAR
    return Mode.AMBIENT if is_ambient(resource.labels) else Mode.NONE


def workload_mode(mesh: Mesh, workload: Workload) -> Mode:
    """The data plane a workload's pods run in."""
    if proxy_container(workload.pod_spec):
        return Mode.SIDECAR
    if workload.annotations.get(AMBIENT_REDIRECTION) == "enabled":
        return Mode.AMBIENT
    choice = opt_in(workload)
    if choice:
        return Mode.SIDECAR
    own = workload.labels.get(DATAPLANE_MODE_LABEL)
    if own in ("ambient", "none"):
        return Mode.AMBIENT if own == "ambient" else Mode.NONE
    namespace = namespace_mode(mesh, workload.namespace)
    if choice is False and namespace is not Mode.AMBIENT:
        return Mode.NONE  # an explicit opt-out of injection
    return namespace


def in_mesh(mesh: Mesh, workload: Workload) -> bool:
    """Whether a workload runs a sidecar or is in ambient mode. An undecided one counts as
    in the mesh, unless the analyzed files are declared complete (then, as for Istio, it
    does not)."""
    mode = workload_mode(mesh, workload)
    if mode is Mode.UNKNOWN:
        return not mesh.settings.assume_complete
    return mode is not Mode.NONE
