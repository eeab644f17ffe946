"""Telemetry rules: selectors, namespace defaults, and providers from the mesh config."""

from __future__ import annotations

from meshlint.mesh.settings import DEFAULT_MESH_CONFIG, layer

from conftest import at, found

REVIEWS = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: reviews
spec:
  selector:
    matchLabels: {app: reviews}
  template:
    metadata:
      labels: {app: reviews, version: v2}
    spec:
      containers:
      - name: reviews
        image: bookinfo/reviews
"""


def telemetry(name: str, spec: str, namespace: str = "default") -> str:
    return f"""\
---
apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata:
  name: {name}
  namespace: {namespace}
spec:
{spec}"""


SELECT_APP = "  selector:\n    matchLabels: {app: reviews}\n"
SELECT_VERSION = "  selector:\n    matchLabels: {version: v2}\n"
LOGS = "  accessLogging:\n  - providers:\n    - name: envoy\n"


def test_selector_matching_a_pod_template_is_fine(lint_yaml):
    text = REVIEWS + telemetry("reviews", SELECT_APP + LOGS)
    assert found(lint_yaml("t.yaml", text), "ML901") == []


def test_selector_typo_is_reported_at_the_label(lint_yaml):
    text = REVIEWS + telemetry("reviews", "  selector:\n    matchLabels: {app: review}\n")
    result = lint_yaml("t.yaml", text)
    assert found(result, "ML901") == [("telemetry-selector-no-workload", *at(text, "review}"))]


def test_selector_into_a_namespace_without_workloads_is_unknown(lint_yaml):
    text = REVIEWS + telemetry("reviews", SELECT_APP, namespace="other")
    assert found(lint_yaml("t.yaml", text), "ML901") == []
    assert found(lint_yaml("t.yaml", text, assume_complete=True), "ML901") != []


def test_two_telemetries_selecting_one_workload_conflict(lint_yaml):
    text = REVIEWS + telemetry("by-app", SELECT_APP) + telemetry("by-version", SELECT_VERSION)
    result = lint_yaml("t.yaml", text)
    assert found(result, "ML902") == [
        ("telemetry-selector-conflict", *at(text, "matchLabels: {app", 2)),
        ("telemetry-selector-conflict", *at(text, "matchLabels: {version")),
    ]


def test_telemetries_attached_by_target_refs_are_not_selector_conflicts(lint_yaml):
    refs = "  targetRefs:\n  - {kind: Gateway, group: gateway.networking.k8s.io, name: web}\n"
    text = REVIEWS + telemetry("a", SELECT_APP) + telemetry("b", SELECT_VERSION + refs)
    assert found(lint_yaml("t.yaml", text), "ML902") == []


def test_two_namespace_wide_telemetries_conflict(lint_yaml):
    text = telemetry("metrics", LOGS) + telemetry("logs", LOGS) + telemetry("x", LOGS, "other")
    assert found(lint_yaml("t.yaml", text), "ML903") == [
        ("telemetry-multiple-namespace-wide", *at(text, "metrics")),
        ("telemetry-multiple-namespace-wide", *at(text, "logs\n")),
    ]


def test_target_ref_telemetries_are_not_namespace_wide(lint_yaml):
    refs = "  targetRefs:\n  - {kind: Service, group: '', name: reviews}\n"
    text = telemetry("a", LOGS) + telemetry("b", refs + LOGS)
    assert found(lint_yaml("t.yaml", text), "ML903") == []


ACCESS_LOGS = telemetry(
    "mesh-default",
    "  accessLogging:\n  - disabled: true\n  - filter:\n      expression: response.code >= 500\n",
    namespace="istio-system",
)


def test_access_logging_without_provider_needs_a_default_provider(lint_yaml):
    result = lint_yaml("t.yaml", ACCESS_LOGS)
    assert found(result, "ML904") == [
        ("telemetry-access-log-no-provider", *at(ACCESS_LOGS, "filter"))
    ]


def test_default_provider_from_mesh_config_flag_or_istio_configmap(lint_yaml):
    defaults = {"defaultProviders": {"accessLogging": ["envoy"]}}
    config = layer(DEFAULT_MESH_CONFIG, defaults)
    assert found(lint_yaml("t.yaml", ACCESS_LOGS, mesh_config=config), "ML904") == []
    configmap = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: istio
  namespace: istio-system
data:
  mesh: |
    defaultProviders:
      accessLogging: [envoy]
"""
    assert found(lint_yaml("t.yaml", configmap + ACCESS_LOGS), "ML904") == []


def test_lightstep_tracing_provider_from_the_mesh_config(lint_yaml):
    provider = {"name": "ls", "lightstep": {"service": "ls.monitoring", "port": 443}}
    config = layer(DEFAULT_MESH_CONFIG, {"extensionProviders": [provider]})
    text = telemetry("tracing", "  tracing:\n  - providers:\n    - name: zipkin\n    - name: ls\n")
    result = lint_yaml("t.yaml", text, mesh_config=config)
    assert found(result, "ML905") == [("telemetry-lightstep-provider", *at(text, "ls\n"))]
    assert found(lint_yaml("t.yaml", text), "ML905") == []
