"""Namespace injection labels: present, consistent, and understood."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.injection import (
    INJECTION_LABEL,
    REVISION_LABEL,
    SYSTEM_NAMESPACES,
    enables_namespaces_by_default,
    injector_configmap,
    is_ambient,
)

ANALYZER = "injection.Analyzer"


def _label_path(namespace) -> tuple:
    """Where a missing label belongs: the labels mapping, else the namespace's name."""
    if isinstance(namespace.metadata.get("labels"), dict):
        return ("metadata", "labels")
    return ("metadata", "name")


def unlabelled_namespaces(mesh):
    """Namespace objects of the files that choose neither injection nor ambient."""
    skipped = {"istio-system", mesh.settings.root_namespace, *SYSTEM_NAMESPACES}
    for namespace in mesh.of_kind("Namespace"):
        if not namespace.linted or namespace.name in skipped:
            continue
        labels = namespace.labels
        if is_ambient(labels) or INJECTION_LABEL in labels or REVISION_LABEL in labels:
            continue
        yield namespace


class NamespaceNotInjected(Rule):
    """A Namespace chooses neither sidecar injection nor opting out of it.

    ## What it does
    For each Namespace object in the analyzed files (namespaces meshlint only infers from
    the resources living in them are never reported), notes the ones with neither an
    `istio-injection` nor an `istio.io/rev` label and not in ambient mode
    (`istio.io/dataplane-mode: ambient`). The root namespace and Kubernetes' system
    namespaces are skipped, and so is every namespace when the injector's ConfigMap says
    namespaces are injected by default (`namespace-injection-enabled-by-default` notes
    that instead).

    ## Why it matters
    Pods created there get no sidecar unless each one opts in: they are outside the mesh,
    without mTLS or telemetry. Labelling the namespace either way records the intent.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: bookinfo  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: bookinfo
      labels:
        istio-injection: enabled
    ```
    """

    id = "ML630"
    name = "namespace-not-injected"
    severity = Severity.INFO
    category = "best-practice"
    kinds = ("Namespace", "ConfigMap")
    targets = ("Namespace",)
    equivalents = Equivalents(istio="IST0102", analyzers=(ANALYZER,))

    def check(self, mesh):
        configmap = injector_configmap(mesh)
        if configmap is not None and enables_namespaces_by_default(configmap):
            return
        for namespace in unlabelled_namespaces(mesh):
            yield self.report(
                namespace,
                _label_path(namespace),
                f"namespace {namespace.name} has no {INJECTION_LABEL} or {REVISION_LABEL} "
                f"label: label it {INJECTION_LABEL}=enabled to inject sidecars, or "
                f"{INJECTION_LABEL}=disabled to record that it stays out of the mesh",
            )


class NamespaceInjectionEnabledByDefault(Rule):
    """A Namespace without injection labels is injected because of the injector's settings.

    ## What it does
    When the analyzed files hold the injector's ConfigMap (`istio-sidecar-injector`) and
    its values set `sidecarInjectorWebhook.enableNamespacesByDefault: true`, notes each
    Namespace object without an `istio-injection` or `istio.io/rev` label (root, system and
    ambient namespaces excepted).

    ## Why it matters
    Pods there get sidecars although nothing on the namespace says so; the namespace's
    behaviour changes if Istio is reinstalled with the default settings.

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: istio-sidecar-injector
      namespace: istio-system
    data:
      values: '{"sidecarInjectorWebhook": {"enableNamespacesByDefault": true}}'
    ---
    apiVersion: v1
    kind: Namespace
    metadata:
      name: bookinfo  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: istio-sidecar-injector
      namespace: istio-system
    data:
      values: '{"sidecarInjectorWebhook": {"enableNamespacesByDefault": true}}'
    ---
    apiVersion: v1
    kind: Namespace
    metadata:
      name: bookinfo
      labels:
        istio-injection: enabled
    ```
    """

    id = "ML633"
    name = "namespace-injection-enabled-by-default"
    severity = Severity.INFO
    category = "best-practice"
    kinds = ("Namespace", "ConfigMap")
    targets = ("Namespace",)
    equivalents = Equivalents(istio="IST0148", analyzers=(ANALYZER,))

    def check(self, mesh):
        configmap = injector_configmap(mesh)
        if configmap is None or not enables_namespaces_by_default(configmap):
            return
        for namespace in unlabelled_namespaces(mesh):
            yield self.report(
                namespace,
                _label_path(namespace),
                f"namespace {namespace.name} is injected only because {configmap.ref} "
                "enables namespaces by default: label it to make that explicit",
                related=[related_to(configmap, ("data", "values"), "the injector's values")],
            )


class NamespaceMultipleInjectionLabels(Rule):
    """A Namespace carries more than one kind of injection label.

    ## What it does
    Reports Namespace objects that combine `istio-injection`, `istio.io/rev` and ambient
    mode (`istio.io/dataplane-mode: ambient`). A revision or ambient label next to
    `istio-injection` with a value other than `enabled` is a deliberate opt-out and is not
    reported. Points at the label that conflicts with the first one.

    Istio also counts `istio.io/dataplane-mode` values other than `ambient`; meshlint does
    not, since they do not put the namespace in ambient mode.

    ## Why it matters
    The labels select different injectors (or none, for ambient): which one wins depends on
    webhook ordering and the Istio version, so pods may get the wrong proxy version, two
    data planes, or none.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: bookinfo
      labels:
        istio-injection: enabled
        istio.io/rev: canary  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: bookinfo
      labels:
        istio.io/rev: canary
    ```
    """

    id = "ML632"
    name = "namespace-multiple-injection-labels"
    severity = Severity.WARNING
    category = "conflict"
    kinds = ("Namespace",)
    equivalents = Equivalents(istio="IST0123", analyzers=(ANALYZER,))

    def check_resource(self, resource, mesh):
        if resource.name == "istio-system":
            return
        labels = resource.labels
        legacy = labels.get(INJECTION_LABEL)
        found = [INJECTION_LABEL] if legacy is not None else []
        if legacy in (None, "enabled"):
            if REVISION_LABEL in labels:
                found.append(REVISION_LABEL)
            if is_ambient(labels):
                found.append("istio.io/dataplane-mode")
        if len(found) < 2:
            return
        text = ", ".join(f"{k}={labels[k]}" for k in found)
        yield self.report(
            resource,
            ("metadata", "labels", found[1]),
            f"namespace {resource.name} has more than one kind of injection label ({text}): "
            f"keep only one",
            key=True,
        )
