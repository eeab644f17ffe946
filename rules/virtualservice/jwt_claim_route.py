"""Routing on JWT claims at a gateway needs a RequestAuthentication for the gateway."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.fieldpath import Path
from meshlint.mesh.gateways import selected_workloads
from meshlint.mesh.index import ISTIO_NETWORKING
from meshlint.mesh.memo import per_mesh
from meshlint.mesh.resolve import unknown
from meshlint.mesh.workloads import WORKLOAD_KINDS, Workload, selects
from meshlint.model import Resource, string_map

CLAIM_PREFIX = "@request.auth.claims"


def claim_match(vs: Resource) -> tuple[Path, str] | None:
    """The first header match on a JWT claim: its path and the header key."""
    http = vs.spec.get("http")
    for i, rule in enumerate(http if isinstance(http, list) else []):
        matches = rule.get("match") if isinstance(rule, dict) else None
        for j, match in enumerate(matches if isinstance(matches, list) else []):
            for field in ("headers", "withoutHeaders"):
                headers = match.get(field) if isinstance(match, dict) else None
                for key in headers if isinstance(headers, dict) else ():
                    if str(key).startswith(CLAIM_PREFIX):
                        return ("spec", "http", i, "match", j, field, key), str(key)
    return None


def authenticates(policy: Resource, workload: Workload, root_namespace: str) -> bool:
    """Whether a RequestAuthentication applies to a workload: in the workload's namespace
    or the root namespace, with a selector matching it (or none, or a targetRef)."""
    if policy.namespace not in (workload.namespace, root_namespace):
        return False
    selector = policy.spec.get("selector")
    labels = selector.get("matchLabels") if isinstance(selector, dict) else None
    return selects(string_map(labels), workload.labels)


class JwtClaimRouteWithoutAuthentication(Rule):
    """A gateway route matches on a JWT claim, but no RequestAuthentication validates JWTs
    at that gateway.

    ## What it does
    For a VirtualService bound to Istio Gateways whose `http[].match[].headers` (or
    `withoutHeaders`) use a `@request.auth.claims.*` key, checks that every workload the
    Gateway selects has a RequestAuthentication: one in the workload's namespace or in
    the root namespace whose `selector` matches it (or that has no selector). Gateways
    that do not exist or select nothing are left to other rules. Reported only when the
    inputs hold a RequestAuthentication of the workload's namespace or of the root
    namespace (else it cannot be checked), unless `--assume-complete` is given.

    ## Why it matters
    Claims are only available after a RequestAuthentication has validated the token, so
    the match never succeeds and the route is dead (or, with `withoutHeaders`, always
    taken).

    ## Example
    ```yaml
    apiVersion: security.istio.io/v1
    kind: RequestAuthentication
    metadata:
      name: internal-jwt
      namespace: istio-system
    spec:
      selector:
        matchLabels: {app: internal}
      jwtRules:
      - issuer: https://issuer.example.com
    ---
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: public
      namespace: istio-system
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 80, name: http, protocol: HTTP}
        hosts: [api.example.com]
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: api
    spec:
      hosts: [api.example.com]
      gateways: [istio-system/public]
      http:
      - match:
        - headers:
            "@request.auth.claims.group":  # <-
              exact: beta
        route:
        - destination: {host: api-beta}
      - route:
        - destination: {host: api}
    ```

    ## Use instead
    ```yaml
    apiVersion: security.istio.io/v1
    kind: RequestAuthentication
    metadata:
      name: ingress-jwt
      namespace: istio-system
    spec:
      selector:
        matchLabels: {istio: ingressgateway}
      jwtRules:
      - issuer: https://issuer.example.com
        jwksUri: https://issuer.example.com/jwks.json
    ---
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: public
      namespace: istio-system
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 80, name: http, protocol: HTTP}
        hosts: [api.example.com]
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: api
    spec:
      hosts: [api.example.com]
      gateways: [istio-system/public]
      http:
      - match:
        - headers:
            "@request.auth.claims.group":
              exact: beta
        route:
        - destination: {host: api-beta}
      - route:
        - destination: {host: api}
    ```
    """

    id = "ML115"
    name = "vs-jwt-claim-route-without-authn"
    severity = Severity.ERROR
    category = "security"
    kinds = ("VirtualService", "RequestAuthentication", "Gateway", *WORKLOAD_KINDS)
    targets = ("VirtualService",)
    equivalents = Equivalents(istio="IST0149", analyzers=("virtualservice.JWTClaimRouteAnalyzer",))

    def check_resource(self, vs, mesh):
        claim = claim_match(vs)
        refs = vs.spec.get("gateways")
        if claim is None or not isinstance(refs, list):
            return
        path, key = claim
        root = mesh.settings.root_namespace
        for ref in refs:
            if not isinstance(ref, str) or ref == "mesh":
                continue
            resolution = mesh.resolve_gateway(ref, vs.namespace)
            gateway = next((g for g in resolution.targets if g.group == ISTIO_NETWORKING), None)
            if gateway is None:
                continue
            bare = _unauthenticated(mesh, gateway)
            if not bare:
                continue
            names = ", ".join(sorted(w.resource.ref for w in bare))
            message = (
                f'routes on JWT claim "{key}" through {gateway.ref}, but no '
                f"RequestAuthentication applies to its workload {names}: the claim is never "
                "set"
            )
            related = [related_to(gateway, ("spec", "selector"), f"selector of {gateway.ref}")]
            evidence = mesh.evidence
            if mesh.settings.assume_complete or any(
                evidence.has("RequestAuthentication", ns)
                for ns in {root, *(w.namespace for w in bare)}
            ):
                yield self.report(vs, path, message, key=True, related=related)
            else:
                reason = unknown(
                    f"no RequestAuthentications of {root} or of the gateway's namespace "
                    "among the inputs"
                )
                yield from self.unresolved(vs, path, reason, message, related=related)


@per_mesh
def _unauthenticated(mesh, gateway: Resource) -> list[Workload]:
    """The workloads of a Gateway that no RequestAuthentication applies to."""
    root = mesh.settings.root_namespace
    by_namespace: dict[str, list[Resource]] = {}
    for policy in mesh.of_kind("RequestAuthentication"):
        by_namespace.setdefault(policy.namespace, []).append(policy)
    return [
        w
        for w in selected_workloads(gateway, mesh)
        if not any(
            authenticates(p, w, root)
            for namespace in dict.fromkeys((w.namespace, root))
            for p in by_namespace.get(namespace, ())
        )
    ]
