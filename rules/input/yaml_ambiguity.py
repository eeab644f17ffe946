"""Scalars that Kubernetes' Go YAML reads differently than Python's YAML, or than YAML 1.2."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Rule


class YamlAmbiguity(Rule):
    """A plain scalar means something other than what it looks like to Kubernetes.

    ## What it does
    Reports plain (unquoted) scalars that Kubernetes reads differently than a reader would
    expect, and says how Kubernetes reads them: `y`/`n` are booleans to Kubernetes' Go YAML
    library, `1:30` is a string (not the base-60 number 90), `0o17`, `1e3` and `-.5` are
    numbers, and `001:db8::` inside a flow list (`[...]`) is a string. `yes`, `no`, `on`
    and `off` are booleans to Kubernetes (YAML 1.1) but strings to YAML 1.2 tools such as
    kustomize. meshlint validates the value Kubernetes reads. `001:db8::` in a flow list
    is noted at info only: Kubernetes reads the address as meant (Istio's own ServiceEntry
    examples write it so), and only Python YAML readers take it for a mapping.

    Leading-zero octals (`defaultMode: 0644`) are not reported: every Kubernetes tool reads
    them as octal, as the Kubernetes documentation intends.

    ## Why it matters
    The same file means different things to different tools: `version: n` becomes `false`
    and the manifest is rejected, or a label value silently changes type. Quoting the value
    makes every tool read the same text.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      subsets:
      - name: canary
        labels:
          canary: y  # <-
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
      - name: canary
        labels:
          canary: "y"
    ```
    """

    id = "ML710"
    name = "yaml-ambiguity"
    severity = Severity.WARNING
    category = "input"
    input_rule = True
