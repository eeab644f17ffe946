"""The resource model: one Kubernetes object as loaded, with its identity and origin."""

from __future__ import annotations

from dataclasses import dataclass, field

from meshlint.core.nodes import PMap

CLUSTER_SCOPED_KINDS = frozenset(
    {
        "APIService",
        "CSIDriver",
        "ClusterIssuer",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "GatewayClass",
        "IngressClass",
        "MutatingWebhookConfiguration",
        "Namespace",
        "Node",
        "PersistentVolume",
        "PriorityClass",
        "RuntimeClass",
        "StorageClass",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
        "VolumeAttachment",
    }
)


def split_api_version(api_version: str) -> tuple[str, str]:
    """``networking.istio.io/v1`` -> (group, version); ``v1`` -> ("", "v1")."""
    group, _, version = api_version.rpartition("/")
    return group, version


@dataclass(slots=True, eq=False, weakref_slot=True)
class Resource:
    """A Kubernetes object: identity, body (positioned), and where it came from.

    ``linted`` is false for resources that only help resolve references (assumed defaults,
    context manifests): findings on them are never reported. ``partial`` is true for a
    patch that a kustomization among the inputs merges into a base. ``generated_by`` names
    the kind of input an object Istio would create stands for (``IstioOperator``, a Gateway
    API ``Gateway``); it is empty for objects the inputs hold.
    """

    api_version: str
    kind: str
    namespace: str
    name: str
    body: PMap
    file: str
    document: int = 0
    helm_source: str | None = None
    linted: bool = True
    namespace_defaulted: bool = False
    cluster: str = ""
    partial: bool = False
    generated_by: str = ""
    _labels: dict[str, str] | None = field(default=None, repr=False)
    _annotations: dict[str, str] | None = field(default=None, repr=False)
    group: str = field(init=False, repr=False)
    version: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.group, self.version = split_api_version(self.api_version)

    @property
    def metadata(self) -> dict:
        meta = self.body.get("metadata")
        return meta if isinstance(meta, dict) else {}

    @property
    def spec(self) -> dict:
        spec = self.body.get("spec")
        return spec if isinstance(spec, dict) else {}

    @property
    def labels(self) -> dict[str, str]:
        if self._labels is None:
            self._labels = string_map(self.metadata.get("labels"))
        return self._labels

    @property
    def annotations(self) -> dict[str, str]:
        if self._annotations is None:
            self._annotations = string_map(self.metadata.get("annotations"))
        return self._annotations

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """Identity used for replacement and lookup: (group, kind, namespace, name), within
        one cluster."""
        return (self.group, self.kind, self.namespace, self.name, self.cluster)

    @property
    def ref(self) -> str:
        """``Kind namespace/name`` (or ``Kind name`` without a namespace), as printed."""
        if self.namespace:
            return f"{self.kind} {self.namespace}/{self.name}"
        return f"{self.kind} {self.name}"

    @property
    def qualified_name(self) -> str:
        return f"{self.namespace}/{self.name}" if self.namespace else self.name


def string_map(value: object) -> dict[str, str]:
    """A labels/selector-like mapping with every key and value as text."""
    if not isinstance(value, dict):
        return {}
    return {str(k): _label_text(v) for k, v in value.items()}


def _label_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def as_list(value: object) -> list:
    """``value`` when it is a list, else an empty one (manifests may hold anything)."""
    return value if isinstance(value, list) else []
