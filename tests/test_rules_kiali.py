"""Kiali's static validations (KIA codes): routing, policy, sidecar and workload checks.
That they stay linear on large meshes is checked in test_linear_growth.py."""

from __future__ import annotations

import textwrap

import pytest

from meshlint.engine.finding import Severity
from meshlint.engine.registry import builtin_rules

from conftest import at, found


def lines(result, rule: str) -> list[int]:
    return sorted(f.location.line for f in result.findings if rule in (f.rule.id, f.rule.name))


def of(result, rule: str) -> list:
    return [f for f in result.findings if rule in (f.rule.id, f.rule.name)]


def vs(name: str, body: str, namespace: str = "default") -> str:
    return f"""\
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {name}
  namespace: {namespace}
spec:
{textwrap.indent(textwrap.dedent(body), "  ")}"""


# -- existing rules carry their Kiali codes ------------------------------------------


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("KIA0002", "ML453"),
        ("KIA0003", "ML452"),
        ("KIA0004", "ML501"),
        ("KIA0101", "ML502"),
        ("KIA0202", "ML301"),
        ("KIA0203", "ML312"),
        ("KIA0301", "ML211"),
        ("KIA0302", "ML201"),
        ("KIA1101", "ML101"),
        ("KIA1102", "ML105"),
        ("KIA1106", "ML114"),
        ("KIA1107", "ML104"),
        ("KIA1108", "ML763"),
        ("KIA1212", "ML401"),
    ],
)
def test_existing_rules_name_their_kiali_code(code, rule):
    assert next(r for r in builtin_rules() if r.id == rule).equivalents.kiali == code


def test_every_static_non_mtls_kiali_code_has_a_rule():
    static = [
        "KIA0002",
        "KIA0003",
        "KIA0004",
        "KIA0005",
        "KIA0101",
        "KIA0102",
        "KIA0104",
        "KIA0201",
        "KIA0202",
        "KIA0203",
        "KIA0209",
        "KIA0301",
        "KIA0701",
        "KIA1004",
        "KIA1006",
        "KIA1007",
        "KIA1101",
        "KIA1102",
        "KIA1104",
        "KIA1105",
        "KIA1106",
        "KIA1107",
        "KIA1108",
        "KIA1211",
        "KIA1212",
        "KIA1301",
        "KIA1311",
        "KIA1401",
        "KIA1402",
        "KIA1501",
        "KIA1502",
        "KIA1503",
        "KIA1504",
        "KIA1601",
        "KIA1702",
        # ambient waypoint enrollment
        "KIA0109",
        "KIA0110",
        "KIA0210",
        "KIA0211",
        "KIA0212",
        "KIA1109",
        "KIA1110",
        "KIA1111",
        "KIA1112",
        "KIA1113",
        "KIA1114",
        "KIA1115",
        "KIA1116",
        "KIA1117",
    ]
    codes = {r.equivalents.kiali for r in builtin_rules()}
    assert [c for c in static if c not in codes] == []


# -- ML150 vs-single-destination-weight ----------------------------------------------


def test_single_destination_weights_below_100_are_reported_in_every_section(lint_yaml):
    text = vs(
        "db",
        """\
        hosts: [db]
        tcp:
        - route:
          - destination: {host: db}
            weight: 0
        tls:
        - match: [{sniHosts: [db]}]
          route:
          - destination: {host: db}
            weight: 100
        http:
        - route:
          - destination: {host: db}
        """,
    )
    result = lint_yaml("vs.yaml", text, select=["ML150"])
    assert lines(result, "ML150") == [at(text, "weight: 0")[0]]


def test_split_routes_are_not_single_destinations(lint_yaml):
    text = vs(
        "reviews",
        """\
        hosts: [reviews]
        http:
        - route:
          - destination: {host: reviews, subset: v1}
            weight: 50
          - destination: {host: reviews, subset: v2}
            weight: 50
        """,
    )
    assert found(lint_yaml("vs.yaml", text, select=["ML150"])) == []


# -- ML151 vs-repeated-route-destination ---------------------------------------------


def test_every_repeated_destination_is_reported(lint_yaml):
    """Kiali: ``appendSubsetDuplicity`` (business/checkers/virtualservices/
    route_checker.go) marks every member of a repeated host+subset group."""
    text = vs(
        "reviews",
        """\
        hosts: [reviews]
        http:
        - route:
          - destination: {host: reviews, subset: v1}
          - destination: {host: reviews, subset: v2}
          - destination: {host: reviews.default, subset: v2}
          - destination: {host: reviews, subset: v1}
        """,
    )
    result = lint_yaml("vs.yaml", text, select=["ML151"])
    # "reviews.default" is another host as written (Istio does not expand it)
    assert lines(result, "ML151") == [
        at(text, "host: reviews, subset: v1")[0],
        at(text, "host: reviews, subset: v1", 2)[0],
    ]


def test_same_host_on_different_ports_is_not_repeated(lint_yaml):
    text = vs(
        "api",
        """\
        hosts: [api]
        tcp:
        - route:
          - destination: {host: api, port: {number: 8080}}
          - destination: {host: api, port: {number: 9090}}
        """,
    )
    assert found(lint_yaml("vs.yaml", text, select=["ML151"])) == []


# -- ML152 vs-gateway-host-conflict --------------------------------------------------

GATEWAY_VS = """\
hosts: [shop.example.com]
gateways: [%s]
http:
%s
"""
CATCH_ALL = "- route:\n  - destination: {host: shop}"
PREFIX = "- match: [{uri: {prefix: /api}}]\n  route:\n  - destination: {host: api}"


def test_gateway_host_shared_with_a_catch_all_is_a_warning(lint_yaml):
    text = vs("a", GATEWAY_VS % ("istio-system/public", CATCH_ALL)) + vs(
        "b", GATEWAY_VS % ("public.istio-system", PREFIX)
    )
    result = lint_yaml("vs.yaml", text, select=["ML152"])
    assert [f.severity for f in of(result, "ML152")] == [Severity.WARNING] * 2


def test_gateway_host_shared_without_catch_all_is_info(lint_yaml):
    text = vs("a", GATEWAY_VS % ("istio-system/public", PREFIX)) + vs(
        "b", GATEWAY_VS % ("istio-system/public", PREFIX.replace("/api", "/cart"))
    )
    result = lint_yaml("vs.yaml", text, select=["ML152"])
    assert [f.severity for f in of(result, "ML152")] == [Severity.INFO] * 2


def test_different_gateways_or_hidden_virtualservices_do_not_conflict(lint_yaml):
    hidden = (GATEWAY_VS % ("istio-system/public", CATCH_ALL)) + 'exportTo: ["."]\n'
    text = (
        vs("a", GATEWAY_VS % ("istio-system/public", CATCH_ALL))
        + vs("b", GATEWAY_VS % ("istio-system/internal", CATCH_ALL))
        + vs("c", hidden, namespace="shop")
        + vs("d", "hosts: [shop.example.com]\nhttp:\n" + CATCH_ALL)
    )
    assert found(lint_yaml("vs.yaml", text, select=["ML152"])) == []


# -- ML153 vs-match-gateway-not-bound ------------------------------------------------


def test_match_gateway_must_be_bound(lint_yaml):
    text = vs(
        "shop",
        """\
        hosts: [shop.example.com, shop]
        gateways: [istio-system/public, mesh]
        http:
        - match:
          - gateways: [public.istio-system, mesh]
          - gateways: [istio-system/internal]
          route:
          - destination: {host: shop}
        """,
    )
    result = lint_yaml("vs.yaml", text, select=["ML153"])
    assert lines(result, "ML153") == [at(text, "istio-system/internal")[0]]


def test_match_on_a_gateway_when_only_mesh_is_bound(lint_yaml):
    text = vs(
        "shop",
        """\
        hosts: [shop]
        http:
        - match:
          - gateways: [mesh]
          - gateways: [public]
          route:
          - destination: {host: shop}
        """,
    )
    result = lint_yaml("vs.yaml", text, select=["ML153"])
    assert lines(result, "ML153") == [at(text, "[public]")[0]]
    assert "mesh only" in of(result, "ML153")[0].message


# -- ML350 dr-duplicate-definition ---------------------------------------------------


def dr(name: str, body: str, namespace: str = "default") -> str:
    return f"""\
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: {name}
  namespace: {namespace}
spec:
{textwrap.indent(textwrap.dedent(body), "  ")}"""


def test_duplicate_top_level_policy_is_reported_on_both(lint_yaml):
    policy = "host: reviews\ntrafficPolicy:\n  tls: {mode: ISTIO_MUTUAL}\n"
    text = dr("a", policy) + dr("b", policy.replace("reviews", "reviews.default.svc.cluster.local"))
    result = lint_yaml("dr.yaml", text, select=["ML350"])
    assert len(of(result, "ML350")) == 2
    assert all("trafficPolicy" in f.message for f in of(result, "ML350"))


def test_destination_rules_istio_does_not_merge_are_not_compared(lint_yaml):
    subset = "host: reviews.default.svc.cluster.local\nsubsets:\n- {name: v1, labels: {v: a}}\n"
    text = (
        dr("a", subset)
        + dr("other-namespace", subset, namespace="shop")
        + dr("other-export", subset + 'exportTo: ["."]\n')
        + dr("with-selector", subset + "workloadSelector:\n  matchLabels: {app: x}\n")
        + dr("policy-only", "host: reviews\ntrafficPolicy: {}\n")
    )
    assert found(lint_yaml("dr.yaml", text, select=["ML350"])) == []


# -- ML351 dr-subset-without-labels --------------------------------------------------


def test_subset_without_labels_is_info_next_to_labelled_subsets(lint_yaml):
    text = dr(
        "reviews",
        """\
        host: reviews
        subsets:
        - name: v1
          labels: {version: v1}
        - name: all
        - name: tls
          trafficPolicy: {tls: {mode: SIMPLE}}
        """,
    )
    result = lint_yaml("dr.yaml", text, select=["ML351"])
    assert [f.severity for f in of(result, "ML351")] == [Severity.INFO, Severity.INFO]


# -- ML250 gateway-server-host-overlap -----------------------------------------------


def gateway(name: str, servers: str, selector: str = "{istio: ingressgateway}") -> str:
    return f"""\
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: {name}
  namespace: istio-system
spec:
  selector: {selector}
  servers:
{textwrap.indent(textwrap.dedent(servers), "  ")}"""


def server(hosts: str, port: int = 80, protocol: str = "HTTP") -> str:
    return f"- port: {{number: {port}, name: p{port}, protocol: {protocol}}}\n  hosts: {hosts}\n"


def test_wildcard_overlaps_across_gateways_are_info_on_the_wildcard(lint_yaml):
    text = (
        gateway("catch-all", server('["*"]'))
        + gateway("shop", server("[shop.example.com]"))
        + gateway("shop-tls", server("[shop.example.com]", 443, "HTTPS"))
        + gateway("wild", server('["*.example.com"]'))
        + gateway("other", server('["*"]'), selector="{istio: internal}")
    )
    result = lint_yaml("gw.yaml", text, select=["ML250"])
    assert {f.resource.name for f in of(result, "ML250")} == {"catch-all", "wild"}
    assert {f.severity for f in of(result, "ML250")} == {Severity.INFO}
    catch_all = next(f for f in of(result, "ML250") if f.resource.name == "catch-all")
    assert "Gateway istio-system/shop" in catch_all.message
    assert "shop-tls" not in catch_all.message  # another port


def test_hosts_for_different_namespaces_do_not_overlap(lint_yaml):
    text = gateway("a", server('["shop/*"]')) + gateway("b", server('["blog/blog.example.com"]'))
    assert found(lint_yaml("gw.yaml", text, select=["ML250"])) == []


def test_same_host_twice_in_one_gateway(lint_yaml):
    tls = server("[shop.example.com]", 443, "HTTPS")
    plain = server("[blog.example.com]")
    text = gateway("public", tls + tls + plain + plain)
    result = lint_yaml("gw.yaml", text, select=["ML250"])
    assert sorted(f.severity for f in of(result, "ML250")) == [Severity.INFO, Severity.WARNING]


# -- ML430 se-duplicate-host ---------------------------------------------------------


def service_entry(name: str, namespace: str, export: str = "", protocol: str = "TLS") -> str:
    return f"""\
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: {name}
  namespace: {namespace}
spec:
  hosts: [api.example.com]
  {export}
  ports:
  - {{number: 443, name: tls, protocol: {protocol}}}
  resolution: DNS
"""


def test_duplicate_service_entries_visible_together(lint_yaml):
    text = (
        service_entry("a", "team-a")
        + service_entry("b", "team-b", 'exportTo: ["."]')
        + service_entry("c", "team-c", 'exportTo: ["team-d"]')
        + service_entry("d", "team-d", 'exportTo: ["."]', protocol="HTTPS")
    )
    result = lint_yaml("se.yaml", text, select=["ML430"])
    # a is seen everywhere, so it meets b (in team-b) and c (in team-d); b and c never meet;
    # d has another protocol (se-conflicting-protocol's case)
    assert sorted(f.resource.name for f in of(result, "ML430")) == ["a", "b", "c"]
    a = next(f for f in of(result, "ML430") if f.resource.name == "a")
    assert "ServiceEntry team-b/b" in a.message and "ServiceEntry team-c/c" in a.message


# -- ML470 sidecar-egress-host-not-found ---------------------------------------------


def sidecar(hosts: str, namespace: str = "default", extra: str = "") -> str:
    return f"""\
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: default
  namespace: {namespace}
spec:
  egress:
  - hosts: {hosts}
{extra}"""


SERVICES = """\
apiVersion: v1
kind: Service
metadata:
  name: ratings
  namespace: default
spec:
  selector: {app: ratings}
  ports: [{name: http, port: 9080}]
---
apiVersion: v1
kind: Service
metadata:
  name: private
  namespace: default
  annotations: {networking.istio.io/exportTo: "."}
spec:
  selector: {app: private}
  ports: [{name: http, port: 9080}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: api
  namespace: default
spec:
  hosts: ["*.example.com"]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: NONE
"""


def test_egress_hosts_resolve_by_namespace_and_visibility(lint_yaml):
    hosts = (
        '["./ratings.default.svc.cluster.local", "default/ratings", "*/api.example.com",'
        ' "istio-system/*", "~/*", "*/*.example.org", "unseen/foo", "shop/ratings",'
        ' "default/private"]'
    )
    text = SERVICES + sidecar(hosts, namespace="shop")
    result = lint_yaml("sc.yaml", text, select=["ML470"], assume_complete=True)
    messages = sorted(f.message for f in of(result, "ML470"))
    assert len(messages) == 4
    assert messages.pop(0).endswith("of namespace unseen")  # Kiali sees every namespace
    assert messages[0].startswith('egress host "private"')
    assert "does not export it to shop" in messages[0]
    assert messages[1].startswith('egress host "ratings" matches no Service or ServiceEntry of')
    assert messages[1].split(" of ")[1].startswith("namespace shop")
    # "./" is the Sidecar's own namespace, shop, not the namespace in the name
    assert messages[2].startswith('egress host "ratings.default.svc.cluster.local"')
    assert messages[2].split(" of ")[1].startswith("namespace shop")


def test_external_egress_host_without_service_entry(lint_yaml):
    text = SERVICES + sidecar('["*/api.example.org"]')
    assert len(of(lint_yaml("sc.yaml", text, select=["ML470"]), "ML470")) == 1
    result = lint_yaml("sc.yaml", text, select=["ML470"], external_hosts=["*.example.org"])
    assert of(result, "ML470") == []


# -- ML471 / ML472 -------------------------------------------------------------------


def test_root_namespace_follows_the_mesh_config(lint_yaml):
    selector = "  workloadSelector:\n    labels: {app: a}\n"
    text = sidecar('["./*"]', namespace="mesh-root", extra=selector)
    assert of(lint_yaml("sc.yaml", text, select=["ML471"]), "ML471") == []
    config = {"rootNamespace": "mesh-root"}
    from meshlint.mesh.settings import DEFAULT_MESH_CONFIG, layer

    result = lint_yaml(
        "sc.yaml", text, select=["ML471"], mesh_config=layer(DEFAULT_MESH_CONFIG, config)
    )
    assert len(of(result, "ML471")) == 1


@pytest.mark.parametrize(
    ("policy", "reported"),
    [("{}", True), ("{mode: REGISTRY_ONLY}", False), ("{mode: ALLOW_ANY}", False), ("", True)],
)
def test_outbound_policy_without_mode(lint_yaml, policy, reported):
    text = sidecar('["./*"]', extra=f"  outboundTrafficPolicy: {policy}\n")
    assert bool(of(lint_yaml("sc.yaml", text, select=["ML472"]), "ML472")) is reported


# -- ML521 authz-invalid-method ------------------------------------------------------


def authorization_policy(to: str, name: str = "p", namespace: str = "default") -> str:
    return f"""\
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: {name}
  namespace: {namespace}
spec:
  rules:
  - to:
    - operation:
{textwrap.indent(to, "        ")}"""


@pytest.mark.parametrize(
    ("method", "problem"),
    [
        ("GET", None),
        ("PROPFIND", None),
        ("*", None),
        ("P*", None),
        ("*CH", None),
        ("get", "case-sensitive"),
        ("g*", "case-sensitive"),
        ("GETT", 'did you mean "GET"'),
        ("X*", "matches no HTTP method"),
        ("/pkg.Svc/Call", "gRPC"),
        ("GET POST", "spaces"),
    ],
)
def test_methods(lint_yaml, method, problem):
    text = authorization_policy(f'notMethods: ["{method}"]\n')
    messages = [f.message for f in of(lint_yaml("ap.yaml", text, select=["ML521"]), "ML521")]
    if problem is None:
        assert messages == []
    else:
        assert len(messages) == 1 and problem in messages[0]


# -- ML522 authz-operation-host-not-found --------------------------------------------

RATINGS = """\
apiVersion: v1
kind: Service
metadata:
  name: ratings
  namespace: default
spec:
  selector: {app: ratings}
  ports: [{name: http, port: 9080}]
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: front
  namespace: shop
spec:
  hosts: [front]
  http:
  - route:
    - destination: {host: ratings.default.svc.cluster.local}
"""


def test_operation_hosts(lint_yaml):
    hosts = (
        '["ratings", "ratings:9080", "ratings.default", "front.shop", "*.example.com",'
        ' "shop.example.com", "api.unknown-ns", "ratngs", "cart.shop"]'
    )
    text = RATINGS + authorization_policy(f"hosts: {hosts}\n")
    result = lint_yaml("ap.yaml", text, select=["ML522"], assume_complete=True)
    assert [f.message.split('"')[1] for f in of(result, "ML522")] == ["ratngs", "cart.shop"]
    assert {f.severity for f in of(result, "ML522")} == {Severity.WARNING}


def test_operation_host_is_an_error_under_registry_only(lint_yaml):
    from meshlint.mesh.settings import DEFAULT_MESH_CONFIG, layer

    config = layer(DEFAULT_MESH_CONFIG, {"outboundTrafficPolicy": {"mode": "REGISTRY_ONLY"}})
    text = RATINGS + authorization_policy('hosts: ["ratngs"]\n')
    result = lint_yaml("ap.yaml", text, select=["ML522"], mesh_config=config)
    assert [f.severity for f in of(result, "ML522")] == [Severity.ERROR]


# -- ML523 / ML524 / ML525 / ML526 PeerAuthentication and RequestAuthentication -------


def peer_authentication(name: str, selector: str = "", namespace: str = "default") -> str:
    body = f"  selector:\n    matchLabels: {selector}\n" if selector else ""
    return f"""\
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: {name}
  namespace: {namespace}
spec:
{body}  mtls: {{mode: STRICT}}
"""


POD = """\
---
apiVersion: v1
kind: Pod
metadata:
  name: ratings
  namespace: default
  labels: {app: ratings, version: v1, sidecar.istio.io/inject: "true"}
spec:
  containers:
  - {name: ratings, image: ratings}
"""


def test_namespace_wide_peer_authentications_per_namespace(lint_yaml):
    text = (
        peer_authentication("a")
        + peer_authentication("b")
        + peer_authentication("c", namespace="shop")
        + peer_authentication("d", selector="{app: ratings}")
    )
    result = lint_yaml("pa.yaml", text, select=["ML523"])
    assert sorted(f.resource.name for f in of(result, "ML523")) == ["a", "b"]


def test_peer_authentications_sharing_a_workload(lint_yaml):
    text = (
        POD
        + peer_authentication("a", selector="{app: ratings}")
        + peer_authentication("b", selector="{version: v1}")
        + peer_authentication("c", selector="{app: reviews}")
        + peer_authentication("d", selector="{app: ratings}", namespace="shop")
    )
    result = lint_yaml("pa.yaml", text, select=["ML524"])
    assert sorted(f.resource.name for f in of(result, "ML524")) == ["a", "b"]


def test_authentication_selectors_must_select_a_workload(lint_yaml):
    request_authentication = """\
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata:
  name: jwt
  namespace: default
spec:
  selector:
    matchLabels: {app: ratngs}
"""
    text = (
        POD
        + peer_authentication("ok", selector="{app: ratings}")
        + peer_authentication("typo", selector="{app: ratngs}")
        + peer_authentication("elsewhere", selector="{app: x}", namespace="unseen")
        + peer_authentication("root", selector="{app: x}", namespace="istio-system")
        + request_authentication
    )
    result = lint_yaml("pa.yaml", text, select=["ML525", "ML526"])
    assert sorted(f.resource.name for f in result.findings) == ["jwt", "typo"]
    assert all('did you mean "ratings"' in f.message for f in result.findings)


# -- ML160 export-to-namespace-not-found ---------------------------------------------


def test_export_to_namespaces_are_tri_state(lint_yaml):
    text = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n" + vs(
        "a", 'hosts: [a]\nexportTo: [".", shop, blog, "*"]\nhttp:\n' + CATCH_ALL
    )
    assert of(lint_yaml("e.yaml", text, select=["ML160"]), "ML160") == []
    result = lint_yaml("e.yaml", text, select=["ML160"], assume_complete=True)
    assert [f.message.split('"')[1] for f in of(result, "ML160")] == ["blog"]
    result = lint_yaml("e.yaml", text, select=["ML160"], report_unknown=True)
    assert [f.severity for f in of(result, "ML160")] == [Severity.INFO]


# -- ML660 service-port-not-exposed --------------------------------------------------


def deployment(name: str, ports: str, labels: str = "{app: ratings}") -> str:
    return f"""\
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: default
spec:
  selector:
    matchLabels: {labels}
  template:
    metadata:
      labels: {labels}
    spec:
      containers:
      - name: app
        image: app
        ports: {ports}
"""


def service(ports: str, selector: str = "{app: ratings}", namespace: str = "default") -> str:
    return f"""\
---
apiVersion: v1
kind: Service
metadata:
  name: ratings
  namespace: {namespace}
spec:
  selector: {selector}
  ports: {ports}
"""


def test_target_ports_are_checked_against_every_selected_workload(lint_yaml):
    text = (
        deployment("v1", "[{name: http, containerPort: 9080}]")
        + deployment("v2", "[{name: web, containerPort: 9080}]")
        + deployment("undeclared", "[]")
        + service("[{port: 80, targetPort: http}, {port: 9080}, {port: 81, targetPort: 8081}]")
    )
    result = lint_yaml("svc.yaml", text, select=["ML660"])
    messages = [f.message for f in of(result, "ML660")]
    assert len(messages) == 2
    assert "Deployment default/v2, Deployment default/undeclared" in messages[0]
    assert messages[1].startswith('target port "8081" is not a container port of Deployment')
    assert "undeclared" not in messages[1]  # declares no port: not checked by number


def test_gateway_and_control_plane_services_are_skipped(lint_yaml):
    text = (
        deployment("v1", "[{containerPort: 8080}]", labels="{istio: ingressgateway}")
        + service("[{port: 80, targetPort: 9999}]", selector="{istio: ingressgateway}")
        + deployment("cp", "[{containerPort: 8080}]")
        + service("[{port: 80, targetPort: 9999}]", namespace="istio-system")
    )
    assert of(lint_yaml("svc.yaml", text, select=["ML660"]), "ML660") == []


# -- ML661 / ML662 / ML670 workloads -------------------------------------------------


def test_authorization_coverage(lint_yaml):
    text = (
        POD
        + deployment("covered", "[]", labels="{app: covered}")
        + authorization_policy('methods: ["GET"]\n', name="p").replace(
            "spec:\n", "spec:\n  selector:\n    matchLabels: {app: covered}\n"
        )
    )
    result = lint_yaml("w.yaml", text, select=["ML661"])
    assert [f.resource.name for f in of(result, "ML661")] == ["ratings"]
    assert [f.severity for f in of(result, "ML661")] == [Severity.INFO]
    assert of(lint_yaml("w.yaml", POD, select=["ML661"]), "ML661") == []  # authz not in use
    mesh_wide = authorization_policy('methods: ["GET"]\n', namespace="istio-system")
    assert of(lint_yaml("w.yaml", text + mesh_wide, select=["ML661"]), "ML661") == []


def test_sidecar_and_ambient_on_namespace_and_workload(lint_yaml):
    namespace = """\
apiVersion: v1
kind: Namespace
metadata:
  name: default
  labels: {istio-injection: enabled, istio.io/dataplane-mode: ambient}
"""
    plain = POD.replace(', sidecar.istio.io/inject: "true"', "")
    result = lint_yaml("w.yaml", namespace + plain, select=["ML662"])
    assert [f.resource.kind for f in of(result, "ML662")] == ["Namespace"]
    ambient = namespace.replace("istio-injection: enabled, ", "")
    opted_out = POD.replace('"true"', '"false"')
    assert of(lint_yaml("w.yaml", ambient + opted_out, select=["ML662"]), "ML662") == []
    result = lint_yaml("w.yaml", ambient + POD, select=["ML662"])
    assert [f.resource.kind for f in of(result, "ML662")] == ["Pod"]


def test_workload_groups_with_the_same_labels(lint_yaml):
    def group(name, labels, namespace="default"):
        return f"""\
---
apiVersion: networking.istio.io/v1
kind: WorkloadGroup
metadata:
  name: {name}
  namespace: {namespace}
spec:
  metadata:
    labels: {labels}
  template: {{serviceAccount: sa}}
"""

    text = (
        group("a", "{app: vm, tier: db}")
        + group("b", "{tier: db, app: vm}")
        + group("c", "{app: vm}")
        + group("d", "{app: vm, tier: db}", namespace="other")
    )
    result = lint_yaml("wg.yaml", text, select=["ML670"])
    assert sorted(f.resource.name for f in of(result, "ML670")) == ["a", "b"]


# -- ambient waypoints (ML540-ML547, ML161-ML163, ML360-ML362) -----------------------

AMBIENT_RULES = ["ML540", "ML541", "ML542", "ML543", "ML544", "ML545", "ML546", "ML547"]


def ambient_namespace(name: str = "shop", waypoint: str = "") -> str:
    extra = f", istio.io/use-waypoint: {waypoint}" if waypoint else ""
    return f"""\
---
apiVersion: v1
kind: Namespace
metadata:
  name: {name}
  labels: {{istio.io/dataplane-mode: ambient{extra}}}
"""


def ambient_service(name: str = "catalog", waypoint: str = "", namespace: str = "shop") -> str:
    labels = f"  labels: {{istio.io/use-waypoint: {waypoint}}}\n" if waypoint else ""
    return f"""\
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {namespace}
{labels}spec:
  selector: {{app: {name}}}
  ports: [{{name: http, port: 8080}}]
"""


def ambient_policy(attach: str, operation: str = "methods: [GET]", kind: str = "AP") -> str:
    if kind == "RA":
        head = "apiVersion: security.istio.io/v1\nkind: RequestAuthentication"
        body = "  jwtRules: [{issuer: https://issuer.example.com}]\n"
    else:
        head = "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy"
        body = f"  rules:\n  - to:\n    - operation: {{{operation}}}\n"
    return f"---\n{head}\nmetadata:\n  name: p\n  namespace: shop\nspec:\n{attach}{body}"


SELECTOR = "  selector:\n    matchLabels: {app: catalog}\n"
TARGET = '  targetRefs:\n  - {kind: Service, group: "", name: catalog}\n'
WAYPOINT_TARGET = "  targetRefs:\n  - {kind: Gateway, group: gateway.networking.k8s.io, name: w}\n"


def ambient_ids(lint_yaml, text: str) -> list[str]:
    result = lint_yaml("a.yaml", text, select=AMBIENT_RULES)
    return sorted(f.rule.id for f in result.findings)


@pytest.mark.parametrize(
    ("namespace", "service", "attach", "operation", "expected"),
    [
        # not enrolled anywhere: both problems
        ("", "", SELECTOR, "methods: [GET]", ["ML540", "ML541"]),
        # L4-only rules are ztunnel's job
        ("", "", SELECTOR, "ports: ['8080']", []),
        # enrolled namespace, but attached by selector
        ("waypoint", "", SELECTOR, "paths: [/admin]", ["ML540"]),
        # targetRefs to a Service of an enrolled namespace
        ("waypoint", "", TARGET, "methods: [GET]", []),
        # the Service opts out of the namespace's waypoint
        ("waypoint", "none", TARGET, "methods: [GET]", ["ML541"]),
        # the Service opts in although its namespace does not
        ("", "waypoint", TARGET, "methods: [GET]", []),
        # attached to the waypoint itself
        ("", "", WAYPOINT_TARGET, "methods: [GET]", []),
    ],
)
def test_ambient_authorization_policies(lint_yaml, namespace, service, attach, operation, expected):
    text = ambient_namespace(waypoint=namespace) + ambient_service(waypoint=service)
    text += ambient_policy(attach, operation)
    assert ambient_ids(lint_yaml, text) == expected


def test_ambient_checks_need_an_ambient_namespace(lint_yaml):
    text = ambient_service() + ambient_policy(SELECTOR) + ambient_policy(SELECTOR, kind="RA")
    assert ambient_ids(lint_yaml, text) == []  # no Namespace object: not known to be ambient
    text = ambient_namespace() + ambient_service() + ambient_policy(SELECTOR, kind="RA")
    assert ambient_ids(lint_yaml, text) == ["ML542", "ML543"]


def test_selected_workloads_decide_enrollment(lint_yaml):
    workload = POD.replace("namespace: default", "namespace: shop").replace(
        "app: ratings", "app: catalog, istio.io/use-waypoint: waypoint"
    )
    text = ambient_namespace() + workload + ambient_policy(SELECTOR)
    assert ambient_ids(lint_yaml, text) == ["ML540"]


def test_l4_telemetry_needs_no_waypoint(lint_yaml):
    telemetry = """\
---
apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata:
  name: t
  namespace: shop
spec:
  metrics:
  - providers: [{name: prometheus}]
"""
    assert ambient_ids(lint_yaml, ambient_namespace() + telemetry) == []
    overrides = telemetry.replace(
        "providers: [{name: prometheus}]",
        "providers: [{name: prometheus}]\n    overrides: [{disabled: true}]",
    )
    assert ambient_ids(lint_yaml, ambient_namespace() + overrides) == ["ML544", "ML545"]


HOST_RULES = ["ML161", "ML162", "ML163", "ML360", "ML361", "ML362"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a Service of an ambient namespace without a waypoint, routed from its namespace
        (
            ambient_namespace()
            + ambient_service()
            + vs("r", "hosts: [catalog]\nhttp: []\ntls: [{}]", "shop"),
            ["ML162"],
        ),
        # ... and from a client namespace
        (
            ambient_namespace()
            + ambient_service(waypoint="waypoint")
            + vs("r", "hosts: [catalog.shop.svc.cluster.local]\nhttp: [{}]", "frontend"),
            ["ML163"],
        ),
        # an external host in an ambient namespace without a waypoint
        (ambient_namespace() + vs("r", "hosts: [api.example.com]\nhttp: [{}]", "shop"), ["ML161"]),
        # TCP routes and gateway routes are ztunnel's or the gateway's job
        (ambient_namespace() + vs("r", "hosts: [api.example.com]\ntcp: [{}]", "shop"), []),
        (
            ambient_namespace()
            + vs("r", "hosts: [api.example.com]\ngateways: [public]\nhttp: [{}]", "shop"),
            [],
        ),
        # an L7 DestinationRule for an ambient Service without a waypoint
        (
            ambient_namespace()
            + ambient_service()
            + dr("d", "host: catalog\ntrafficPolicy: {outlierDetection: {}}", "shop"),
            ["ML361"],
        ),
        # an L4 DestinationRule needs no waypoint
        (
            ambient_namespace()
            + ambient_service()
            + dr("d", "host: catalog\ntrafficPolicy: {connectionPool: {tcp: {}}}", "shop"),
            [],
        ),
        # subsets count too, and the client namespace is wrong
        (
            ambient_namespace(waypoint="waypoint")
            + ambient_service()
            + dr(
                "d",
                "host: catalog.shop.svc.cluster.local\nsubsets:\n"
                "- {name: a, trafficPolicy: {connectionPool: {http: {}}}}",
                "frontend",
            ),
            ["ML362"],
        ),
    ],
)
def test_ambient_routing_and_traffic_policy(lint_yaml, text, expected):
    result = lint_yaml("a.yaml", text, select=HOST_RULES)
    assert sorted(f.rule.id for f in result.findings) == expected
