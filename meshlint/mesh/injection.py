"""Sidecar injection as the manifests describe it: namespace labels, workload opt-in and
opt-out, Istio's injector webhooks and the injector's ConfigMap.

Offline, a pod template is the pod *before* admission: the injector has not added the
``istio-proxy`` container yet. Only a ``kind: Pod`` object can stand for a running pod.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from meshlint.mesh.labelselector import selector_matches
from meshlint.mesh.workloads import Workload
from meshlint.model import Resource

INJECTION_LABEL = "istio-injection"
REVISION_LABEL = "istio.io/rev"
DATAPLANE_MODE_LABEL = "istio.io/dataplane-mode"
INJECT_LABEL = "sidecar.istio.io/inject"
PROXY_CONTAINER = "istio-proxy"
INJECTOR_CONFIGMAP = "istio-sidecar-injector"
ADMISSION_GROUP = "admissionregistration.k8s.io"
#: Namespaces the injector never touches (istio/istio ``inject.IgnoredNamespaces``).
SYSTEM_NAMESPACES = frozenset(
    {"kube-system", "kube-public", "kube-node-lease", "local-path-storage"}
)


def is_ambient(labels: Mapping[str, str]) -> bool:
    return labels.get(DATAPLANE_MODE_LABEL) == "ambient"


def namespace_injects(labels: Mapping[str, str]) -> bool:
    """Whether a namespace's labels turn sidecar injection on: ``istio-injection=enabled``,
    or a revision label without a legacy label (any other legacy value opts out)."""
    legacy = labels.get(INJECTION_LABEL)
    if legacy is not None:
        return legacy == "enabled"
    return bool(labels.get(REVISION_LABEL))


def namespace_resource(mesh, name: str) -> Resource | None:
    """The Namespace object of that name, if the analyzed files define it."""
    return mesh.get("", "Namespace", "", name)


def namespace_labels(mesh, name: str) -> dict[str, str] | None:
    """A namespace's labels; None when no file defines the namespace (its labels are
    unknown), unless the files are declared complete (then it has none)."""
    namespace = namespace_resource(mesh, name)
    if namespace is not None:
        return namespace.labels
    return {} if mesh.settings.assume_complete else None


def proxy_container(pod_spec: Mapping) -> tuple[str, int, dict] | None:
    """("containers" or "initContainers", index, container) of the ``istio-proxy``
    container with an image (a native sidecar is an init container)."""
    for field in ("containers", "initContainers"):
        items = pod_spec.get(field)
        for index, container in enumerate(items if isinstance(items, list) else []):
            if (
                isinstance(container, dict)
                and container.get("name") == PROXY_CONTAINER
                and container.get("image")
            ):
                return field, index, container
    return None


def opt_in(workload: Workload) -> bool | None:
    """The workload's own injection choice: the ``sidecar.istio.io/inject`` label, else the
    deprecated annotation (True for "true", False for any other value, None if unset)."""
    for source in (workload.labels, workload.annotations):
        if INJECT_LABEL in source:
            return source[INJECT_LABEL] == "true"
    return None


def opted_out(workload: Workload) -> bool:
    """The workload explicitly refuses injection (label, else annotation, ``false``)."""
    value = workload.labels.get(INJECT_LABEL, workload.annotations.get(INJECT_LABEL))
    return value is not None and value.lower() == "false"


def in_mesh(workload: Workload, mesh) -> bool:
    """Whether the workload's pods run a sidecar: they already have one, they opt in, or
    their namespace (as defined in the analyzed files) injects them."""
    if proxy_container(workload.pod_spec):
        return True
    choice = opt_in(workload)
    if choice is not None:
        return choice
    namespace = namespace_resource(mesh, workload.namespace)
    return namespace is not None and namespace_injects(namespace.labels)


@dataclass(frozen=True, slots=True, eq=False)
class InjectorWebhook:
    """One webhook of a MutatingWebhookConfiguration that injects Istio sidecars."""

    resource: Resource
    index: int
    name: str
    namespace_selector: object
    object_selector: object

    def matches(self, namespace_labels: Mapping[str, str], pod_labels: Mapping[str, str]) -> bool:
        return selector_matches(self.namespace_selector, namespace_labels) and selector_matches(
            self.object_selector, pod_labels
        )


def webhooks_of(resource: Resource) -> list[InjectorWebhook]:
    """Every webhook entry of a MutatingWebhookConfiguration."""
    items = resource.body.get("webhooks")
    return [
        InjectorWebhook(
            resource,
            index,
            str(hook.get("name") or ""),
            hook.get("namespaceSelector"),
            hook.get("objectSelector"),
        )
        for index, hook in enumerate(items if isinstance(items, list) else [])
        if isinstance(hook, dict)
    ]


def injector_webhooks(mesh) -> list[InjectorWebhook]:
    """Istio's injection webhooks (names ending in ``istio.io``) in the analyzed files."""
    return [
        hook
        for config in mesh.of_kind("MutatingWebhookConfiguration", group=ADMISSION_GROUP)
        for hook in webhooks_of(config)
        if hook.name.endswith("istio.io")
    ]


def _default_injects(
    ns_labels: Mapping[str, str] | None, pod_labels: Mapping[str, str]
) -> bool | None:
    """Istio's default webhooks: injection on by namespace label, or by the pod's
    ``sidecar.istio.io/inject=true`` or revision label where the namespace has no label."""
    if pod_labels.get(INJECT_LABEL) == "false":
        return False
    pod_choice = pod_labels.get(INJECT_LABEL) == "true" or bool(pod_labels.get(REVISION_LABEL))
    if ns_labels is None:
        return True if pod_choice else None
    if INJECTION_LABEL in ns_labels or REVISION_LABEL in ns_labels:
        return namespace_injects(ns_labels)
    return pod_choice


def would_be_injected(workload: Workload, mesh) -> bool | None:
    """Whether admission of the workload's pods injects a sidecar: by the Istio injector
    webhooks in the files, else by Istio's default ones. None when it depends on the labels
    of a namespace the files do not define."""
    if opted_out(workload):
        return False
    ns_labels = namespace_labels(mesh, workload.namespace or "default")
    hooks = injector_webhooks(mesh)
    if not hooks:
        return _default_injects(ns_labels, workload.labels)
    candidates = [h for h in hooks if selector_matches(h.object_selector, workload.labels)]
    if not candidates:
        return False
    if ns_labels is not None:
        return any(selector_matches(h.namespace_selector, ns_labels) for h in candidates)
    return True if any(not h.namespace_selector for h in candidates) else None


def looks_live(resource: Resource) -> bool:
    """A Pod read back from a cluster (it has a ``status``), not a manifest to apply."""
    return isinstance(resource.body.get("status"), dict)


def injector_configmap(mesh, revision: str = "") -> Resource | None:
    """The injector's ConfigMap (``istio-sidecar-injector[-<revision>]``), preferring the
    root namespace."""
    name = INJECTOR_CONFIGMAP if revision in ("", "default") else f"{INJECTOR_CONFIGMAP}-{revision}"
    matches = [c for c in mesh.of_kind("ConfigMap") if c.name == name]
    root = mesh.settings.root_namespace
    matches.sort(key=lambda c: c.namespace != root)
    return matches[0] if matches else None


def injector_values(configmap: Resource) -> dict:
    """The Helm values the injector was installed with (``data.values``, JSON)."""
    data = configmap.body.get("data")
    text = data.get("values") if isinstance(data, dict) else None
    try:
        values = json.loads(text) if isinstance(text, str) else {}
    except ValueError:
        return {}
    return values if isinstance(values, dict) else {}


def enables_namespaces_by_default(configmap: Resource) -> bool:
    webhook = injector_values(configmap).get("sidecarInjectorWebhook")
    return isinstance(webhook, dict) and webhook.get("enableNamespacesByDefault") is True


def injector_proxy_image(configmap: Resource) -> str:
    """The proxy image the injector injects: ``global.proxy.image`` when it is a full
    reference, else ``<hub>/<image>:<tag>``."""
    values = injector_values(configmap).get("global")
    values = values if isinstance(values, dict) else {}
    proxy = values.get("proxy") if isinstance(values.get("proxy"), dict) else {}
    image = str(proxy.get("image") or "")
    if "/" in image:
        return image
    return f"{values.get('hub') or ''}/{image}:{values.get('tag') or ''}"
