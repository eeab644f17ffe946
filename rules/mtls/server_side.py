"""With auto mTLS off, a wildcard ISTIO_MUTUAL DestinationRule needs a PeerAuthentication
that decides the servers' side."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh import mtls as mt
from meshlint.mesh.mtls import ISTIO_MUTUAL, TLS_MODE, tls_mode

ADVICE = "add one with mtls.mode STRICT (or PERMISSIVE, to keep accepting plaintext on purpose)"


def _wide_mutual_rules(model):
    """(DestinationRule, host) of each linted wildcard rule that sends ISTIO_MUTUAL."""
    for dr in model.wide_rules():
        if dr.linted and tls_mode(dr) == ISTIO_MUTUAL:
            yield dr, model.rule_host[dr]


class MeshMtlsWithoutPeerAuthentication(Rule):
    """A mesh-wide ISTIO_MUTUAL DestinationRule has no mesh-wide PeerAuthentication beside it.

    ## What it does
    With auto mTLS off (mesh config `enableAutoMtls: false`), reports a DestinationRule
    whose host covers every service (`*.local`, `*.cluster.local`, `*`) and that sends
    ISTIO_MUTUAL, when no PeerAuthentication without selector in the root namespace sets
    an mTLS mode. A mesh-wide DISABLE is reported by `mesh-disable-with-mtls-dr` instead.
    With auto mTLS on, Kiali (and meshlint) do not report it.

    ## Why it matters
    The DestinationRule only configures the client side. Without a mesh-wide
    PeerAuthentication servers stay in Istio's default PERMISSIVE mode and keep accepting
    plaintext from anything outside the mesh: the mTLS the DestinationRule announces is
    not enforced. Traffic works, so this is a warning (Kiali reports it as an error).

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
        tls:
          mode: ISTIO_MUTUAL  # <-
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
        tls:
          mode: ISTIO_MUTUAL
    ---
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: default
      namespace: istio-system
    spec:
      mtls:
        mode: STRICT
    ```
    """

    id = "ML552"
    name = "dr-mtls-no-mesh-peer-auth"
    severity = Severity.WARNING
    category = "security"
    kinds = ("DestinationRule", "PeerAuthentication", "ConfigMap")
    targets = ("DestinationRule",)
    equivalents = Equivalents(kiali="KIA0205")

    def check(self, mesh):
        model = mt.model(mesh)
        if model.auto_mtls or model.mesh_decision().policy is not None:
            return
        for dr, host in _wide_mutual_rules(model):
            if model.is_mesh_wide_host(host):
                yield self.report(
                    dr,
                    TLS_MODE,
                    "auto mTLS is off and no mesh-wide PeerAuthentication (no selector, in "
                    f"namespace {model.root}) sets an mTLS mode: servers stay PERMISSIVE and "
                    f"accept plaintext too; {ADVICE}",
                )


class NamespaceMtlsWithoutPeerAuthentication(Rule):
    """A namespace-wide ISTIO_MUTUAL DestinationRule has no PeerAuthentication for its namespace.

    ## What it does
    With auto mTLS off (mesh config `enableAutoMtls: false`), reports a DestinationRule
    for `*.<ns>.svc.cluster.local` that sends ISTIO_MUTUAL when neither a namespace-wide
    PeerAuthentication in `<ns>` nor a mesh-wide one sets an mTLS mode. A DISABLE mode is
    reported by `peer-disable-with-mtls-dr` and `mesh-disable-with-mtls-dr` instead.

    ## Why it matters
    Clients of the namespace send mTLS, but its servers stay in Istio's default
    PERMISSIVE mode and keep accepting plaintext from outside the mesh: the mTLS is not
    enforced. Traffic works, so this is a warning (Kiali reports it as an error).

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
      namespace: shop
    spec:
      host: "*.shop.svc.cluster.local"
      trafficPolicy:
        tls:
          mode: ISTIO_MUTUAL  # <-
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
      namespace: shop
    spec:
      host: "*.shop.svc.cluster.local"
      trafficPolicy:
        tls:
          mode: ISTIO_MUTUAL
    ---
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: default
      namespace: shop
    spec:
      mtls:
        mode: STRICT
    ```
    """

    id = "ML553"
    name = "dr-mtls-no-namespace-peer-auth"
    severity = Severity.WARNING
    category = "security"
    kinds = ("DestinationRule", "PeerAuthentication", "ConfigMap")
    targets = ("DestinationRule",)
    equivalents = Equivalents(kiali="KIA0206")

    def check(self, mesh):
        model = mt.model(mesh)
        if model.auto_mtls:
            return
        for dr, host in _wide_mutual_rules(model):
            namespace = model.wide_namespace(host)
            if namespace is None or model.namespace_decision(namespace).policy is not None:
                continue
            yield self.report(
                dr,
                TLS_MODE,
                f"auto mTLS is off and no PeerAuthentication for namespace {namespace} (nor a "
                "mesh-wide one) sets an mTLS mode: its servers stay PERMISSIVE and accept "
                f"plaintext too; {ADVICE}",
            )
