"""AuthorizationPolicy conditions on the peer identity need mTLS to the selected
workloads."""

from collections.abc import Iterator

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.fieldpath import Path
from meshlint.mesh import mtls as mt
from meshlint.mesh import selection
from meshlint.mesh.index import ASSUMED_FILE
from meshlint.mesh.memo import per_mesh
from meshlint.mesh.mtls import DISABLE, ISTIO_MUTUAL, STRICT, Decision
from meshlint.mesh.workloads import selects

SOURCE_FIELDS = ("principals", "notPrincipals", "namespaces", "notNamespaces")
IDENTITY_KEYS = ("source.principal", "source.namespace", "connection.sni")


def identity_conditions(policy) -> Iterator[tuple[Path, str]]:
    """(path, name) of every condition that needs the peer's mTLS identity."""
    rules = policy.spec.get("rules")
    for i, rule in enumerate(rules if isinstance(rules, list) else []):
        if not isinstance(rule, dict):
            continue
        froms = rule.get("from")
        for j, item in enumerate(froms if isinstance(froms, list) else []):
            source = item.get("source") if isinstance(item, dict) else None
            for name in SOURCE_FIELDS:
                if isinstance(source, dict) and source.get(name):
                    yield ("spec", "rules", i, "from", j, "source", name), name
        whens = rule.get("when")
        for k, when in enumerate(whens if isinstance(whens, list) else []):
            if isinstance(when, dict) and when.get("key") in IDENTITY_KEYS:
                yield ("spec", "rules", i, "when", k, "key"), str(when["key"])


def plaintext_reason(model, decision: Decision, hosts: list[tuple[str, str]]) -> str | None:
    """Why servers with ``decision`` receive no mTLS from clients of ``hosts`` ((host,
    namespace) pairs); None when they do, or when their plaintext clients are refused
    anyway (STRICT: other rules report those)."""
    if not decision.uniform:
        return None
    if decision.mode == DISABLE:
        return f"{decision.describe()} disables mTLS"
    if decision.mode == STRICT:
        return None
    for host, namespace in hosts:
        mode, dr = model.client_tls(host, namespace)
        if mode is not None and mode != ISTIO_MUTUAL:
            return f"{dr.ref} sets TLS mode {mode} for {host}, and the server is PERMISSIVE"
        if mode is None and not model.auto_mtls:
            return (
                f"auto mTLS is off and no DestinationRule sends ISTIO_MUTUAL to {host}, and "
                "the server is PERMISSIVE"
            )
    return None


class AuthorizationNeedsMtls(Rule):
    """An AuthorizationPolicy matches on the peer identity of workloads that receive no mTLS.

    ## What it does
    Finds AuthorizationPolicy conditions that only mTLS can satisfy: `source.principals`,
    `notPrincipals`, `namespaces`, `notNamespaces`, and `when` keys `source.principal`,
    `source.namespace` and `connection.sni`. For each workload the policy selects (its
    namespace's, every namespace's for the root namespace; all of them without a
    selector), decides whether it receives mTLS: its PeerAuthentication mode (workload,
    namespace, mesh-wide, else PERMISSIVE), then, when PERMISSIVE, what its clients send
    (the DestinationRule for its Services' hosts, or auto mTLS, mesh config
    `enableAutoMtls`). Reports each condition once, naming the first workload without
    mTLS and why. When no workload in the inputs has the selector's labels, pods with
    those labels are decided the same way: the workload PeerAuthentication their labels
    satisfy, the Services that would select them, else the namespace's and the mesh's
    settings. Policies attached with `targetRefs` are skipped.

    ## Why it matters
    Over plaintext the peer has no identity: principal and namespace conditions never
    match. An ALLOW policy then denies the traffic it was meant to allow, and a DENY
    policy lets through the traffic it was meant to block.

    ## Example
    ```yaml
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: default
    spec:
      mtls: {mode: DISABLE}
    ---
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: allow-frontend
    spec:
      action: ALLOW
      rules:
      - from:
        - source:
            principals: [cluster.local/ns/default/sa/frontend]  # <-
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
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: allow-frontend
    spec:
      action: ALLOW
      rules:
      - from:
        - source:
            principals: [cluster.local/ns/default/sa/frontend]
    ```

    ## Compared with Istio and Kiali
    - Kiali reports a policy when the selected workloads' namespace is only partly
      configured for mTLS (a STRICT PeerAuthentication with auto mTLS off and no
      DestinationRule, or an ISTIO_MUTUAL namespace rule and no PeerAuthentication).
      meshlint does not: a STRICT server refuses plaintext, so every request the policy
      sees carries an identity (ML556 and ML557 report the refused clients), and a
      PERMISSIVE server accepts the mTLS its clients send.
    - Kiali decides from the namespace-wide (`*.<ns>.svc.<domain>`) and mesh-wide
      (`*.local`) DestinationRules only. meshlint also follows the DestinationRule
      clients use for each Service in front of the workload, so a service rule that
      sends plaintext to a PERMISSIVE server is reported.
    - Kiali decides a root-namespace policy from the root namespace's settings; Istio
      applies it in every namespace, and meshlint decides for each workload it selects.
    - Kiali decides from the selector's labels alone; meshlint skips workloads in the
      inputs that run without a sidecar, which no AuthorizationPolicy reaches.
    """

    id = "ML560"
    name = "authz-identity-without-mtls"
    severity = Severity.ERROR
    category = "security"
    kinds = ("AuthorizationPolicy", *mt.INPUT_KINDS)
    targets = ("AuthorizationPolicy",)
    equivalents = Equivalents(kiali="KIA0105")

    def check_resource(self, policy, mesh):
        if selection.has_target_ref(policy):
            return
        conditions = list(identity_conditions(policy))
        if not conditions:
            return
        selector = selection.selector_of(policy) or {}
        reason = _reason(mesh, policy.namespace, tuple(selector.items()))
        if reason is None:
            return
        for path, name in conditions:
            yield self.report(
                policy,
                path,
                f"{name} needs the peer's mTLS identity, but {reason}: without it the "
                "condition cannot match",
            )


@per_mesh
def _reason(mesh, namespace: str, selector: tuple) -> str | None:
    """Why the workloads a policy in ``namespace`` with ``selector`` applies to receive no
    mTLS (once per namespace and selector: policies that share them share the answer)."""
    model = mt.model(mesh)
    matched = _matched(namespace, dict(selector), model)
    reasons: dict[tuple, str | None] = {}  # workloads with equal labels are served alike
    for workload in matched:
        if not model.has_sidecar(workload) or workload in model.gateway_workloads:
            continue
        key = (workload.namespace, frozenset(workload.labels.items()))
        if key not in reasons:
            decision = model.workload_decision(workload)
            reasons[key] = plaintext_reason(
                model, decision, _hosts(model, workload.labels, workload.namespace)
            )
        if reasons[key]:
            return f"{workload.resource.ref} receives no mTLS: {reasons[key]}"
    if matched:
        return None
    if selector and namespace != model.root:
        return _labels_reason(model, namespace, dict(selector))
    if namespace == model.root:
        host, decision = f"*.svc.{model.domain}", model.mesh_decision()
    else:
        host = model.namespace_host(namespace)
        decision = model.namespace_decision(namespace)
    reason = plaintext_reason(model, decision, [(host, namespace)])
    return f"namespace {namespace} receives no mTLS: {reason}" if reason else None


def _hosts(model, labels: dict[str, str], namespace: str) -> list[tuple[str, str]]:
    """(host, namespace) of the Services in front of pods with ``labels``; the
    namespace-wide host when none is."""
    services = model.mesh.services_selecting(labels, namespace)
    return [(s.host, s.namespace) for s in services] or [
        (model.namespace_host(namespace), namespace)
    ]


def _labels_reason(model, namespace: str, labels: dict[str, str]) -> str | None:
    """Why pods with the selector's ``labels`` would receive no mTLS, when no workload in
    the inputs has them: the workload PeerAuthentication whose selector their labels
    satisfy, else the namespace's and the mesh's settings (Kiali decides the same way)."""
    inherited = model.namespace_decision(namespace)
    decision = inherited
    for peer in model.workload_policies.get(namespace, ()):
        if selects(mt.peer_selector(peer), labels):
            mode = mt.peer_mode(peer) or inherited.mode
            ports = {p: m for p, m in mt.peer_port_modes(peer).items() if m != mode}
            if mt.peer_mode(peer) or ports:
                decision = Decision(mode, mt.WORKLOAD, peer, ports)
            break
    reason = plaintext_reason(model, decision, _hosts(model, labels, namespace))
    shown = ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))
    return f"pods labelled {shown} in {namespace} receive no mTLS: {reason}" if reason else None


def _matched(namespace: str, selector: dict[str, str], model) -> list:
    """The workloads in the inputs a policy in ``namespace`` with ``selector`` selects."""
    mesh_wide = namespace == model.root
    if selector:
        found = model.mesh.workloads.matching(selector, None if mesh_wide else namespace)
    elif mesh_wide:
        found = model.mesh.workloads.all
    else:
        found = model.workloads_by_namespace.get(namespace, [])
    return [w for w in found if w.resource.file != ASSUMED_FILE]
