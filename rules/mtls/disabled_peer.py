"""A PeerAuthentication must not disable mTLS for servers whose clients send
ISTIO_MUTUAL."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh import mtls as mt
from meshlint.mesh.memo import per_mesh
from meshlint.mesh.mtls import DISABLE, ISTIO_MUTUAL, PEER_MODE, TLS_MODE, peer_mode, peer_selector

MAX_LISTED = 3


def _is_mesh_wide(policy, model) -> bool:
    return policy.namespace == model.root and not peer_selector(policy)


def _services(policy, model) -> list:
    """The Services in front of the workloads whose mode ``policy`` decides."""
    selector = peer_selector(policy)
    if selector:
        classes = _classes(model.mesh, policy.namespace, tuple(selector.items()))
        workloads = [w for w in classes if model.workload_decision(w).policy is policy]
        found = dict.fromkeys(s for w in workloads for s in model.services_of(w))
        return [s for s in found if s in model.sidecar_set]
    mesh_wide = _is_mesh_wide(policy, model)
    return _disabling(model.mesh, "" if mesh_wide else policy.namespace, mesh_wide).get(policy, [])


@per_mesh
def _classes(mesh, namespace: str, selector: tuple) -> list:
    """One workload of each label class a selector selects: the others are decided, and
    selected by Services, alike."""
    found: dict[frozenset, object] = {}
    for workload in mesh.workloads.matching(dict(selector), namespace):
        found.setdefault(frozenset(workload.labels.items()), workload)
    return list(found.values())


@per_mesh
def _disabling(mesh, namespace: str, mesh_wide: bool) -> dict:
    """The sidecar Services of a namespace (of the mesh) by the policy that puts some of
    their workloads in DISABLE mode."""
    model = mt.model(mesh)
    candidates = model.sidecar_services if mesh_wide else model.sidecar_services_in(namespace)
    by_decisions: dict[int, list] = {}  # Services with one selector share their decisions
    out: dict = {}
    for service in candidates:
        decisions = model.service_decisions(service)
        if id(decisions) not in by_decisions:
            by_decisions[id(decisions)] = list(
                {id(d.policy): d.policy for _, d in decisions if d.mode == DISABLE}.values()
            )
        for policy in by_decisions[id(decisions)]:
            out.setdefault(policy, []).append(service)
    return out


def mutual_senders(policy, model) -> list[tuple[str, object]]:
    """(host, DestinationRule) of the hosts whose clients send ISTIO_MUTUAL to servers
    ``policy`` puts in DISABLE mode. When it decides no Service in the analyzed files,
    the namespace-wide (or mesh-wide) DestinationRule stands for the servers it would
    decide."""
    services = _services(policy, model)
    out = []
    for service in services:
        mode, dr = model.client_tls(service.host, service.namespace)
        if mode == ISTIO_MUTUAL:
            out.append((service.host, dr))
    if out or services or peer_selector(policy):
        return out
    if _is_mesh_wide(policy, model):
        host, namespace = f"*.svc.{model.domain}", model.root
    else:
        host, namespace = model.namespace_host(policy.namespace), policy.namespace
    mode, dr = model.client_tls(host, namespace)
    return [(host, dr)] if mode == ISTIO_MUTUAL else []


class _DisabledPeerWithMutualClients(Rule):
    """Shared check; subclasses pick mesh-wide or the other policies."""

    severity = Severity.ERROR
    category = "conflict"
    kinds = (*mt.INPUT_KINDS, "ServiceEntry")
    targets = ("PeerAuthentication",)
    mesh_wide: bool

    def check(self, mesh):
        model = mt.model(mesh)
        for policy in mesh.of_kind("PeerAuthentication"):
            if not policy.linted or peer_mode(policy) != DISABLE:
                continue
            if _is_mesh_wide(policy, model) != self.mesh_wide:
                continue
            if policy.namespace == model.root and peer_selector(policy):
                continue  # istiod ignores selector policies in the root namespace
            senders = mutual_senders(policy, model)
            if not senders:
                continue
            hosts = [h for h, _ in senders[:MAX_LISTED]]
            more = len(senders) - MAX_LISTED
            rules = list(dict.fromkeys(dr for _, dr in senders))
            yield self.report(
                policy,
                PEER_MODE,
                "mTLS is disabled, but clients send ISTIO_MUTUAL to "
                + ", ".join(hosts)
                + (f" and {more} more" if more > 0 else "")
                + f" ({', '.join(dr.ref for dr in rules[:MAX_LISTED])}): the servers expect "
                "plaintext and the connections fail",
                related=[related_to(dr, TLS_MODE, f"{dr.ref} sends ISTIO_MUTUAL") for dr in rules],
            )


class PeerDisableWithMtlsRule(_DisabledPeerWithMutualClients):
    """A namespace or workload PeerAuthentication disables mTLS that clients send.

    ## What it does
    For each PeerAuthentication with `mtls.mode: DISABLE` outside the mesh-wide one
    (namespace-wide, or workload-level with a selector), finds the Services in front of
    the workloads whose mode it decides and the DestinationRule their clients use (the
    most specific one, from the service's namespace, then the root namespace). Reports
    the policy when that DestinationRule sends ISTIO_MUTUAL. A namespace without Services
    in the analyzed files is judged by its namespace-wide (`*.<ns>.svc.cluster.local`) or
    mesh-wide (`*.local`) DestinationRule, as Kiali does.

    Only ISTIO_MUTUAL is reported: with MUTUAL the client presents its own certificates
    to an application that may terminate TLS itself.

    ## Why it matters
    The server sidecar no longer terminates mTLS and hands the TLS bytes to the
    application, which cannot read them: every request fails.

    ## Example
    ```yaml
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
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: default
    spec:
      mtls:
        mode: DISABLE  # <-
    ```

    ## Use instead
    ```yaml
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
      name: default
    spec:
      host: "*.default.svc.cluster.local"
      trafficPolicy:
        tls: {mode: DISABLE}
    ---
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: default
    spec:
      mtls:
        mode: DISABLE
    ```
    """

    id = "ML558"
    name = "peer-disable-with-mtls-dr"
    equivalents = Equivalents(kiali="KIA0505")
    mesh_wide = False


class MeshDisableWithMtlsRule(_DisabledPeerWithMutualClients):
    """The mesh-wide PeerAuthentication disables mTLS while DestinationRules send ISTIO_MUTUAL.

    ## What it does
    Like `peer-disable-with-mtls-dr`, for the mesh-wide PeerAuthentication (no selector,
    in the root namespace): the servers it decides are those of every namespace without
    a namespace-wide or workload policy of its own. When it decides no Service in the
    analyzed files (every namespace with Services has a policy of its own), a mesh-wide
    (`*.local`) ISTIO_MUTUAL DestinationRule is reported, as Kiali does: namespaces
    created later get the contradiction.

    ## Why it matters
    The server sidecars no longer terminate mTLS and hand the TLS bytes to the
    applications, which cannot read them: every request fails.

    ## Example
    ```yaml
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
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: default
      namespace: istio-system
    spec:
      mtls:
        mode: DISABLE  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: default
      namespace: istio-system
    spec:
      host: "*.local"
      trafficPolicy:
        tls: {mode: DISABLE}
    ---
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: default
      namespace: istio-system
    spec:
      mtls:
        mode: DISABLE
    ```

    ## Compared with Istio and Kiali
    - Kiali reports a mesh-wide DISABLE next to any `*.local` DestinationRule sending
      ISTIO_MUTUAL or MUTUAL. meshlint follows the DestinationRule each Service's clients
      use, so a more specific rule sending plaintext clears it; it reports ISTIO_MUTUAL
      only, since with MUTUAL the client presents its own certificates to an application
      that may terminate TLS itself.
    """

    id = "ML559"
    name = "mesh-disable-with-mtls-dr"
    equivalents = Equivalents(kiali="KIA0506")
    mesh_wide = True
