"""Whether an apiVersion/kind is served, preferred, deprecated or gone.

Served versions come from the bundled schemas (``schemas/index.json``). Removed versions
are listed below, from the Kubernetes deprecated-API migration guide and Istio's release
notes (the ``rbac.istio.io`` and ``authentication.istio.io`` APIs ended in Istio 1.6, Mixer's
``config.istio.io`` in Istio 1.8).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from meshlint.core.suggest import hint
from meshlint.model import split_api_version
from meshlint.schemastore import kinds_of_group, known_groups, known_versions, schema_entry


@dataclass(frozen=True, slots=True)
class Removal:
    """A group version that is no longer served: for ``kinds`` (every kind when empty)."""

    since: str
    use: str
    kinds: frozenset[str] = frozenset()


def _kinds(*names: str) -> frozenset[str]:
    return frozenset(names)


_APPS = "apps/v1"
REMOVED: dict[str, tuple[Removal, ...]] = {
    "rbac.istio.io/v1alpha1": (Removal("Istio 1.6", "security.istio.io/v1 AuthorizationPolicy"),),
    "authentication.istio.io/v1alpha1": (
        Removal("Istio 1.6", "security.istio.io/v1 PeerAuthentication and RequestAuthentication"),
    ),
    "config.istio.io/v1alpha2": (
        Removal("Istio 1.8 (Mixer)", "telemetry.istio.io/v1 Telemetry or extensions.istio.io"),
    ),
    "extensions/v1beta1": (
        Removal(
            "Kubernetes 1.16",
            _APPS,
            _kinds("Deployment", "DaemonSet", "ReplicaSet"),
        ),
        Removal("Kubernetes 1.16", "networking.k8s.io/v1", _kinds("NetworkPolicy")),
        Removal("Kubernetes 1.22", "networking.k8s.io/v1", _kinds("Ingress")),
        Removal("Kubernetes 1.16", "Pod Security Admission", _kinds("PodSecurityPolicy")),
    ),
    "apps/v1beta1": (Removal("Kubernetes 1.16", _APPS),),
    "apps/v1beta2": (Removal("Kubernetes 1.16", _APPS),),
    "batch/v1beta1": (Removal("Kubernetes 1.25", "batch/v1", _kinds("CronJob")),),
    "batch/v2alpha1": (Removal("Kubernetes 1.21", "batch/v1", _kinds("CronJob")),),
    "admissionregistration.k8s.io/v1beta1": (
        Removal("Kubernetes 1.22", "admissionregistration.k8s.io/v1"),
    ),
    "apiextensions.k8s.io/v1beta1": (Removal("Kubernetes 1.22", "apiextensions.k8s.io/v1"),),
    "apiregistration.k8s.io/v1beta1": (Removal("Kubernetes 1.22", "apiregistration.k8s.io/v1"),),
    "networking.k8s.io/v1beta1": (Removal("Kubernetes 1.22", "networking.k8s.io/v1"),),
    "rbac.authorization.k8s.io/v1beta1": (
        Removal("Kubernetes 1.22", "rbac.authorization.k8s.io/v1"),
    ),
    "rbac.authorization.k8s.io/v1alpha1": (
        Removal("Kubernetes 1.22", "rbac.authorization.k8s.io/v1"),
    ),
    "certificates.k8s.io/v1beta1": (Removal("Kubernetes 1.22", "certificates.k8s.io/v1"),),
    "coordination.k8s.io/v1beta1": (Removal("Kubernetes 1.22", "coordination.k8s.io/v1"),),
    "scheduling.k8s.io/v1beta1": (Removal("Kubernetes 1.22", "scheduling.k8s.io/v1"),),
    "storage.k8s.io/v1beta1": (
        Removal("Kubernetes 1.27", "storage.k8s.io/v1", _kinds("CSIStorageCapacity")),
        Removal(
            "Kubernetes 1.22",
            "storage.k8s.io/v1",
            _kinds("CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"),
        ),
    ),
    "policy/v1beta1": (
        Removal("Kubernetes 1.25", "policy/v1", _kinds("PodDisruptionBudget")),
        Removal("Kubernetes 1.25", "Pod Security Admission", _kinds("PodSecurityPolicy")),
    ),
    "autoscaling/v2beta1": (Removal("Kubernetes 1.25", "autoscaling/v2"),),
    "autoscaling/v2beta2": (Removal("Kubernetes 1.26", "autoscaling/v2"),),
    "discovery.k8s.io/v1beta1": (Removal("Kubernetes 1.25", "discovery.k8s.io/v1"),),
    "events.k8s.io/v1beta1": (Removal("Kubernetes 1.25", "events.k8s.io/v1"),),
    "node.k8s.io/v1beta1": (Removal("Kubernetes 1.25", "node.k8s.io/v1"),),
    "flowcontrol.apiserver.k8s.io/v1beta1": (
        Removal("Kubernetes 1.26", "flowcontrol.apiserver.k8s.io/v1"),
    ),
    "flowcontrol.apiserver.k8s.io/v1beta2": (
        Removal("Kubernetes 1.29", "flowcontrol.apiserver.k8s.io/v1"),
    ),
    "flowcontrol.apiserver.k8s.io/v1beta3": (
        Removal("Kubernetes 1.32", "flowcontrol.apiserver.k8s.io/v1"),
    ),
}


class Verdict(Enum):
    UNKNOWN_VERSION = "unknown-version"
    UNKNOWN_KIND = "unknown-kind"
    REMOVED = "removed"
    DEPRECATED = "deprecated"


@dataclass(frozen=True, slots=True)
class VersionStatus:
    """What is wrong (or worth knowing) about a resource's apiVersion and kind."""

    verdict: Verdict
    message: str


def _removal(api_version: str, kind: str) -> Removal | None:
    for removal in REMOVED.get(api_version, ()):
        if not removal.kinds or kind in removal.kinds:
            return removal
    return None


def version_status(api_version: str, kind: str) -> VersionStatus | None:
    """The status of ``kind`` at ``api_version``, or None when it is served and preferred
    (or when meshlint knows nothing about its API group)."""
    removal = _removal(api_version, kind)
    if removal is not None:
        return VersionStatus(
            Verdict.REMOVED,
            f"{api_version} {kind} was removed in {removal.since}; use {removal.use}",
        )
    group, version = split_api_version(api_version)
    entry = schema_entry(api_version, kind)
    versions = known_versions(group, kind)
    if entry is not None:
        if entry.get("deprecated"):
            warning = entry.get("deprecation_warning") or f"use {_qualified(group, versions[0])}"
            return VersionStatus(
                Verdict.DEPRECATED, f"{api_version} {kind} is deprecated: {warning}"
            )
        if version != versions[0]:
            return VersionStatus(
                Verdict.DEPRECATED,
                f"{api_version} is an older version of {kind}; "
                f"the preferred version is {_qualified(group, versions[0])}",
            )
        return None
    if group not in known_groups():
        return None
    if versions:
        return VersionStatus(
            Verdict.UNKNOWN_VERSION,
            f"{kind} has no version {version} in {group or 'the core API group'}; "
            f"served versions: {', '.join(versions)}",
        )
    if group.endswith(".istio.io"):
        return VersionStatus(
            Verdict.UNKNOWN_KIND,
            f"{group} has no kind {kind}{hint(kind, kinds_of_group(group))}",
        )
    return None


def _qualified(group: str, version: str) -> str:
    return f"{group}/{version}" if group else version
