"""A synthetic mesh whose resources all collide with one another, to check that rules do
linear work however many resources share a host, a selector, a namespace or a name.

``colliding_resources(n)`` gives ``n`` resources of every kind the built-in rules read: in a
sidecar-injected namespace, in an ambient one, in the root namespace, and spread over ``n``
namespaces labelled alike. They name the same hosts, select the same workloads, bind the
same gateways and credentials, and are mostly namespace-wide duplicates of one another.
"""

from __future__ import annotations

import json

from meshlint.core.nodes import positioned
from meshlint.mesh.index import Mesh
from meshlint.model import Resource

NET = "networking.istio.io/v1"
NET_ALPHA = "networking.istio.io/v1alpha3"
SEC = "security.istio.io/v1"
TEL = "telemetry.istio.io/v1"
EXT = "extensions.istio.io/v1alpha1"
GW = "gateway.networking.k8s.io/v1"
GW_ALPHA = "gateway.networking.k8s.io/v1alpha2"
GW_BETA = "gateway.networking.k8s.io/v1beta1"
GWX = "gateway.networking.x-k8s.io/v1alpha1"
APPS = "apps/v1"

ROOT = "istio-system"
#: The sidecar-injected and the ambient namespace where most resources live.
SIDECAR_NS = "web"
AMBIENT_NS = "shop"
APP = {"app": "shop", "version": "v1"}
SELECTOR = {"matchLabels": {"app": "shop"}}
NONE = {"app": "none"}
UNSELECTED = {"matchLabels": NONE}
CREDENTIAL = "shop-cert"
#: Annotations only Pods carry: an invalid proxy config and one no Istio release defines.
POD_ANNOTATIONS = {
    "proxy.istio.io/config": "holdApplicationUntilProxyStarts: [true",
    "sidecar.istio.io/not-an-annotation-that-any-istio-release-defines": "x",
}


def resource(
    kind: str,
    api: str,
    name: str,
    namespace: str,
    spec: dict | None = None,
    labels: dict | None = None,
    *,
    annotations: dict | None = None,
    cluster: str = "",
    **top: object,
) -> Resource:
    """A resource as the loader would build it (every position at the file's start)."""
    metadata: dict = {"name": name, "labels": labels or {}}
    if namespace:
        metadata["namespace"] = namespace
    if annotations:
        metadata["annotations"] = annotations
    body: dict = {"apiVersion": api, "kind": kind, "metadata": metadata, **top}
    if spec is not None:
        body["spec"] = spec
    return Resource(api, kind, namespace, name, positioned(body), "scale.yaml", cluster=cluster)


# -- workloads -------------------------------------------------------------------------


def pod_spec(i: int) -> dict:
    return {
        "securityContext": {"runAsUser": 1337},
        "containers": [
            {
                "name": "app",
                "image": "registry.example.com/shop:1",
                "ports": [{"containerPort": 8080, "name": "http"}, {"containerPort": 9090}],
            },
            {"name": "istio-proxy", "image": f"docker.io/istio/proxyv2:1.{i:03d}"},
        ],
        "initContainers": [{"name": "istio-init", "image": "docker.io/istio/proxyv2:1.0"}],
    }


def template(i: int) -> dict:
    annotations = {
        "sidecar.istio.io/inject": "true",
        "sidecar.istio.io/proxyImage": "" if i % 2 else "proxy",
        "traffic.sidecar.istio.io/excludeOutboundIPRanges": "10.0.0.0/8",
        "sidecar.istio.io/interceptionMode": "TPROXY",
    }
    labels = {**APP, "istio.io/dataplane-mode": "ambient", "sidecar.istio.io/inject": "true"}
    return {"metadata": {"labels": labels, "annotations": annotations}, "spec": pod_spec(i)}


def workloads(i: int, namespace: str) -> list[Resource]:
    tpl = template(i)
    controller = {"selector": {"matchLabels": APP}, "template": tpl}
    out = [
        resource(
            "Pod",
            "v1",
            f"pod-{i:03d}",
            namespace,
            tpl["spec"],
            tpl["metadata"]["labels"],
            annotations={**tpl["metadata"]["annotations"], **POD_ANNOTATIONS},
            status={"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}]},
        )
    ]
    out += [
        resource(kind, APPS, f"{kind.lower()}-{i:03d}", namespace, controller, APP)
        for kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")
    ]
    out += [
        resource("ReplicationController", "v1", f"rc-{i:03d}", namespace, controller, APP),
        resource("Job", "batch/v1", f"job-{i:03d}", namespace, {"template": tpl}, APP),
        resource(
            "CronJob",
            "batch/v1",
            f"cron-{i:03d}",
            namespace,
            {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": tpl}}},
            APP,
        ),
        resource(
            "Service",
            "v1",
            f"svc-{i:03d}",
            namespace,
            {
                "selector": {"app": "shop"},
                "ports": [
                    {"name": "http", "port": 80, "targetPort": "http"},
                    {"name": "tcp-web", "port": 8080, "targetPort": 9999, "protocol": "UDP"},
                    {"name": "grpc", "port": 90, "appProtocol": "unknown", "targetPort": 8080},
                ],
            },
            annotations={"networking.istio.io/exportTo": "."},
        ),
        resource(
            "Service",
            "v1",
            f"svc-alt-{i:03d}",
            namespace,
            {
                "selector": {"app": "shop"},
                "ports": [{"name": "tcp", "port": 80, "targetPort": 8080}],
            },
            status={"conditions": [{"type": "Ready", "status": "False"}]},
        ),
        resource(
            "WorkloadEntry",
            NET,
            f"we-{i:03d}",
            namespace,
            {"address": "10.0.0.1", "labels": APP, "network": "n1"},
            APP,
        ),
        resource(
            "WorkloadGroup",
            NET,
            f"wg-{i:03d}",
            namespace,
            {
                "metadata": {"labels": {"app": "vm"}},
                "template": {"serviceAccount": "vm"},
                "probe": {"httpGet": {"port": 8080}},
            },
        ),
        resource("ServiceAccount", "v1", f"sa-{i:03d}", namespace),
        resource(
            "Endpoints",
            "v1",
            f"svc-{i:03d}",
            namespace,
            subsets=[{"addresses": [{"ip": "10.0.0.1"}]}],
        ),
    ]
    return out


# -- Istio networking ------------------------------------------------------------------


def routing(i: int, namespace: str) -> list[Resource]:
    match = [
        {"uri": {"prefix": "/"}, "headers": {"@request.auth.claims.group": {"exact": "a"}}},
        {"uri": {"prefix": "/"}, "gateways": ["istio-system/gw-000"]},
    ]
    route = [
        {"destination": {"host": "shop", "subset": "v1", "port": {"number": 80}}, "weight": 50},
        {"destination": {"host": "shop", "subset": "v1", "port": {"number": 80}}, "weight": 50},
    ]
    http = [
        {"match": match, "route": route},
        {"route": [{"destination": {"host": "api.example.com", "port": {"number": 443}}}]},
        {"match": match, "route": route},
        {"route": route},
        {"route": [{"destination": {"host": "shop"}}]},
        {"route": [{"destination": {"host": "svc-000", "subset": "v9", "port": {"number": 81}}}]},
    ]
    egress = [
        {
            "match": [{"gateways": ["mesh"], "port": 80}],
            "route": [{"destination": {"host": "istio-egressgateway.istio-system.svc"}}],
        },
        {
            "match": [{"gateways": ["istio-system/egress-000"], "port": 80}],
            "route": [{"destination": {"host": "api.example.com", "port": {"number": 443}}}],
        },
    ]
    tls = [
        {
            "match": [{"port": 443, "sniHosts": ["api.example.com"]}],
            "route": [{"destination": {"host": "api.example.com", "port": {"number": 443}}}],
        }
    ]
    return [
        resource(
            "VirtualService", NET, f"mesh-{i:03d}", namespace, {"hosts": ["shop"], "http": http}
        ),
        resource(
            "VirtualService",
            NET,
            f"wild-{i:03d}",
            namespace,
            {"hosts": ["*.example.com", "shop.example.com"], "http": [{"route": route}]},
        ),
        resource(
            "VirtualService",
            NET,
            f"vs-{i:03d}",
            namespace,
            {
                "hosts": ["shop.example.com", "*"],
                "gateways": ["istio-system/gw-000", "mesh", "missing", "istio-system/egress-000"],
                "http": http,
                "exportTo": [".", "ns-001"],
            },
        ),
        resource(
            "VirtualService",
            NET,
            f"egress-{i:03d}",
            namespace,
            {
                "hosts": ["api.example.com"],
                "gateways": ["mesh", "istio-system/egress-000"],
                "http": egress,
                "tls": tls,
                "tcp": [{"route": [{"destination": {"host": "api.example.com"}}]}],
            },
        ),
        resource(
            "DestinationRule",
            NET,
            f"dr-{i:03d}",
            namespace,
            {
                "host": "shop",
                "trafficPolicy": {
                    "outlierDetection": {},
                    "tls": {"mode": "DISABLE"},
                    "portLevelSettings": [{"port": {"number": 80}, "tls": {"mode": "SIMPLE"}}],
                    "connectionPool": {"http": {"http2MaxRequests": 10}},
                },
                "subsets": [
                    {"name": "v1", "labels": {"version": "v1"}},
                    {"name": "v2", "labels": {"version": "v2"}},
                    {"name": "bare"},
                ],
                "exportTo": ["*"],
            },
        ),
        resource(
            "DestinationRule",
            NET,
            f"dr-mtls-{i:03d}",
            namespace,
            {"host": "*.example.com", "trafficPolicy": {"tls": {"mode": "ISTIO_MUTUAL"}}},
        ),
        resource(
            "DestinationRule",
            NET,
            f"dr-api-{i:03d}",
            namespace,
            {"host": "api.example.com", "trafficPolicy": {"tls": {"mode": "SIMPLE"}}},
        ),
        resource(
            "DestinationRule",
            NET,
            f"dr-svc-{i:03d}",
            namespace,
            {
                "host": "svc-000",
                "trafficPolicy": {"tls": {"mode": "ISTIO_MUTUAL"}},
                "subsets": [{"name": "v1", "labels": APP}],
            },
        ),
        resource(
            "ServiceEntry",
            NET,
            f"se-https-{i:03d}",
            namespace,
            {
                "hosts": ["api.example.com"],
                "ports": [{"number": 443, "protocol": "HTTPS", "name": "https"}],
                "resolution": "NONE",
                "exportTo": ["."],
            },
        ),
        resource(
            "ServiceEntry",
            NET,
            f"se-{i:03d}",
            namespace,
            {
                "hosts": ["api.example.com", "*.example.com", "shop"],
                "addresses": ["240.0.0.1"],
                "ports": [
                    {"number": 443, "protocol": "TLS", "name": "tls"},
                    {"number": 80, "protocol": "HTTP", "name": "http"},
                    {"number": 9000, "protocol": "TCP", "name": "tcp"},
                ],
                "resolution": "DNS",
                "location": "MESH_EXTERNAL",
                "workloadSelector": {"labels": APP},
            },
        ),
        resource(
            "Sidecar",
            NET,
            f"sc-{i:03d}",
            namespace,
            {
                "workloadSelector": {"labels": {"app": "shop"}},
                "egress": [{"hosts": ["./shop", "*/api.example.com", "./shop", "ns-001/*"]}],
                "outboundTrafficPolicy": {},
                "ingress": [{"port": {"number": 80, "protocol": "TCP"}, "defaultEndpoint": ""}],
            },
        ),
        resource("Sidecar", NET, f"sc-all-{i:03d}", namespace, {"egress": [{"hosts": ["./*"]}]}),
        resource(
            "Sidecar",
            NET,
            f"sc-none-{i:03d}",
            namespace,
            {"workloadSelector": {"labels": NONE}, "egress": [{"hosts": ["*/svc-000"]}]},
        ),
        resource(
            "EnvoyFilter",
            NET_ALPHA,
            f"ef-{i:03d}",
            namespace,
            {
                "workloadSelector": {"labels": {"app": "shop"}},
                "configPatches": [
                    {
                        "applyTo": "HTTP_FILTER",
                        "match": {
                            "proxy": {"proxyVersion": "^1\\.2.*"},
                            "listener": {"filterChain": {"filter": {"name": "http"}}},
                        },
                        "patch": {"operation": "INSERT_BEFORE", "value": {"name": "x"}},
                    },
                    {
                        "applyTo": "ROUTE_CONFIGURATION",
                        "patch": {"operation": "REPLACE", "value": {}},
                    },
                    {"applyTo": "CLUSTER", "patch": {"operation": "REMOVE"}},
                ],
            },
        ),
        resource(
            "ProxyConfig",
            "networking.istio.io/v1beta1",
            f"pc-{i:03d}",
            namespace,
            {"selector": SELECTOR, "image": {"imageType": "distroless"}, "concurrency": 2},
        ),
    ]


# -- security and telemetry ------------------------------------------------------------


def policies(i: int, namespace: str) -> list[Resource]:
    rule = {
        "from": [
            {
                "source": {
                    "principals": ["cluster.local/ns/web/sa/shop"],
                    "namespaces": ["web", "missing"],
                }
            }
        ],
        "to": [{"operation": {"hosts": ["shop", "shopp"], "methods": ["get", "GET"]}}],
        "when": [{"key": "source.namespace", "values": ["web"]}],
    }
    jwt = {"issuer": "https://issuer.example.com", "jwksUri": "https://issuer.example.com/jwks"}
    access_log = {"accessLogging": [{"providers": [{"name": "missing"}, {"name": "lightstep"}]}]}
    tracing = {"tracing": [{"providers": [{"name": "zipkin"}]}, {"randomSamplingPercentage": 1}]}
    out = [
        resource("PeerAuthentication", SEC, f"pa-{i:03d}", namespace, {"mtls": {"mode": "STRICT"}}),
        resource(
            "PeerAuthentication",
            SEC,
            f"pas-{i:03d}",
            namespace,
            {
                "selector": SELECTOR,
                "mtls": {"mode": "DISABLE"},
                "portLevelMtls": {"80": {"mode": "STRICT"}},
            },
        ),
        resource(
            "AuthorizationPolicy",
            SEC,
            f"ap-{i:03d}",
            namespace,
            {"selector": SELECTOR, "rules": [rule], "action": "DENY"},
        ),
        resource("AuthorizationPolicy", SEC, f"ap-all-{i:03d}", namespace, {"rules": [rule]}),
        resource(
            "AuthorizationPolicy", SEC, f"ap-none-{i:03d}", namespace, {"selector": UNSELECTED}
        ),
        resource(
            "PeerAuthentication", SEC, f"pa-none-{i:03d}", namespace, {"selector": UNSELECTED}
        ),
        resource(
            "RequestAuthentication", SEC, f"ra-none-{i:03d}", namespace, {"selector": UNSELECTED}
        ),
        resource("Telemetry", TEL, f"tel-none-{i:03d}", namespace, {"selector": UNSELECTED}),
        resource(
            "AuthorizationPolicy",
            SEC,
            f"ap-ref-{i:03d}",
            namespace,
            {"targetRefs": [{"kind": "Service", "group": "", "name": "svc-000"}], "rules": [rule]},
        ),
        resource(
            "RequestAuthentication",
            SEC,
            f"ra-{i:03d}",
            namespace,
            {"selector": SELECTOR, "jwtRules": [jwt]},
        ),
        resource("RequestAuthentication", SEC, f"ra-all-{i:03d}", namespace, {"jwtRules": [jwt]}),
        resource("Telemetry", TEL, f"tel-{i:03d}", namespace, {"selector": SELECTOR, **tracing}),
        resource("Telemetry", TEL, f"tel-all-{i:03d}", namespace, access_log),
        resource(
            "WasmPlugin",
            EXT,
            f"wasm-{i:03d}",
            namespace,
            {"selector": SELECTOR, "url": "oci://example.com/filter:1"},
        ),
        resource(
            "WasmPlugin",
            EXT,
            f"wasm-ref-{i:03d}",
            namespace,
            {
                "targetRefs": [
                    {"kind": "Gateway", "group": "gateway.networking.k8s.io", "name": "k"}
                ]
            },
        ),
        resource(
            "TrafficExtension",
            "extensions.istio.io/v1alpha1",
            f"te-{i:03d}",
            namespace,
            {"selector": SELECTOR},
        ),
    ]
    out += [
        resource(kind, "security.istio.io/v1beta1", f"{kind.lower()}-{i:03d}", namespace, {})
        for kind in ("Policy", "ServiceRole", "ServiceRoleBinding")
    ]
    return out


# -- gateways --------------------------------------------------------------------------


def istio_gateways(i: int) -> list[Resource]:
    tls = {"mode": "SIMPLE", "credentialName": CREDENTIAL}
    servers = [
        {
            "port": {"number": 80, "name": "http", "protocol": "HTTP"},
            "hosts": ["*", f"h{i:03d}.example.com", "*.example.com"],
        },
        {
            "port": {"number": 443, "name": "https", "protocol": "HTTPS"},
            "hosts": ["web/shop.example.com", "*.example.com"],
            "tls": tls,
        },
        {
            "port": {"number": 8443, "name": "https-3", "protocol": "HTTPS"},
            "hosts": ["*"],
            "tls": tls,
        },
        {
            "port": {"number": 443, "name": "https-2", "protocol": "HTTPS"},
            "hosts": ["shop.example.com"],
            "tls": {"mode": "SIMPLE", "credentialName": f"{CREDENTIAL}-{i:03d}"},
        },
    ]
    egress = [
        {"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": ["api.example.com"]}
    ]
    return [
        resource(
            "Gateway",
            NET,
            f"gw-{i:03d}",
            ROOT,
            {"selector": {"istio": "ingressgateway"}, "servers": servers},
        ),
        resource(
            "Gateway",
            NET,
            f"egress-{i:03d}",
            ROOT,
            {"selector": {"istio": "egressgateway"}, "servers": egress},
        ),
        resource(
            "Gateway", NET, f"none-{i:03d}", ROOT, {"selector": {"app": "none"}, "servers": servers}
        ),
        resource(
            "Secret",
            "v1",
            f"{CREDENTIAL}-{i:03d}",
            ROOT,
            type="kubernetes.io/tls",
            data={"tls.crt": "eA==", "ca.crt": "eA=="},
        ),
        resource(
            "Certificate", "cert-manager.io/v1", f"cert-{i:03d}", ROOT, {"secretName": CREDENTIAL}
        ),
        resource(
            "ExternalSecret",
            "external-secrets.io/v1beta1",
            f"es-{i:03d}",
            ROOT,
            {"target": {"name": CREDENTIAL}},
        ),
        resource(
            "SealedSecret",
            "bitnami.com/v1alpha1",
            f"sealed-{i:03d}",
            ROOT,
            {"template": {"metadata": {"name": CREDENTIAL}}},
        ),
    ]


def gateway_api(i: int, namespace: str) -> list[Resource]:
    listener = {"port": 80, "protocol": "HTTP", "hostname": "shop.example.com"}
    parents = [{"name": "k8s-000", "sectionName": "a"}, {"name": "missing"}]
    cross = {"name": "shop", "namespace": "other", "port": 80}
    rules = [{"backendRefs": [{"name": "svc-000", "port": 80}, cross, {"name": "missing"}]}]
    grant = {"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "namespace": "shopp"}
    out = [
        resource(
            "Gateway",
            GW,
            f"k8s-{i:03d}",
            namespace,
            {
                "gatewayClassName": "istio" if i % 2 else "missing",
                "addresses": [{"value": "10.0.0.1"}],
                "listeners": [{"name": "a", **listener}, {"name": "b", **listener}],
            },
            annotations={"networking.istio.io/service-type": "ClusterIP"},
        ),
        resource(
            "ListenerSet",
            GWX,
            f"ls-{i:03d}",
            namespace,
            {"parentRef": {"name": "k8s-000"}, "listeners": [{"name": "a", **listener}]},
        ),
        resource(
            "GRPCRoute", GW, f"grpc-{i:03d}", namespace, {"parentRefs": parents, "rules": rules}
        ),
        resource(
            "HTTPRoute",
            GW,
            f"route-{i:03d}",
            namespace,
            {"parentRefs": parents, "hostnames": ["shop.example.com"], "rules": rules},
        ),
        resource(
            "ReferenceGrant",
            GW_BETA,
            f"grant-{i:03d}",
            "other",
            {"from": [grant], "to": [{"group": "", "kind": "Service"}]},
        ),
        resource(
            "BackendTLSPolicy",
            "gateway.networking.k8s.io/v1alpha3",
            f"btls-{i:03d}",
            namespace,
            {"targetRefs": [{"group": "", "kind": "Service", "name": "svc-000"}]},
        ),
        resource("XBackendTrafficPolicy", GWX, f"xbtp-{i:03d}", namespace, {"targetRefs": []}),
        resource("XBackend", GWX, f"xb-{i:03d}", namespace, {}),
        resource("XMesh", GWX, f"xmesh-{i:03d}", namespace, {}),
    ]
    out += [
        resource(
            kind,
            GW_ALPHA,
            f"{kind.lower()}-{i:03d}",
            namespace,
            {"parentRefs": parents, "rules": rules},
        )
        for kind in ("TCPRoute", "TLSRoute", "UDPRoute")
    ]
    return out


# -- cluster-wide ----------------------------------------------------------------------


def webhook(i: int) -> list[dict]:
    return [
        {
            "name": f"{prefix}sidecar-injector.istio.io",
            "clientConfig": {
                "service": {"name": "istiod", "namespace": ROOT, "path": "/inject"},
                "url": "https://10.0.0.1:15017/inject",
            },
            "namespaceSelector": {"matchLabels": {"istio-injection": "enabled"}},
            "objectSelector": {"matchExpressions": [{"key": "x", "operator": "DoesNotExist"}]},
        }
        for prefix in ("namespace.", "object.", "rev.namespace.")
    ]


def cluster_wide(i: int) -> list[Resource]:
    values = {"global": {"hub": "docker.io/istio", "tag": "1.0"}}
    values["sidecarInjectorWebhook"] = {"enableNamespacesByDefault": True}
    mesh_config = "defaultConfig: {discoveryAddress: istiod:15012}\n"
    networks = "networks: {n1: {endpoints: [{fromRegistry: missing}]}}\n"
    crd = {"group": "gateway.networking.k8s.io", "names": {"kind": "HTTPRoute"}}
    crd_annotations = {"gateway.networking.k8s.io/bundle-version": "v0.5.0"}
    return [
        resource(
            "Namespace",
            "v1",
            f"ns-{i:03d}",
            "",
            labels={"istio-injection": "enabled", "istio.io/rev": "canary", "team": "shop"},
        ),
        resource(
            "ConfigMap",
            "v1",
            f"istio-{i:03d}",
            ROOT,
            data={"mesh": mesh_config, "meshNetworks": networks},
        ),
        resource(
            "ConfigMap",
            "v1",
            f"istio-sidecar-injector-{i:03d}",
            ROOT,
            data={"values": json.dumps(values)},
        ),
        resource("ConfigMap", "v1", f"config-{i:03d}", SIDECAR_NS, data={"a": "b"}),
        resource(
            "MutatingWebhookConfiguration",
            "admissionregistration.k8s.io/v1",
            f"inj-{i:03d}",
            "",
            webhooks=webhook(i),
        ),
        resource(
            "ValidatingWebhookConfiguration",
            "admissionregistration.k8s.io/v1",
            f"val-{i:03d}",
            "",
            webhooks=webhook(i),
        ),
        resource(
            "CustomResourceDefinition",
            "apiextensions.k8s.io/v1",
            f"crd-{i:03d}",
            "",
            crd,
            annotations=crd_annotations,
        ),
        resource("Node", "v1", f"node-{i:03d}", "", {}, {"topology.kubernetes.io/zone": "a"}),
        resource(
            "IstioOperator",
            "install.istio.io/v1alpha1",
            f"install-{i:03d}",
            ROOT,
            {
                "profile": "default",
                "components": {
                    "ingressGateways": [{"name": f"gw-{i:03d}", "label": {"istio": "shop"}}],
                    "pilot": {"k8s": {"replicas": 2}},
                },
            },
        ),
        resource(
            "GatewayClass",
            GW,
            f"class-{i:03d}",
            "",
            {"controllerName": "istio.io/gateway-controller"},
        ),
        resource(
            "Secret",
            "v1",
            f"istio-remote-secret-{i:03d}",
            ROOT,
            labels={"istio/multiCluster": "true"},
            data={f"c{i:03d}": "eA=="},
        ),
        resource(
            "Service",
            "v1",
            "shop",
            SIDECAR_NS,
            {"ports": [{"name": "http", "port": 80 + i}]},
            cluster=f"c{i:03d}",
        ),
        resource(
            "Deployment",
            APPS,
            f"istiod-{i:03d}",
            ROOT,
            {
                "template": {
                    "spec": {
                        "containers": [
                            {"name": "discovery", "env": [{"name": "JWKS", "value": "x"}]}
                        ]
                    }
                }
            },
            {"app": "istiod"},
        ),
    ] + [
        resource(kind, "security.istio.io/v1beta1", f"{kind.lower()}-{i:03d}", "", {})
        for kind in ("MeshPolicy", "ClusterRbacConfig", "RbacConfig")
    ]


def colliding_resources(n: int) -> list[Resource]:
    """``n`` colliding resources of every kind the built-in rules read."""
    out = [
        resource("Namespace", "v1", AMBIENT_NS, "", labels={"istio.io/dataplane-mode": "ambient"}),
        resource("Namespace", "v1", SIDECAR_NS, "", labels={"istio-injection": "enabled"}),
        resource("Namespace", "v1", ROOT, ""),
    ]
    for i in range(n):
        out += istio_gateways(i) + cluster_wide(i)
        for namespace in (SIDECAR_NS, AMBIENT_NS, f"ns-{i:03d}"):
            out += workloads(i, namespace) + routing(i, namespace) + policies(i, namespace)
            out += gateway_api(i, namespace)
        out += policies(i, ROOT)
    return out


def colliding_mesh(n: int) -> Mesh:
    return Mesh(colliding_resources(n))
