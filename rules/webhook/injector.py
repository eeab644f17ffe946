"""Istio's injector webhooks must not overlap and must reach istiod."""

import heapq
from collections import defaultdict
from itertools import product

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.evidence import no_services
from meshlint.mesh.groups import MAX_NAMED, UnionSizes
from meshlint.mesh.injection import (
    ADMISSION_GROUP,
    INJECT_LABEL,
    INJECTION_LABEL,
    REVISION_LABEL,
    InjectorWebhook,
    webhooks_of,
)
from meshlint.mesh.resolve import found, not_found, unknown
from meshlint.model import as_list

ANALYZER = "webhook.Analyzer"
KINDS = ("MutatingWebhookConfiguration", "Service")


def _selector_revisions(selector: object) -> set[str]:
    if not isinstance(selector, dict):
        return set()
    revisions = set()
    match = selector.get("matchLabels")
    if isinstance(match, dict) and REVISION_LABEL in match:
        revisions.add(str(match[REVISION_LABEL]))
    for expression in as_list(selector.get("matchExpressions")):
        if isinstance(expression, dict) and expression.get("key") == REVISION_LABEL:
            revisions.update(str(v) for v in as_list(expression.get("values")))
    return revisions


def revisions_of(config) -> set[str]:
    """Control-plane revisions a webhook configuration serves (label and selectors)."""
    revisions = {config.labels[REVISION_LABEL]} if REVISION_LABEL in config.labels else set()
    for hook in webhooks_of(config):
        revisions |= _selector_revisions(hook.namespace_selector)
        revisions |= _selector_revisions(hook.object_selector)
    return revisions


def istio_configs(mesh) -> list:
    """MutatingWebhookConfigurations of Istio's injector: a webhook named ``*istio.io`` or
    a revision in their labels or selectors."""
    return [
        config
        for config in mesh.of_kind("MutatingWebhookConfiguration", group=ADMISSION_GROUP)
        if revisions_of(config) or any(h.name.endswith("istio.io") for h in webhooks_of(config))
    ]


def label_sets(key: str, revisions: set[str]) -> list[dict[str, str]]:
    """The label combinations that decide injection: none, on, off, each with every
    revision."""
    on, off = ("enabled", "disabled") if key == INJECTION_LABEL else ("true", "false")
    base = [{}, {key: on}, {key: off}]
    return base + [{**labels, REVISION_LABEL: rev} for rev in sorted(revisions) for labels in base]


def overlaps(configs: list) -> dict[InjectorWebhook, tuple[list[InjectorWebhook], int]]:
    """Each webhook that matches a namespace/pod label combination together with another
    one: the first others (by name) and how many others there are.

    Webhooks that match the same combinations share their others, which are counted from
    the webhooks of each combination, never pairwise."""
    hooks = [h for config in configs for h in webhooks_of(config)]
    labels = [_label(h) for h in hooks]
    revisions = set().union(*(revisions_of(c) for c in configs)) if configs else set()
    namespaces = label_sets(INJECTION_LABEL, revisions)
    pods = label_sets(INJECT_LABEL, revisions)
    combos: list[list[int]] = []  # positions of the webhooks matching each combination
    by_hook: dict[int, list[int]] = defaultdict(list)
    for ns_labels, pod_labels in product(namespaces, pods):
        matching = [i for i, h in enumerate(hooks) if h.matches(ns_labels, pod_labels)]
        if len(matching) > 1:
            for i in matching:
                by_hook[i].append(len(combos))
            combos.append(sorted(matching, key=lambda i: (labels[i], i)))
    members = [set(c) for c in combos]
    sizes = UnionSizes()
    shared: dict[tuple[int, ...], tuple[list[int], int]] = {}
    out: dict[InjectorWebhook, tuple[list[InjectorWebhook], int]] = {}
    for i, combo_ids in by_hook.items():
        key = tuple(combo_ids)
        if key not in shared:
            first: dict[int, None] = {}
            merged = heapq.merge(*(combos[c] for c in key), key=lambda j: (labels[j], j))
            for j in merged:
                first.setdefault(j)
                if len(first) > MAX_NAMED:
                    break
            shared[key] = list(first), sizes.size(members[c] for c in key)
        first_ids, total = shared[key]
        named = [hooks[j] for j in first_ids if j != i][:MAX_NAMED]
        out[hooks[i]] = named, total - 1
    return out


def _hook_path(hook: InjectorWebhook) -> tuple:
    entry = hook.resource.body["webhooks"][hook.index]
    field = "namespaceSelector" if "namespaceSelector" in entry else "name"
    return ("webhooks", hook.index, field)


def _label(hook: InjectorWebhook) -> str:
    return f"{hook.resource.name}/{hook.name}"


class InjectorWebhookOverlap(Rule):
    """Two Istio injection webhooks match the same pods.

    ## What it does
    Collects the MutatingWebhookConfigurations of Istio's injector (a webhook named
    `*.istio.io`, or a revision label or selector) and tries every combination of the
    labels that decide injection: namespace `istio-injection` unset/enabled/disabled, pod
    `sidecar.istio.io/inject` unset/true/false, each also with every `istio.io/rev` found.
    Reports each webhook that matches a combination together with another webhook, once,
    naming all the webhooks it overlaps with.

    ## Why it matters
    A pod matched by two injector webhooks is injected twice (two sidecars, or a pod the
    API server rejects), typically after installing a revision or a tag next to an
    existing control plane.

    ## Example
    ```yaml
    apiVersion: admissionregistration.k8s.io/v1
    kind: MutatingWebhookConfiguration
    metadata:
      name: istio-sidecar-injector
    webhooks:
    - name: sidecar-injector.istio.io
      clientConfig:
        url: https://istiod.example.com:15017/inject
      namespaceSelector:  # <-
        matchLabels: {istio-injection: enabled}
    ---
    apiVersion: admissionregistration.k8s.io/v1
    kind: MutatingWebhookConfiguration
    metadata:
      name: istio-sidecar-injector-copy
    webhooks:
    - name: sidecar-injector.istio.io
      clientConfig:
        url: https://istiod.example.com:15017/inject
      namespaceSelector:  # <-
        matchLabels: {istio-injection: enabled}
    ```

    ## Use instead
    ```yaml
    apiVersion: admissionregistration.k8s.io/v1
    kind: MutatingWebhookConfiguration
    metadata:
      name: istio-sidecar-injector
    webhooks:
    - name: sidecar-injector.istio.io
      clientConfig:
        url: https://istiod.example.com:15017/inject
      namespaceSelector:
        matchLabels: {istio-injection: enabled}
    ```
    """

    id = "ML640"
    name = "injector-webhook-overlap"
    severity = Severity.ERROR
    category = "conflict"
    kinds = KINDS
    targets = ("MutatingWebhookConfiguration",)
    equivalents = Equivalents(istio="IST0139", analyzers=(ANALYZER,))

    def check(self, mesh):
        for hook, (named, total) in overlaps(istio_configs(mesh)).items():
            if not hook.resource.linted:
                continue
            names = ", ".join(_label(o) for o in named)
            if total > len(named):
                names += f" and {total - len(named)} more"
            yield self.report(
                hook.resource,
                _hook_path(hook),
                f"injection webhook {_label(hook)} matches the same pods as {names}: "
                "those pods are injected twice",
                key=True,
                related=[related_to(o.resource, _hook_path(o), _label(o)) for o in named],
            )


class InjectorWebhookServiceMissing(Rule):
    """An Istio injection webhook calls a Service that does not exist.

    ## What it does
    For the webhooks of Istio's injector MutatingWebhookConfigurations that call a
    Service (`clientConfig.service`), looks the Service up in the analyzed files. A
    Service in a namespace nothing in the files lives in is unknown, not missing (unless
    the files are declared complete). Webhooks calling a URL are left to
    `external-control-plane-url-invalid`.

    ## Why it matters
    The API server cannot reach the injector: pods are created without sidecars, or not
    created at all when the webhook fails closed.

    ## Example
    ```yaml
    apiVersion: admissionregistration.k8s.io/v1
    kind: MutatingWebhookConfiguration
    metadata:
      name: istio-sidecar-injector
    webhooks:
    - name: sidecar-injector.istio.io
      clientConfig:
        service:
          name: istiod-canary  # <-
          namespace: istio-system
      namespaceSelector:
        matchLabels: {istio-injection: enabled}
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: istiod
      namespace: istio-system
    spec:
      selector: {app: istiod}
      ports:
      - {name: https-webhook, port: 443, targetPort: 15017}
    ```

    ## Use instead
    ```yaml
    apiVersion: admissionregistration.k8s.io/v1
    kind: MutatingWebhookConfiguration
    metadata:
      name: istio-sidecar-injector
    webhooks:
    - name: sidecar-injector.istio.io
      clientConfig:
        service:
          name: istiod
          namespace: istio-system
      namespaceSelector:
        matchLabels: {istio-injection: enabled}
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: istiod
      namespace: istio-system
    spec:
      selector: {app: istiod}
      ports:
      - {name: https-webhook, port: 443, targetPort: 15017}
    ```
    """

    id = "ML641"
    name = "injector-webhook-service-missing"
    severity = Severity.ERROR
    category = "reference"
    kinds = KINDS
    targets = ("MutatingWebhookConfiguration",)
    equivalents = Equivalents(istio="IST0139", analyzers=(ANALYZER,))

    def check(self, mesh):
        for config in istio_configs(mesh):
            if not config.linted:
                continue
            for hook in webhooks_of(config):
                entry = config.body["webhooks"][hook.index]
                client = entry.get("clientConfig")
                service = client.get("service") if isinstance(client, dict) else None
                if not isinstance(service, dict):
                    continue
                namespace = str(service.get("namespace") or "")
                name = str(service.get("name") or "")
                path = ("webhooks", hook.index, "clientConfig", "service", "name")
                yield from self.unresolved(
                    config,
                    path,
                    self._resolve(mesh, namespace, name),
                    f"injection webhook {hook.name} calls Service {namespace}/{name}, "
                    "which does not exist",
                )

    @staticmethod
    def _resolve(mesh, namespace: str, name: str):
        service = mesh.get("", "Service", namespace, name)
        if service is not None:
            return found([service])
        if mesh.settings.assume_complete or mesh.evidence.has("Service", namespace):
            return not_found()
        return unknown(no_services(namespace))
