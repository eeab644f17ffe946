"""Deprecated Istio fields and removed Istio custom resource types."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule

REMOVED_RBAC_KINDS = frozenset(
    {"ClusterRbacConfig", "RbacConfig", "ServiceRole", "ServiceRoleBinding"}
)


class DeprecatedField(Rule):
    """A manifest uses an Istio field or custom resource type that is deprecated or removed.

    ## What it does
    Reports:
    - VirtualService `http[].fault.delay.percent`, replaced by `percentage`;
    - Sidecar `outboundTrafficPolicy.egressProxy`, which istiod ignores;
    - CustomResourceDefinitions of the `rbac.istio.io` types (`ClusterRbacConfig`,
      `RbacConfig`, `ServiceRole`, `ServiceRoleBinding`), removed in Istio 1.6 in favour
      of AuthorizationPolicy.

    ## Why it matters
    Deprecated fields are dropped in a later release, and some are ignored already: the
    configuration looks applied but does nothing. Removed CRDs only hold dead objects
    that no Istio version reads.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: ratings
    spec:
      hosts: [ratings]
      http:
      - fault:
          delay:
            percent: 50  # <-
            fixedDelay: 7s
        route:
        - destination:
            host: ratings
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: ratings
    spec:
      hosts: [ratings]
      http:
      - fault:
          delay:
            percentage:
              value: 50
            fixedDelay: 7s
        route:
        - destination:
            host: ratings
    ```
    """

    id = "ML941"
    name = "deprecated-field"
    severity = Severity.WARNING
    category = "best-practice"
    kinds = ("VirtualService", "Sidecar", "CustomResourceDefinition")
    equivalents = Equivalents(istio="IST0002", analyzers=("deprecation.FieldAnalyzer",))

    def check_resource(self, resource, mesh):
        if resource.kind == "VirtualService":
            yield from self._virtual_service(resource)
        elif resource.kind == "Sidecar":
            yield from self._sidecar(resource)
        else:
            yield from self._crd(resource)

    def _virtual_service(self, vs):
        routes = vs.spec.get("http")
        for i, route in enumerate(routes if isinstance(routes, list) else ()):
            fault = route.get("fault") if isinstance(route, dict) else None
            delay = fault.get("delay") if isinstance(fault, dict) else None
            if isinstance(delay, dict) and "percent" in delay:
                yield self.report(
                    vs,
                    ("spec", "http", i, "fault", "delay", "percent"),
                    "fault.delay.percent is deprecated: use fault.delay.percentage.value",
                    key=True,
                )

    def _sidecar(self, sidecar):
        policy = sidecar.spec.get("outboundTrafficPolicy")
        if isinstance(policy, dict) and "egressProxy" in policy:
            yield self.report(
                sidecar,
                ("spec", "outboundTrafficPolicy", "egressProxy"),
                "outboundTrafficPolicy.egressProxy is deprecated and ignored by istiod: route "
                "egress through an egress gateway with a VirtualService instead",
                key=True,
            )

    def _crd(self, crd):
        names = crd.spec.get("names")
        kind = names.get("kind") if isinstance(names, dict) else None
        if crd.spec.get("group") == "rbac.istio.io" and kind in REMOVED_RBAC_KINDS:
            yield self.report(
                crd,
                ("spec", "names", "kind"),
                f"custom resource type rbac.istio.io {kind} was removed in Istio 1.6: "
                "migrate to AuthorizationPolicy and delete this CRD",
            )
