"""EnvoyFilter patches, deprecations, Gateway API policies and CRDs, multi-cluster."""

from __future__ import annotations

from conftest import at, found


def envoy_filter(name: str, patches: str, spec: str = "") -> str:
    return f"""\
---
apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata:
  name: {name}
spec:
{spec}  configPatches:
{patches}"""


def patch(apply_to: str, operation: str, value: str = "", version: str = "") -> str:
    proxy = f"      proxy: {{proxyVersion: '{version}'}}\n" if version else ""
    body = f"      value: {{name: {value}}}\n" if value else ""
    return f"""\
  - applyTo: {apply_to}
    match:
      context: SIDECAR_INBOUND
{proxy}    patch:
      operation: {operation}
{body}"""


# -- EnvoyFilter ---------------------------------------------------------------------


def test_relative_patches_without_priority_are_reported_once_per_filter(lint_yaml):
    patches = patch("HTTP_FILTER", "INSERT_BEFORE", "a") + patch("NETWORK_FILTER", "REMOVE")
    text = envoy_filter("lua", patches)
    result = lint_yaml("ef.yaml", text)
    assert found(result, "ML921") == [("envoyfilter-relative-no-priority", *at(text, "INSERT"))]
    message = next(f for f in result.findings if f.rule.id == "ML921").message
    assert "configPatches[0] (INSERT_BEFORE), configPatches[1] (REMOVE)" in message


def test_inserting_before_the_router_istio_generates_is_only_info(lint_yaml):
    """istioctl's EnvoyPatchAnalyzer reports IST0151 for any relative operation without a
    priority; the router is in every HTTP listener Istio generates, so the patch applies."""
    text = envoy_filter("lua", patch("HTTP_FILTER", "INSERT_BEFORE", "envoy.lua")).replace(
        "      context: SIDECAR_INBOUND\n",
        "      context: SIDECAR_INBOUND\n      listener:\n        filterChain:\n"
        "          filter:\n            name: envoy.filters.network.http_connection_manager\n"
        "            subFilter: {name: envoy.filters.http.router}\n",
    )
    (finding,) = [f for f in lint_yaml("ef.yaml", text).findings if f.rule.id == "ML921"]
    assert finding.severity.label == "info"
    assert "which Istio always generates" in finding.message


def test_priority_or_absolute_operations_need_no_warning(lint_yaml):
    relative = patch("HTTP_FILTER", "INSERT_AFTER", "a")
    with_priority = envoy_filter("a", relative, spec="  priority: -5\n")
    absolute = envoy_filter("b", patch("HTTP_FILTER", "INSERT_FIRST", "b"))
    merge = envoy_filter("c", patch("FILTER_CHAIN", "MERGE", "c"))
    assert found(lint_yaml("ef.yaml", with_priority + absolute + merge), "ML921") == []


def test_replace_works_on_filters_and_virtual_hosts_only(lint_yaml):
    patches = patch("VIRTUAL_HOST", "REPLACE", "v") + patch("CLUSTER", "REPLACE", "c")
    text = envoy_filter("replace", patches, spec="  priority: 10\n")
    result = lint_yaml("ef.yaml", text)
    assert found(result, "ML922") == [("envoyfilter-replace-unsupported", *at(text, "REPLACE", 2))]


def test_add_and_remove_on_route_configuration_are_ignored_not_relative(lint_yaml):
    text = envoy_filter(
        "routes", patch("ROUTE_CONFIGURATION", "ADD", "r") + patch("HTTP_ROUTE", "REMOVE")
    )
    result = lint_yaml("ef.yaml", text)
    assert found(result, "ML923") == [("envoyfilter-add-ignored", *at(text, "ADD"))]
    assert found(result, "ML924") == [("envoyfilter-remove-ignored", *at(text, "REMOVE"))]
    assert found(result, "ML921") == []


def test_relative_patch_on_a_proxy_version_bound_filter_in_another_envoyfilter(lint_yaml):
    provider = envoy_filter("adds-lua", patch("HTTP_FILTER", "INSERT_FIRST", "lua", "^1\\.24"))
    text = provider + envoy_filter("patches-lua", patch("HTTP_FILTER", "REPLACE", "lua"))
    result = lint_yaml("ef.yaml", text)
    assert found(result, "ML925") == [("envoyfilter-relative-proxy-version", *at(text, "REPLACE"))]
    assert found(result, "ML921") == []
    finding = next(f for f in result.findings if f.rule.id == "ML925")
    assert finding.related[0].resource.name == "adds-lua"


def test_envoyfilters_for_different_workloads_do_not_interact(lint_yaml):
    selector = "  workloadSelector:\n    labels: {app: %s}\n"
    provider = envoy_filter(
        "adds-lua", patch("HTTP_FILTER", "INSERT_FIRST", "lua", "^1\\.24"), selector % "a"
    )
    text = provider + envoy_filter(
        "patches-lua", patch("HTTP_FILTER", "REPLACE", "lua"), selector % "b"
    )
    result = lint_yaml("ef.yaml", text)
    assert found(result, "ML925") == []
    assert len(found(result, "ML921")) == 1


def test_a_proxy_version_patch_does_not_count_against_itself(lint_yaml):
    text = envoy_filter("lua", patch("HTTP_FILTER", "INSERT_BEFORE", "lua", "^1\\.24"))
    result = lint_yaml("ef.yaml", text)
    assert found(result, "ML925") == []
    assert len(found(result, "ML921")) == 1


# -- deprecated-field ----------------------------------------------------------------

DEPRECATED = """\
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: default
spec:
  outboundTrafficPolicy:
    mode: ALLOW_ANY
    egressProxy:
      host: egress.example.com
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: serviceroles.rbac.istio.io
spec:
  group: rbac.istio.io
  names: {kind: ServiceRole, plural: serviceroles}
  scope: Namespaced
"""


def test_ignored_sidecar_egress_proxy_and_removed_rbac_crds(lint_yaml):
    assert found(lint_yaml("d.yaml", DEPRECATED), "ML941") == [
        ("deprecated-field", *at(DEPRECATED, "egressProxy")),
        ("deprecated-field", *at(DEPRECATED, "ServiceRole,")),
    ]


# -- Gateway API ---------------------------------------------------------------------


def gateway(class_name: str, infrastructure: str = "") -> str:
    return f"""\
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: web
  labels: {{team: web}}
spec:
  gatewayClassName: {class_name}
{infrastructure}  listeners:
  - {{name: http, port: 80, protocol: HTTP}}
---
"""


def selector_policy(kind: str, labels: str) -> str:
    api = "telemetry.istio.io/v1" if kind == "Telemetry" else "security.istio.io/v1"
    return f"""\
---
apiVersion: {api}
kind: {kind}
metadata:
  name: {kind.lower()}
spec:
  selector:
    matchLabels: {{{labels}}}
"""


def test_selectors_on_istio_deployed_gateways_are_ineffective(lint_yaml):
    text = gateway("istio") + selector_policy(
        "RequestAuthentication", "gateway.networking.k8s.io/gateway-name: web"
    )
    text += selector_policy("Telemetry", "team: web")
    result = lint_yaml("g.yaml", text)
    assert found(result, "ML801") == [
        ("gateway-api-ineffective-selector", *at(text, "selector:")),
        ("gateway-api-ineffective-selector", *at(text, "selector:", 2)),
    ]


def test_infrastructure_labels_replace_the_gateway_labels_on_its_pods(lint_yaml):
    infrastructure = "  infrastructure:\n    labels: {tier: edge}\n"
    text = gateway("istio", infrastructure) + selector_policy("Telemetry", "team: web")
    assert found(lint_yaml("g.yaml", text), "ML801") == []
    text = gateway("istio", infrastructure) + selector_policy("Telemetry", "tier: edge")
    assert len(found(lint_yaml("g.yaml", text), "ML801")) == 1


def test_gateways_of_other_controllers_are_left_alone(lint_yaml):
    text = gateway("nginx") + selector_policy("AuthorizationPolicy", "team: web")
    assert found(lint_yaml("g.yaml", text), "ML801") == []
    istio_class = """\
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata:
  name: nginx
spec:
  controllerName: istio.io/gateway-controller
"""
    assert len(found(lint_yaml("g.yaml", text + istio_class), "ML801")) == 1


def crd(name: str, version: str) -> str:
    return f"""\
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: {name}.gateway.networking.k8s.io
  annotations:
    gateway.networking.k8s.io/bundle-version: {version}
spec:
  group: gateway.networking.k8s.io
  scope: Namespaced
"""


def test_gateway_api_crds_below_istios_minimum(lint_yaml):
    text = crd("grpcroutes", "v1.0.0") + crd("tlsroutes", "v1.5.0-rc.1") + crd("httproutes", "v0.1")
    result = lint_yaml("crd.yaml", text)
    assert found(result, "ML802") == [("gateway-api-crd-too-old", *at(text, "v1.0.0"))]
    message = next(f for f in result.findings if f.rule.id == "ML802").message
    assert "is at v1.0.0 but Istio requires at least v1.1.0" in message


# -- mesh networks -------------------------------------------------------------------

NETWORKS = """\
networks:
  west:
    endpoints:
    - fromRegistry: Kubernetes
    - fromRegistry: cluster-east
    - fromCidr: 192.0.2.0/24
  east:
    endpoints:
    - fromRegistry: east-1
"""

REMOTE_SECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: istio-remote-secret-east
  namespace: istio-system
  labels: {istio/multiCluster: "true"}
stringData:
  east-1: "kubeconfig"
"""


def test_mesh_networks_file_positions_and_unknown_cluster_ids(lint_yaml, tmp_path):
    path = tmp_path / "meshnetworks.yaml"
    path.write_text(NETWORKS)
    networks = {"networks": {"west": {"endpoints": [{"fromRegistry": "cluster-east"}]}}}
    options = {"mesh_networks": networks, "mesh_networks_file": str(path)}
    assert found(lint_yaml("s.yaml", REMOTE_SECRET, **options), "ML961") == []
    result = lint_yaml("s.yaml", REMOTE_SECRET, assume_complete=True, **options)
    finding = next(f for f in result.findings if f.rule.id == "ML961")
    assert (finding.location.file, finding.location.line) == (str(path), 5)
    assert finding.resource.ref == "MeshNetworks istio-system/meshnetworks"


def test_cluster_ids_known_from_clusters_and_istiod(lint_yaml):
    istiod = """\
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: istiod
  namespace: istio-system
spec:
  template:
    spec:
      containers:
      - name: discovery
        env:
        - {name: CLUSTER_ID, value: cluster-east}
"""
    networks = {"networks": {"w": {"endpoints": [{"fromRegistry": "cluster-east"}]}}}
    result = lint_yaml("i.yaml", istiod, mesh_networks=networks, assume_complete=True)
    assert found(result, "ML961") == []


# -- multi-cluster Services ----------------------------------------------------------


def service(spec: str) -> str:
    return f"""\
apiVersion: v1
kind: Service
metadata:
  name: reviews
  namespace: shop
spec:
{spec}"""


def lint_clusters(lint_yaml, tmp_path, **texts):
    files = [item for name, text in texts.items() for item in (f"{name}.yaml", text)]
    clusters = {name: [str(tmp_path / f"{name}.yaml")] for name in texts}
    return lint_yaml(*files, clusters=clusters, select=["ML962"])


def test_kubernetes_defaults_and_node_ports_do_not_make_services_differ(lint_yaml, tmp_path):
    east = service("  ports:\n  - {name: http, port: 9080}\n")
    west = service(
        "  type: ClusterIP\n  ports:\n"
        "  - {name: http, port: 9080, targetPort: 9080, protocol: TCP, nodePort: 30080}\n"
    )
    assert found(lint_clusters(lint_yaml, tmp_path, east=east, west=west)) == []


def test_differences_are_reported_once_on_the_first_cluster(lint_yaml, tmp_path):
    east = service("  clusterIP: None\n  ports:\n  - {name: http, port: 9080}\n")
    west = service("  type: NodePort\n  ports:\n  - {name: http, port: 9080}\n")
    south = service("  ports:\n  - {name: http, port: 9080}\n")
    result = lint_clusters(lint_yaml, tmp_path, west=west, east=east, south=south)
    assert [(f.location.file, f.location.line) for f in result.findings] == [
        (str(tmp_path / "east.yaml"), 7)
    ]
    message = result.findings[0].message
    assert "clusters east, south, west" in message
    assert "headless in some clusters" in message and "different types" in message


def test_a_service_in_one_cluster_only_is_not_compared(lint_yaml, tmp_path):
    east = service("  ports:\n  - {name: http, port: 9080}\n")
    west = service("  ports:\n  - {name: grpc, port: 9090}\n").replace("reviews", "ratings")
    assert found(lint_clusters(lint_yaml, tmp_path, east=east, west=west)) == []
