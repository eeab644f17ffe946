"""mTLS consistency: PeerAuthentication modes (mesh-wide, namespace-wide, workload) against
the DestinationRule TLS modes clients use, with auto mTLS on and off."""

from __future__ import annotations

import pytest

from meshlint.engine.finding import Severity
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


def rule(host: str, namespace: str = "shop", mode: str | None = None, name: str = "", **kw) -> str:
    policy = kw.get("policy", "")
    if mode:
        policy += f"    tls:\n      mode: {mode}\n"
    traffic = f"  trafficPolicy:\n{policy}" if policy else ""
    return f"""\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: {name or host.replace("*", "all").split(".")[0] or "all"}
  namespace: {namespace}
spec:
  host: "{host}"
{traffic}{kw.get("subsets", "")}---
"""


def app(name: str, namespace: str = "shop", version: str = "v1") -> str:
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}-{version}
  namespace: {namespace}
spec:
  selector:
    matchLabels: {{app: {name}, version: {version}}}
  template:
    metadata:
      labels: {{app: {name}, version: {version}}}
    spec:
      containers:
      - name: {name}
        image: shop/{name}
---
"""


def service(name: str, namespace: str = "shop") -> str:
    return f"""\
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


MESH_MUTUAL = rule("*.local", "istio-system", "ISTIO_MUTUAL", "default")
SHOP_MUTUAL = rule("*.shop.svc.cluster.local", "shop", "ISTIO_MUTUAL", "default")
POOL = "    connectionPool:\n      tcp: {maxConnections: 10}\n"


def lint(lint_yaml, text: str, rule_id: str, auto: bool = True):
    result = lint_yaml("mesh.yaml", text, mesh_config=AUTO_ON if auto else AUTO_OFF)
    return result, [f for f in result.findings if f.rule.id == rule_id]


# -- dr-overrides-mtls-default (KIA0204) ---------------------------------------------


@pytest.mark.parametrize(("auto", "severity"), [(False, Severity.WARNING), (True, Severity.INFO)])
def test_dr_without_tls_replaces_the_mesh_wide_mutual_rule(lint_yaml, auto, severity):
    text = MESH_MUTUAL + rule("reviews", policy=POOL)
    result, findings = lint(lint_yaml, text, "ML551", auto)
    assert found(result, "ML551") == [("dr-overrides-mtls-default", *at(text, "trafficPolicy", 2))]
    assert findings[0].severity is severity
    assert "istio-system/default" in findings[0].message


def test_dr_without_tls_replaces_the_namespace_wide_mutual_rule(lint_yaml):
    text = SHOP_MUTUAL + rule("reviews")
    assert found(lint(lint_yaml, text, "ML551")[0], "ML551") == [
        ("dr-overrides-mtls-default", *at(text, "host", 2))
    ]


def test_port_level_tls_counts_as_tls_settings(lint_yaml):
    ports = "    portLevelSettings:\n    - port: {number: 9080}\n      tls: {mode: ISTIO_MUTUAL}\n"
    text = MESH_MUTUAL + rule("reviews", policy=ports)
    assert lint(lint_yaml, text, "ML551", auto=False)[1] == []


def test_a_root_namespace_rule_does_not_replace_the_service_namespace_one(lint_yaml):
    text = SHOP_MUTUAL + rule("reviews.shop.svc.cluster.local", "istio-system")
    assert lint(lint_yaml, text, "ML551", auto=False)[1] == []


def test_a_client_namespace_rule_replaces_the_service_namespace_one(lint_yaml):
    text = SHOP_MUTUAL + rule("reviews.shop.svc.cluster.local", "frontend")
    assert len(lint(lint_yaml, text, "ML551", auto=False)[1]) == 1


def test_external_hosts_are_not_covered_by_star_local(lint_yaml):
    text = MESH_MUTUAL + rule("api.example.com")
    assert lint(lint_yaml, text, "ML551", auto=False)[1] == []


# -- dr-mtls-without-{mesh,namespace}-peer-authentication (KIA0205, KIA0206) ----------


def test_mesh_wide_mutual_without_peer_authentication_when_auto_mtls_is_off(lint_yaml):
    result, _ = lint(lint_yaml, MESH_MUTUAL, "ML552", auto=False)
    assert found(result, "ML552") == [
        ("dr-mtls-no-mesh-peer-auth", *at(MESH_MUTUAL, "ISTIO_MUTUAL"))
    ]
    assert lint(lint_yaml, MESH_MUTUAL, "ML552", auto=True)[1] == []


@pytest.mark.parametrize("mode", ["STRICT", "PERMISSIVE"])
def test_a_mesh_wide_mode_decides_the_server_side(lint_yaml, mode):
    text = MESH_MUTUAL + peer(mode, "istio-system")
    assert lint(lint_yaml, text, "ML552", auto=False)[1] == []


def test_namespace_wide_mutual_needs_a_namespace_or_mesh_policy(lint_yaml):
    assert len(lint(lint_yaml, SHOP_MUTUAL, "ML553", auto=False)[1]) == 1
    assert lint(lint_yaml, SHOP_MUTUAL, "ML553", auto=True)[1] == []
    for policy in (peer("STRICT"), peer("STRICT", "istio-system")):
        assert lint(lint_yaml, SHOP_MUTUAL + policy, "ML553", auto=False)[1] == []
    other = peer("STRICT", "billing")
    assert len(lint(lint_yaml, SHOP_MUTUAL + other, "ML553", auto=False)[1]) == 1


# -- dr-tls-disabled-{peer,mesh}-strict (KIA0207, KIA0208) ----------------------------


@pytest.mark.parametrize("auto", [True, False])
def test_disabling_tls_towards_a_strict_namespace(lint_yaml, auto):
    text = peer("STRICT") + rule("reviews", mode="DISABLE")
    result, findings = lint(lint_yaml, text, "ML554", auto)
    assert found(result, "ML554") == [("dr-tls-disabled-peer-strict", *at(text, "DISABLE"))]
    assert "shop/default" in findings[0].message
    assert found(result, "ML555") == []


def test_disabling_tls_towards_a_mesh_wide_strict_server(lint_yaml):
    text = peer("STRICT", "istio-system") + rule("reviews", mode="DISABLE")
    result, _ = lint(lint_yaml, text, "ML555")
    assert found(result, "ML555") == [("dr-tls-disabled-mesh-strict", *at(text, "DISABLE"))]
    assert found(result, "ML554") == []


def test_a_permissive_namespace_overrides_mesh_wide_strict(lint_yaml):
    text = peer("STRICT", "istio-system") + peer("PERMISSIVE") + rule("reviews", mode="DISABLE")
    result, _ = lint(lint_yaml, text, "ML554")
    assert found(result, "ML554") == found(result, "ML555") == []


def test_unset_namespace_mode_inherits_the_mesh_wide_one(lint_yaml):
    unset = peer("UNSET")
    text = peer("STRICT", "istio-system") + unset + rule("reviews", mode="DISABLE")
    assert len(lint(lint_yaml, text, "ML555")[1]) == 1


SUBSETS = """\
  subsets:
  - name: v1
    labels: {version: v1}
    trafficPolicy:
      tls: {mode: DISABLE}
  - name: v2
    labels: {version: v2}
    trafficPolicy:
      tls: {mode: DISABLE}
"""


def test_a_workload_policy_makes_only_its_subset_strict(lint_yaml):
    text = (
        app("reviews", version="v1")
        + app("reviews", version="v2")
        + service("reviews")
        + peer("STRICT", selector="app: reviews, version: v2", name="reviews-v2")
        + rule("reviews", subsets=SUBSETS)
    )
    result, findings = lint(lint_yaml, text, "ML554")
    assert found(result, "ML554") == [("dr-tls-disabled-peer-strict", *at(text, "DISABLE}", 2))]
    assert "for Deployment shop/reviews-v2" in findings[0].message


def test_port_level_peer_modes_make_the_answer_uncertain(lint_yaml):
    ports = "  portLevelMtls:\n    9080: {mode: PERMISSIVE}\n"
    policy = peer("STRICT", selector="app: reviews", name="reviews") + ""
    policy = policy.replace("  mtls:", ports + "  mtls:")
    text = app("reviews") + service("reviews") + policy + rule("reviews", mode="DISABLE")
    assert lint(lint_yaml, text, "ML554")[1] == []


def test_port_level_disable_is_reported_at_the_port(lint_yaml):
    ports = "    portLevelSettings:\n    - port: {number: 9080}\n      tls: {mode: DISABLE}\n"
    text = peer("STRICT") + rule("reviews", policy=ports)
    result, findings = lint(lint_yaml, text, "ML554")
    assert found(result, "ML554") == [("dr-tls-disabled-peer-strict", *at(text, "DISABLE"))]
    assert "on port 9080" in findings[0].message


def test_mesh_wide_disable_reaches_strict_namespaces_and_the_mesh(lint_yaml):
    text = (
        peer("STRICT", "istio-system") + peer("STRICT") + rule("*.local", "istio-system", "DISABLE")
    )
    result, _ = lint(lint_yaml, text, "ML554")
    assert len(found(result, "ML554")) == len(found(result, "ML555")) == 1


# -- mesh-strict-without-mtls-dr, peer-strict-without-mtls-dr (KIA0401, KIA0501) ------


def test_mesh_wide_strict_with_auto_mtls_off_and_plaintext_clients(lint_yaml):
    text = peer("STRICT", "istio-system") + app("reviews") + service("reviews")
    result, findings = lint(lint_yaml, text, "ML556", auto=False)
    assert found(result, "ML556") == [("mesh-strict-without-mtls-dr", *at(text, "STRICT"))]
    assert "reviews.shop.svc.cluster.local" in findings[0].message
    assert lint(lint_yaml, text, "ML556", auto=True)[1] == []
    assert lint(lint_yaml, text + MESH_MUTUAL, "ML556", auto=False)[1] == []


def test_mesh_wide_strict_without_services_asks_for_a_star_local_rule(lint_yaml):
    text = peer("STRICT", "istio-system")
    assert len(lint(lint_yaml, text, "ML556", auto=False)[1]) == 1
    assert lint(lint_yaml, text + MESH_MUTUAL, "ML556", auto=False)[1] == []


def test_namespace_strict_is_satisfied_by_per_host_mutual_rules(lint_yaml):
    base = peer("STRICT") + app("reviews") + service("reviews") + app("ratings")
    base += service("ratings") + rule("reviews", mode="ISTIO_MUTUAL")
    result, findings = lint(lint_yaml, base, "ML557", auto=False)
    assert found(result, "ML557") == [("peer-strict-without-mtls-dr", *at(base, "STRICT"))]
    assert "ratings.shop" in findings[0].message and "reviews.shop" not in findings[0].message
    complete = base + rule("ratings", mode="ISTIO_MUTUAL")
    assert lint(lint_yaml, complete, "ML557", auto=False)[1] == []
    assert found(lint(lint_yaml, base, "ML557", auto=True)[0], "ML557") == []


def test_namespace_strict_without_services_asks_for_a_namespace_rule(lint_yaml):
    assert len(lint(lint_yaml, peer("STRICT"), "ML557", auto=False)[1]) == 1
    text = peer("STRICT") + SHOP_MUTUAL
    assert lint(lint_yaml, text, "ML557", auto=False)[1] == []


def test_workload_strict_with_auto_mtls_off(lint_yaml):
    policy = peer("STRICT", selector="app: reviews", name="reviews")
    text = app("reviews") + service("reviews") + policy
    result, findings = lint(lint_yaml, text, "ML557", auto=False)
    assert found(result, "ML557") == [("peer-strict-without-mtls-dr", *at(text, "STRICT"))]
    assert findings[0].message.startswith("workload STRICT")


def test_a_workload_policy_takes_its_services_from_the_namespace_policy(lint_yaml):
    text = peer("STRICT") + peer("PERMISSIVE", selector="app: reviews", name="reviews")
    text += app("reviews") + service("reviews")
    assert lint(lint_yaml, text, "ML557", auto=False)[1] == []


# -- peer-disable-with-mtls-dr, mesh-disable-with-mtls-dr (KIA0505, KIA0506) ----------


@pytest.mark.parametrize("auto", [True, False])
def test_namespace_disable_while_the_mesh_wide_rule_sends_mutual(lint_yaml, auto):
    text = MESH_MUTUAL + peer("DISABLE")
    result, findings = lint(lint_yaml, text, "ML558", auto)
    assert found(result, "ML558") == [("peer-disable-with-mtls-dr", *at(text, "DISABLE"))]
    assert "istio-system/default" in findings[0].message


def test_a_namespace_disable_rule_takes_precedence_over_star_local(lint_yaml):
    text = MESH_MUTUAL + rule("*.shop.svc.cluster.local", "shop", "DISABLE") + peer("DISABLE")
    assert lint(lint_yaml, text, "ML558")[1] == []


def test_namespace_disable_with_a_per_host_mutual_rule(lint_yaml):
    text = (
        peer("DISABLE") + app("reviews") + service("reviews") + rule("reviews", mode="ISTIO_MUTUAL")
    )
    result, findings = lint(lint_yaml, text, "ML558")
    assert "reviews.shop.svc.cluster.local" in findings[0].message
    assert found(result, "ML558") == [("peer-disable-with-mtls-dr", *at(text, "DISABLE"))]


def test_workload_disable_with_a_mutual_rule_for_its_service(lint_yaml):
    policy = peer("DISABLE", selector="app: reviews", name="reviews")
    text = app("reviews") + service("reviews") + policy + rule("reviews", mode="ISTIO_MUTUAL")
    assert len(lint(lint_yaml, text, "ML558")[1]) == 1
    text = text.replace("mode: ISTIO_MUTUAL", "mode: DISABLE")
    assert lint(lint_yaml, text, "ML558")[1] == []


def test_mesh_wide_disable_while_star_local_sends_mutual(lint_yaml):
    text = MESH_MUTUAL + peer("DISABLE", "istio-system")
    result, _ = lint(lint_yaml, text, "ML559")
    assert found(result, "ML559") == [("mesh-disable-with-mtls-dr", *at(text, "DISABLE"))]
    assert found(result, "ML558") == []


def test_mesh_wide_disable_next_to_star_local_mutual_when_namespaces_have_their_own(lint_yaml):
    """Kiali: ``DisabledMeshWideChecker.Check`` (business/checkers/peerauthentications)
    reports a mesh-wide DISABLE next to a '*.local' ISTIO_MUTUAL rule (KIA0506), even
    when every namespace with Services has a mode of its own: namespaces without one
    get the contradiction."""
    text = MESH_MUTUAL + peer("DISABLE", "istio-system") + peer("PERMISSIVE")
    text += app("reviews") + service("reviews")
    assert len(lint(lint_yaml, text, "ML559")[1]) == 1


def test_mesh_wide_disable_with_services_whose_clients_send_plaintext(lint_yaml):
    """Deliberate difference: Kiali reports any '*.local' ISTIO_MUTUAL rule here; the
    Services the mesh-wide DISABLE decides get plaintext from their own rule."""
    text = MESH_MUTUAL + peer("DISABLE", "istio-system") + app("reviews") + service("reviews")
    text += rule("reviews", mode="DISABLE")
    assert lint(lint_yaml, text, "ML559")[1] == []


# -- authz-identity-without-mtls (KIA0105) --------------------------------------------

AUTHZ = """\
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: reviews
  namespace: shop
spec:
{selector}  rules:
  - from:
    - source:
        principals: [cluster.local/ns/shop/sa/frontend]
    when:
    - key: source.namespace
      values: [shop]
    - key: request.auth.principal
      values: [someone]
---
"""


def authz(selector: str = "") -> str:
    return AUTHZ.format(
        selector=f"  selector:\n    matchLabels: {{{selector}}}\n" if selector else ""
    )


def test_identity_conditions_on_a_namespace_that_disables_mtls(lint_yaml):
    text = peer("DISABLE") + authz()
    result, findings = lint(lint_yaml, text, "ML560")
    assert found(result, "ML560") == [
        ("authz-identity-without-mtls", *at(text, "[cluster.local/ns/shop")),
        ("authz-identity-without-mtls", *at(text, "source.namespace")),
    ]
    assert "namespace-wide PeerAuthentication shop/default disables mTLS" in findings[0].message


def test_identity_conditions_under_a_mesh_wide_disable(lint_yaml):
    text = peer("DISABLE", "istio-system") + app("reviews") + authz()
    findings = lint(lint_yaml, text, "ML560")[1]
    assert "mesh-wide PeerAuthentication istio-system/default disables mTLS" in findings[0].message
    text += peer("STRICT")
    assert lint(lint_yaml, text, "ML560")[1] == []


def test_a_workload_policy_disabling_mtls_for_the_selected_workload(lint_yaml):
    text = app("reviews") + peer("DISABLE", selector="app: reviews", name="reviews")
    text += authz("app: reviews")
    findings = lint(lint_yaml, text, "ML560")[1]
    assert "Deployment shop/reviews-v1 receives no mTLS" in findings[0].message


@pytest.mark.parametrize(("auto", "count"), [(True, 0), (False, 2)])
def test_permissive_servers_get_plaintext_when_auto_mtls_is_off(lint_yaml, auto, count):
    text = app("reviews") + service("reviews") + authz("app: reviews")
    assert len(lint(lint_yaml, text, "ML560", auto)[1]) == count
    mutual = text + rule("reviews", mode="ISTIO_MUTUAL")
    assert lint(lint_yaml, mutual, "ML560", auto)[1] == []


def test_a_disabling_destination_rule_sends_plaintext(lint_yaml):
    text = app("reviews") + service("reviews") + authz() + rule("reviews", mode="DISABLE")
    findings = lint(lint_yaml, text, "ML560")[1]
    assert "DestinationRule shop/reviews sets TLS mode DISABLE" in findings[0].message


def test_strict_servers_are_not_reported(lint_yaml):
    text = peer("STRICT") + app("reviews") + service("reviews") + authz()
    assert lint(lint_yaml, text, "ML560", auto=False)[1] == []


def test_root_namespace_policies_select_in_every_namespace(lint_yaml):
    text = app("reviews") + peer("DISABLE", selector="app: reviews", name="reviews")
    text += authz("app: reviews").replace("namespace: shop", "namespace: istio-system")
    assert len(lint(lint_yaml, text, "ML560")[1]) == 2


def test_target_ref_policies_are_skipped(lint_yaml):
    target = "  targetRefs:\n  - {kind: Gateway, group: gateway.networking.k8s.io, name: w}\n"
    text = peer("DISABLE") + AUTHZ.format(selector=target)
    assert lint(lint_yaml, text, "ML560")[1] == []
