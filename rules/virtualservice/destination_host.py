"""VirtualService destination hosts must exist in the service registry."""

from meshlint.core.suggest import closest
from meshlint.engine.finding import Severity
from meshlint.engine.fix import suggestion
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.exports import EVERYWHERE, export_targets
from meshlint.mesh.groups import MAX_NAMED
from meshlint.mesh.memo import per_mesh
from meshlint.mesh.routes import destinations


class DestinationHostNotFound(Rule):
    """A VirtualService routes (or mirrors) to a host no Service or ServiceEntry defines.

    ## What it does
    Resolves every `route[].destination.host` and `mirror(s)` host of `http`, `tcp` and
    `tls` routes the way istiod does: a short name is expanded with the VirtualService's
    namespace (`reviews` -> `reviews.<ns>.svc.cluster.local`), names with a dot are taken
    as written, and ServiceEntry wildcard hosts and `exportTo` visibility are honoured.
    A missing host is reported only with evidence that the inputs hold the place it
    would be defined in: a Service of the host's namespace for a cluster-local host, a
    ServiceEntry of the VirtualService's namespace for an external one, or a known host
    one or two edits away (a typo). Otherwise it cannot be checked and is counted in the
    summary, unless `--assume-complete` is given.

    A VirtualService with an explicit `exportTo` is also used by the namespaces it is
    exported to, so its destinations must be visible there too: a Service exported (with
    the `networking.istio.io/exportTo` annotation) or a ServiceEntry exported only to some
    namespaces is reported for each namespace the VirtualService reaches but the host does
    not. Istio's analyzer accepts the destination when it is visible in any one of the
    VirtualService's export namespaces; meshlint requires all of them, because requests
    from the others fail.

    When exactly one known host has a close name, `meshlint fix --unsafe` routes to it.

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
    targets = ("VirtualService",)
    equivalents = Equivalents(
        istio="IST0101", analyzers=("virtualservice.DestinationHostAnalyzer",), kiali="KIA1101"
    )
    hints_from_whole_mesh = True

    def check_resource(self, vs, mesh):
        exported_to = _export_targets(vs)
        for dest in destinations(vs):
            fqdn = mesh.fqdn(dest.host, vs.namespace)
            resolution = mesh.resolve_host(fqdn, vs.namespace)
            what = "mirror host" if dest.mirror else "destination host"
            message = f'{what} "{dest.host}" not found in the mesh'
            fixes = []
            if resolution.missing:
                match = _closest(mesh, dest.host, "" if "." in dest.host else vs.namespace)
                text, fixes = suggestion(dest.host, [match] if match else [], dest.host_path)
                message += text
            yield from self.unresolved(vs, dest.host_path, resolution, message, fixes=fixes)
            if resolution.targets and exported_to:
                hidden = _hidden_in(mesh, fqdn, exported_to)
                if hidden:
                    owners = resolution.targets[:MAX_NAMED]
                    scopes = _scopes(owners)
                    if len(resolution.targets) > MAX_NAMED:
                        scopes += f"; and {len(resolution.targets) - MAX_NAMED} more"
                    yield self.report(
                        vs,
                        dest.host_path,
                        f'{what} "{dest.host}" is not visible in {hidden}, where this '
                        f"VirtualService is exported: {scopes}",
                        related=[related_to(e.resource, e.path, e.resource.ref) for e in owners],
                    )


def _export_targets(vs) -> frozenset:
    """The namespaces besides its own that an explicit exportTo sends the VirtualService
    to (``{"*"}``: all of them)."""
    if not isinstance(vs.spec.get("exportTo"), list):
        return frozenset()
    return export_targets(vs.spec["exportTo"], vs.namespace, ()) - {vs.namespace}


@per_mesh
def _hidden_in(mesh, fqdn: str, targets: frozenset) -> str:
    """Where a host is not visible among ``targets``, as text ('' when visible in all)."""
    if EVERYWHERE in targets:
        entries = mesh.services.lookup(fqdn)
        return "" if any(EVERYWHERE in e.export_to for e in entries) else "every namespace"
    hidden = sorted(ns for ns in targets if not mesh.resolve_host(fqdn, ns).found)
    if not hidden:
        return ""
    return ("namespace " if len(hidden) == 1 else "namespaces ") + ", ".join(hidden)


def _scopes(entries) -> str:
    return "; ".join(
        f"{e.resource.ref} exports it to {', '.join(sorted(e.export_to))}" for e in entries
    )


@per_mesh
def _closest(mesh, host: str, namespace: str) -> str | None:
    """The host to suggest for a missing one, once per host (and namespace, for a short
    host)."""
    return closest(host, _candidates(host, namespace, mesh))


def _candidates(host: str, namespace: str, mesh) -> list[str]:
    """Hosts to suggest: short names of the namespace's services for a short host."""
    registry = mesh.whole.services
    if "." in host:
        return registry.near(host)
    domain = mesh.settings.cluster_domain
    suffix = f".{namespace}.svc.{domain}"
    return [h.removesuffix(suffix) for h in registry.in_namespace(namespace, domain)]
