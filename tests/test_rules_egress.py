"""Egress: ServiceEntry coverage under REGISTRY_ONLY and ALLOW_ANY, the egress gateway
pattern, ServiceEntry ports against their use, and sidecar interception annotations."""

from __future__ import annotations

import textwrap

import pytest

from meshlint.engine.finding import Severity
from meshlint.mesh.settings import DEFAULT_MESH_CONFIG, layer

from conftest import at, found

REGISTRY_ONLY = layer(DEFAULT_MESH_CONFIG, {"outboundTrafficPolicy": {"mode": "REGISTRY_ONLY"}})
ALLOW_ANY = layer(DEFAULT_MESH_CONFIG, {})
EGRESS_SVC = "istio-egressgateway.istio-system.svc.cluster.local"


def entry(host: str, namespace: str = "default", ports: str = "", extra: str = "") -> str:
    ports = ports or "{number: 80, name: http, protocol: HTTP}"
    return f"""\
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: {host.replace("*", "all").split(".")[0] or "all"}
  namespace: {namespace}
spec:
  hosts: ["{host}"]
  location: MESH_EXTERNAL
{extra}  ports: [{ports}]
---
"""


def virtual_service(host: str, body: str, gateways: str = "", name: str = "ext") -> str:
    bound = f"  gateways: [{gateways}]\n" if gateways else ""
    return f"""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {name}
spec:
  hosts: ["{host}"]
{bound}{textwrap.indent(body, "  ")}---
"""


def to(host: str, section: str = "http", match: str = "") -> str:
    matched = f"  - match: [{match}]\n    route:\n" if match else "  - route:\n"
    return f"{section}:\n{matched}    - destination: {{host: {host}}}\n"


def gateway(hosts: str, selector: str = "istio: egressgateway", tls: str = "") -> str:
    server_tls = f"    tls: {{mode: {tls}}}\n" if tls else ""
    protocol = "HTTPS" if tls else "HTTP"
    number = 443 if tls else 80
    return f"""\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: egress
spec:
  selector: {{{selector}}}
  servers:
  - port: {{number: {number}, name: web, protocol: {protocol}}}
    hosts: [{hosts}]
{server_tls}---
"""


def findings(result, rule_id: str) -> list:
    return [f for f in result.findings if f.rule.id == rule_id]


# -- external-host-not-in-registry ---------------------------------------------------

UNCOVERED_VS = virtual_service("httpbin.org", to("httpbin.org"))


@pytest.mark.parametrize(
    ("mesh_config", "severity"), [(REGISTRY_ONLY, Severity.ERROR), (ALLOW_ANY, Severity.INFO)]
)
def test_uncovered_virtual_service_host_severity_follows_the_outbound_policy(
    lint_yaml, mesh_config, severity
):
    result = lint_yaml("vs.yaml", UNCOVERED_VS, mesh_config=mesh_config)
    assert found(result, "ML410") == [
        ("external-host-not-in-registry", *at(UNCOVERED_VS, '"httpbin.org"'))
    ]
    finding = findings(result, "ML410")[0]
    assert finding.severity is severity
    assert ("sidecars block it" in finding.message) == (severity is Severity.ERROR)


def test_the_istio_configmap_in_the_files_sets_the_policy(lint_yaml):
    configmap = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    outboundTrafficPolicy: {mode: REGISTRY_ONLY}
---
"""
    result = lint_yaml("vs.yaml", configmap + UNCOVERED_VS)
    assert findings(result, "ML410")[0].severity is Severity.ERROR


def test_a_severity_set_in_the_configuration_wins(lint_yaml):
    result = lint_yaml("vs.yaml", UNCOVERED_VS, severity_overrides={"ML410": Severity.WARNING})
    assert findings(result, "ML410")[0].severity is Severity.WARNING


@pytest.mark.parametrize(
    "covered",
    [
        {"files": entry("httpbin.org")},
        {"files": entry("*.org")},
        {"files": "", "external_hosts": ["*.org"]},
    ],
)
def test_service_entries_and_declared_external_hosts_cover_a_host(lint_yaml, covered):
    extra = {k: v for k, v in covered.items() if k != "files"}
    text = covered["files"] + UNCOVERED_VS
    result = lint_yaml("vs.yaml", text, mesh_config=REGISTRY_ONLY, **extra)
    assert found(result, "ML410") == []


def test_a_service_entry_not_exported_to_the_namespace_does_not_cover(lint_yaml):
    hidden = entry("httpbin.org", "egress", extra="  exportTo: [.]\n")
    result = lint_yaml("vs.yaml", hidden + UNCOVERED_VS, mesh_config=REGISTRY_ONLY)
    message = findings(result, "ML410")[0].message
    assert "ServiceEntry egress/httpbin defines it, but does not export it to default" in message


def test_names_for_in_mesh_services_are_aliases_not_egress(lint_yaml):
    alias = virtual_service("shop.example.com", to("frontend"))
    assert found(lint_yaml("vs.yaml", alias, mesh_config=REGISTRY_ONLY), "ML410") == []


def test_tcp_and_tls_routes_need_the_host_in_the_registry(lint_yaml):
    text = virtual_service("db.example.com", to("frontend", "tcp"))
    assert len(findings(lint_yaml("vs.yaml", text, mesh_config=REGISTRY_ONLY), "ML410")) == 1


def test_virtual_services_bound_only_to_an_ingress_gateway_are_skipped(lint_yaml):
    text = gateway('"bookinfo.example.com"', "istio: ingressgateway")
    text += virtual_service("bookinfo.example.com", to("httpbin.org"), "egress")
    assert found(lint_yaml("vs.yaml", text, mesh_config=REGISTRY_ONLY), "ML410") == []


@pytest.mark.parametrize(("host", "count"), [("*.example.com", 1), ("api.example.com", 0)])
def test_only_wildcard_destination_rule_hosts_are_checked(lint_yaml, host, count):
    text = f"""\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: ext}}
spec:
  host: "{host}"
  trafficPolicy: {{tls: {{mode: SIMPLE}}}}
"""
    result = lint_yaml("dr.yaml", text, mesh_config=REGISTRY_ONLY)
    assert len(findings(result, "ML410")) == count


SIDECAR = """\
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default}
spec:
  egress:
  - hosts: ["./*", "istio-system/*", "%s"]
"""


@pytest.mark.parametrize("namespace", ["default", "shop"])
def test_sidecar_egress_hosts_must_come_from_the_named_namespace(lint_yaml, namespace):
    text = entry("*.example.com") + (SIDECAR % "istio-system/*.example.com").replace(
        "name: default}", f"name: default, namespace: {namespace}}}"
    )
    result = lint_yaml("sc.yaml", text, mesh_config=REGISTRY_ONLY)
    assert found(result, "ML410") == [
        ("external-host-not-in-registry", *at(text, '"istio-system/*.example.com"'))
    ]
    assert "but not in namespace istio-system" in findings(result, "ML410")[0].message


@pytest.mark.parametrize(
    "host", ["*/*.example.com", "./*.example.com", "default/*.example.com", "istio-system/a.b.com"]
)
def test_sidecar_egress_hosts_that_are_covered_or_left_to_the_sidecar_rule(lint_yaml, host):
    result = lint_yaml("sc.yaml", entry("*.example.com") + SIDECAR % host)
    assert found(result, "ML410") == []


@pytest.mark.parametrize(
    "scope",
    [
        "metadata: {name: default, namespace: istio-system}\nspec:",
        "metadata: {name: default, namespace: shop}\nspec:",
        "metadata: {name: api, namespace: shop}\nspec:\n  workloadSelector: {labels: {app: api}}",
    ],
)
def test_mesh_namespace_and_workload_sidecars(lint_yaml, scope):
    text = SIDECAR.replace("metadata: {name: default}\nspec:", scope) % "*/*.googleapis.com"
    for mesh_config, severity in ((REGISTRY_ONLY, Severity.ERROR), (ALLOW_ANY, Severity.INFO)):
        result = lint_yaml("sc.yaml", text, mesh_config=mesh_config)
        assert [f.severity for f in findings(result, "ML410")] == [severity]


def test_egress_gateway_hosts_are_checked_and_ingress_ones_are_not(lint_yaml):
    egress = gateway('"api.example.com"')
    result = lint_yaml("gw.yaml", egress, mesh_config=REGISTRY_ONLY)
    assert found(result, "ML410") == [
        ("external-host-not-in-registry", *at(egress, '"api.example.com"'))
    ]
    ingress = gateway('"api.example.com"', "istio: ingressgateway")
    assert found(lint_yaml("gw.yaml", ingress, mesh_config=REGISTRY_ONLY), "ML410") == []


def test_in_cluster_hosts_are_never_external(lint_yaml):
    text = virtual_service("reviews.default.svc.cluster.local", to("reviews"))
    text += virtual_service("*.local", to("reviews"), name="all")
    assert found(lint_yaml("vs.yaml", text, mesh_config=REGISTRY_ONLY), "ML410") == []


# -- egress-gateway-incomplete -------------------------------------------------------

MESH_TO_EGRESS = f"""\
http:
- match: [{{gateways: [mesh], port: 80}}]
  route:
  - destination: {{host: {EGRESS_SVC}, port: {{number: 80}}}}
- match: [{{gateways: [egress], port: 80}}]
  route:
  - destination: {{host: cnn.com, port: {{number: 80}}}}
"""


def test_complete_egress_pattern_is_clean(lint_yaml):
    text = gateway('"cnn.com"') + virtual_service("cnn.com", MESH_TO_EGRESS, "mesh, egress")
    assert found(lint_yaml("e.yaml", text), "ML481") == []


def test_gateway_without_a_virtual_service(lint_yaml):
    text = gateway('"cnn.com"')
    result = lint_yaml("e.yaml", text, assume_complete=True)
    assert found(result, "ML481") == [("egress-gateway-incomplete", *at(text, '"cnn.com"'))]
    assert (
        "no VirtualService bound to gateway default/egress" in findings(result, "ML481")[0].message
    )


def test_mesh_traffic_sent_straight_to_the_host_bypasses_the_gateway(lint_yaml):
    body = MESH_TO_EGRESS.replace(EGRESS_SVC, "cnn.com")
    text = gateway('"cnn.com"') + virtual_service("cnn.com", body, "mesh, egress")
    result = lint_yaml("e.yaml", text)
    assert found(result, "ML481") == [("egress-gateway-incomplete", *at(text, "cnn.com, port"))]
    assert "bypassing egress gateway" in findings(result, "ML481")[0].message


def test_mesh_route_to_the_egress_gateway_without_a_gateway_for_the_host(lint_yaml):
    text = virtual_service("cnn.com", to(EGRESS_SVC))
    assert found(lint_yaml("e.yaml", text), "ML481") == []  # no egress Gateway among inputs
    result = lint_yaml("e.yaml", text, assume_complete=True)
    assert found(result, "ML481") == [("egress-gateway-incomplete", *at(text, EGRESS_SVC))]


def test_a_wildcard_gateway_server_serves_every_host(lint_yaml):
    text = gateway('"*"') + virtual_service("cnn.com", to(EGRESS_SVC))
    assert found(lint_yaml("e.yaml", text), "ML481") == []


DR_MUTUAL = f"""\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: egress}}
spec:
  host: {EGRESS_SVC}
  subsets:
  - name: cnn
    trafficPolicy:
      portLevelSettings:
      - port: {{number: 443}}
        tls: {{mode: ISTIO_MUTUAL{{sni}}}}
---
"""


@pytest.mark.parametrize(
    ("rules", "expected"),
    [("", "sends ISTIO_MUTUAL"), (DR_MUTUAL.replace("{sni}", ""), "has sni"), (None, None)],
)
def test_an_istio_mutual_server_needs_a_destination_rule_with_sni(lint_yaml, rules, expected):
    if rules is None:
        rules = DR_MUTUAL.replace("{sni}", ", sni: cnn.com")
    text = gateway('"cnn.com"', tls="ISTIO_MUTUAL") + rules
    text += virtual_service("cnn.com", MESH_TO_EGRESS, "mesh, egress")
    result = findings(lint_yaml("e.yaml", text), "ML481")
    assert [expected in f.message for f in result] == ([True] if expected else [])


# -- dr-tls-origination-on-tls-port ---------------------------------------------------

HTTPS_PORTS = "{number: 80, name: http, protocol: HTTP}, {number: 443, name: tls, protocol: TLS}"


def origination(policy: str) -> str:
    return entry("cnn.com", ports=HTTPS_PORTS) + (
        "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: cnn}\n"
        f"spec:\n  host: cnn.com\n  trafficPolicy:\n{policy}"
    )


def test_top_level_origination_reaches_the_tls_port(lint_yaml):
    text = origination("    tls: {mode: SIMPLE}\n")
    result = lint_yaml("o.yaml", text)
    assert found(result, "ML411") == [("dr-tls-origination-on-tls-port", *at(text, "SIMPLE"))]
    assert "port 443 (TLS)" in findings(result, "ML411")[0].message


def test_a_port_level_setting_replaces_the_top_level_one(lint_yaml):
    ports = "    portLevelSettings:\n    - port: {number: 443}\n      tls: {mode: DISABLE}\n"
    text = origination("    tls: {mode: SIMPLE}\n" + ports)
    assert found(lint_yaml("o.yaml", text), "ML411") == []


@pytest.mark.parametrize(("port", "count"), [(80, 0), (443, 1)])
def test_port_level_origination(lint_yaml, port, count):
    ports = f"    portLevelSettings:\n    - port: {{number: {port}}}\n      tls: {{mode: MUTUAL}}\n"
    assert len(found(lint_yaml("o.yaml", origination(ports)), "ML411")) == count


def test_a_port_that_http_routes_send_to_is_meant_for_origination(lint_yaml):
    ports = "    portLevelSettings:\n    - port: {number: 443}\n      tls: {mode: SIMPLE}\n"
    route = "http:\n- route:\n  - destination: {host: cnn.com, port: {number: 443}}\n"
    text = virtual_service("cnn.com", route) + origination(ports)
    assert found(lint_yaml("o.yaml", text), "ML411") == []


# -- route-protocol-mismatch ----------------------------------------------------------


@pytest.mark.parametrize(
    ("protocol", "section", "count"),
    [("HTTPS", "http", 1), ("HTTP", "http", 0), ("HTTP", "tls", 1), ("TLS", "tls", 0)],
)
def test_route_sections_against_service_entry_protocols(lint_yaml, protocol, section, count):
    ports = f"{{number: 443, name: p, protocol: {protocol}}}"
    text = entry("api.example.com", ports=ports)
    text += virtual_service("api.example.com", to("api.example.com", section))
    result = lint_yaml("r.yaml", text)
    assert len(found(result, "ML412")) == count


def test_match_ports_select_the_service_entry_ports(lint_yaml):
    ports = "{number: 80, name: http, protocol: HTTP}, {number: 443, name: https, protocol: HTTPS}"
    text = entry("api.example.com", ports=ports)
    text += virtual_service("api.example.com", to("api.example.com", "http", "{port: 443}"))
    assert len(found(lint_yaml("r.yaml", text), "ML412")) == 1
    fine = text.replace("{port: 443}", "{port: 80}")
    assert found(lint_yaml("r.yaml", fine), "ML412") == []


def test_rules_bound_only_to_a_gateway_are_not_checked(lint_yaml):
    text = entry("api.example.com", ports="{number: 443, name: https, protocol: HTTPS}")
    match = "{gateways: [egress]}"
    text += virtual_service("api.example.com", to("api.example.com", "http", match), "mesh, egress")
    assert found(lint_yaml("r.yaml", text), "ML412") == []


# -- egress-gateway-resolution-none ---------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "count"),
    [
        ("", 1),
        ("  resolution: NONE\n", 1),
        ("  resolution: DNS\n", 0),
        ("  resolution: STATIC\n  endpoints: [{address: 1.2.3.4}]\n", 0),
    ],
)
def test_the_egress_gateway_needs_a_resolvable_service_entry(lint_yaml, extra, count):
    text = entry("cnn.com", extra=extra) + gateway('"cnn.com"')
    text += virtual_service("cnn.com", MESH_TO_EGRESS, "mesh, egress")
    result = lint_yaml("n.yaml", text)
    assert (
        found(result, "ML413")
        == [("egress-gateway-resolution-none", *at(text, "cnn.com, port"))][:count]
    )


def test_sidecar_routes_with_resolution_none_are_fine(lint_yaml):
    text = entry("cnn.com") + virtual_service("cnn.com", to("cnn.com"))
    assert found(lint_yaml("n.yaml", text), "ML413") == []


# -- sidecar-interception-conflict ----------------------------------------------------


def pod(annotations: dict[str, str], labels: str = "app: api") -> str:
    lines = "".join(f'    {k}: "{v}"\n' for k, v in annotations.items())
    return f"""\
apiVersion: v1
kind: Pod
metadata:
  name: api
  labels: {{{labels}}}
  annotations:
{lines}spec:
  containers:
  - name: api
    image: example/api
"""


T = "traffic.sidecar.istio.io/"


@pytest.mark.parametrize(
    ("annotations", "reported"),
    [
        ({T + "excludeInboundPorts": "9090"}, []),
        ({T + "includeInboundPorts": "*", T + "excludeInboundPorts": "9090"}, []),
        ({T + "includeInboundPorts": "8080", T + "excludeInboundPorts": "8080"}, ["excludeIn"]),
        ({T + "includeInboundPorts": "", T + "excludeInboundPorts": "9090"}, ["excludeIn"]),
        (
            {T + "includeOutboundPorts": "5432,6379", T + "excludeOutboundPorts": "6379"},
            ["includeOutboundPorts"],
        ),
        (
            {
                T + "includeOutboundIPRanges": "10.1.0.0/16",
                T + "excludeOutboundIPRanges": "10.0.0.0/8",
            },
            ["includeOutboundIP"],
        ),
        (
            {
                T + "includeOutboundIPRanges": "10.0.0.0/8",
                T + "excludeOutboundIPRanges": "10.1.0.0/16",
            },
            [],
        ),
        (
            {T + "includeOutboundIPRanges": "", T + "excludeOutboundPorts": "25"},
            ["excludeOutboundPorts"],
        ),
        (
            {
                T + "includeOutboundIPRanges": "",
                T + "includeOutboundPorts": "25",
                T + "excludeOutboundIPRanges": "10.0.0.0/8",
            },
            [],
        ),
        ({T + "excludeOutboundIPRanges": "10.0.0"}, []),
    ],
)
def test_interception_annotations(lint_yaml, annotations, reported):
    text = pod(annotations)
    result = lint_yaml("p.yaml", text)
    expected = [("sidecar-interception-conflict", *at(text, T + name)) for name in reported]
    assert found(result, "ML482") == expected


def test_interception_settings_on_a_pod_that_opts_out_of_injection(lint_yaml):
    text = pod({T + "excludeOutboundPorts": "25"}, 'app: api, sidecar.istio.io/inject: "false"')
    result = lint_yaml("p.yaml", text)
    assert found(result, "ML482") == [("sidecar-interception-conflict", *at(text, T))]
