"""DestinationRule hosts must name a service in the mesh."""

from meshlint.core.suggest import hint
from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh import hosts
from meshlint.mesh.memo import per_mesh


class DestinationRuleHostNotFound(Rule):
    """A DestinationRule's host matches no Service or ServiceEntry.

    ## What it does
    Expands `spec.host` as istiod does (a short name takes the DestinationRule's
    namespace) and looks it up among Services and ServiceEntry hosts visible from the
    DestinationRule's namespace. Wildcard hosts (`*.local`, `*.example.com`) are policies
    over many services and are not reported. A host is reported only when the inputs
    hold a Service of its namespace (a ServiceEntry of the DestinationRule's namespace for
    an external host) or a host one or two edits away, unless `--assume-complete` is given.

    ## Why it matters
    The traffic policy and subsets apply to nothing: a typo here silently drops load
    balancing, TLS settings and circuit breaking, and breaks every route to its subsets.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: reviews
    spec:
      selector: {app: reviews}
      ports: [{name: http, port: 9080}]
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviewz  # <-
      subsets:
      - name: v1
        labels: {version: v1}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: reviews
    spec:
      selector: {app: reviews}
      ports: [{name: http, port: 9080}]
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      subsets:
      - name: v1
        labels: {version: v1}
    ```
    """

    id = "ML301"
    name = "dr-host-not-found"
    severity = Severity.WARNING
    category = "reference"
    kinds = ("DestinationRule", "Service", "ServiceEntry")
    targets = ("DestinationRule",)
    equivalents = Equivalents(
        istio="IST0174", analyzers=("destinationrule.PodNotSelectedAnalyzer",), kiali="KIA0202"
    )
    hints_from_whole_mesh = True

    def check(self, mesh):
        for dr in mesh.of_kind("DestinationRule"):
            if not dr.linted:
                continue
            host = dr.spec.get("host")
            if not isinstance(host, str) or not host or hosts.is_wildcard(host):
                continue
            resolution = mesh.resolve_host(mesh.fqdn(host, dr.namespace), dr.namespace)
            message = f'host "{host}" matches no Service or ServiceEntry in the mesh'
            if resolution.missing:
                message += _hint(mesh, host, dr.namespace)
            yield from self.unresolved(dr, ("spec", "host"), resolution, message)


@per_mesh
def _hint(mesh, host: str, namespace: str) -> str:
    """The did-you-mean for a missing host, once per (host, namespace)."""
    domain = mesh.settings.cluster_domain
    suffix = f".{namespace}.svc.{domain}"
    registry = mesh.whole.services
    local = [h.removesuffix(suffix) for h in registry.in_namespace(namespace, domain)]
    others = [h for h in registry.near(host) if not h.endswith(suffix)]
    return hint(host, local + others)
