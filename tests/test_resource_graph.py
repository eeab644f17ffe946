"""The resource graph: given these manifests, these nodes and these edges, each in the
direction traffic flows, declared at a field, and resolved found / not found / unknown."""

from __future__ import annotations

import subprocess
import sys

from meshlint.mesh.resolve import Status
from meshlint.mesh.resource_graph import resource_graph
from meshlint.trace.engine import trace
from meshlint.trace.from_rule import rule_request

from conftest import REPO

FOUND, NOT_FOUND, UNKNOWN = Status.FOUND, Status.NOT_FOUND, Status.UNKNOWN
DELEGATE_0, DELEGATE_1 = ("spec", "http", 0, "delegate"), ("spec", "http", 1, "delegate")

INGRESS = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingressgateway, namespace: istio-system}
spec:
  template:
    metadata: {labels: {istio: ingressgateway}}
    spec: {containers: [{name: istio-proxy, image: proxyv2}]}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: main, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 8080, name: http, protocol: HTTP}, hosts: ["*"]}]
---
apiVersion: v1
kind: Service
metadata: {name: reviews}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-v1}
spec:
  template:
    metadata: {labels: {app: reviews, version: v1}}
    spec: {containers: [{name: reviews, image: reviews:1}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  subsets: [{name: v1, labels: {version: v1}}]
"""

ROUTES = """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: front}
spec:
  hosts: [bookinfo.example.com]
  gateways: [istio-system/main, istio-system/nope]
  http:
  - match: [{uri: {prefix: /reviews}}]
    delegate: {name: reviews-routes}
  - match: [{uri: {prefix: /old}}]
    delegate: {name: gone}
  - route:
    - destination: {host: reviews, subset: v1}
    - destination: {host: reviews, subset: v9}
    - destination: {host: ratings}
    - destination: {host: details.other.svc.cluster.local}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews-routes}
spec:
  http:
  - match: [{uri: {prefix: /reviews/v1}}]
    route: [{destination: {host: reviews, subset: v1}}]
"""


def edges(graph, source: str) -> list[tuple[str, str, str, tuple | None, Status]]:
    """(kind, target, owner, path, resolution) of the edges leaving ``source``, in the
    order they were declared."""
    out = sorted(graph.out_edges(source, data=True), key=lambda e: e[2]["seq"])
    return [(d["kind"], t, d["owner"].ref, d["path"], d["resolution"]) for _, t, d in out]


GATEWAY = "Gateway istio-system/main"
FRONT = "VirtualService default/front"


def test_traffic_runs_from_gateway_pods_through_routes_to_workloads(lint_yaml):
    mesh = lint_yaml("mesh.yaml", INGRESS, "routes.yaml", ROUTES).mesh
    graph = resource_graph(mesh).graph
    assert edges(graph, "Deployment istio-system/ingressgateway") == [
        ("serves", GATEWAY, GATEWAY, ("spec", "selector"), FOUND)
    ]
    assert edges(graph, GATEWAY) == [("binds", FRONT, FRONT, ("spec", "gateways", 0), FOUND)]
    # istio-system holds a Gateway: the one it lacks is provably missing
    assert edges(graph, "missing Gateway istio-system/nope") == [
        ("binds", FRONT, FRONT, ("spec", "gateways", 1), NOT_FOUND)
    ]
    route = ("spec", "http", 2, "route")
    assert edges(graph, FRONT) == [
        ("delegates", "VirtualService default/reviews-routes", FRONT, DELEGATE_0, FOUND),
        ("delegates", "missing VirtualService default/gone", FRONT, DELEGATE_1, NOT_FOUND),
        ("routes", "Subset default/reviews/v1", FRONT, (*route, 0, "destination"), FOUND),
        (
            "routes",
            "missing Subset v9 default/reviews",
            FRONT,
            (*route, 1, "destination"),
            NOT_FOUND,
        ),
        # default has Services: a host of default that none of them is, is not found
        ("routes", "missing Host default/ratings", FRONT, (*route, 2, "destination"), NOT_FOUND),
        # nothing of namespace other is among the inputs: unknown
        ("routes", "unknown Host other/details", FRONT, (*route, 3, "destination"), UNKNOWN),
    ]
    subset_labels = ("spec", "subsets", 0, "labels")
    assert edges(graph, "Subset default/reviews/v1") == [
        (
            "selects",
            "Deployment default/reviews-v1",
            "DestinationRule default/reviews",
            subset_labels,
            FOUND,
        )
    ]
    assert edges(graph, "Service default/reviews") == [
        (
            "selects",
            "Deployment default/reviews-v1",
            "Service default/reviews",
            ("spec", "selector"),
            FOUND,
        )
    ]


def test_nodes_say_what_they_stand_for(lint_yaml):
    mesh = lint_yaml("mesh.yaml", INGRESS, "routes.yaml", ROUTES).mesh
    graph = resource_graph(mesh)
    nodes = graph.graph.nodes
    front = mesh.get("networking.istio.io", "VirtualService", "default", "front")
    assert graph.node_of(front) == "VirtualService default/front"
    assert nodes["VirtualService default/front"]["resource"] is front
    assert nodes["Subset default/reviews/v1"]["hosts"] == ("reviews.default.svc.cluster.local",)
    assert nodes["Subset default/reviews/v1"]["path"] == ("spec", "subsets", 0)
    assert {n: d["state"] for n, d in nodes(data=True) if d["state"] != "defined"} == {
        "missing Gateway istio-system/nope": "missing",
        "missing VirtualService default/gone": "missing",
        "missing Subset v9 default/reviews": "missing",
        "missing Host default/ratings": "missing",
        "unknown Host other/details": "unknown",
        # what Istio is assumed to run (the picture leaves them out when nothing links them)
        "Pod istio-system/istio-ingressgateway": "assumed",
        "Service istio-system/istio-ingressgateway": "assumed",
        "Pod istio-system/istio-egressgateway": "assumed",
        "Service istio-system/istio-egressgateway": "assumed",
    }


def test_a_delegate_is_reached_only_through_its_root(lint_yaml):
    """A VirtualService without hosts is a delegate: Istio applies it only where a root
    delegates to it, so it is not bound to the mesh."""
    mesh = lint_yaml("mesh.yaml", INGRESS, "routes.yaml", ROUTES).mesh
    graph = resource_graph(mesh)
    delegate = mesh.get("networking.istio.io", "VirtualService", "default", "reviews-routes")
    assert [
        (d["kind"], s) for s, _, d in graph.graph.in_edges(graph.node_of(delegate), data=True)
    ] == [("delegates", "VirtualService default/front")]
    assert [(vs.ref, path) for vs, path in graph.delegating(delegate)] == [
        ("VirtualService default/front", ("spec", "http", 0, "delegate"))
    ]


def test_a_delegate_outside_the_inputs_is_unknown(lint_yaml):
    mesh = lint_yaml(
        "vs.yaml",
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: front}
        spec:
          hosts: [front]
          http: [{delegate: {name: api, namespace: team-a}}]
        """,
    ).mesh
    graph = resource_graph(mesh).graph
    [(kind, target, _, _, resolution)] = edges(graph, "VirtualService default/front")
    assert (kind, target, resolution) == ("delegates", "unknown VirtualService team-a/api", UNKNOWN)
    assert edges(graph, "mesh")[0][:2] == ("binds", "VirtualService default/front")


def test_gateway_api_routes_run_from_their_parents_to_their_backends(lint_yaml):
    mesh = lint_yaml(
        "routes.yaml",
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: web}
        spec:
          gatewayClassName: istio
          listeners: [{name: http, port: 80, protocol: HTTP}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: reviews}
        spec: {ports: [{port: 9080}]}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: reviews}
        spec:
          parentRefs: [{name: web}, {name: other}]
          rules:
          - backendRefs: [{name: reviews, port: 9080}, {name: ratings, port: 9080}]
        """,
    ).mesh
    graph = resource_graph(mesh).graph
    route = "HTTPRoute default/reviews"
    assert edges(graph, "Gateway default/web") == [
        ("binds", route, route, ("spec", "parentRefs", 0), FOUND)
    ]
    assert edges(graph, "missing Gateway default/other") == [
        ("binds", route, route, ("spec", "parentRefs", 1), NOT_FOUND)
    ]
    backends = ("spec", "rules", 0, "backendRefs")
    assert edges(graph, route) == [
        ("routes", "Service default/reviews", route, (*backends, 0), FOUND),
        ("routes", "missing Service default/ratings", route, (*backends, 1), NOT_FOUND),
    ]


def test_policies_point_at_the_workloads_they_select(lint_yaml):
    mesh = lint_yaml(
        "mesh.yaml",
        INGRESS,
        "policy.yaml",
        """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: reviews}
        spec:
          selector: {matchLabels: {app: reviews}}
          action: DENY
          rules: [{to: [{operation: {paths: ["/admin"]}}]}]
        ---
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: default, namespace: istio-system}
        spec: {mtls: {mode: STRICT}}
        """,
    ).mesh
    graph = resource_graph(mesh).graph
    assert edges(graph, "AuthorizationPolicy default/reviews") == [
        (
            "applies",
            "Deployment default/reviews-v1",
            "AuthorizationPolicy default/reviews",
            ("spec", "selector"),
            FOUND,
        )
    ]
    assert edges(graph, "PeerAuthentication istio-system/default")[0][:2] == ("applies", "mesh")


def test_tracing_a_delegate_rule_enters_through_its_root(lint_yaml):
    """From an editor, a rule of a delegate VirtualService is traced with a request to the
    root's host, through the root's Gateway, that the root hands to the delegate."""
    mesh = lint_yaml("mesh.yaml", INGRESS, "routes.yaml", ROUTES).mesh
    delegate = mesh.get("networking.istio.io", "VirtualService", "default", "reviews-routes")
    wanted = rule_request(mesh, delegate, 0)
    assert wanted is not None
    assert (wanted.request.host, wanted.request.path, wanted.gateway) == (
        "bookinfo.example.com",
        "/reviews/v1",
        "istio-system/main",
    )
    result = trace(mesh, wanted.request, wanted.source, wanted.gateway)
    assert (result.route.innermost.virtual_service, result.route.innermost.rule) == (delegate, 0)
    assert [a.subset for a in result.arrivals] == ["v1"]


def test_linting_does_not_import_networkx_and_drawing_does(tmp_path):
    manifest = tmp_path / "vs.yaml"
    manifest.write_text(ROUTES)
    check = (
        "import sys\nfrom click.testing import CliRunner\nfrom meshlint.cli import cli\n"
        "CliRunner().invoke(cli, [sys.argv[1], sys.argv[2]])\n"
        "print('networkx' in sys.modules)\n"
    )
    for command, imported in (("lint", "False"), ("graph", "True")):
        out = subprocess.run(
            [sys.executable, "-c", check, command, str(manifest)],
            capture_output=True,
            text=True,
            cwd=REPO,
            check=True,
        )
        assert out.stdout.strip().splitlines()[-1] == imported, command


def test_a_policy_target_ref_points_at_its_target_or_where_it_would_be(lint_yaml):
    mesh = lint_yaml(
        "policy.yaml",
        """
        apiVersion: v1
        kind: Service
        metadata: {name: reviews}
        spec: {ports: [{port: 9080}]}
        ---
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: deny}
        spec:
          targetRefs:
          - {kind: Gateway, group: gateway.networking.k8s.io, name: web}
          - {kind: Service, group: "", name: reviews}
          action: DENY
          rules: [{}]
        """,
    ).mesh
    policy = "AuthorizationPolicy default/deny"
    assert edges(resource_graph(mesh).graph, policy) == [
        ("applies", "unknown Gateway default/web", policy, ("spec", "targetRefs", 0), UNKNOWN),
        ("applies", "Service default/reviews", policy, ("spec", "targetRefs", 1), FOUND),
    ]
