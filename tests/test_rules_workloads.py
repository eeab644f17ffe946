"""Workloads, Services and injection: what offline manifests can tell, without false alarms
on ordinary repositories (no Namespace objects, pod templates before injection)."""

from __future__ import annotations

import pytest

from meshlint.mesh.protocols import UNSUPPORTED, service_port_protocol
from meshlint.pipeline.lint import LintOptions, lint

from conftest import SHARED, found, needs_shared

SHOP_INJECTED = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio-injection: enabled}
"""


DEFAULT_SPEC = "      containers:\n      - {name: app, image: app:v1}"


def deployment(name: str = "cart", labels: str = "{app: cart}", spec: str = "") -> str:
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: shop
spec:
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {labels}
    spec:
{spec or DEFAULT_SPEC}
"""


def service(name: str, ports: str, selector: str = "{app: cart}", extra: str = "") -> str:
    return f"""\
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: shop
spec:
  selector: {selector}
{extra}  ports: {ports}
"""


# -- application UID -------------------------------------------------------------------


def test_uid_1337_in_init_containers_and_the_proxy_is_allowed(lint_yaml):
    spec = """\
      initContainers:
      - {name: setup, image: setup:v1, securityContext: {runAsUser: 1337}}
      containers:
      - {name: app, image: app:v1}
      - {name: istio-proxy, image: proxyv2, securityContext: {runAsUser: 1337}}"""
    assert found(lint_yaml("a.yaml", deployment(spec=spec), select=["ML610"])) == []


def test_uid_1337_is_reported_once_per_workload_at_the_first_field(lint_yaml):
    spec = """\
      securityContext: {runAsUser: 1337}
      containers:
      - {name: app, image: app:v1, securityContext: {runAsUser: 1337}}"""
    result = lint_yaml("a.yaml", deployment(spec=spec), select=["ML610"])
    assert found(result) == [("application-uid-1337", 13, 36)]
    assert len(result.findings[0].related) == 1


def test_uid_1337_skips_control_plane_and_opted_out_workloads(lint_yaml):
    spec = "      securityContext: {runAsUser: 1337}\n      containers: [{name: a, image: a}]"
    opted_out = deployment(labels='{app: cart, sidecar.istio.io/inject: "false"}', spec=spec)
    control = deployment(name="istiod", labels="{app: istiod, istio: pilot}", spec=spec)
    result = lint_yaml("a.yaml", opted_out, "b.yaml", control, select=["ML610"])
    assert found(result) == []


# -- Services selecting one workload -----------------------------------------------------


def test_service_conflicts_need_the_workload_to_be_in_the_mesh(lint_yaml):
    files = (
        "d.yaml",
        deployment(),
        "s.yaml",
        service("a", "[{name: http, port: 80}]")
        + "---\n"
        + service("b", "[{name: tcp, port: 80}]"),
    )
    assert found(lint_yaml(*files, select=["ML611"])) == []
    result = lint_yaml(*files, "ns.yaml", SHOP_INJECTED, select=["ML611"])
    assert found(result) == [("services-port-protocol-conflict", 11, 15)]


def test_opting_in_puts_a_workload_in_the_mesh_without_a_namespace_object(lint_yaml):
    text = deployment(labels='{app: cart, sidecar.istio.io/inject: "true"}')
    services = service("a", "[{port: 80, targetPort: 8080}]") + "---\n"
    services += service("b", "[{port: 81, targetPort: 8080}]")
    result = lint_yaml("d.yaml", text, "s.yaml", services, select=["ML612"])
    assert found(result) == [("services-target-port-conflict", 11, 15)]
    assert "targetPort 8080 through different ports: 80 (a), 81 (b)" in result.findings[0].message


def test_services_agreeing_on_protocol_or_in_other_namespaces_do_not_conflict(lint_yaml):
    same = service("a", "[{name: http, port: 80}]") + "---\n"
    same += service("b", "[{name: http-legacy, port: 80}]") + "---\n"
    same += service("headless", "[{port: 80}]", extra="  clusterIP: None\n")
    other = service("c", "[{name: tcp, port: 80}]").replace("namespace: shop", "namespace: x")
    files = ("ns.yaml", SHOP_INJECTED, "d.yaml", deployment(), "s.yaml", same, "o.yaml", other)
    assert found(lint_yaml(*files, select=["ML611", "ML612"])) == []


@pytest.mark.parametrize(
    ("port", "name", "l4", "app", "protocol"),
    [
        (80, "http", "TCP", None, "HTTP"),
        (80, "HTTP2-web", "TCP", None, "HTTP2"),
        (80, "grpc-web-ui", "TCP", None, "GRPC-Web"),
        (80, "web", "TCP", "kubernetes.io/h2c", "HTTP2"),
        (80, "http", "TCP", "tcp", "TCP"),
        (53, "dns", "UDP", None, "UDP"),
        (3306, "", "TCP", None, "TCP"),
        (8080, "", "TCP", None, UNSUPPORTED),
    ],
)
def test_service_port_protocol_follows_istio(port, name, l4, app, protocol):
    assert service_port_protocol(port, name, l4, app) == protocol


# -- Service port names ------------------------------------------------------------------


def test_port_name_rules_accept_protocol_names_udp_and_well_known_ports(lint_yaml):
    ports = """
  - {name: http-web, port: 80}
  - {port: 53, protocol: UDP}
  - {port: 3306}
  - {name: web, port: 8443, appProtocol: kubernetes.io/wss}"""
    text = service("db", "", extra="").replace("ports: ", "ports:") + ports.lstrip("\n")
    assert found(lint_yaml("a.yaml", text, select=["ML620", "ML621", "ML622"])) == []


def test_unknown_app_protocol_is_reported_instead_of_the_name(lint_yaml):
    text = service("db", "[{name: web, port: 80, appProtocol: htttp}]")
    result = lint_yaml("a.yaml", text, select=["ML620", "ML621"])
    assert [f[0] for f in found(result)] == ["service-app-protocol-unknown"]
    assert 'did you mean "http"' in result.findings[0].message


def test_gateway_managed_and_system_services_are_skipped(lint_yaml):
    managed = service("gw", "[{name: mesh, port: 15008, appProtocol: hbone}]")
    managed = managed.replace(
        "  namespace: shop",
        "  namespace: shop\n  labels:\n    gateway.istio.io/managed: istio.io-mesh-controller",
    )
    system = service("dns", "[{port: 9153}]").replace("namespace: shop", "namespace: kube-system")
    result = lint_yaml("a.yaml", managed, "b.yaml", system, select=["ML620", "ML621"])
    assert found(result) == []


# -- injection ---------------------------------------------------------------------------


def test_no_namespace_findings_for_namespaces_only_inferred_from_resources(lint_yaml):
    result = lint_yaml("d.yaml", deployment(), select=["ML630", "ML631", "ML632", "ML633"])
    assert found(result) == []


def test_namespace_not_injected_skips_system_root_and_ambient_namespaces(lint_yaml):
    text = "\n---\n".join(
        f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}{labels}"
        for name, labels in [
            ("istio-system", ""),
            ("kube-system", ""),
            ("mesh", "\n  labels: {istio.io/dataplane-mode: ambient}"),
            ("plain", ""),
        ]
    )
    assert found(lint_yaml("a.yaml", text, select=["ML630"])) == [("namespace-not-injected", 20, 9)]


def test_pod_templates_never_miss_the_proxy_but_pods_do(lint_yaml):
    pod = """\
apiVersion: v1
kind: Pod
metadata:
  name: cart-1
  namespace: shop
spec:
  containers:
  - {name: app, image: app:v1}
---
apiVersion: v1
kind: Pod
metadata:
  name: node-agent
  namespace: shop
spec:
  hostNetwork: true
  containers:
  - {name: app, image: app:v1}
"""
    files = ("ns.yaml", SHOP_INJECTED, "d.yaml", deployment(), "p.yaml", pod)
    assert found(lint_yaml(*files, select=["ML631"])) == [("pod-missing-proxy", 7, 3)]


def test_native_sidecar_counts_as_the_proxy(lint_yaml):
    pod = """\
apiVersion: v1
kind: Pod
metadata:
  name: cart-1
  namespace: shop
spec:
  initContainers:
  - {name: istio-proxy, image: proxyv2:1.24.0, restartPolicy: Always}
  containers:
  - {name: app, image: app:v1}
"""
    assert found(lint_yaml("ns.yaml", SHOP_INJECTED, "p.yaml", pod, select=["ML631"])) == []


AUTO = """\
      containers:
      - {name: istio-proxy, image: auto}"""


def test_image_auto_is_unknown_when_the_namespace_is_not_in_the_files(lint_yaml):
    result = lint_yaml("d.yaml", deployment(spec=AUTO), select=["ML635"])
    assert found(result) == []
    complete = lint_yaml("d.yaml", deployment(spec=AUTO), select=["ML635"], assume_complete=True)
    assert found(complete) == [("image-auto-not-injected", 14, 36)]


def test_image_auto_uses_the_injector_webhooks_in_the_files(lint_yaml):
    webhook = """\
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: istio-sidecar-injector
webhooks:
- name: gateway.sidecar-injector.istio.io
  clientConfig: {url: "https://istiod.example.com/inject"}
  objectSelector:
    matchExpressions:
    - {key: app, operator: In, values: [cart]}
"""
    result = lint_yaml("d.yaml", deployment(spec=AUTO), "w.yaml", webhook, select=["ML635"])
    assert found(result) == []


def test_pod_image_auto_is_reported_when_read_back_from_a_cluster(lint_yaml):
    pod = """\
apiVersion: v1
kind: Pod
metadata:
  name: gw-1
  namespace: shop
spec:
  containers:
  - {name: istio-proxy, image: auto}
status:
  phase: Pending
"""
    files = ("ns.yaml", SHOP_INJECTED, "p.yaml", pod)
    assert found(lint_yaml(*files, select=["ML636"])) == [("pod-image-auto-not-injected", 8, 32)]


# -- webhooks ----------------------------------------------------------------------------

INJECTOR = """\
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: istio-sidecar-injector
webhooks:
- name: rev.namespace.sidecar-injector.istio.io
  clientConfig:
    service: {name: istiod-canary, namespace: istio-system}
  namespaceSelector:
    matchExpressions:
    - {key: istio.io/rev, operator: In, values: [canary]}
    - {key: istio-injection, operator: DoesNotExist}
- name: namespace.sidecar-injector.istio.io
  clientConfig:
    service: {name: istiod, namespace: istio-system}
  namespaceSelector:
    matchExpressions:
    - {key: istio-injection, operator: In, values: [enabled]}
"""


def test_revisioned_injector_webhooks_do_not_overlap(lint_yaml):
    assert found(lint_yaml("w.yaml", INJECTOR, select=["ML640"])) == []


def test_injector_service_is_unknown_until_its_namespace_is_seen(lint_yaml):
    assert found(lint_yaml("w.yaml", INJECTOR, select=["ML641"])) == []
    istiod = "apiVersion: v1\nkind: Service\nmetadata:\n  name: istiod\n  namespace: istio-system\n"
    result = lint_yaml("w.yaml", INJECTOR, "s.yaml", istiod, select=["ML641"])
    assert found(result) == [("injector-webhook-service-missing", 8, 21)]


def test_external_control_plane_url_with_a_bad_port(lint_yaml):
    text = """\
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: istio-validator-external-istiod
webhooks:
- name: rev.validation.istio.io
  clientConfig:
    url: https://istiod.example.com:port/validate
"""
    result = lint_yaml("w.yaml", text, select=["ML642", "ML643"])
    assert found(result) == [("external-control-plane-url-invalid", 8, 10)]


# -- istiod and status -------------------------------------------------------------------


def test_inline_jwks_make_istiod_fetch_nothing(lint_yaml):
    text = """\
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata:
  name: jwt
spec:
  jwtRules:
  - issuer: https://example.com
    jwks: '{"keys": []}'
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: istiod
  labels: {app: istiod}
spec:
  template:
    spec:
      containers: [{name: discovery, image: pilot}]
"""
    assert found(lint_yaml("a.yaml", text, select=["ML613"])) == []


def test_conditions_of_other_controllers_and_istio_gateways_are_ignored(lint_yaml):
    text = """\
apiVersion: v1
kind: Service
metadata:
  name: web
status:
  conditions:
  - {type: argocd.argoproj.io/Synced, status: "False"}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: gw
status:
  conditions:
  - {type: Accepted, status: "False"}
"""
    assert found(lint_yaml("a.yaml", text, select=["ML650"])) == []


# -- reference application ---------------------------------------------------------------


@needs_shared()
def test_bookinfo_has_no_workload_or_annotation_findings():
    bookinfo = SHARED / "reference" / "samples" / "bookinfo"
    result = lint(LintOptions(paths=[str(bookinfo)], select=["ML6"]))
    assert [(f.rule.id, f.message) for f in result.findings] == []
