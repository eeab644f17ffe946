"""Deprecated Istio annotations should be replaced."""

from meshlint.engine.finding import Severity
from meshlint.engine.fix import Fix, move, rename_key
from meshlint.engine.rule import Equivalents, Rule
from meshlint.fieldpath import Path
from meshlint.mesh.annotations import ANNOTATED_KINDS, AnnotationSite, istio_annotations, lookup

INJECT = "sidecar.istio.io/inject"
REPLACEMENTS = {INJECT: f'; use the "{INJECT}" label instead'}
#: Deprecated annotations that another annotation replaces, meaning the same.
RENAMED = {"traffic.sidecar.istio.io/kubevirtInterfaces": "istio.io/reroute-virtual-interfaces"}


class DeprecatedAnnotation(Rule):
    """An Istio annotation is deprecated.

    ## What it does
    Reports annotations that Istio's catalogue marks as deprecated, such as
    `sidecar.istio.io/statsInclusionPrefixes` (replaced by Telemetry and ProxyConfig
    settings) and the `sidecar.istio.io/inject` annotation (replaced by the label of the
    same name). A workload that sets both the `sidecar.istio.io/inject` annotation and the
    label is left alone: keeping both is a deliberate compatibility choice.
    `meshlint fix --unsafe` turns the injection annotation of a pod or pod template into
    the label, and renames `traffic.sidecar.istio.io/kubevirtInterfaces` to
    `istio.io/reroute-virtual-interfaces` (unsafe: older Istio releases read only the
    deprecated form).

    ## Why it matters
    Deprecated annotations may stop working in a future Istio release, silently changing
    the workload's behaviour after an upgrade.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: reviews
    spec:
      selector:
        matchLabels: {app: reviews}
      template:
        metadata:
          labels: {app: reviews}
          annotations:
            sidecar.istio.io/inject: "false"  # <-
        spec:
          containers:
          - name: reviews
            image: reviews:v1
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: reviews
    spec:
      selector:
        matchLabels: {app: reviews}
      template:
        metadata:
          labels:
            app: reviews
            sidecar.istio.io/inject: "false"
        spec:
          containers:
          - name: reviews
            image: reviews:v1
    ```
    """

    id = "ML604"
    name = "annotation-deprecated"
    severity = Severity.INFO
    category = "best-practice"
    kinds = ANNOTATED_KINDS
    equivalents = Equivalents(istio="IST0135", analyzers=("annotations.K8sAnalyzer",))

    def check_resource(self, resource, mesh):
        for site, name, value, path in istio_annotations(resource):
            definition = lookup(name)
            if definition is None or not definition.deprecated:
                continue
            if name == INJECT and INJECT in site.labels:
                continue
            if name in RENAMED:
                text = f'annotation "{name}" is deprecated; use "{RENAMED[name]}" instead'
            else:
                text = f'annotation "{name}" is deprecated{REPLACEMENTS.get(name, "")}'
            yield self.report(resource, path, text, key=True, fixes=_fixes(site, name, value, path))


def _fixes(site: AnnotationSite, name: str, value: str, path: Path) -> list[Fix]:
    """Its replacement: the injection label (on pods and pod templates), or the annotation
    that took its place. Unsafe: older Istio releases read only the deprecated form (and
    the label also injects in namespaces where injection is not enabled)."""
    if name == INJECT and site.kind == "Pod":
        label = (*site.path[:-1], "labels", INJECT)
        return [move(path, label, value, f'Make it the "{INJECT}" label')]
    new = RENAMED.get(name)
    if new and new not in site.values:
        return [rename_key(path, new, f'Rename to "{new}"')]
    return []
