"""ML560 authz-identity-without-mtls against Kiali's KIA0105 decisions.

Each case states what Kiali decides, read from ``MtlsEnabledChecker.IsMtlsEnabledFor``
(business/checkers/authorization/mtls_enabled_checker.go) and the status resolution of
``MtlsStatus`` (util/mtls/status.go). Kiali sees the whole cluster, so every case lints
the whole mesh (``assume_complete``)."""

from __future__ import annotations

import pytest

from meshlint.mesh.settings import DEFAULT_MESH_CONFIG, layer

from conftest import at, found

AUTO_OFF = layer(DEFAULT_MESH_CONFIG, {"enableAutoMtls": False})
AUTO_ON = layer(DEFAULT_MESH_CONFIG, {})


def peer(mode: str, namespace: str = "shop", selector: str = "", name: str = "default") -> str:
    select = f"  selector:\n    matchLabels: {{{selector}}}\n" if selector else ""
    return f"""\
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: {name}
  namespace: {namespace}
spec:
{select}  mtls:
    mode: {mode}
---
"""


def rule(host: str, mode: str, namespace: str = "shop", name: str = "default") -> str:
    return f"""\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: {name}
  namespace: {namespace}
spec:
  host: "{host}"
  trafficPolicy:
    tls:
      mode: {mode}
---
"""


def app(name: str, namespace: str = "shop") -> str:
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {namespace}
spec:
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
      - name: {name}
        image: shop/{name}
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {namespace}
spec:
  selector: {{app: {name}}}
  ports: [{{name: http, port: 9080}}]
---
"""


def policy(selector: str = "", namespace: str = "shop") -> str:
    select = f"  selector:\n    matchLabels: {{{selector}}}\n" if selector else ""
    return f"""\
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: reviews
  namespace: {namespace}
spec:
{select}  rules:
  - from:
    - source:
        principals: [cluster.local/ns/shop/sa/frontend]
    when:
    - key: source.namespace
      values: [shop]
---
"""


def reported(lint_yaml, text: str, auto: bool = True) -> int:
    result = lint_yaml(
        "mesh.yaml", text, mesh_config=AUTO_ON if auto else AUTO_OFF, assume_complete=True
    )
    return len([f for f in result.findings if f.rule.id == "ML560"])


def test_every_identity_condition_is_reported(lint_yaml):
    """Kiali: ``needsMtls`` lists each principals/notPrincipals/namespaces/notNamespaces
    source and each source.principal/source.namespace/connection.sni ``when``."""
    text = peer("DISABLE") + policy()
    result = lint_yaml("mesh.yaml", text, assume_complete=True)
    assert found(result, "ML560") == [
        ("authz-identity-without-mtls", *at(text, "[cluster.local/ns/shop")),
        ("authz-identity-without-mtls", *at(text, "source.namespace")),
    ]


@pytest.mark.parametrize(
    ("case", "text", "auto", "kiali"),
    [
        # IsMtlsEnabledFor: no PeerAuthentication selects the labels, so the namespace
        # decides; OverallMtlsStatus takes the mesh-wide DISABLE (finalStatus: DISABLED).
        ("mesh DISABLE, workloads not listed", peer("DISABLE", "istio-system"), True, 2),
        # WorkloadMtlsStatus: a PeerAuthentication whose selector matches the policy's
        # labels and says DISABLE -> MTLSDisabled.
        (
            "workload DISABLE, workloads not listed",
            peer("DISABLE", selector="app: reviews", name="reviews"),
            True,
            2,
        ),
        # WorkloadMtlsStatus: STRICT for the labels -> MTLSEnabled, whatever the namespace.
        (
            "workload STRICT under namespace DISABLE",
            peer("DISABLE") + peer("STRICT", selector="app: reviews", name="reviews"),
            True,
            0,
        ),
        # hasMtlsEnabledForNamespace: no PeerAuthentication or DestinationRule gives
        # MTLSNotEnabled, which counts as enabled only with auto mTLS.
        ("nothing, auto mTLS on", "", True, 0),
        ("nothing, auto mTLS off", "", False, 2),
        ("nothing, auto mTLS off, workloads listed", app("reviews"), False, 2),
        # NamespaceMtlsStatus: a '*.shop.svc.cluster.local' DISABLE rule and no
        # PeerAuthentication: partial, inherited, hasPartialDisabledConfig -> MTLSDisabled.
        (
            "namespace DestinationRule DISABLE",
            rule("*.shop.svc.cluster.local", "DISABLE"),
            True,
            2,
        ),
        # MeshMtlsStatus: a '*.local' DISABLE rule -> MTLSDisabled.
        ("mesh DestinationRule DISABLE", rule("*.local", "DISABLE", "istio-system"), True, 2),
        # finalStatus: namespace PERMISSIVE with auto mTLS -> MTLSEnabled.
        ("namespace PERMISSIVE", peer("PERMISSIVE") + app("reviews"), True, 0),
        # A namespace-wide policy decides before the mesh-wide one.
        (
            "namespace STRICT over mesh DISABLE",
            peer("DISABLE", "istio-system") + peer("STRICT"),
            True,
            0,
        ),
    ],
)
def test_kiali_decisions(lint_yaml, case, text, auto, kiali):
    assert reported(lint_yaml, text + policy("app: reviews"), auto) == kiali, case


def test_selector_less_policy_follows_the_namespace(lint_yaml):
    """Kiali: without a selector ``IsMtlsEnabledFor`` decides from the namespace and the
    mesh (``hasMtlsEnabledForNamespace``)."""
    assert reported(lint_yaml, peer("DISABLE", "istio-system") + policy()) == 2
    assert reported(lint_yaml, policy(), auto=False) == 2
    assert reported(lint_yaml, policy()) == 0


def test_selected_workloads_without_sidecars_are_not_servers(lint_yaml):
    """Deliberate difference: Kiali decides from labels alone; an AuthorizationPolicy
    does nothing to a workload without a proxy, so meshlint says nothing when every
    workload the selector picks runs without a sidecar."""
    off = app("reviews").replace(
        "labels: {app: reviews}", 'labels: {app: reviews, sidecar.istio.io/inject: "false"}'
    )
    text = peer("DISABLE", "istio-system") + off + policy("app: reviews")
    assert reported(lint_yaml, text) == 0


def test_a_service_rule_sending_plaintext_is_reported(lint_yaml):
    """Deliberate difference: Kiali's namespace status ignores per-host DestinationRules
    (``NamespaceMtlsStatus`` reads only '*.ns.svc.<domain>' rules), so it is silent here;
    clients of reviews send plaintext to a PERMISSIVE server, and meshlint reports it."""
    text = app("reviews") + rule("reviews", "DISABLE", name="reviews") + policy("app: reviews")
    assert reported(lint_yaml, text) == 2


def test_strict_servers_are_left_to_the_plaintext_rules(lint_yaml):
    """Deliberate difference: with auto mTLS off and no DestinationRule, Kiali finds a
    mesh-wide STRICT policy only partially enabled (``OverallMtlsStatus``) and reports
    the AuthorizationPolicy. A STRICT server refuses plaintext, so every request that
    reaches the policy carries an identity; ML556 (KIA0401) reports the refused clients."""
    text = peer("STRICT", "istio-system") + app("reviews") + policy("app: reviews")
    assert reported(lint_yaml, text, auto=False) == 0


def test_a_namespace_mutual_rule_with_auto_mtls_off(lint_yaml):
    """Deliberate difference: Kiali needs a PeerAuthentication next to a namespace-wide
    ISTIO_MUTUAL rule when auto mTLS is off (``finalStatus`` is partial without one); the
    default PERMISSIVE server accepts the mTLS its clients send, so meshlint is silent."""
    text = (
        rule("*.shop.svc.cluster.local", "ISTIO_MUTUAL") + app("reviews") + policy("app: reviews")
    )
    assert reported(lint_yaml, text, auto=False) == 0


def test_root_namespace_policies_reach_workloads_everywhere(lint_yaml):
    """Deliberate difference: Kiali matches a root-namespace policy's labels against the
    root namespace's PeerAuthentications only; Istio applies the policy in every
    namespace, so a workload policy disabling mTLS in shop is reported."""
    text = app("reviews") + peer("DISABLE", selector="app: reviews", name="reviews")
    text += policy("app: reviews", namespace="istio-system")
    assert reported(lint_yaml, text) == 2
