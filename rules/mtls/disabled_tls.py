"""A DestinationRule must not disable TLS towards servers whose PeerAuthentication is
STRICT."""

from collections.abc import Iterator

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.fieldpath import Path
from meshlint.mesh import mtls as mt
from meshlint.mesh.memo import per_mesh
from meshlint.mesh.mtls import (
    DISABLE,
    MESH,
    PEER_MODE,
    STRICT,
    TLS_MODE,
    Decision,
    port_tls_modes,
    subset_tls_modes,
    tls_mode,
)


def disabled_places(dr) -> Iterator[tuple[Path, str, dict[str, str] | None]]:
    """(path of the mode, what it covers, subset labels) of each DISABLE TLS mode."""
    if tls_mode(dr) == DISABLE:
        yield TLS_MODE, "", None
    for path, port, mode in port_tls_modes(dr):
        if mode == DISABLE:
            yield path, f" on port {port}" if port is not None else "", None
    for path, labels, mode in subset_tls_modes(dr):
        if mode == DISABLE:
            name = dr.spec["subsets"][path[2]].get("name")
            yield path, f" for subset {name}", labels


def outside_mesh(mesh, host: str, namespace: str) -> bool:
    """Whether a host names only ``ExternalName`` Services: DNS aliases for servers outside
    the mesh, which no PeerAuthentication governs."""
    entries = mesh.services.lookup(host, namespace)
    return bool(entries) and all(
        e.resource.kind == "Service" and e.resource.spec.get("type") == "ExternalName"
        for e in entries
    )


def _strict(decision: Decision) -> bool:
    return decision.mode == STRICT and all(m == STRICT for m in decision.ports.values())


@per_mesh
def _strict_servers(mesh, host: str, subset: tuple | None, mesh_level: bool) -> dict:
    """The STRICT policies (of the mesh level, or of the others) deciding the servers
    behind a host, each with the first server it decides: once per host and subset."""
    strict: dict = {}
    labels = dict(subset) if subset is not None else None
    for workload, decision in mt.model(mesh).server_decisions(host, labels):
        if _strict(decision) and (decision.level == MESH) == mesh_level:
            strict.setdefault(decision.policy, (workload, decision))
    return strict


class _DisabledTowardsStrict(Rule):
    """Shared check; subclasses pick the PeerAuthentication levels they report."""

    severity = Severity.ERROR
    category = "conflict"
    kinds = (*mt.INPUT_KINDS, "ServiceEntry")
    targets = ("DestinationRule",)
    mesh_level: bool

    def check_resource(self, dr, mesh):
        model = mt.model(mesh)
        host = model.rule_host.get(dr)
        if host is None or outside_mesh(mesh, host, dr.namespace):
            return
        for path, what, subset in disabled_places(dr):
            labels = tuple(subset.items()) if subset is not None else None
            strict = _strict_servers(mesh, host, labels, self.mesh_level)
            if not strict:
                continue
            workload, decision = next(iter(strict.values()))
            server = f" for {workload.resource.ref}" if workload is not None else ""
            yield self.report(
                dr,
                path,
                f"TLS is disabled{what} towards {host}, but {decision.describe()}{server} "
                "requires mTLS (STRICT): the servers refuse these plaintext connections",
                related=[related_to(p, PEER_MODE, f"{p.ref} is STRICT") for p in strict],
            )


class DisabledTlsNamespaceStrict(_DisabledTowardsStrict):
    """A DestinationRule disables TLS towards a namespace or workload that requires mTLS.

    ## What it does
    For each `tls.mode: DISABLE` of a DestinationRule (top level, a port, or a subset),
    finds the servers behind its host: the workloads the host's Service selects (only
    those of the subset), the whole namespace for `*.<ns>.svc.cluster.local`, every
    namespace for `*.local`. Reports when the PeerAuthentication that decides their mode
    is a namespace-wide or workload-level one (a selector) set to STRICT. When the mode
    comes from the mesh-wide policy, `dr-tls-disabled-mesh-strict` reports it. A host that
    is an `ExternalName` Service names a server outside the mesh, which no
    PeerAuthentication governs: disabling TLS towards it contradicts nothing.

    ## Why it matters
    The client sidecar sends plaintext; the server sidecar only accepts mTLS and resets
    every connection.

    ## Example
    ```yaml
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: default
    spec:
      mtls: {mode: STRICT}
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      trafficPolicy:
        tls:
          mode: DISABLE  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: default
    spec:
      mtls: {mode: STRICT}
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      trafficPolicy:
        tls:
          mode: ISTIO_MUTUAL
    ```
    """

    id = "ML554"
    name = "dr-tls-disabled-peer-strict"
    equivalents = Equivalents(kiali="KIA0207")
    mesh_level = False


class DisabledTlsMeshStrict(_DisabledTowardsStrict):
    """A DestinationRule disables TLS towards workloads that mesh-wide STRICT mTLS covers.

    ## What it does
    Like `dr-tls-disabled-peer-strict`, for servers whose mode comes from the mesh-wide
    PeerAuthentication (no selector, in the root namespace): no namespace-wide or workload
    policy of theirs sets a mode. `ExternalName` Services are outside the mesh and not
    reported.

    ## Why it matters
    The client sidecar sends plaintext; the server sidecar only accepts mTLS and resets
    every connection.

    ## Example
    ```yaml
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: default
      namespace: istio-system
    spec:
      mtls: {mode: STRICT}
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: default
    spec:
      host: "*.default.svc.cluster.local"
      trafficPolicy:
        tls:
          mode: DISABLE  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: default
      namespace: istio-system
    spec:
      mtls: {mode: STRICT}
    ---
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: default
    spec:
      mtls: {mode: PERMISSIVE}
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: default
    spec:
      host: "*.default.svc.cluster.local"
      trafficPolicy:
        tls:
          mode: DISABLE
    ```
    """

    id = "ML555"
    name = "dr-tls-disabled-mesh-strict"
    equivalents = Equivalents(kiali="KIA0208")
    mesh_level = True
