"""Telemetry tracing settings: what Istio rejects or warns about."""

from meshlint.engine.finding import Severity
from meshlint.rulebases.semantic import REJECTED, WARNED, SemanticRule
from meshlint.validation.values import items, mapping
from meshlint.validation.walk import spec_items


def tracings(resource):
    return spec_items(resource, "tracing")


class TelemetryTagNameEmpty(SemanticRule):
    """A tracing custom tag has an empty name.

    ## What it does
    Checks the keys of `tracing[].customTags`: each names the span tag and cannot be
    empty.

    ## Why it matters
    The webhook rejects the resource, so the tracing settings are not applied.

    ## Example
    ```yaml
    apiVersion: telemetry.istio.io/v1
    kind: Telemetry
    metadata:
      name: tracing
    spec:
      tracing:
      - customTags:
          "":  # <-
            literal: {value: prod}
    ```

    ## Use instead
    ```yaml
    apiVersion: telemetry.istio.io/v1
    kind: Telemetry
    metadata:
      name: tracing
    spec:
      tracing:
      - customTags:
          environment:
            literal: {value: prod}
    ```
    """

    id = "ML793"
    name = "telemetry-tag-name-empty"
    severity = Severity.ERROR
    kinds = ("Telemetry",)
    equivalents = REJECTED

    def issues(self, resource):
        for path, tracing in tracings(resource):
            if "" in mapping(tracing.get("customTags")):
                yield (*path, "customTags", ""), "a custom tag name cannot be empty", True


class TelemetryTracingMultiple(SemanticRule):
    """A Telemetry resource configures several tracing blocks or tracing providers.

    ## What it does
    Reports more than one entry in `spec.tracing`, and more than one provider in a
    tracing entry. Istio accepts them with a warning but uses only one.

    ## Why it matters
    Spans are sent to one provider only; the others receive nothing.

    ## Example
    ```yaml
    apiVersion: telemetry.istio.io/v1
    kind: Telemetry
    metadata:
      name: tracing
    spec:
      tracing:
      - providers:  # <-
        - name: zipkin
        - name: otel
    ```

    ## Use instead
    ```yaml
    apiVersion: telemetry.istio.io/v1
    kind: Telemetry
    metadata:
      name: tracing
    spec:
      tracing:
      - providers:
        - name: otel
    ```
    """

    id = "ML794"
    name = "telemetry-tracing-multiple"
    severity = Severity.WARNING
    kinds = ("Telemetry",)
    equivalents = WARNED

    def issues(self, resource):
        if len(items(resource.spec.get("tracing"))) > 1:
            yield ("spec", "tracing"), "only one tracing configuration is supported"
        for path, tracing in tracings(resource):
            if len(items(tracing.get("providers"))) > 1:
                yield (*path, "providers"), "only one tracing provider is supported"
