"""Patterns seen in public configs that Istio and Kubernetes accept (issue 17, sections 2
and 3): each alone gives no error or warning; with the context that makes it wrong, the
finding comes back."""

from __future__ import annotations

from meshlint.engine.finding import Severity
from meshlint.loader.patches import looks_like_patch
from meshlint.model import Resource

from conftest import found

PATCH = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: flagger
spec:
  template:
    spec:
      containers:
        - name: flagger
          args: [-mesh-provider=istio]
"""


def reported(result, rule: str) -> list[tuple[str, int, int]]:
    """Error and warning findings of one rule."""
    return [
        (f.rule.name, f.location.line, f.location.column)
        for f in result.findings
        if rule in (f.rule.id, f.rule.name) and f.severity >= Severity.WARNING
    ]


# -- kustomize patches ------------------------------------------------------------------


def test_patch_fragment_alone_is_not_asked_for_required_fields(lint_yaml):
    assert found(lint_yaml("patch.yaml", PATCH), "ML701") == []


def test_deployment_missing_only_its_selector_is_still_rejected(lint_yaml):
    whole = PATCH.replace(
        "  template:\n", "  template:\n    metadata:\n      labels: {app: flagger}\n"
    ).replace("args: [-mesh-provider=istio]", "image: ghcr.io/fluxcd/flagger:1.0")
    assert found(lint_yaml("deploy.yaml", whole), "ML701") == [("schema-violation", 5, 1)]


def test_file_a_kustomization_lists_as_a_patch_is_partial(lint_yaml):
    labelled = PATCH.replace(
        "  template:\n", "  template:\n    metadata:\n      labels: {app: flagger}\n"
    )
    kustomization = """\
        resources: [../base]
        patches:
          - path: patch.yaml
            target: {kind: Deployment}
        """
    assert found(lint_yaml("patch.yaml", labelled), "ML701") == [("schema-violation", 5, 1)]
    result = lint_yaml("patch.yaml", labelled, "kustomization.yaml", kustomization)
    assert found(result, "ML701") == []


def test_patch_directive_marks_a_fragment(lint_yaml):
    text = """\
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          ports:
            - $patch: replace
            - name: http
        """
    assert found(lint_yaml("svc.yaml", text), "ML701") == []


def test_a_patch_directive_counts_down_to_32_levels_below_the_root():
    def with_directive(levels: int) -> Resource:
        value: object = {"$patch": "delete"}
        for level in range(levels):
            value = [value] if level % 2 else {"spec": value}
        return Resource("v1", "ConfigMap", "shop", "web", value, "cm.yaml")

    assert looks_like_patch(with_directive(32))
    assert not looks_like_patch(with_directive(33))


# -- ML787 DENY with only HTTP fields ---------------------------------------------------

DENY_ADMIN = """\
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: deny-admin
spec:
  selector:
    matchLabels: {app: db}
  action: DENY
  rules:
  - to:
    - operation:
        paths: [/admin/*]
"""

DB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: db
spec:
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
      - name: db
        image: db:1
---
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  selector: {app: db}
  ports:
  - name: PORT_NAME
    port: 5432
"""


def test_http_only_deny_alone_is_info(lint_yaml):
    result = lint_yaml("deny.yaml", DENY_ADMIN)
    assert reported(result, "ML787") == []
    assert found(result, "ML787") == [("authz-deny-http-only", 10, 5)]


def test_http_only_deny_on_http_workload_is_info(lint_yaml):
    result = lint_yaml("deny.yaml", DENY_ADMIN, "db.yaml", DB.replace("PORT_NAME", "http-web"))
    assert reported(result, "ML787") == []


def test_http_only_deny_on_a_tcp_workload_warns(lint_yaml):
    result = lint_yaml("deny.yaml", DENY_ADMIN, "db.yaml", DB.replace("PORT_NAME", "tcp-pg"))
    assert reported(result, "ML787") == [("authz-deny-http-only", 10, 5)]
    message = next(f.message for f in result.findings if f.rule.id == "ML787")
    assert "Deployment default/db serves TCP port 5432 of Service default/db" in message


# -- ML310/ML311 TLS without caCertificates ---------------------------------------------

TLS_DR = """\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: wiki
spec:
  host: en.wikipedia.org
  trafficPolicy:
    tls:
      mode: SIMPLE
    portLevelSettings:
    - port: {number: 8443}
      tls:
        mode: SIMPLE
"""


def test_tls_without_ca_is_verified_against_system_cas(lint_yaml):
    result = lint_yaml("dr.yaml", TLS_DR)
    assert reported(result, "ML310") == reported(result, "ML311") == []
    notes = [f for f in result.findings if f.rule.id in ("ML310", "ML311")]
    assert [(f.rule.id, f.location.line) for f in notes] == [("ML310", 9), ("ML311", 13)]
    assert all("system CA bundle" in f.message for f in notes)


def test_tls_with_insecure_skip_verify_warns(lint_yaml):
    skip = "insecureSkipVerify: true"
    insecure = TLS_DR.replace(
        "      mode: SIMPLE\n    port", f"      mode: SIMPLE\n      {skip}\n    port"
    ).replace("        mode: SIMPLE\n", f"        mode: SIMPLE\n        {skip}\n")
    result = lint_yaml("dr.yaml", insecure)
    assert reported(result, "ML310") == [("dr-tls-no-ca-certificates", 10, 27)]
    assert reported(result, "ML311") == [("dr-port-tls-no-ca-certificates", 15, 29)]


# -- IstioOperator install specs and the gateways they declare --------------------------

OPERATOR = """\
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
spec:
  profile: default
  components:
    ingressGateways:
    - name: istio-ingressgateway
      enabled: true
    - name: ilb-gateway
      namespace: ilb
      enabled: true
      label:
        istio: ilbgateway
      k8s:
        service:
          ports:
          - port: 8060
            targetPort: 8060
            name: tcp-citadel-grpc-tls
"""

ILB_GATEWAY = """\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: ilb
  namespace: ilb
spec:
  selector:
    istio: ilbgateway
  servers:
  - port: {number: PORT, name: tls, protocol: TLS}
    hosts: ["*"]
    tls: {mode: PASSTHROUGH}
"""


def test_install_spec_without_metadata_is_linted_not_skipped(lint_yaml):
    result = lint_yaml("install.yaml", OPERATOR)
    assert found(result) == []
    assert [r.ref for r in result.mesh.of_kind("IstioOperator")] == [
        "IstioOperator istio-system/installed-state"
    ]


def test_install_spec_with_metadata_but_no_name_is_linted_too(lint_yaml):
    """istioctl install -f reads a spec that only names its namespace (Istio's SPIRE
    sample does so)."""
    text = OPERATOR.replace("spec:\n", "metadata:\n  namespace: istio-system\nspec:\n", 1)
    result = lint_yaml("install.yaml", text)
    assert found(result) == []
    assert [r.ref for r in result.mesh.of_kind("IstioOperator")] == [
        "IstioOperator istio-system/installed-state"
    ]


def test_install_spec_unknown_fields_are_warnings(lint_yaml):
    text = OPERATOR.replace(
        "      enabled: true\n    - name: ilb", "      replicas: 2\n    - name: ilb"
    )
    result = lint_yaml(
        "install.yaml", text.replace("  profile: default\n", "  addonComponents: {}\n")
    )
    assert reported(result, "ML708") == [
        ("istio-operator-field", 4, 3),
        ("istio-operator-field", 8, 7),
    ]


def test_gateway_declared_by_install_spec_is_a_workload_and_service(lint_yaml):
    gateway = ILB_GATEWAY.replace("PORT", "8060")
    assert reported(lint_yaml("gw.yaml", gateway), "ML201") == []  # no gateway workloads
    assert reported(lint_yaml("gw.yaml", gateway, assume_complete=True), "ML201") == [
        ("gateway-selector-no-workload", 8, 12)
    ]
    together = lint_yaml("gw.yaml", gateway, "install.yaml", OPERATOR)
    assert [f for f in together.findings if f.severity >= Severity.WARNING] == []
    wrong_port = ILB_GATEWAY.replace("PORT", "8061")
    result = lint_yaml("gw.yaml", wrong_port, "install.yaml", OPERATOR)
    assert reported(result, "ML202") == [("gateway-port-not-on-service", 10, 20)]


# -- Gateway API gateways Istio deploys --------------------------------------------------

K8S_GATEWAY = """\
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: gateway
  namespace: istio-ingress
spec:
  gatewayClassName: istio
  listeners:
  - name: default
    hostname: "*.example.com"
    port: 80
    protocol: HTTP
"""

TO_GATEWAY = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: to-gateway
  namespace: istio-ingress
spec:
  hosts: [HOST]
  http:
  - route:
    - destination:
        host: HOST
        port: {number: 80}
"""


def test_service_istio_creates_for_a_gateway_api_gateway_is_found(lint_yaml):
    to_service = TO_GATEWAY.replace("HOST", "gateway-istio.istio-ingress.svc.cluster.local")
    result = lint_yaml("vs.yaml", to_service, "gw.yaml", K8S_GATEWAY)
    assert reported(result, "ML101") == reported(result, "ML102") == []
    typo = TO_GATEWAY.replace("HOST", "gateway-isito.istio-ingress.svc.cluster.local")
    result = lint_yaml("vs.yaml", typo, "gw.yaml", K8S_GATEWAY)
    assert reported(result, "ML101") == [("vs-destination-host-not-found", 11, 15)]


def test_waypoint_service_is_named_after_the_gateway(lint_yaml):
    waypoint = K8S_GATEWAY.replace("gatewayClassName: istio", "gatewayClassName: istio-waypoint")
    to_service = TO_GATEWAY.replace("HOST", "gateway.istio-ingress.svc.cluster.local")
    result = lint_yaml("vs.yaml", to_service, "gw.yaml", waypoint)
    assert reported(result, "ML101") == []
    names = {r.name for r in result.mesh.of_kind("Service")}
    assert "gateway" in names and "gateway-istio-waypoint" not in names


# -- ML351 label-less subsets of an egress gateway's DestinationRule ----------------------

EGRESS_DR = """\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: egressgateway-for-cnn
spec:
  host: HOST
  subsets:
  - name: cnn
"""


def test_label_less_subset_for_the_egress_gateway_is_the_documented_pattern(lint_yaml):
    host = "istio-egressgateway.istio-system.svc.cluster.local"
    assert found(lint_yaml("dr.yaml", EGRESS_DR.replace("HOST", host)), "ML351") == []
    result = lint_yaml("dr.yaml", EGRESS_DR.replace("HOST", "reviews"))
    assert reported(result, "ML351") == [("dr-subset-without-labels", 8, 11)]


# -- ML554/ML555 DISABLE towards an ExternalName Service ---------------------------------

STRICT_MESH = """\
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls: {mode: STRICT}
---
apiVersion: v1
kind: Service
metadata:
  name: my-db
spec:
  TYPE
  ports: [{name: tcp, port: 5432}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: my-db
spec:
  host: my-db.default.svc.cluster.local
  trafficPolicy:
    tls:
      mode: DISABLE
"""


def test_plaintext_to_an_external_name_service_contradicts_no_strict_policy(lint_yaml):
    external = STRICT_MESH.replace("TYPE", "type: ExternalName\n  externalName: db.example.com")
    assert found(lint_yaml("a.yaml", external), "ML555") == []
    in_mesh = STRICT_MESH.replace("TYPE", "selector: {app: db}")
    workload = DB.split("---")[0]
    result = lint_yaml("a.yaml", in_mesh, "db.yaml", workload)
    assert reported(result, "ML555") == [("dr-tls-disabled-mesh-strict", 25, 13)]


# -- ML413 the most specific ServiceEntry host decides ------------------------------------

WIKIPEDIA = """\
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: wikipedia
spec:
  hosts: ["*.wikipedia.org"]
  location: MESH_EXTERNAL
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: NONE
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: www-wikipedia
spec:
  hosts: [www.wikipedia.org]
  location: MESH_EXTERNAL
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: egress
spec:
  selector: {istio: egressgateway}
  servers:
  - port: {number: 443, name: tls, protocol: TLS}
    hosts: ["*.wikipedia.org"]
    tls: {mode: PASSTHROUGH}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: wiki
spec:
  hosts: [HOST]
  gateways: [egress]
  tls:
  - match: [{port: 443, sniHosts: [HOST]}]
    route:
    - destination: {host: HOST, port: {number: 443}}
"""


def test_most_specific_service_entry_host_decides_the_resolution(lint_yaml):
    result = lint_yaml("wiki.yaml", WIKIPEDIA.replace("HOST", "www.wikipedia.org"))
    assert found(result, "ML413") == []
    result = lint_yaml("wiki.yaml", WIKIPEDIA.replace("HOST", "en.wikipedia.org"))
    assert [f.rule.id for f in result.findings if f.rule.id == "ML413"] == ["ML413"]


# -- ML610 injected gateways run their proxy as 1337 -------------------------------------

INJECTED_GATEWAY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ingress
spec:
  selector:
    matchLabels: {app: ingress}
  template:
    metadata:
      annotations:
        inject.istio.io/templates: gateway
      labels: {app: ingress, sidecar.istio.io/inject: "true"}
    spec:
      securityContext:
        runAsUser: 1337
      containers:
      - name: istio-proxy
        image: auto
"""


def test_injected_gateway_may_run_as_the_proxy_uid(lint_yaml):
    assert found(lint_yaml("gw.yaml", INJECTED_GATEWAY), "ML610") == []
    with_app = INJECTED_GATEWAY + "      - name: app\n        image: app:1\n"
    assert reported(lint_yaml("gw.yaml", with_app), "ML610") == [("application-uid-1337", 15, 20)]


# -- YAML as Kubernetes reads it ---------------------------------------------------------

V6_ENTRY = """\
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: internal-v6
spec:
  hosts: [internal.example.com]
  addresses: [1.2.3.4, 001:db8::]
  resolution: STATIC
  location: MESH_INTERNAL
  ports:
  - {number: 80, name: http, protocol: HTTP}
  endpoints:
  - address: 1.2.3.4
  VERSION
"""


def test_unquoted_ipv6_in_a_flow_list_is_the_string_kubernetes_reads(lint_yaml):
    result = lint_yaml("se.yaml", V6_ENTRY.replace("VERSION", ""))
    assert [f for f in result.findings if f.severity >= Severity.WARNING] == []
    entry = result.mesh.of_kind("ServiceEntry")[0]
    assert entry.spec["addresses"] == ["1.2.3.4", "001:db8::"]
    assert [(f.rule.id, f.severity) for f in result.findings if f.rule.id == "ML710"] == [
        ("ML710", Severity.INFO)
    ]


def test_go_yaml_booleans_are_still_warned_about(lint_yaml):
    result = lint_yaml("se.yaml", V6_ENTRY.replace("  VERSION", "  exportTo: [n]"))
    assert reported(result, "ML710") == [("yaml-ambiguity", 14, 14)]


def test_install_spec_with_metadata_but_no_namespace_installs_into_istio_system(lint_yaml):
    named = OPERATOR.replace("kind: IstioOperator\n", "kind: IstioOperator\nmetadata:\n  name: x\n")
    result = lint_yaml("install.yaml", named)
    pods = {(r.namespace, r.name) for r in result.mesh.of_kind("Pod")}
    assert ("istio-system", "istio-ingressgateway") in pods
    assert ("ilb", "ilb-gateway") in pods
    assert ("default", "istio-ingressgateway") not in pods


def test_http_only_deny_on_a_gateway_is_info_whatever_its_service_ports(lint_yaml):
    on_gateway = DENY_ADMIN.replace("{app: db}", "{istio: ilbgateway}").replace(
        "  name: deny-admin\n", "  name: deny-admin\n  namespace: ilb\n"
    )
    result = lint_yaml("deny.yaml", on_gateway, "install.yaml", OPERATOR)
    assert reported(result, "ML787") == []
    assert len(found(result, "ML787")) == 1
