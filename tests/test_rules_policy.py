"""Selector and namespace checks of AuthorizationPolicies and Sidecars."""

from __future__ import annotations

from conftest import at, found

NAMESPACE = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {%s}
---
"""

CART = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
  namespace: shop
spec:
  selector:
    matchLabels: {app: cart}
  template:
    metadata:
      labels: {app: cart, version: v1}
    spec:
      containers:
      - name: cart
        image: shop/cart
---
"""


def of(result, rule: str) -> list:
    """The findings of one rule."""
    return [f for f in result.findings if f.rule.id == rule]


def policy(selector: str = "", namespace: str = "shop", extra: str = "") -> str:
    body = f"  selector:\n    matchLabels: {{{selector}}}\n" if selector else ""
    return f"""\
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: cart-policy
  namespace: {namespace}
spec:
{body}{extra}  action: ALLOW
"""


# -- authz-no-matching-workload ------------------------------------------------------


def test_policy_selecting_a_pod_template_in_the_mesh_is_fine(lint_yaml):
    text = NAMESPACE % "istio-injection: enabled" + CART + policy("app: cart")
    assert found(lint_yaml("p.yaml", text), "ML501") == []


def test_selector_typo_is_reported_at_the_label_no_workload_has(lint_yaml):
    text = CART + policy("app: cart, version: v2")
    result = lint_yaml("p.yaml", text)
    assert found(result, "ML501") == [("authz-no-matching-workload", *at(text, "v2}"))]
    assert "no workload has version=v2" in of(result, "ML501")[0].message


def test_namespace_without_workloads_in_the_files_is_unknown_not_missing(lint_yaml):
    text = policy("app: cart")
    assert found(lint_yaml("p.yaml", text), "ML501") == []
    complete = lint_yaml("p.yaml", text, assume_complete=True)
    assert found(complete, "ML501") == [("authz-no-matching-workload", *at(text, "cart}"))]


def test_a_workload_outside_the_mesh_does_not_count(lint_yaml):
    text = NAMESPACE % "team: shop" + CART + policy("app: cart")
    result = lint_yaml("p.yaml", text)
    assert found(result, "ML501") == [("authz-no-matching-workload", *at(text, "{app: cart}", 2))]
    assert "Deployment shop/cart not in the mesh" in of(result, "ML501")[0].message


def test_ambient_namespace_workloads_are_in_the_mesh(lint_yaml):
    text = NAMESPACE % "istio.io/dataplane-mode: ambient" + CART + policy("app: cart")
    assert found(lint_yaml("p.yaml", text), "ML501") == []


def test_explicit_opt_out_takes_a_workload_out_of_the_mesh(lint_yaml):
    opted_out = CART.replace("version: v1}", 'version: v1, sidecar.istio.io/inject: "false"}')
    text = opted_out + policy("app: cart")
    result = lint_yaml("p.yaml", text)
    assert found(result, "ML501") == [("authz-no-matching-workload", *at(text, "{app: cart}", 2))]


def test_namespace_wide_policy_needs_a_workload_in_its_namespace(lint_yaml):
    text = NAMESPACE % "team: shop" + CART + policy()
    namespace = at(text, "shop\nspec:\n  action")
    assert found(lint_yaml("p.yaml", text), "ML501") == [("authz-no-matching-workload", *namespace)]
    meshed = NAMESPACE % "istio-injection: enabled" + CART + policy()
    assert found(lint_yaml("p.yaml", meshed), "ML501") == []


def test_root_namespace_selector_is_mesh_wide(lint_yaml):
    text = CART + policy("app: cart", namespace="istio-system")
    assert found(lint_yaml("p.yaml", text), "ML501") == []
    typo = CART + policy("app: kart", namespace="istio-system")
    assert found(lint_yaml("p.yaml", typo), "ML501") == []
    complete = lint_yaml("p.yaml", typo, assume_complete=True)
    assert found(complete, "ML501") == [("authz-no-matching-workload", *at(typo, "kart"))]


def test_policies_attached_by_target_refs_select_no_workloads(lint_yaml):
    refs = "  targetRefs:\n  - {kind: Gateway, group: gateway.networking.k8s.io, name: web}\n"
    result = lint_yaml("p.yaml", CART + policy(extra=refs), assume_complete=True)
    assert found(result, "ML501") == []


# -- authz-source-namespace-not-found ------------------------------------------------

SOURCES = """\
apiVersion: v1
kind: Namespace
metadata:
  name: prod-web
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: from
  namespace: shop
spec:
  rules:
  - from:
    - source:
        namespaces: [prod-*, "*", shop, istio-system, Frontend, web_team]
    - source:
        notNamespaces: ["*-web", staging, "*-bogus"]
"""


def test_names_that_cannot_be_namespaces_are_always_reported(lint_yaml):
    result = lint_yaml("p.yaml", SOURCES)
    assert found(result, "ML502") == [
        ("authz-source-namespace-not-found", *at(SOURCES, "Frontend")),
        ("authz-source-namespace-not-found", *at(SOURCES, "web_team")),
    ]


def test_unknown_namespaces_are_reported_only_when_the_files_are_complete(lint_yaml):
    result = lint_yaml("p.yaml", SOURCES, assume_complete=True, select=["ML502"])
    positions = [(line, column) for _, line, column in found(result, "ML502")]
    missing = ("Frontend", "web_team", "staging", '"*-bogus"')
    assert positions == [at(SOURCES, name) for name in missing]
    assert 'source namespace "staging" matches no namespace' in of(result, "ML502")[2].message


# -- Sidecar selectors ---------------------------------------------------------------


def sidecar(name: str, selector: str = "", namespace: str = "shop") -> str:
    body = f"  workloadSelector:\n    labels: {{{selector}}}\n" if selector else ""
    return f"""\
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: {name}
  namespace: {namespace}
spec:
{body}  egress:
  - hosts: ["./*"]
"""


def test_sidecar_selector_matches_pod_templates(lint_yaml):
    result = lint_yaml("s.yaml", CART + sidecar("cart", "app: cart"))
    assert found(result, "ML451") == []


def test_sidecar_selector_typo_is_reported_with_a_suggestion(lint_yaml):
    text = CART + sidecar("cart", "app: kart")
    result = lint_yaml("s.yaml", text)
    assert found(result, "ML451") == [("sidecar-selector-no-workload", *at(text, "kart"))]
    assert 'did you mean "cart"?' in of(result, "ML451")[0].message


def test_sidecars_sharing_a_workload_are_each_reported(lint_yaml):
    text = CART + sidecar("by-app", "app: cart") + sidecar("by-version", "version: v1")
    result = lint_yaml("s.yaml", text)
    assert found(result, "ML452") == [
        ("sidecar-selector-conflict", *at(text, "labels: {app", 2)),
        ("sidecar-selector-conflict", *at(text, "labels: {version")),
    ]
    assert "Deployment shop/cart" in of(result, "ML452")[0].message
    assert of(result, "ML452")[0].related[0].resource.name == "by-version"


def test_two_namespace_wide_sidecars_conflict(lint_yaml):
    text = sidecar("a") + sidecar("b") + sidecar("c", namespace="other")
    assert found(lint_yaml("s.yaml", text), "ML453") == [
        ("sidecar-multiple-namespace-wide", *at(text, "a\n  namespace")),
        ("sidecar-multiple-namespace-wide", *at(text, "b\n  namespace")),
    ]


def test_sidecars_in_ambient_mode_are_ineffective_not_conflicting(lint_yaml):
    text = NAMESPACE % "istio.io/dataplane-mode: ambient" + CART
    text += sidecar("a") + sidecar("b") + sidecar("by-app", "app: cart")
    result = lint_yaml("s.yaml", text)
    assert found(result, "ML453") == []
    assert [(line, column) for _, line, column in found(result, "ML454")] == [
        at(text, "a\n  namespace"),
        at(text, "b\n  namespace"),
        at(text, "labels: {app", 2),
    ]


def test_sidecar_injection_label_wins_over_the_ambient_label(lint_yaml):
    labels = "istio.io/dataplane-mode: ambient, istio.io/rev: canary"
    result = lint_yaml("s.yaml", NAMESPACE % labels + sidecar("a"))
    assert found(result, "ML454") == []
