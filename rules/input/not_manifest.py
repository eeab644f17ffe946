"""Inputs that are not (yet) Kubernetes objects."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Rule


class NotKubernetes(Rule):
    """A document is not a Kubernetes object and was skipped.

    ## What it does
    Notes documents without `apiVersion` and `kind` (CI configs, values files, plain data),
    and documents that are lists or scalars.

    ## Why it matters
    Nothing is wrong with such files; the note says that meshlint did not check them.

    ## Example
    ```yaml
    replicas: 3  # <-
    image: reviews:v1
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: values
    data:
      replicas: "3"
    ```
    """

    id = "ML006"
    name = "not-kubernetes"
    severity = Severity.INFO
    category = "input"
    input_rule = True


class InvalidObject(Rule):
    """A Kubernetes object lacks the identity every object needs.

    ## What it does
    Reports objects whose `apiVersion` or `kind` is not a string, whose `metadata` is not a
    mapping, or that have no `metadata.name`. Such objects are skipped.

    ## Why it matters
    The API server rejects them, and meshlint cannot resolve references to them.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:  # <-
      namespace: default
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: reviews
      namespace: default
    ```
    """

    id = "ML007"
    name = "invalid-object"
    severity = Severity.ERROR
    category = "input"
    input_rule = True


class HelmTemplate(Rule):
    """An unrendered Helm (Go) template was found.

    ## What it does
    Recognises `{{ ... }}` template actions and skips the file instead of reporting a
    confusing YAML error.

    ## Why it matters
    Templates are not manifests; lint what they render to:
    `helm template my-release ./chart | meshlint lint -`.
    """

    id = "ML008"
    name = "helm-template"
    severity = Severity.WARNING
    category = "input"
    input_rule = True


class Kustomization(Rule):
    """A kustomization file was found; it is not a manifest.

    ## What it does
    Notes `kustomization.yaml` files and skips them.

    ## Why it matters
    Lint what kustomize builds: `kubectl kustomize overlays/prod | meshlint lint -`.
    """

    id = "ML009"
    name = "kustomization"
    severity = Severity.INFO
    category = "input"
    input_rule = True
