"""Access logging without a provider needs a default provider in the mesh config."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.fieldpath import get
from meshlint.mesh.istio_install import effective_mesh_config


class TelemetryAccessLogNoProvider(Rule):
    """A Telemetry enables access logging without a provider, and the mesh has no default.

    ## What it does
    When the mesh config (defaults, `--mesh-config`, or the `istio` ConfigMap in the
    analyzed files) sets no `defaultProviders.accessLogging`, reports every
    `spec.accessLogging` entry that names no `providers` and is not `disabled: true`.

    ## Why it matters
    An entry without providers uses the mesh's default access-log providers. With none
    configured (Istio's default), the entry does nothing: the filter or the logging you
    expected never appears.

    ## Example
    ```yaml
    apiVersion: telemetry.istio.io/v1
    kind: Telemetry
    metadata:
      name: mesh-default
      namespace: istio-system
    spec:
      accessLogging:
      - filter:  # <-
          expression: response.code >= 400
    ```

    ## Use instead
    ```yaml
    apiVersion: telemetry.istio.io/v1
    kind: Telemetry
    metadata:
      name: mesh-default
      namespace: istio-system
    spec:
      accessLogging:
      - providers:
        - name: envoy
        filter:
          expression: response.code >= 400
    ```
    """

    id = "ML904"
    name = "telemetry-access-log-no-provider"
    severity = Severity.WARNING
    category = "reference"
    kinds = ("Telemetry", "ConfigMap")
    targets = ("Telemetry",)
    equivalents = Equivalents(istio="IST0157", analyzers=("telemetry.ProviderAnalyzer",))

    def check(self, mesh):
        if get(effective_mesh_config(mesh), ("defaultProviders", "accessLogging")):
            return
        for telemetry in mesh.of_kind("Telemetry"):
            if telemetry.linted:
                yield from self._check_telemetry(telemetry)

    def _check_telemetry(self, telemetry):
        entries = telemetry.spec.get("accessLogging")
        for i, entry in enumerate(entries if isinstance(entries, list) else ()):
            if not isinstance(entry, dict) or entry.get("providers") or entry.get("disabled"):
                continue
            yield self.report(
                telemetry,
                ("spec", "accessLogging", i),
                "access logging without providers uses the mesh's default access-log "
                "providers, and the mesh config sets none (defaultProviders.accessLogging): "
                "this entry has no effect; name a provider such as envoy",
            )
