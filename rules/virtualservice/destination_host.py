"""VirtualService destination hosts must exist in the service registry."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh.routes import destinations
from meshlint.mesh.suggest import hint


class DestinationHostNotFound(Rule):
    """A VirtualService routes (or mirrors) to a host no Service or ServiceEntry defines.

    ## What it does
    Resolves every `route[].destination.host` and `mirror(s)` host of `http`, `tcp` and
    `tls` routes the way istiod does: a short name is expanded with the VirtualService's
    namespace (`reviews` -> `reviews.<ns>.svc.cluster.local`), names with a dot are taken
    as written, and ServiceEntry wildcard hosts and `exportTo` visibility are honoured.
    A host in a namespace none of the analyzed files lives in is not reported (meshlint
    cannot see it) unless `--assume-complete` is given.

    ## Why it matters
    Istio accepts the VirtualService, then answers every request on that route with a 503
    (no healthy upstream): the destination has no endpoints.

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
    kind: VirtualService
    metadata:
      name: reviews
    spec:
      hosts: [reviews]
      http:
      - route:
        - destination:
            host: reviewz  # <-
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
    kind: VirtualService
    metadata:
      name: reviews
    spec:
      hosts: [reviews]
      http:
      - route:
        - destination:
            host: reviews
    ```
    """

    id = "ML101"
    name = "vs-destination-host-not-found"
    severity = Severity.ERROR
    category = "reference"
    kinds = ("VirtualService", "Service", "ServiceEntry")
    equivalents = Equivalents(
        istio="IST0101", analyzers=("virtualservice.DestinationHostAnalyzer",), kiali="KIA1101"
    )

    def check_resource(self, vs, mesh):
        for dest in destinations(vs):
            fqdn = mesh.fqdn(dest.host, vs.namespace)
            resolution = mesh.resolve_host(fqdn, vs.namespace)
            what = "mirror host" if dest.mirror else "destination host"
            message = f'{what} "{dest.host}" not found in the mesh'
            if resolution.missing:
                message += hint(dest.host, _candidates(dest.host, vs.namespace, mesh))
            yield from self.unresolved(vs, dest.host_path, resolution, message, mesh)


def _candidates(host: str, namespace: str, mesh) -> list[str]:
    """Hosts to suggest: short names of the namespace's services for a short host."""
    if "." in host:
        return list(mesh.services.exact)
    suffix = f".{namespace}.svc.{mesh.settings.cluster_domain}"
    return [h.removesuffix(suffix) for h in mesh.services.exact if h.endswith(suffix)]
