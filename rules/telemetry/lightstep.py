"""Tracing through the removed Lightstep provider."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh.istio_install import effective_mesh_config


def lightstep_providers(config: dict) -> set[str]:
    """Names of the mesh config's extension providers of type ``lightstep``."""
    providers = config.get("extensionProviders")
    return {
        str(p.get("name"))
        for p in (providers if isinstance(providers, list) else ())
        if isinstance(p, dict) and "lightstep" in p
    }


class TelemetryLightstepProvider(Rule):
    """A Telemetry traces through a Lightstep extension provider, which is deprecated.

    ## What it does
    Finds the extension providers of type `lightstep` in the mesh config (defaults,
    `--mesh-config`, or the `istio` ConfigMap in the analyzed files) and reports every
    `spec.tracing[].providers[].name` that names one.

    ## Why it matters
    Istio deprecated the Lightstep provider (Lightstep, now ServiceNow Cloud
    Observability, ingests OpenTelemetry) and is removing it: tracing configured through
    it stops when the provider goes. Use an `opentelemetry` provider pointing at the same
    collector.

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: istio
      namespace: istio-system
    data:
      mesh: |
        extensionProviders:
        - name: lightstep
          lightstep:
            service: lightstep.monitoring.svc.cluster.local
            port: 443
            accessToken: my-token
    ---
    apiVersion: telemetry.istio.io/v1
    kind: Telemetry
    metadata:
      name: mesh-default
      namespace: istio-system
    spec:
      tracing:
      - providers:
        - name: lightstep  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: istio
      namespace: istio-system
    data:
      mesh: |
        extensionProviders:
        - name: otel
          opentelemetry:
            service: otel-collector.monitoring.svc.cluster.local
            port: 4317
    ---
    apiVersion: telemetry.istio.io/v1
    kind: Telemetry
    metadata:
      name: mesh-default
      namespace: istio-system
    spec:
      tracing:
      - providers:
        - name: otel
    ```
    """

    id = "ML905"
    name = "telemetry-lightstep-provider"
    severity = Severity.WARNING
    category = "best-practice"
    kinds = ("Telemetry", "ConfigMap")
    targets = ("Telemetry",)
    equivalents = Equivalents(istio="IST0002", analyzers=("telemetry.LightstepAnalyzer",))

    def check(self, mesh):
        names = lightstep_providers(effective_mesh_config(mesh))
        if not names:
            return
        for telemetry in mesh.of_kind("Telemetry"):
            if telemetry.linted:
                yield from self._check_telemetry(telemetry, names)

    def _check_telemetry(self, telemetry, names):
        tracing = telemetry.spec.get("tracing")
        for i, entry in enumerate(tracing if isinstance(tracing, list) else ()):
            providers = entry.get("providers") if isinstance(entry, dict) else None
            for j, provider in enumerate(providers if isinstance(providers, list) else ()):
                name = provider.get("name") if isinstance(provider, dict) else None
                if name in names:
                    yield self.report(
                        telemetry,
                        ("spec", "tracing", i, "providers", j, "name"),
                        f'provider "{name}" is a Lightstep provider, which Istio deprecated: '
                        "trace through an opentelemetry provider instead",
                    )
