"""VirtualService rules: destinations, gateway bindings, host conflicts and match order."""

from __future__ import annotations

from meshlint.engine.finding import Severity
from meshlint.mesh.matches import analyze, covers, string_match_covers

from conftest import found

HELLO_SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: hello
  namespace: hello
  annotations:
    networking.istio.io/exportTo: "hello,team-a"
spec:
  selector: {app: hello}
  ports: [{name: http, port: 80}]
"""


def hello_vs(export_to: str) -> str:
    return f"""\
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: hello
  namespace: hello
spec:
  hosts: [hello]
  exportTo: {export_to}
  http:
  - route:
    - destination:
        host: hello
"""


# -- ML101 vs-destination-host-not-found: exportTo ----------------------------------


def test_destination_must_be_visible_where_the_virtualservice_is_exported(lint_yaml):
    result = lint_yaml(
        "a.yaml", HELLO_SERVICE + hello_vs('[".", team-a, team-b]'), select=["ML101"]
    )
    assert found(result) == [("vs-destination-host-not-found", 23, 15)]
    assert "not visible in namespace team-b" in result.findings[0].message
    assert "Service hello/hello exports it to hello, team-a" in result.findings[0].message


def test_destination_visible_in_every_export_namespace_is_fine(lint_yaml):
    result = lint_yaml("a.yaml", HELLO_SERVICE + hello_vs('[".", team-a]'), select=["ML101"])
    assert found(result) == []


def test_export_to_everywhere_needs_a_destination_exported_everywhere(lint_yaml):
    result = lint_yaml("a.yaml", HELLO_SERVICE + hello_vs('["*"]'), select=["ML101"])
    assert "not visible in every namespace" in result.findings[0].message


def test_without_export_to_only_the_own_namespace_is_checked(lint_yaml):
    text = HELLO_SERVICE + hello_vs("[]").replace("  exportTo: []\n", "")
    assert found(lint_yaml("a.yaml", text, select=["ML101"])) == []


# -- ML110 vs-route-without-destination ----------------------------------------------


def test_route_entries_and_mirrors_without_host_are_reported(lint_yaml):
    text = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
  http:
  - route:
    - {}
    - destination: {subset: v1}
    - destination: {host: reviews}
    mirror: {}
  tcp:
  - route:
    - weight: 100
"""
    result = lint_yaml("a.yaml", text, select=["ML110"])
    assert [line for _, line, _ in found(result)] == [9, 10, 12, 15]
    assert [f.message.split(":")[0] for f in result.findings] == [
        "route entry has no destination",
        "destination has no host",
        "mirror has no host",
        "route entry has no destination",
    ]


# -- ML111 vs-host-not-in-gateway, ML112 vs-internal-gateway-ref ----------------------

GATEWAY = """\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: web
  namespace: istio-system
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [HOSTS]
"""


def bound_vs(host: str, namespace: str = "shop", gateway: str = "istio-system/web") -> str:
    return f"""\
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: shop
  namespace: {namespace}
spec:
  hosts: ["{host}"]
  gateways: ["{gateway}"]
  http:
  - route:
    - destination: {{host: shop}}
"""


def test_namespace_scoped_gateway_hosts_only_serve_that_namespace(lint_yaml):
    gateway = GATEWAY.replace("HOSTS", "shop/shop.example.com, ./admin.example.com")
    for vs_namespace, host, expected in [
        ("shop", "shop.example.com", []),
        ("blog", "shop.example.com", [("vs-host-not-in-gateway", 19, 14)]),
        ("istio-system", "admin.example.com", []),
        ("shop", "admin.example.com", [("vs-host-not-in-gateway", 19, 14)]),
    ]:
        result = lint_yaml("a.yaml", gateway + bound_vs(host, vs_namespace), select=["ML111"])
        assert found(result) == expected, (vs_namespace, host)


def test_wildcards_match_either_way_and_any_namespace_prefix_counts(lint_yaml):
    gateway = GATEWAY.replace("HOSTS", '"*/*.example.com"')
    for host, expected in [("shop.example.com", 0), ("*.example.com", 0), ("shop.test", 1)]:
        result = lint_yaml("a.yaml", gateway + bound_vs(host), select=["ML111"])
        assert len(result.findings) == expected, host


def test_short_virtualservice_hosts_match_the_fully_qualified_gateway_host(lint_yaml):
    gateway = GATEWAY.replace("HOSTS", "shop.shop.svc.cluster.local")
    assert found(lint_yaml("a.yaml", gateway + bound_vs("shop"), select=["ML111"])) == []


def test_gateway_api_listener_without_hostname_serves_every_host(lint_yaml):
    gateway = """\
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: web
  namespace: istio-system
spec:
  gatewayClassName: istio
  listeners:
  - {name: http, port: 80, protocol: HTTP}
"""
    result = lint_yaml("a.yaml", gateway + bound_vs("anything.test"), select=["ML111"])
    assert found(result) == []


def test_missing_gateway_is_also_an_unmatched_host_warning(lint_yaml):
    """istioctl: ``GatewayAnalyzer.analyzeVirtualService`` reports IST0101 and IST0132
    (level Warning in Istio's catalogue) for a gateway that does not exist."""
    result = lint_yaml(
        "a.yaml",
        GATEWAY.replace("HOSTS", "x") + bound_vs("x", gateway="istio-system/nope"),
        select=["ML105", "ML111"],
    )
    assert [(f.rule.id, f.severity) for f in result.findings] == [
        ("ML105", Severity.ERROR),
        ("ML111", Severity.WARNING),
    ]


def test_internal_gateway_reference_is_not_also_reported_missing(lint_yaml):
    vs = bound_vs("x", gateway="istio-ingress/web~istio-autogenerated-k8s-gateway~http")
    result = lint_yaml(
        "a.yaml", GATEWAY.replace("HOSTS", "x") + vs, select=["ML105", "ML111", "ML112"]
    )
    assert [(f.rule.id, f.location.line) for f in result.findings] == [("ML112", 19)]
    assert "Gateway API Gateway istio-ingress/web" in result.findings[0].message


# -- ML113 vs-ingress-route-bypasses-subsets ------------------------------------------

RATINGS = """\
apiVersion: v1
kind: Service
metadata:
  name: ratings
spec:
  selector: {app: ratings}
  ports: [{name: http, port: 9080}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ratings-v1
spec:
  selector:
    matchLabels: {app: ratings}
  template:
    metadata:
      labels: {app: ratings, version: v1}
    spec:
      containers: [{name: ratings, image: ratings}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ratings
spec:
  host: ratings
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings
spec:
  hosts: [ratings]
  http:
  - route:
    - destination: {host: ratings, subset: SUBSET}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings-ingress
spec:
  hosts: [ratings.example.com]
  gateways: [istio-system/public]
  http:
  - route:
    - destination: {host: ratings}
"""


def test_gateway_route_bypassing_subset_routing_is_reported(lint_yaml):
    result = lint_yaml("a.yaml", RATINGS.replace("SUBSET", "v2"), select=["ML113"])
    assert found(result) == [("vs-ingress-route-bypasses-subsets", 51, 27)]
    assert "VirtualService default/ratings (subsets v2)" in result.findings[0].message


def test_single_subset_holding_every_pod_makes_no_difference(lint_yaml):
    result = lint_yaml("a.yaml", RATINGS.replace("SUBSET", "v1"), select=["ML113"])
    assert found(result) == []


# -- ML114 vs-mesh-host-conflict -----------------------------------------------------


def mesh_vs(name: str, namespace: str, host: str, export_to: str = "") -> str:
    export = f"\n  exportTo: {export_to}" if export_to else ""
    return f"""\
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {name}
  namespace: {namespace}
spec:
  hosts: ["{host}"]{export}
  http:
  - route:
    - destination: {{host: ratings.team1.svc.cluster.local}}
"""


def test_same_host_in_disjoint_export_scopes_does_not_conflict(lint_yaml):
    text = mesh_vs("a", "team1", "ratings", '["."]') + mesh_vs(
        "b", "team2", "ratings.team1.svc.cluster.local", '["."]'
    )
    assert found(lint_yaml("a.yaml", text, select=["ML114"])) == []


def test_same_host_visible_together_conflicts_on_both(lint_yaml):
    text = mesh_vs("a", "team1", "ratings", '["."]') + mesh_vs(
        "b", "team2", "ratings.team1.svc.cluster.local", '["team1"]'
    )
    result = lint_yaml("a.yaml", text, select=["ML114"])
    assert [(f.resource.ref, f.severity) for f in result.findings] == [
        ("VirtualService team1/a", Severity.ERROR),
        ("VirtualService team2/b", Severity.ERROR),
    ]


def test_overlapping_wildcard_hosts_are_info(lint_yaml):
    text = mesh_vs("a", "foo", "*.example.com") + mesh_vs("b", "bar", "api.example.com")
    result = lint_yaml("a.yaml", text, select=["ML114"])
    assert {f.severity for f in result.findings} == {Severity.INFO}
    assert len(result.findings) == 2


def test_gateway_only_virtualservices_never_conflict_here(lint_yaml):
    text = mesh_vs("a", "foo", "shop.example.com") + mesh_vs(
        "b", "foo", "shop.example.com"
    ).replace("  http:", "  gateways: [web]\n  http:")
    assert found(lint_yaml("a.yaml", text, select=["ML114"])) == []


# -- ML115 vs-jwt-claim-route-without-authn ------------------------------------------

JWT_ROUTE = """\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: public
  namespace: istio-system
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [api.example.com]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: api
  namespace: api
spec:
  hosts: [api.example.com]
  gateways: [istio-system/public]
  http:
  - match:
    - withoutHeaders:
        "@request.auth.claims.role": {exact: admin}
    route:
    - destination: {host: api}
"""


def request_authentication(namespace: str, selector: str) -> str:
    return f"""\
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata:
  name: jwt
  namespace: {namespace}
spec:
  selector:
    matchLabels: {selector}
  jwtRules: [{{issuer: https://issuer.example.com}}]
"""


def test_claim_route_without_request_authentication_points_at_the_claim(lint_yaml):
    assert found(lint_yaml("a.yaml", JWT_ROUTE, select=["ML115"])) == []  # none among inputs
    result = lint_yaml("a.yaml", JWT_ROUTE, select=["ML115"], assume_complete=True)
    assert found(result) == [("vs-jwt-claim-route-without-authn", 23, 9)]


def test_request_authentication_for_the_gateway_pods_satisfies_the_route(lint_yaml):
    text = JWT_ROUTE + request_authentication("istio-system", "{istio: ingressgateway}")
    assert found(lint_yaml("a.yaml", text, select=["ML115"])) == []


def test_request_authentication_selecting_other_pods_does_not(lint_yaml):
    text = JWT_ROUTE + request_authentication("istio-system", "{app: other}")
    assert len(lint_yaml("a.yaml", text, select=["ML115"]).findings) == 1


def test_unknown_when_the_gateway_namespace_is_not_analyzed(lint_yaml):
    text = JWT_ROUTE.replace("namespace: istio-system", "namespace: api", 1).replace(
        "istio-system/public", "api/public"
    )
    assert found(lint_yaml("a.yaml", text, select=["ML115"])) == []


# -- ML116 vs-unreachable-rule, ML117 vs-ineffective-match ----------------------------


def http_vs(rules: str) -> str:
    return f"""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: shop
spec:
  hosts: [shop]
  http:
{rules}"""


def test_rule_after_a_catch_all_is_unreachable(lint_yaml):
    rules = """\
  - route: [{destination: {host: a}}]
  - match: [{uri: {prefix: /b}}]
    route: [{destination: {host: b}}]
"""
    result = lint_yaml("a.yaml", http_vs(rules), select=["ML116", "ML117"])
    assert found(result) == [("vs-unreachable-rule", 9, 5)]
    assert "rule #0 before it has no match" in result.findings[0].message


def test_rule_repeating_earlier_matches_is_unreachable_and_each_match_ineffective(lint_yaml):
    rules = """\
  - name: first
    match: [{name: api, uri: {prefix: /api}}]
    route: [{destination: {host: a}}]
  - match: [{uri: {prefix: /api}}]
    route: [{destination: {host: b}}]
"""
    result = lint_yaml("a.yaml", http_vs(rules), select=["ML116", "ML117"])
    assert sorted(f.rule.id for f in result.findings) == ["ML116", "ML117"]
    ineffective = next(f for f in result.findings if f.rule.id == "ML117")
    assert 'repeats match "api" of rule "first"' in ineffective.message


def test_covered_prefix_shadowing_a_whole_rule_is_a_warning(lint_yaml):
    rules = """\
  - match: [{uri: {prefix: /api}}]
    route: [{destination: {host: a}}]
  - match: [{uri: {prefix: /api/v2}, method: {exact: GET}}]
    route: [{destination: {host: b}}]
"""
    result = lint_yaml("a.yaml", http_vs(rules), select=["ML116", "ML117"])
    assert [(f.rule.id, f.severity, f.location.line) for f in result.findings] == [
        ("ML117", Severity.WARNING, 10)
    ]
    assert result.findings[0].message.endswith("the rule is never used")


def test_a_match_with_a_method_does_not_cover_one_without(lint_yaml):
    rules = """\
  - match: [{uri: {prefix: /api}, method: {exact: GET}}]
    route: [{destination: {host: a}}]
  - match: [{uri: {prefix: /api/v2}}]
    route: [{destination: {host: b}}]
"""
    assert found(lint_yaml("a.yaml", http_vs(rules), select=["ML116", "ML117"])) == []


def test_string_match_coverage():
    assert string_match_covers({"prefix": "/a"}, {"exact": "/a/b"})
    assert string_match_covers({"prefix": "/a"}, {"prefix": "/ab"})
    assert not string_match_covers({"exact": "/a"}, {"prefix": "/a"})
    assert not string_match_covers({"regex": "/a.*"}, {"prefix": "/a"})


def test_only_later_prefix_uris_are_decided_for_http():
    assert not covers({"uri": {"prefix": "/"}}, {"uri": {"exact": "/"}}, "http")
    assert covers({"port": 80}, {"port": 80, "sourceLabels": {"a": "b"}}, "tcp")
    assert covers({"sniHosts": ["a", "b"]}, {"sniHosts": ["a"]}, "tls")
    assert not covers({"sniHosts": ["a"]}, {"sniHosts": ["a", "b"]}, "tls")


def test_tcp_rules_without_match_after_a_catch_all():
    unreachable, ineffective = analyze([{"route": []}, {"route": []}], "tcp")
    assert [(u.rule, u.reason) for u in unreachable] == [
        (1, "only the last rule can have no match")
    ]
    assert ineffective == []
