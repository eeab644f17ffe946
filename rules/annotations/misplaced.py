"""Istio annotations must be set on the kind of object that reads them."""

from meshlint.engine.finding import Severity
from meshlint.engine.fix import Edit, Fix, move
from meshlint.engine.rule import Equivalents, Rule
from meshlint.fieldpath import Path, get, render
from meshlint.mesh.annotations import ANNOTATED_KINDS, istio_annotations, lookup
from meshlint.mesh.workloads import TEMPLATE_PATHS
from meshlint.model import string_map


class MisplacedAnnotation(Rule):
    """An Istio annotation is set on a kind of object that Istio does not read it from.

    ## What it does
    Looks up each known Istio annotation in Istio's catalogue, which names the kinds it
    applies to, and reports it on any other kind. Annotations of a workload's pod template
    count as Pod annotations; on the workload's own metadata (a Deployment's
    `metadata.annotations`) a Pod annotation is misplaced, and the message says where to
    move it; `meshlint fix --unsafe` moves it there.

    ## Why it matters
    The sidecar injector reads Pod annotations from the pod being created, never from the
    Deployment around it: the setting has no effect.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: fortio
      annotations:
        sidecar.istio.io/proxyCPU: 500m  # <-
    spec:
      selector:
        matchLabels: {app: fortio}
      template:
        metadata:
          labels: {app: fortio}
        spec:
          containers:
          - name: fortio
            image: fortio/fortio
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: fortio
    spec:
      selector:
        matchLabels: {app: fortio}
      template:
        metadata:
          labels: {app: fortio}
          annotations:
            sidecar.istio.io/proxyCPU: 500m
        spec:
          containers:
          - name: fortio
            image: fortio/fortio
    ```
    """

    id = "ML602"
    name = "annotation-misplaced"
    severity = Severity.WARNING
    category = "schema"
    kinds = ANNOTATED_KINDS
    equivalents = Equivalents(istio="IST0107", analyzers=("annotations.K8sAnalyzer",))

    def check_resource(self, resource, mesh):
        for site, name, value, path in istio_annotations(resource):
            definition = lookup(name)
            if definition is None or definition.applies_to(site.kind):
                continue
            kinds = ", ".join(definition.resources)
            text = f'annotation "{name}" applies to {kinds}, not to {site.kind}'
            template = TEMPLATE_PATHS.get(resource.kind)
            fixes = []
            if template and not site.template and definition.applies_to("Pod"):
                text += f"; move it to {render((*template, 'metadata', 'annotations'))}"
                fixes = _to_template(resource, template, name, value, path)
            yield self.report(resource, path, text, key=True, fixes=fixes)


def _to_template(resource, template: Path, name: str, value: str, path: Path) -> list[Fix]:
    """Move the annotation to the pod template (unsafe: the setting starts to apply, and
    the pods are replaced), or drop it when the template already has the same value."""
    target = (*template, "metadata", "annotations", name)
    present = get(resource.body, target)
    if present is None:
        return [move(path, target, value, "Move it to the pod template")]
    if string_map({name: present})[name] == value:
        return [Fix("Remove it (the pod template sets it already)", (Edit("delete", path),))]
    return []
