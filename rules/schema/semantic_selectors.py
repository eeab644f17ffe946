"""Workload selectors: keys Istio rejects, and selectors that select every workload."""

from meshlint.engine.finding import Severity
from meshlint.rulebases.semantic import REJECTED, WARNED, SemanticRule

#: Where each kind keeps its selector labels. The ``matchLabels`` forms have CEL rules
#: for empty and wildcard keys; the ``workloadSelector.labels`` forms only for values.
SELECTOR_LABELS = {
    "Sidecar": ("workloadSelector", "labels"),
    "ServiceEntry": ("workloadSelector", "labels"),
    "EnvoyFilter": ("workloadSelector", "labels"),
    "DestinationRule": ("workloadSelector", "matchLabels"),
    "AuthorizationPolicy": ("selector", "matchLabels"),
    "PeerAuthentication": ("selector", "matchLabels"),
    "RequestAuthentication": ("selector", "matchLabels"),
    "Telemetry": ("selector", "matchLabels"),
    "WasmPlugin": ("selector", "matchLabels"),
    "TrafficExtension": ("selector", "matchLabels"),
    "ProxyConfig": ("selector", "matchLabels"),
}
UNCHECKED_KEYS = ("Sidecar", "ServiceEntry", "EnvoyFilter")


class SelectorLabelKeyInvalid(SemanticRule):
    """A `workloadSelector.labels` key is empty or contains a wildcard.

    ## What it does
    Checks the label keys of the `workloadSelector` of Sidecars, ServiceEntries and
    EnvoyFilters: Istio rejects empty keys and `*` in keys (the CRD only checks the
    values). Selectors match labels exactly; there are no wildcards.

    ## Why it matters
    The webhook rejects the resource, so the change is not applied.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: ratings
    spec:
      workloadSelector:
        labels:
          "app*": ratings  # <-
      egress:
      - hosts: ["./*"]
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: ratings
    spec:
      workloadSelector:
        labels:
          app: ratings
      egress:
      - hosts: ["./*"]
    ```
    """

    id = "ML733"
    name = "selector-label-key-invalid"
    severity = Severity.ERROR
    kinds = UNCHECKED_KEYS
    equivalents = REJECTED

    def issues(self, resource):
        block, field = SELECTOR_LABELS[resource.kind]
        labels = resource.spec.get(block, {})
        labels = labels.get(field) if isinstance(labels, dict) else None
        if not isinstance(labels, dict):
            return
        for key in labels:
            if key == "":
                yield ("spec", block, field, key), "empty label key in a workload selector"
            elif "*" in key:
                yield (
                    ("spec", block, field, key),
                    (f'wildcard in label key "{key}": selectors match labels exactly'),
                )


class SelectorWithoutLabels(SemanticRule):
    """A workload selector has no labels, so it selects every workload of the namespace.

    ## What it does
    Reports a `selector` or `workloadSelector` that is present but empty (`{}`, or with
    empty `matchLabels`/`labels`). Istio treats it like no selector at all: the resource
    applies to every workload in its namespace (or the whole mesh in the root namespace).
    Istio's webhook warns; meshlint reports it as info, because Istio's own CRD tests use
    empty selectors as valid configuration.

    ## Why it matters
    An empty selector usually means labels were lost in templating, and a policy meant
    for one workload silently applies to all of them.

    ## Example
    ```yaml
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: ratings-strict
    spec:
      selector: {}  # <-
      mtls: {mode: STRICT}
    ```

    ## Use instead
    ```yaml
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: ratings-strict
    spec:
      selector:
        matchLabels: {app: ratings}
      mtls: {mode: STRICT}
    ```
    """

    id = "ML734"
    name = "selector-without-labels"
    severity = Severity.INFO
    kinds = tuple(SELECTOR_LABELS)
    equivalents = WARNED

    def issues(self, resource):
        block, field = SELECTOR_LABELS[resource.kind]
        selector = resource.spec.get(block)
        if not isinstance(selector, dict) or selector.get(field):
            return
        path = ("spec", block, field) if field in selector else ("spec", block)
        yield path, f"{block} has no labels: it selects every workload in the namespace"
