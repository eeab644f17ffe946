"""Gateway API, statically: route parentRefs, allowedRoutes, backendRefs and
ReferenceGrants, listener and address conflicts, GatewayClasses (Kiali KIA14xx-16xx)."""

from __future__ import annotations

import pytest

from meshlint.engine.finding import Severity

from conftest import at

GW = "gateway.networking.k8s.io"
RULES = ["ML850", "ML851", "ML852", "ML853", "ML860", "ML861", "ML862", "ML863", "ML864"]


def namespace(name: str, labels: str = "{}") -> str:
    return f"---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n  labels: {labels}\n"


def gateway(
    name: str = "public",
    ns: str = "infra",
    listeners: str = "- {name: http, port: 80, protocol: HTTP}",
    extra: str = "",
    class_name: str = "istio",
) -> str:
    body = "\n".join("  " + line for line in listeners.splitlines())
    return f"""\
---
apiVersion: {GW}/v1
kind: Gateway
metadata:
  name: {name}
  namespace: {ns}
spec:
  gatewayClassName: {class_name}
{extra}  listeners:
{body}
"""


def route(
    parents: str = "[{name: public, namespace: infra}]",
    backends: str = "[{name: shop, port: 8080}]",
    ns: str = "shop",
    kind: str = "HTTPRoute",
    hostnames: str = "",
    name: str = "shop",
) -> str:
    hosts = f"  hostnames: {hostnames}\n" if hostnames else ""
    return f"""\
---
apiVersion: {GW}/v1
kind: {kind}
metadata:
  name: {name}
  namespace: {ns}
spec:
  parentRefs: {parents}
{hosts}  rules:
  - backendRefs: {backends}
"""


def service(name: str = "shop", ns: str = "shop", port: int = 8080) -> str:
    return f"""\
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {ns}
spec:
  selector: {{app: {name}}}
  ports: [{{name: http, port: {port}}}]
"""


def grant(
    ns: str = "catalog", source_ns: str = "shop", kind: str = "HTTPRoute", to: str = ""
) -> str:
    target = f", name: {to}" if to else ""
    return f"""\
---
apiVersion: {GW}/v1beta1
kind: ReferenceGrant
metadata:
  name: routes
  namespace: {ns}
spec:
  from: [{{group: {GW}, kind: {kind}, namespace: {source_ns}}}]
  to: [{{group: "", kind: Service{target}}}]
"""


def listener(allowed: str = "", protocol: str = "HTTP", name: str = "http", extra: str = "") -> str:
    routes = f", allowedRoutes: {allowed}" if allowed else ""
    return f"- {{name: {name}, port: 80, protocol: {protocol}{routes}{extra}}}\n"


def findings(lint_yaml, text: str, **kwargs) -> list[tuple[str, int, str]]:
    result = lint_yaml("gw.yaml", text, select=RULES, **kwargs)
    return sorted((f.rule.id, f.location.line, f.message) for f in result.findings)


def ids(lint_yaml, text: str, **kwargs) -> list[str]:
    return [rule for rule, _, _ in findings(lint_yaml, text, **kwargs)]


# -- parentRefs (ML850) --------------------------------------------------------------


def test_parent_gateway_must_exist_where_the_inputs_hold_gateways_of_its_namespace(lint_yaml):
    text = service() + gateway(listeners=listener("{namespaces: {from: All}}"))
    text += route("[{name: pubic, namespace: infra}, {name: public}, {name: edge, namespace: far}]")
    result = findings(lint_yaml, text)
    assert [(r, line) for r, line, _ in result] == [("ML850", at(text, "name: pubic")[0])]
    assert 'did you mean "public"' in result[0][2]
    complete = findings(lint_yaml, text, assume_complete=True)
    messages = [m for r, _, m in complete if r == "ML850"]
    assert len(messages) == 3
    # the route's namespace by default
    assert 'Gateway "public" of namespace shop does not exist' in messages


def test_unknown_parent_namespace_is_reported_only_when_asked(lint_yaml):
    text = service() + route("[{name: edge, namespace: far}]")
    assert ids(lint_yaml, text) == []
    assert ids(lint_yaml, text, assume_complete=True) == ["ML850"]
    result = lint_yaml("gw.yaml", text, select=["ML850"], report_unknown=True)
    assert [f.severity for f in result.findings] == [Severity.INFO]


@pytest.mark.parametrize(
    ("parent", "problem"),
    [
        ("{name: public, namespace: infra, sectionName: https}", 'no listener "https"'),
        ("{name: public, namespace: infra, port: 443}", "no listener on port 443"),
        ("{name: public, namespace: infra, sectionName: http, port: 8080}", "on port 8080"),
        ("{name: public, namespace: infra, sectionName: http, port: 80}", None),
    ],
)
def test_parent_listener_by_section_and_port(lint_yaml, parent, problem):
    text = service() + gateway(listeners=listener("{namespaces: {from: All}}"))
    text += route(f"[{parent}]")
    result = findings(lint_yaml, text)
    if problem is None:
        assert result == []
    else:
        assert [r for r, _, _ in result] == ["ML850"] and problem in result[0][2]


# -- allowedRoutes (ML851) -----------------------------------------------------------


SHOP_LABELS = "{team: shop}"


@pytest.mark.parametrize(
    ("allowed", "labels", "reported"),
    [
        ("", SHOP_LABELS, True),  # Same is the default
        ("{namespaces: {from: Same}}", SHOP_LABELS, True),
        ("{namespaces: {from: All}}", SHOP_LABELS, False),
        (
            "{namespaces: {from: Selector, selector: {matchLabels: {team: shop}}}}",
            SHOP_LABELS,
            False,
        ),
        (
            "{namespaces: {from: Selector, selector: {matchLabels: {team: blog}}}}",
            SHOP_LABELS,
            True,
        ),
        (
            "{namespaces: {from: Selector, selector: {matchExpressions: "
            "[{key: team, operator: In, values: [shop, blog]}]}}}",
            SHOP_LABELS,
            False,
        ),
        (
            "{namespaces: {from: Selector, selector: "
            "{matchLabels: {kubernetes.io/metadata.name: shop}}}}",
            "{}",
            False,
        ),
    ],
)
def test_allowed_namespaces(lint_yaml, allowed, labels, reported):
    text = namespace("shop", labels) + service() + gateway(listeners=listener(allowed)) + route()
    assert ids(lint_yaml, text) == (["ML851"] if reported else [])


def test_selector_needs_the_namespace_labels(lint_yaml):
    allowed = "{namespaces: {from: Selector, selector: {matchLabels: {team: shop}}}}"
    text = service() + gateway(listeners=listener(allowed)) + route()
    assert ids(lint_yaml, text) == []  # no Namespace object: its labels are unknown
    assert ids(lint_yaml, text, assume_complete=True) == ["ML851"]


@pytest.mark.parametrize(
    ("protocol", "allowed", "kind", "reported"),
    [
        ("HTTP", "{namespaces: {from: All}}", "HTTPRoute", False),
        ("HTTP", "{namespaces: {from: All}}", "GRPCRoute", False),
        ("HTTP", "{namespaces: {from: All}}", "TCPRoute", True),
        ("TCP", "{namespaces: {from: All}}", "TCPRoute", False),
        ("HTTP", "{namespaces: {from: All}, kinds: [{kind: GRPCRoute}]}", "HTTPRoute", True),
        ("HTTP", "{namespaces: {from: All}, kinds: [{kind: HTTPRoute}]}", "HTTPRoute", False),
    ],
)
def test_allowed_kinds(lint_yaml, protocol, allowed, kind, reported):
    text = service() + gateway(listeners=listener(allowed, protocol)) + route(kind=kind)
    assert ids(lint_yaml, text) == (["ML851"] if reported else [])


def test_one_accepting_listener_is_enough_unless_a_section_is_named(lint_yaml):
    listeners = listener(name="same") + listener("{namespaces: {from: All}}", name="open")
    listeners = listeners.replace("port: 80", "port: 8080", 1)
    text = service() + gateway(listeners=listeners)
    assert ids(lint_yaml, text + route()) == []
    section = "[{name: public, namespace: infra, sectionName: same}]"
    result = findings(lint_yaml, text + route(section))
    assert [r for r, _, _ in result] == ["ML851"]
    assert 'listener "same" accepts routes of namespace infra only' in result[0][2]


@pytest.mark.parametrize(
    ("listener_host", "route_hosts", "reported"),
    [
        ("shop.example.com", "[shop.example.com]", False),
        ("*.example.com", "[shop.example.com]", False),
        ("shop.example.com", "['*.example.com']", False),
        ("shop.example.com", "[blog.example.com]", True),
        ("*.example.com", "[example.com]", True),
        ("shop.example.com", "", False),  # a route without hostnames takes the listener's
    ],
)
def test_listener_and_route_hostnames_must_intersect(
    lint_yaml, listener_host, route_hosts, reported
):
    listeners = listener("{namespaces: {from: All}}", extra=f", hostname: '{listener_host}'")
    text = service() + gateway(listeners=listeners) + route(hostnames=route_hosts)
    assert ids(lint_yaml, text) == (["ML851"] if reported else [])


# -- backendRefs (ML852) -------------------------------------------------------------


def test_backend_service_port_and_name(lint_yaml):
    backends = (
        "[{name: shop, port: 8080}, {name: shop, port: 80}, {name: shpo, port: 8080},"
        " {name: shop.shop.svc.cluster.local, port: 8080},"
        " {group: multicluster.x-k8s.io, kind: ServiceImport, name: remote, port: 80}]"
    )
    text = (
        service()
        + gateway(listeners=listener("{namespaces: {from: All}}"))
        + route(backends=backends)
    )
    result = findings(lint_yaml, text)
    assert [r for r, _, _ in result] == ["ML852"] * 3
    messages = " | ".join(m for _, _, m in result)
    assert "Service shop/shop has no port 80 (it has 8080)" in messages
    assert 'did you mean "shop"' in messages
    assert "is not a Service name" in messages


def test_gamma_service_parents_must_exist_and_need_no_grant(lint_yaml):
    parents = "[{group: '', kind: Service, name: catalog, namespace: catalog, port: 8080}]"
    text = service("catalog", "catalog") + service() + route(parents)
    assert ids(lint_yaml, text) == []
    missing = "[{group: '', kind: Service, name: catalgo, namespace: catalog}]"
    assert ids(lint_yaml, service("catalog", "catalog") + service() + route(missing)) == ["ML852"]


# -- cross-namespace backendRefs and ReferenceGrants (ML853) -------------------------

CROSS = "[{name: catalog, namespace: catalog, port: 8080}]"


@pytest.mark.parametrize(
    ("grants", "reported"),
    [
        ("", True),
        (grant(), False),
        (grant(to="catalog"), False),
        (grant(to="other"), True),
        (grant(kind="GRPCRoute"), True),
        (grant(source_ns="blog"), True),
        (grant(ns="shop"), True),  # grants live in the target's namespace
    ],
)
def test_cross_namespace_backend_needs_a_reference_grant(lint_yaml, grants, reported):
    text = service("catalog", "catalog") + service() + grants
    text += gateway(listeners=listener("{namespaces: {from: All}}")) + route(backends=CROSS)
    assert ids(lint_yaml, text) == (["ML853"] if reported else [])


def test_grants_of_an_unseen_namespace_are_unknown(lint_yaml):
    backends = "[{name: catalog, namespace: elsewhere, port: 8080}]"
    text = service() + gateway(listeners=listener("{namespaces: {from: All}}"))
    text += route(backends=backends)
    assert ids(lint_yaml, text) == []
    assert ids(lint_yaml, text, assume_complete=True) == ["ML852", "ML853"]


def test_parent_and_backend_checks_together(lint_yaml):
    """A route in shop, through a Gateway of infra, to a Service of catalog."""
    allowed = "{namespaces: {from: Selector, selector: {matchLabels: {gateway-access: 'yes'}}}}"
    gateway_text = gateway(listeners=listener(allowed))
    base = service("catalog", "catalog") + gateway_text + route(backends=CROSS)
    assert ids(lint_yaml, namespace("shop", "{gateway-access: 'no'}") + base) == [
        "ML851",
        "ML853",
    ]
    fixed = namespace("shop", "{gateway-access: 'yes'}") + base + grant()
    assert ids(lint_yaml, fixed) == []


# -- listeners and addresses (ML860, ML861, ML862) -----------------------------------


def test_listener_conflicts_within_a_gateway(lint_yaml):
    """Kiali: ``MultiMatchChecker.Check`` (business/checkers/k8sgateways) marks both
    listeners of a non-unique pair (KIA1503); meshlint also compares listeners without a
    hostname, and hostnames case-insensitively."""
    listeners = (
        "- {name: a, port: 80, protocol: HTTP}\n"
        "- {name: b, port: 80, protocol: HTTP}\n"
        "- {name: c, port: 80, protocol: HTTP, hostname: shop.example.com}\n"
        "- {name: d, port: 80, protocol: HTTP, hostname: SHOP.example.com}\n"
        "- {name: e, port: 443, protocol: HTTPS, hostname: shop.example.com}\n"
    )
    text = gateway(listeners=listeners)
    result = findings(lint_yaml, text)
    assert [(r, line) for r, line, _ in result] == [
        ("ML860", at(text, "name: a")[0]),
        ("ML860", at(text, "name: b")[0]),
        ("ML860", at(text, "name: c")[0]),
        ("ML860", at(text, "name: d")[0]),
    ]


def test_listeners_and_addresses_shared_between_gateways(lint_yaml):
    listeners = "- {name: web, port: 80, protocol: HTTP, hostname: shop.example.com}\n"
    addresses = "  addresses: [{value: 10.0.0.1}]\n"
    text = (
        gateway("a", listeners=listeners, extra=addresses)
        + gateway(
            "b", listeners=listeners, extra="  addresses: [{type: IPAddress, value: 10.0.0.1}]\n"
        )
        + gateway(
            "c",
            listeners=listeners.replace("80", "8080"),
            extra="  addresses: [{type: Hostname, value: 10.0.0.1}]\n",
        )
        + gateway("d", listeners="- {name: web, port: 80, protocol: HTTP}\n")
    )
    result = findings(lint_yaml, text)
    assert sorted(r for r, _, _ in result) == ["ML861", "ML861", "ML862", "ML862"]


# -- GatewayClass (ML863) ------------------------------------------------------------


def test_gateway_class_is_checked_only_when_classes_are_in_the_files(lint_yaml):
    text = gateway(class_name="internl") + gateway("mesh", class_name="istio-waypoint")
    assert ids(lint_yaml, text) == []
    result = lint_yaml("gw.yaml", text, select=["ML863"], report_unknown=True)
    assert [f.severity for f in result.findings] == [Severity.INFO]
    classes = "---\napiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\n"
    classes += "metadata: {name: internal}\nspec: {controllerName: example.com/gw}\n"
    result = findings(lint_yaml, classes + text)
    assert [r for r, _, _ in result] == ["ML863"]
    assert 'did you mean "internal"' in result[0][2]


# -- ReferenceGrant namespaces (ML864) -----------------------------------------------


def test_reference_grant_source_namespace_is_tri_state(lint_yaml):
    text = (
        namespace("shop")
        + grant(source_ns="blog")
        + grant(source_ns="shop").replace("name: routes", "name: shop")
    )
    assert ids(lint_yaml, text) == []
    result = findings(lint_yaml, text, assume_complete=True)
    assert [r for r, _, _ in result] == ["ML864"] and '"blog"' in result[0][2]
