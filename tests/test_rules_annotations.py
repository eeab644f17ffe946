"""Istio annotations: known, on the right kind, with valid values, and their maturity."""

from __future__ import annotations

import json
import sys

import pytest

from meshlint.mesh.annotation_values import value_error
from meshlint.mesh.annotations import catalogue, is_istio_annotation

from conftest import REPO, SHARED, found, needs_shared

RULES = ["ML601", "ML602", "ML603", "ML604", "ML605"]


def pod(annotations: str, init: str = "") -> str:
    return f"""\
apiVersion: v1
kind: Pod
metadata:
  name: web
  annotations:
{annotations}
spec:
  containers:
  - name: web
    image: web:v1
{init}"""


def test_unknown_annotation_suggests_the_closest_known_one(lint_yaml):
    result = lint_yaml("a.yaml", pod("    sidecar.istio.io/injct: 'true'"), select=["ML601"])
    assert found(result) == [("annotation-unknown", 6, 5)]
    assert 'did you mean "sidecar.istio.io/inject"' in result.findings[0].message


def test_unknown_annotation_names_a_label_used_as_annotation(lint_yaml):
    result = lint_yaml("a.yaml", pod("    istio.io/dataplane-mode: ambient"), select=["ML601"])
    assert "is an Istio label" in result.findings[0].message


def test_annotations_outside_istio_domains_are_ignored(lint_yaml):
    text = pod("    prometheus.io/scrape: 'true'\n    kubernetes.io/psp: restricted")
    assert found(lint_yaml("a.yaml", text, select=RULES)) == []


def test_pod_annotation_on_a_statefulset_is_misplaced_but_fine_on_its_template(lint_yaml):
    text = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  annotations:
    sidecar.istio.io/proxyCPU: 200m
spec:
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
      annotations:
        sidecar.istio.io/proxyCPU: 200m
    spec:
      containers:
      - {name: db, image: db:v1}
"""
    result = lint_yaml("a.yaml", text, select=["ML602"])
    assert found(result) == [("annotation-misplaced", 6, 5)]
    assert "move it to spec.template.metadata.annotations" in result.findings[0].message


def test_any_kind_annotations_are_never_misplaced(lint_yaml):
    text = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  annotations:
    galley.istio.io/analyze-suppress: IST0102
"""
    assert found(lint_yaml("a.yaml", text, select=["ML602"])) == []


def test_istio_gateways_are_not_checked_like_gateway_api_ones(lint_yaml):
    text = """\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: gw
  annotations:
    networking.istio.io/exportToo: "."
spec:
  selector: {istio: ingressgateway}
  servers: []
"""
    assert found(lint_yaml("a.yaml", text, select=RULES)) == []


def test_invalid_value_points_at_the_value(lint_yaml):
    text = pod("    sidecar.istio.io/interceptionMode: redirect")
    result = lint_yaml("a.yaml", text, select=["ML603"])
    assert found(result) == [("annotation-invalid-value", 6, 40)]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("sidecar.istio.io/interceptionMode", "TPROXY"),
        ("status.sidecar.istio.io/port", " 15020"),
        ("status.sidecar.istio.io/port", "0"),
        ("readiness.status.sidecar.istio.io/periodSeconds", "4294967295"),
        ("traffic.sidecar.istio.io/includeOutboundIPRanges", "*"),
        ("traffic.sidecar.istio.io/includeOutboundIPRanges", "10.0.0.0/8,fd00::/8"),
        ("traffic.sidecar.istio.io/excludeOutboundIPRanges", ""),
        ("traffic.sidecar.istio.io/includeInboundPorts", "*"),
        ("traffic.sidecar.istio.io/includeInboundPorts", ""),
        ("traffic.sidecar.istio.io/excludeInboundPorts", "15020, 8080"),
        ("prometheus.istio.io/merge-metrics", "False"),
        ("proxy.istio.io/config", "{}"),
        ("proxy.istio.io/config", "holdApplicationUntilProxyStarts: true\nconcurrency: 2"),
        ("proxy.istio.io/config", "terminationDrainDuration: 30s\ndrain_duration: 1m"),
        ("proxy.istio.io/config", "image:\n  imageType: distroless"),
    ],
)
def test_values_the_injector_accepts(name, value):
    assert value_error(name, value) is None


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("sidecar.istio.io/interceptionMode", "redirect", "not an interception mode"),
        ("status.sidecar.istio.io/port", "65536", "out of range"),
        ("readiness.status.sidecar.istio.io/failureThreshold", "-1", "not an unsigned"),
        ("readiness.status.sidecar.istio.io/periodSeconds", "+5", "not an unsigned"),
        ("traffic.sidecar.istio.io/includeOutboundIPRanges", "10.0.0.0/8, 10.1.0.0/16", "not"),
        ("traffic.sidecar.istio.io/excludeOutboundIPRanges", "*", "not a CIDR"),
        ("traffic.sidecar.istio.io/excludeOutboundPorts", "80,http", "failed parsing port"),
        ("prometheus.istio.io/merge-metrics", "yes", "not a boolean"),
        ("proxy.istio.io/config", "a: [", "not valid YAML"),
        ("proxy.istio.io/config", "- 1", "must be a mapping"),
        ("proxy.istio.io/config", "drainDuration: 500ms", "second precision"),
        ("proxy.istio.io/config", "terminationDrainDuration: soon", "not a duration"),
        ("proxy.istio.io/config", "discoveryAddress: istiod:port", "discoveryAddress"),
        ("proxy.istio.io/config", "statusPort: 0", "between 1 and 65535"),
        ("proxy.istio.io/config", "concurrency: two", "must be an integer"),
        ("proxy.istio.io/config", "controlPlaneAuthPolicy: INHERIT", "NONE or MUTUAL_TLS"),
    ],
)
def test_values_the_injector_rejects(name, value, problem):
    assert problem in (value_error(name, value) or "")


def test_misplaced_annotations_are_not_value_checked(lint_yaml):
    text = """\
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    sidecar.istio.io/interceptionMode: bogus
spec:
  ports: [{name: http, port: 80}]
"""
    result = lint_yaml("a.yaml", text, select=["ML602", "ML603"])
    assert found(result) == [("annotation-misplaced", 6, 5)]


def test_deprecated_inject_annotation_next_to_the_label_is_left_alone(lint_yaml):
    text = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    sidecar.istio.io/inject: "false"
  annotations:
    sidecar.istio.io/inject: "false"
spec:
  containers: [{name: web, image: web:v1}]
"""
    assert found(lint_yaml("a.yaml", text, select=["ML604"])) == []


CNI_ANNOTATIONS = "    sidecar.istio.io/interceptionMode: REDIRECT\n    istio.io/rev: canary"


def test_alpha_skips_what_the_injector_wrote_on_a_cni_pod(lint_yaml):
    assert found(lint_yaml("a.yaml", pod(CNI_ANNOTATIONS), select=["ML605"])) == []


def test_alpha_reports_redirection_annotations_on_a_pod_with_istio_init(lint_yaml):
    init = "  initContainers:\n  - {name: istio-init, image: proxyv2}\n"
    result = lint_yaml("a.yaml", pod(CNI_ANNOTATIONS, init), select=["ML605"])
    assert found(result) == [("annotation-alpha", 6, 5)]


def test_alpha_reports_user_written_annotations_on_pod_templates(lint_yaml):
    text = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
      annotations:
        sidecar.istio.io/interceptionMode: TPROXY
    spec:
      containers: [{name: web, image: web:v1}]
"""
    result = lint_yaml("a.yaml", text, select=["ML605"])
    assert found(result) == [("annotation-alpha", 12, 9)]


def test_istio_domain_detection():
    assert is_istio_annotation("sidecar.istio.io/inject")
    assert is_istio_annotation("istio.io/rev")
    assert is_istio_annotation("kubernetes.io/ingress.class")
    assert not is_istio_annotation("istio.io")
    assert not is_istio_annotation("example.com/istio.io")


def test_catalogue_treats_a_missing_feature_status_as_alpha():
    entry = catalogue().annotations["traffic.sidecar.istio.io/includeInboundPorts"]
    assert entry.alpha and entry.resources == ("Pod",)


@needs_shared()
def test_committed_catalogue_is_what_the_generator_produces():
    sys.path.insert(0, str(REPO / "tools"))
    import gen_annotations

    committed = json.loads((REPO / "meshlint" / "data" / gen_annotations.FILE_NAME).read_text())
    assert committed == gen_annotations.build(SHARED)
