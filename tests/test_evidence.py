"""Evidence-based resolution: a reference is "not found" only when the inputs hold the
place it would be found in; otherwise it is unknown, counted once in the summary.

Each pattern comes from public configs linted file by file: given the YAML alone, no
error or warning; given it with the evidence beside it, the finding.
"""

from __future__ import annotations

import pytest

from conftest import found

VS_TO_REVIEWS = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  gateways: [my-gateway]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
"""
SERVICE_RATINGS = """\
apiVersion: v1
kind: Service
metadata: {name: ratings}
spec:
  selector: {app: ratings}
  ports: [{name: http, port: 9080}]
"""
DR_RATINGS = """\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ratings}
spec:
  host: ratings
"""
OTHER_GATEWAY = """\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: other}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*"]
"""
GATEWAY_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress, namespace: istio-ingress}
spec:
  selector: {matchLabels: {istio: ingress}}
  template:
    metadata: {labels: {istio: ingress}, annotations: {inject.istio.io/templates: gateway}}
    spec:
      containers: [{name: istio-proxy, image: auto}]
"""


def gateway_selecting(value: str) -> str:
    return f"""\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {{name: gw}}
spec:
  selector: {{istio: {value}}}
  servers:
  - port: {{number: 80, name: http, protocol: HTTP}}
    hosts: ["*"]
"""


def severe(result) -> list[str]:
    return sorted({f.rule.id for f in result.findings if f.severity > 1})


def test_a_lone_virtualservice_reports_nothing_it_cannot_check(lint_yaml):
    result = lint_yaml("vs.yaml", VS_TO_REVIEWS)
    assert severe(result) == []
    reasons = {f.unchecked for f in result.unchecked}
    assert reasons == {
        "no Services of namespace default among the inputs",
        "no Gateways of namespace default among the inputs",
    }


def test_a_subset_without_any_destinationrule_among_the_inputs_is_unknown(lint_yaml):
    vs = VS_TO_REVIEWS.replace("host: reviews,", "host: ratings,")
    result = lint_yaml("vs.yaml", vs, "svc.yaml", SERVICE_RATINGS)
    assert "ML104" not in severe(result)
    assert "no DestinationRule for ratings.default.svc.cluster.local among the inputs" in {
        f.unchecked for f in result.unchecked
    }


def test_with_services_gateways_and_rules_of_its_namespace_it_is_reported(lint_yaml):
    result = lint_yaml(
        "vs.yaml", VS_TO_REVIEWS, "svc.yaml", SERVICE_RATINGS, "gw.yaml", OTHER_GATEWAY
    )
    assert severe(result) == ["ML101", "ML105", "ML111"]  # ML111: IST0132, as istioctl
    result = lint_yaml(
        "vs.yaml", VS_TO_REVIEWS.replace("host: reviews,", "host: ratings,"), "dr.yaml", DR_RATINGS
    )
    assert found(result, "ML104") == [("vs-subset-not-found", 9, 44)]


def test_assume_complete_reports_everything_missing(lint_yaml):
    result = lint_yaml("vs.yaml", VS_TO_REVIEWS, assume_complete=True)
    assert severe(result) == ["ML101", "ML105", "ML111"]


def test_context_is_evidence(lint_yaml, tmp_path):
    (tmp_path / "ctx").mkdir()
    (tmp_path / "ctx" / "svc.yaml").write_text(SERVICE_RATINGS)
    result = lint_yaml("vs.yaml", VS_TO_REVIEWS, context=[str(tmp_path / "ctx")])
    assert "ML101" in severe(result)


def test_a_lone_destinationrule_is_unknown_until_services_of_its_namespace_are_given(lint_yaml):
    dr = DR_RATINGS.replace("host: ratings", "host: reviews")
    assert severe(lint_yaml("dr.yaml", dr)) == []
    assert severe(lint_yaml("dr.yaml", dr, "svc.yaml", SERVICE_RATINGS)) == ["ML301"]


def test_a_serviceentry_for_another_host_is_no_evidence_of_kubernetes_services(lint_yaml):
    entry = """\
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ext}
spec:
  hosts: [api.example.com]
  ports: [{number: 443, name: https, protocol: TLS}]
  resolution: DNS
"""
    assert (
        severe(
            lint_yaml(
                "vs.yaml",
                VS_TO_REVIEWS.replace("  gateways: [my-gateway]\n", "").replace(", subset: v1", ""),
                "se.yaml",
                entry,
            )
        )
        == []
    )


def test_external_hosts_need_serviceentries_of_the_referring_namespace(lint_yaml):
    vs = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ext}
spec:
  hosts: [api.example.org]
  http:
  - route:
    - destination: {host: api.example.org}
"""
    entry = """\
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: other}
spec:
  hosts: [other.example.com]
  ports: [{number: 443, name: https, protocol: TLS}]
  resolution: DNS
"""
    assert severe(lint_yaml("vs.yaml", vs)) == []
    assert severe(lint_yaml("vs.yaml", vs, "se.yaml", entry)) == ["ML101"]


def test_a_typo_of_an_assumed_gateway_service_is_reported_without_evidence(lint_yaml):
    vs = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: out}
spec:
  hosts: [example.com]
  http:
  - route:
    - destination: {host: istio-egresgateway.istio-system.svc.cluster.local}
"""
    assert "ML101" in severe(lint_yaml("vs.yaml", vs))


@pytest.mark.parametrize("value", ["eastwestgateway", "ingress", "my-gateway-controller"])
def test_a_gateway_selecting_a_gateway_deployed_elsewhere_is_unknown(lint_yaml, value):
    result = lint_yaml("gw.yaml", gateway_selecting(value))
    assert severe(result) == []
    assert [f.unchecked for f in result.unchecked] == ["no gateway workloads among the inputs"]


def test_a_gateway_selector_one_edit_from_the_default_gateway_is_a_typo(lint_yaml):
    result = lint_yaml("gw.yaml", gateway_selecting("ingresgateway"))
    assert found(result, "ML201") == [("gateway-selector-no-workload", 5, 21)]
    assert 'did you mean "ingressgateway"?' in result.findings[0].message


def test_with_a_gateway_workload_among_the_inputs_a_wrong_selector_is_reported(lint_yaml):
    result = lint_yaml(
        "gw.yaml", gateway_selecting("eastwestgateway"), "dep.yaml", GATEWAY_DEPLOYMENT
    )
    assert severe(result) == ["ML201"]


def test_gateways_declared_in_the_config_are_evidence(lint_yaml, tmp_path):
    from meshlint.mesh.settings import AssumedGateway, GatewayPort, default_gateways

    declared = AssumedGateway(
        "east", "istio-system", {"istio": "east"}, [GatewayPort(80, 80, "http")], declared=True
    )
    result = lint_yaml(
        "gw.yaml",
        gateway_selecting("eastwestgateway"),
        gateways=[*default_gateways(), declared],
    )
    assert severe(result) == ["ML201"]


def test_gateway_api_parents_and_backends_need_objects_of_their_namespace(lint_yaml):
    route = """\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
  parentRefs: [{name: web}]
  rules:
  - backendRefs: [{name: reviews, port: 9080}]
"""
    gateway = """\
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: other}
spec:
  gatewayClassName: istio
  listeners: [{name: http, port: 80, protocol: HTTP}]
"""
    assert severe(lint_yaml("route.yaml", route)) == []
    with_both = lint_yaml("route.yaml", route, "gw.yaml", gateway, "svc.yaml", SERVICE_RATINGS)
    assert {"ML850", "ML852"} <= set(severe(with_both))


def test_sidecar_egress_hosts_need_services_of_their_namespace(lint_yaml):
    sidecar = """\
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default}
spec:
  egress:
  - hosts: [./reviews.default.svc.cluster.local]
"""
    assert severe(lint_yaml("sc.yaml", sidecar)) == []
    assert severe(lint_yaml("sc.yaml", sidecar, "svc.yaml", SERVICE_RATINGS)) == ["ML470"]


def test_an_egress_gateway_without_any_bound_route_among_the_inputs_is_unknown(lint_yaml):
    gateway = """\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: egress}
spec:
  selector: {istio: egressgateway}
  servers:
  - port: {number: 443, name: tls, protocol: TLS}
    hosts: [server.default.svc]
    tls: {mode: ISTIO_MUTUAL}
"""
    assert severe(lint_yaml("gw.yaml", gateway)) == []


def test_the_summary_says_once_what_could_not_be_checked(tmp_path):
    from test_cli import meshlint

    path = tmp_path / "vs.yaml"
    path.write_text(VS_TO_REVIEWS)
    run = meshlint("lint", str(path))
    assert run.returncode == 0
    assert run.stderr.splitlines()[-1] == (
        "3 references could not be checked: no Services of namespace default among the "
        "inputs (2); no Gateways of namespace default among the inputs (1) (lint them "
        "together, add --context, or --assume-complete; --report-unknown lists them)"
    )


def test_objects_istio_would_create_are_no_evidence_of_what_the_inputs_hold(lint_yaml):
    gateway_api = """\
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web}
spec:
  gatewayClassName: istio
  listeners: [{name: http, port: 80, protocol: HTTP}]
"""
    vs = VS_TO_REVIEWS.replace("  gateways: [my-gateway]\n", "").replace(", subset: v1", "")
    result = lint_yaml("gw.yaml", gateway_api, "vs.yaml", vs, "sel.yaml", gateway_selecting("east"))
    assert severe(result) == []


def test_gateways_an_install_spec_declares_are_evidence_of_gateway_workloads(lint_yaml):
    operator = """\
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
spec:
  components:
    ingressGateways:
    - name: istio-ingressgateway
      enabled: true
"""
    result = lint_yaml("iop.yaml", operator, "gw.yaml", gateway_selecting("eastwestgateway"))
    assert severe(result) == ["ML201"]
