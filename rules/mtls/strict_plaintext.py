"""With auto mTLS off, a STRICT PeerAuthentication needs DestinationRules that send
ISTIO_MUTUAL to its servers."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh import mtls as mt
from meshlint.mesh.mtls import PEER_MODE, STRICT, peer_mode, peer_selector

MAX_LISTED = 3


def _plaintext(model, services) -> list[tuple[object, object]]:
    """(service, DestinationRule or None) of the services clients reach in plaintext."""
    out = []
    for service in services:
        sends, dr = model.sends_mtls(service.host, service.namespace)
        if not sends:
            out.append((service, dr))
    return out


def _listed(plaintext) -> str:
    names = [s.host for s, _ in plaintext[:MAX_LISTED]]
    more = len(plaintext) - MAX_LISTED
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def _decided_by(model, service, policy) -> bool:
    return any(d.policy is policy for _, d in model.service_decisions(service))


def _related(plaintext) -> list:
    return [
        related_to(dr, ("spec", "host"), f"{dr.ref} sets no ISTIO_MUTUAL for {s.host}")
        for s, dr in plaintext[:MAX_LISTED]
        if dr is not None
    ]


class MeshStrictWithoutMtlsRule(Rule):
    """Mesh-wide STRICT mTLS with auto mTLS off, but clients send plaintext.

    ## What it does
    With auto mTLS off (mesh config `enableAutoMtls: false`), takes the mesh-wide
    PeerAuthentication (no selector, root namespace) when it is STRICT, and the Services
    whose workloads get their mode from it. Reports the policy when clients of some of
    them send plaintext: the DestinationRule they use (the most specific one, from the
    client's namespace, the service's, then the root namespace) sets no ISTIO_MUTUAL.
    Without Services in the analyzed files, it asks for a mesh-wide (`*.local`)
    ISTIO_MUTUAL DestinationRule, as Kiali does.

    ## Why it matters
    Without auto mTLS, sidecars only originate mTLS where a DestinationRule says
    ISTIO_MUTUAL. Everywhere else they send plaintext, which STRICT servers refuse: every
    request fails.

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
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: default
      namespace: istio-system
    spec:
      mtls:
        mode: STRICT  # <-
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
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: default
      namespace: istio-system
    spec:
      mtls:
        mode: STRICT
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
    ```
    """

    id = "ML556"
    name = "mesh-strict-without-mtls-dr"
    severity = Severity.ERROR
    category = "conflict"
    kinds = (*mt.INPUT_KINDS, "ServiceEntry")
    targets = ("PeerAuthentication",)
    equivalents = Equivalents(kiali="KIA0401")

    def check(self, mesh):
        model = mt.model(mesh)
        policy = model.mesh_policy
        if model.auto_mtls or policy is None or not policy.linted or peer_mode(policy) != STRICT:
            return
        services = [s for s in model.sidecar_services if _decided_by(model, s, policy)]
        plaintext = _plaintext(model, services)
        if plaintext:
            text = f"clients of {_listed(plaintext)} send plaintext"
        elif model.sidecar_services:
            return
        else:
            sends, _ = model.sends_mtls(f"*.svc.{model.domain}", model.root)
            if sends:
                return
            text = "no mesh-wide DestinationRule (host *.local) sends ISTIO_MUTUAL"
        yield self.report(
            policy,
            PEER_MODE,
            f"mesh-wide STRICT with auto mTLS off: {text}, and STRICT servers refuse it; add "
            "a DestinationRule for *.local with tls.mode ISTIO_MUTUAL",
            related=_related(plaintext),
        )


class PeerStrictWithoutMtlsRule(Rule):
    """STRICT mTLS for a namespace or workload with auto mTLS off, but clients send plaintext.

    ## What it does
    With auto mTLS off (mesh config `enableAutoMtls: false`), takes each STRICT
    PeerAuthentication outside the root namespace: namespace-wide (no selector) or
    workload-level (a selector). Finds the Services in front of the workloads whose mode
    it decides, and reports the policy when clients of some of them send plaintext: the
    DestinationRule they use sets no ISTIO_MUTUAL. A namespace-wide policy whose namespace
    has no Service in the analyzed files is reported when no namespace-wide
    (`*.<ns>.svc.cluster.local`) or mesh-wide ISTIO_MUTUAL DestinationRule covers it, as
    Kiali does.

    ## Why it matters
    Without auto mTLS, sidecars send plaintext unless a DestinationRule says
    ISTIO_MUTUAL; the STRICT servers refuse it and every request fails.

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
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: default
    spec:
      mtls:
        mode: STRICT  # <-
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
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: default
    spec:
      mtls:
        mode: STRICT
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: default
    spec:
      host: "*.default.svc.cluster.local"
      trafficPolicy:
        tls: {mode: ISTIO_MUTUAL}
    ```
    """

    id = "ML557"
    name = "peer-strict-without-mtls-dr"
    severity = Severity.ERROR
    category = "conflict"
    kinds = (*mt.INPUT_KINDS, "ServiceEntry")
    targets = ("PeerAuthentication",)
    equivalents = Equivalents(kiali="KIA0501")

    def check(self, mesh):
        model = mt.model(mesh)
        if model.auto_mtls:
            return
        for policy in mesh.of_kind("PeerAuthentication"):
            if policy.linted and policy.namespace != model.root and peer_mode(policy) == STRICT:
                yield from self._check_policy(policy, model)

    def _check_policy(self, policy, model):
        selector = peer_selector(policy)
        if selector:
            workloads = [
                w
                for w in model.mesh.workloads.matching(selector, policy.namespace)
                if model.workload_decision(w).policy is policy
            ]
            services = list(dict.fromkeys(s for w in workloads for s in model.services_of(w)))
            services = [s for s in services if s in model.sidecar_set]
            scope = "workload"
        else:
            services = [
                s
                for s in model.sidecar_services_in(policy.namespace)
                if _decided_by(model, s, policy)
            ]
            scope = "namespace-wide"
        plaintext = _plaintext(model, services)
        if plaintext:
            text = f"clients of {_listed(plaintext)} send plaintext"
        elif selector or model.sidecar_services_in(policy.namespace):
            return
        else:
            host = model.namespace_host(policy.namespace)
            if model.sends_mtls(host, policy.namespace)[0]:
                return
            text = f"no DestinationRule for {host} or *.local sends ISTIO_MUTUAL"
        yield self.report(
            policy,
            PEER_MODE,
            f"{scope} STRICT with auto mTLS off: {text}, and STRICT servers refuse it; add a "
            "DestinationRule with tls.mode ISTIO_MUTUAL for these hosts",
            related=_related(plaintext),
        )
