"""A DestinationRule without TLS settings replaces a wildcard ISTIO_MUTUAL default."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh import hosts
from meshlint.mesh import mtls as mt
from meshlint.mesh.mtls import ISTIO_MUTUAL, TLS_MODE, has_tls_settings, tls_mode


class DestinationRuleDropsMtls(Rule):
    """A DestinationRule without TLS settings overrides a mesh- or namespace-wide ISTIO_MUTUAL.

    ## What it does
    Finds DestinationRules with a wildcard host (`*.local`, `*.ns.svc.cluster.local`, ...)
    that set `trafficPolicy.tls.mode: ISTIO_MUTUAL`, then reports every DestinationRule
    for a host they cover that sets no TLS at all (neither `trafficPolicy.tls` nor any
    `portLevelSettings[].tls`) and that clients pick instead of the wildcard one: istiod
    uses one DestinationRule per host, the client namespace's first, then the service
    namespace's, then the root namespace's, and the most specific host within a namespace.
    Settings are never merged across DestinationRules.

    The finding is a warning when auto mTLS is off (mesh config `enableAutoMtls: false`)
    and info when it is on: auto mTLS still sends mTLS to workloads with a sidecar.

    ## Why it matters
    Adding a DestinationRule for connection pools or subsets silently turns mTLS off for
    that host: with auto mTLS off its clients send plaintext, which STRICT servers refuse
    and PERMISSIVE ones accept unauthenticated.

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: istio
      namespace: istio-system
    data:
      mesh: |
        enableAutoMtls: false
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: default
      namespace: istio-system
    spec:
      host: "*.local"
      trafficPolicy:
        tls: {mode: ISTIO_MUTUAL}
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      trafficPolicy:  # <-
        connectionPool:
          tcp: {maxConnections: 100}
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
        enableAutoMtls: false
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: default
      namespace: istio-system
    spec:
      host: "*.local"
      trafficPolicy:
        tls: {mode: ISTIO_MUTUAL}
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      trafficPolicy:
        connectionPool:
          tcp: {maxConnections: 100}
        tls: {mode: ISTIO_MUTUAL}
    ```
    """

    id = "ML551"
    name = "dr-overrides-mtls-default"
    severity = Severity.WARNING
    category = "security"
    kinds = ("DestinationRule", "PeerAuthentication", "ConfigMap")
    targets = ("DestinationRule",)
    equivalents = Equivalents(kiali="KIA0204")

    def check(self, mesh):
        model = mt.model(mesh)
        wide: dict[str, list] = {}
        for dr in model.wide_rules():
            if tls_mode(dr) == ISTIO_MUTUAL:
                wide.setdefault(dr.namespace, []).append(dr)
        if not wide:
            return
        severity = self._severity(model)
        for dr, host in model.rule_host.items():
            if not dr.linted or has_tls_settings(dr):
                continue
            replaced = _replaced(dr, host, wide, model)
            if not replaced:
                continue
            other = replaced[0]
            outcome = (
                "auto mTLS still sends mTLS to workloads with a sidecar, but no longer to the "
                "others"
                if model.auto_mtls
                else "with auto mTLS off its clients send plaintext"
            )
            yield self.report(
                dr,
                ("spec", "trafficPolicy") if "trafficPolicy" in dr.spec else ("spec", "host"),
                f"sets no TLS mode, so for {host} it replaces {other.ref} (host "
                f'"{other.spec.get("host")}", ISTIO_MUTUAL): {outcome}; add '
                "trafficPolicy.tls.mode: ISTIO_MUTUAL",
                key=True,
                severity=severity,
                related=[related_to(r, TLS_MODE, f"{r.ref} sends ISTIO_MUTUAL") for r in replaced],
            )

    def _severity(self, model) -> Severity:
        if self.effective_severity != self.severity:
            return self.effective_severity
        return Severity.INFO if model.auto_mtls else Severity.WARNING


def _replaced(dr, host: str, wide: dict[str, list], model) -> list:
    """The wildcard ISTIO_MUTUAL DestinationRules that clients using ``dr`` would use
    instead: a broader one in its own namespace, or (outside the root namespace) one in
    the root namespace or in the namespace of the service it names."""
    out = [
        w
        for w in wide.get(dr.namespace, ())
        if w is not dr and model.rule_host[w] != host and hosts.matches(model.rule_host[w], host)
    ]
    if dr.namespace == model.root:
        return out
    owner = model.wide_namespace(host) or hosts.cluster_local_namespace(host, model.domain)
    for namespace in dict.fromkeys((model.root, owner)):
        if namespace is None or namespace == dr.namespace:
            continue
        out += [
            w
            for w in wide.get(namespace, ())
            if hosts.matches(model.rule_host[w], host) and model.visible(w, dr.namespace)
        ]
    return out
