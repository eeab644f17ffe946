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
    mTLS and why. Without workloads in the analyzed files the namespace's settings
    decide. Policies attached with `targetRefs` are skipped.

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
    selected = _selected(namespace, dict(selector), model)
    reasons: dict[tuple, str | None] = {}  # workloads with equal labels are served alike
    for workload in selected:
        key = (workload.namespace, frozenset(workload.labels.items()))
        if key not in reasons:
            services = model.services_of(workload)
            hosts = [(s.host, s.namespace) for s in services] or [
                (model.namespace_host(workload.namespace), workload.namespace)
            ]
            reasons[key] = plaintext_reason(model, model.workload_decision(workload), hosts)
        if reasons[key]:
            return f"{workload.resource.ref} receives no mTLS: {reasons[key]}"
    if selected or selector:
        return None
    if namespace == model.root:
        host, decision = f"*.svc.{model.domain}", model.mesh_decision()
    else:
        host = model.namespace_host(namespace)
        decision = model.namespace_decision(namespace)
    reason = plaintext_reason(model, decision, [(host, namespace)])
    return f"namespace {namespace} receives no mTLS: {reason}" if reason else None


def _selected(namespace: str, selector: dict[str, str], model) -> list:
    """The workloads with sidecars a policy in ``namespace`` with ``selector`` applies to."""
    mesh_wide = namespace == model.root
    if selector:
        found = model.mesh.workloads.matching(selector, None if mesh_wide else namespace)
    elif mesh_wide:
        found = model.mesh.workloads.all
    else:
        found = model.workloads_by_namespace.get(namespace, [])
    return [
        w
        for w in found
        if w.resource.file != ASSUMED_FILE
        and model.has_sidecar(w)
        and w not in model.gateway_workloads
    ]
