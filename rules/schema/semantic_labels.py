"""Label maps Istio matches on (subset labels, source labels, endpoint labels) must use
valid Kubernetes label keys and values."""

from meshlint.engine.finding import Severity
from meshlint.rulebases.semantic import REJECTED, SemanticRule
from meshlint.validation.labels import label_key_error, label_value_error
from meshlint.validation.walk import enumerate_maps, route_sections, spec_items


def _label_maps(resource):
    """``(path, labels)`` of every label map Istio validates in a resource."""
    spec = resource.spec
    if resource.kind == "DestinationRule":
        for path, subset in spec_items(resource, "subsets"):
            yield (*path, "labels"), subset.get("labels")
    elif resource.kind == "VirtualService":
        for _, path, route in route_sections(resource):
            for mpath, match in enumerate_maps(route.get("match"), (*path, "match")):
                yield (*mpath, "sourceLabels"), match.get("sourceLabels")
    elif resource.kind == "ServiceEntry":
        for path, endpoint in spec_items(resource, "endpoints"):
            yield (*path, "labels"), endpoint.get("labels")
    elif resource.kind == "WorkloadEntry":
        yield ("spec", "labels"), spec.get("labels")
    elif resource.kind == "WorkloadGroup":
        metadata = spec.get("metadata")
        if isinstance(metadata, dict):
            yield ("spec", "metadata", "labels"), metadata.get("labels")


class LabelSyntaxInvalid(SemanticRule):
    """A label key or value Istio matches on is not a valid Kubernetes label.

    ## What it does
    Checks the keys and values of DestinationRule subset `labels`, VirtualService
    `sourceLabels`, ServiceEntry endpoint `labels`, WorkloadEntry `labels` and
    WorkloadGroup `metadata.labels`: keys are an optional DNS prefix and a name of
    letters, digits, `-`, `_` and `.`, starting and ending alphanumeric; values likewise
    (or empty).

    ## Why it matters
    The webhook rejects the resource; and no pod could carry such a label anyway, so the
    subset or match could never select anything.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      subsets:
      - name: v1
        labels:
          version: "v1 "  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      subsets:
      - name: v1
        labels:
          version: v1
    ```
    """

    id = "ML735"
    name = "label-syntax-invalid"
    severity = Severity.ERROR
    kinds = ("DestinationRule", "VirtualService", "ServiceEntry", "WorkloadEntry", "WorkloadGroup")
    equivalents = REJECTED

    def issues(self, resource):
        for path, labels in _label_maps(resource):
            if not isinstance(labels, dict):
                continue
            for key, value in labels.items():
                error = label_key_error(key)
                if error is None and isinstance(value, str):
                    error = label_value_error(value)
                if error:
                    yield (*path, key), error
