"""``meshlint trace``: where a request goes and whether it is allowed, from the manifests.

Each test states the Istio semantics it checks and where Istio documents it. The tests
drive the real CLI (``meshlint trace ... --format json``) on YAML written to files.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from meshlint.cli import cli

from conftest import REPO, SHARED, needs_shared

BOOKINFO = SHARED / "reference" / "samples" / "bookinfo"
EXAMPLE = REPO / "examples" / "bookinfo-trace"

#: Namespace default with injection; Service reviews (9080 -> 9080) in front of v1 and v2;
#: two clients, productpage and sleep, each with its service account.
MESH = """
apiVersion: v1
kind: Namespace
metadata: {name: default, labels: {istio-injection: enabled}}
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
    spec: {serviceAccountName: reviews, containers: [{name: reviews, image: r:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-v2}
spec:
  template:
    metadata: {labels: {app: reviews, version: v2}}
    spec: {serviceAccountName: reviews, containers: [{name: reviews, image: r:2}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: productpage}
spec:
  template:
    metadata: {labels: {app: productpage}}
    spec: {serviceAccountName: productpage, containers: [{name: p, image: p:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: sleep}
spec:
  template:
    metadata: {labels: {app: sleep}}
    spec: {serviceAccountName: sleep, containers: [{name: s, image: s:1}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
"""

PRODUCTPAGE = ("--from", "default/productpage")


def run(tmp_path, extra: str, *args: str, fmt: str = "json", base: str = MESH):
    """Write the mesh plus ``extra`` and run ``meshlint trace`` on it."""
    path = tmp_path / "mesh.yaml"
    path.write_text(textwrap.dedent(base) + "\n---\n" + textwrap.dedent(extra))
    result = CliRunner().invoke(cli, ["trace", str(path), "--format", fmt, *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output) if fmt == "json" else result.output


def reviews(to: str = "reviews:9080") -> tuple[str, ...]:
    return ("--to", to, *PRODUCTPAGE)


# -- routing ---------------------------------------------------------------------------


def test_first_matching_rule_wins(tmp_path):
    """Rules are evaluated in order and the first match wins
    (istio.io/latest/docs/concepts/traffic-management/#routing-rule-precedence)."""
    out = run(
        tmp_path,
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews}
        spec:
          hosts: [reviews]
          http:
          - match: [{uri: {prefix: /}}]
            route: [{destination: {host: reviews, subset: v1}}]
          - match: [{uri: {prefix: /api}}]
            route: [{destination: {host: reviews, subset: v2}}]
        """,
        *reviews(),
        "--path",
        "/api/x",
    )
    assert out["route"] == {
        "virtual_service": "default/reviews",
        "section": "http",
        "rule": 0,
        "match": 0,
    }
    assert out["destination"]["subset"] == "v1"
    assert out["decision"] == "allow"


JASON = """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - match:
    - headers: {end-user: {exact: jason}}
    - headers: {x-version: {regex: "v[0-9]"}}
    route: [{destination: {host: reviews, subset: v2}}]
  - route: [{destination: {host: reviews, subset: v1}}]
"""


@pytest.mark.parametrize(
    ("header", "subset", "match"),
    [
        ("end-user=jason", "v2", 0),
        ("End-User=jason", "v2", 0),  # header names are case-insensitive
        ("end-user=jasonx", "v1", None),  # exact is exact
        ("x-version=v2", "v2", 1),
        ("x-version=v22", "v1", None),  # RE2 must match the whole value, as Envoy's safe_regex
    ],
)
def test_header_matches(tmp_path, header, subset, match):
    """HTTPMatchRequest.headers: exact, or an RE2 regex matching the whole value; names
    are lower-case
    (istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest)."""
    out = run(tmp_path, JASON, *reviews(), "--header", header)
    assert out["destination"]["subset"] == subset
    assert out["route"]["match"] == match
    assert out["destination"]["workloads"] == [f"Deployment default/reviews-{subset}"]


URIS = """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - match: [{uri: {exact: /login}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - match: [{uri: {prefix: /static}, ignoreUriCase: true}]
    route: [{destination: {host: reviews, subset: v2}}]
  - match: [{uri: {regex: "/item/[0-9]+"}}]
    route: [{destination: {host: reviews, subset: v2}}]
"""


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        ("/login", 0),
        ("/login?next=/", 0),  # the query string is not part of the path match
        ("/STATIC/app.js", 1),  # ignoreUriCase
        ("/item/42", 2),
        ("/item/42/x", None),  # regex: full match
        ("/login/x", None),  # exact is not prefix
    ],
)
def test_uri_matches(tmp_path, path, rule):
    """HTTPMatchRequest.uri exact/prefix/regex and ignoreUriCase; with no rule matching a
    sidecar answers 404
    (istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest)."""
    out = run(tmp_path, URIS, *reviews(), "--path", path)
    if rule is None:
        assert out["decision"] == "deny"
        assert out["outcome"] == "404 Not Found"
        assert out["route"] is None
        assert "closest" in out["reason"]
    else:
        assert out["route"]["rule"] == rule


def test_weights_split_and_mirror_is_not_a_destination(tmp_path):
    """HTTPRouteDestination.weight splits traffic; a mirror gets a copy whose answer is
    dropped, so it is not where the request goes
    (istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRoute)."""
    out = run(
        tmp_path,
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews}
        spec:
          hosts: [reviews]
          http:
          - route:
            - {destination: {host: reviews, subset: v1}, weight: 75}
            - {destination: {host: reviews, subset: v2}, weight: 25}
            mirror: {host: reviews, subset: v2}
        """,
        *reviews(),
    )
    assert [(d["subset"], d["weight"]) for d in out["destinations"]] == [("v1", 75), ("v2", 25)]
    assert out["destination"]["subset"] == "v1"
    assert [s["kind"] for s in out["steps"]].count("mirror") == 1
    assert out["decision"] == "allow"


def test_delegate_rules_route(tmp_path):
    """A rule with ``delegate`` hands the request to the delegate VirtualService, whose
    rules are then tried in order
    (istio.io/latest/docs/reference/config/networking/virtual-service/#Delegate)."""
    out = run(
        tmp_path,
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews}
        spec:
          hosts: [reviews]
          http:
          - match: [{uri: {prefix: /api}}]
            delegate: {name: reviews-api}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews-api}
        spec:
          http:
          - match: [{uri: {prefix: /api/v1}}]
            route: [{destination: {host: reviews, subset: v1}}]
          - match: [{uri: {prefix: /api/v2}}]
            route: [{destination: {host: reviews, subset: v2}}]
        """,
        *reviews(),
        "--path",
        "/api/v2/books",
    )
    assert out["route"]["delegate"] == {
        "virtual_service": "default/reviews-api",
        "section": "http",
        "rule": 1,
        "match": 0,
    }
    assert out["destination"]["subset"] == "v2"


def test_subset_missing_from_destination_rule_is_503(tmp_path):
    """A route to a subset the DestinationRule does not define has no cluster: 503
    (istio.io/latest/docs/ops/common-problems/network-issues/#route-rules-dont-seem-to-affect-traffic-flow)."""
    out = run(
        tmp_path,
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews}
        spec:
          hosts: [reviews]
          http: [{route: [{destination: {host: reviews, subset: v9}}]}]
        """,
        *reviews(),
    )
    assert out["decision"] == "deny"
    assert "no subset v9" in out["reason"]
    assert out["outcome"] == "503 Service Unavailable"


def test_without_virtual_service_the_service_takes_every_workload(tmp_path):
    """With no VirtualService the sidecar routes to the Service's endpoints (Istio's
    default route)."""
    out = run(tmp_path, "", *reviews())
    assert out["route"] is None
    assert sorted(out["destination"]["workloads"]) == [
        "Deployment default/reviews-v1",
        "Deployment default/reviews-v2",
    ]
    assert out["decision"] == "allow"


GATEWAY = """
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: web}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 8080, name: http, protocol: HTTP}
    hosts: [shop.example.com]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop}
spec:
  hosts: [shop.example.com]
  gateways: [web]
  http:
  - route: [{destination: {host: reviews, port: {number: 9080}}}]
"""


@pytest.mark.parametrize(
    ("to", "decision", "outcome"),
    [
        ("shop.example.com", "allow", "routed"),  # Service port 80 -> targetPort 8080
        ("shop.example.com:80", "allow", "routed"),
        ("other.example.com", "deny", "404 Not Found"),  # no server host covers it
        ("shop.example.com:8080", "deny", "connection refused"),  # not a Service port
        ("shop.example.com:443", "deny", "connection refused"),  # 443 -> 8443: no server
    ],
)
def test_gateway_server_by_host_and_service_target_port(tmp_path, to, decision, outcome):
    """A client reaches the gateway through its Service: the dialed port's targetPort is
    the server port (Istio's default ingress maps 80 to 8080), and a server's hosts must
    cover the host (istio.io/latest/docs/reference/config/networking/gateway/#Server)."""
    out = run(tmp_path, GATEWAY, "--gateway", "default/web", "--to", to)
    assert (out["decision"], out["outcome"]) == (decision, outcome)
    if decision == "allow":
        assert out["route"]["virtual_service"] == "default/shop"
        assert out["source"].startswith("Pod istio-system/istio-ingressgateway")


def test_gateway_ignores_virtual_services_bound_to_the_mesh_only(tmp_path):
    """A VirtualService applies to a gateway only when its ``gateways`` names it
    (istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService)."""
    text = GATEWAY.replace("gateways: [web]", "gateways: [mesh]")
    out = run(tmp_path, text, "--gateway", "default/web", "--to", "shop.example.com")
    assert out["decision"] == "deny"
    assert out["outcome"] == "404 Not Found"


# -- authorization ---------------------------------------------------------------------


def policy(
    name: str,
    action: str,
    rules: str,
    selector: str = "{matchLabels: {app: reviews}}",
    namespace: str = "default",
) -> str:
    return (
        textwrap.dedent(
            f"""
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {{name: {name}, namespace: {namespace}}}
        spec:
          selector: {selector}
          action: {action}
        """
        )
        + textwrap.indent(textwrap.dedent(rules), "  ")
        + "\n---\n"
    )


ONLY_PRODUCTPAGE = """
rules:
- from: [{source: {principals: [cluster.local/ns/default/sa/productpage]}}]
"""


def test_allow_policy_allows_its_principal_and_denies_the_others(tmp_path):
    """ALLOW policies exist for the workload: a request is allowed only when one matches
    (istio.io/latest/docs/concepts/security/#implicit-enablement)."""
    text = policy("only-productpage", "ALLOW", ONLY_PRODUCTPAGE)
    allowed = run(tmp_path, text, *reviews())
    assert allowed["decision"] == "allow"
    assert allowed["decided_by"] == ["default/only-productpage"]
    denied = run(tmp_path, text, "--to", "reviews:9080", "--from", "default/sleep")
    assert denied["decision"] == "deny"
    assert denied["outcome"] == "403 RBAC: access denied"
    assert denied["decided_by"] == ["default/only-productpage"]


def test_deny_wins_over_allow(tmp_path):
    """DENY policies are evaluated before ALLOW policies
    (istio.io/latest/docs/concepts/security/#implicit-enablement)."""
    text = policy("allow-all", "ALLOW", "rules: [{}]") + policy(
        "no-delete", "DENY", "rules: [{to: [{operation: {methods: [DELETE]}}]}]"
    )
    assert run(tmp_path, text, *reviews(), "--method", "DELETE")["decided_by"] == [
        "default/no-delete"
    ]
    assert run(tmp_path, text, *reviews(), "--method", "DELETE")["decision"] == "deny"
    assert run(tmp_path, text, *reviews(), "--method", "GET")["decision"] == "allow"


def test_custom_comes_first_and_its_answer_is_unknown_offline(tmp_path):
    """A request a CUSTOM policy matches goes to the external authorizer first; offline
    its answer is unknown, unless DENY or ALLOW deny it anyway
    (istio.io/latest/docs/tasks/security/authorization/authz-custom/)."""
    custom = policy(
        "ext",
        "CUSTOM",
        "provider: {name: ext-authz}\nrules: [{to: [{operation: {paths: [/admin*]}}]}]",
    )
    out = run(tmp_path, custom, *reviews(), "--path", "/admin/x")
    assert out["decision"] == "unknown"
    assert "external authorizer" in out["reason"]
    assert run(tmp_path, custom, *reviews(), "--path", "/public")["decision"] == "allow"
    denied = run(
        tmp_path,
        custom + policy("no-admin", "DENY", "rules: [{to: [{operation: {paths: [/admin*]}}]}]"),
        *reviews(),
        "--path",
        "/admin/x",
    )
    assert denied["decision"] == "deny"


def test_principals_match_only_under_mutual_tls(tmp_path):
    """``principals`` come from the peer certificate: without mutual TLS (here the
    client's DestinationRule sets tls DISABLE) the request has no principal, so a
    ``principals`` ALLOW rule does not match and ``notPrincipals`` does
    (istio.io/latest/docs/reference/config/security/authorization-policy/#Source)."""
    plaintext = MESH.replace(
        "  host: reviews\n", "  host: reviews\n  trafficPolicy: {tls: {mode: DISABLE}}\n"
    )
    text = policy("only-productpage", "ALLOW", ONLY_PRODUCTPAGE)
    out = run(tmp_path, text, *reviews(), base=plaintext)
    assert out["decision"] == "deny"
    mtls = [s["text"] for s in out["steps"] if s["kind"] == "mtls"]
    assert all("plaintext" in t and "DISABLE" in t for t in mtls)
    not_sleep = policy(
        "not-sleep",
        "ALLOW",
        "rules: [{from: [{source: {notPrincipals: [cluster.local/ns/default/sa/sleep]}}]}]",
    )
    assert run(tmp_path, not_sleep, *reviews(), base=plaintext)["decision"] == "allow"


def test_strict_server_refuses_plaintext(tmp_path):
    """A STRICT PeerAuthentication accepts only mutual TLS: a plaintext client fails
    (istio.io/latest/docs/concepts/security/#peer-authentication)."""
    plaintext = MESH.replace(
        "  host: reviews\n", "  host: reviews\n  trafficPolicy: {tls: {mode: DISABLE}}\n"
    )
    strict = """
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata: {name: default}
    spec: {mtls: {mode: STRICT}}
    """
    out = run(tmp_path, strict, *reviews(), base=plaintext)
    assert out["decision"] == "deny"
    assert "STRICT" in out["reason"]


@pytest.mark.parametrize(
    ("method", "path", "decision"),
    [
        ("GET", "/books", "allow"),
        ("GET", "/admin/users", "deny"),  # notPaths
        ("DELETE", "/books", "deny"),  # notMethods
    ],
)
def test_not_paths_and_not_methods(tmp_path, method, path, decision):
    """An operation matches only when the request's value matches none of ``notPaths``
    or ``notMethods``
    (istio.io/latest/docs/reference/config/security/authorization-policy/#Operation)."""
    text = policy(
        "reads",
        "ALLOW",
        "rules: [{to: [{operation: {notPaths: [/admin*], notMethods: [DELETE, PUT]}}]}]",
    )
    assert (
        run(tmp_path, text, *reviews(), "--method", method, "--path", path)["decision"] == decision
    )


def test_namespace_wide_policy_applies_to_every_workload_of_its_namespace(tmp_path):
    """A policy without a selector applies to every workload of its namespace; an empty
    ALLOW policy (no rules) matches nothing and so denies everything
    (istio.io/latest/docs/reference/config/security/authorization-policy/)."""
    text = """
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata: {name: allow-nothing}
    spec: {}
    """
    out = run(tmp_path, text, *reviews())
    assert out["decision"] == "deny"
    assert out["decided_by"] == ["default/allow-nothing"]


def test_root_namespace_policy_applies_mesh_wide(tmp_path):
    """A policy in the root namespace (istio-system) without a selector applies to every
    workload of the mesh; in another namespace it would not
    (istio.io/latest/docs/reference/config/security/authorization-policy/)."""
    deny_sleep = policy(
        "deny-sleep",
        "DENY",
        "rules: [{from: [{source: {namespaces: [default]}}], when: [{key: source.principal, "
        "values: [cluster.local/ns/default/sa/sleep]}]}]",
        selector="{}",
        namespace="istio-system",
    )
    out = run(tmp_path, deny_sleep, "--to", "reviews:9080", "--from", "default/sleep")
    assert (out["decision"], out["decided_by"]) == ("deny", ["istio-system/deny-sleep"])
    elsewhere = deny_sleep.replace("namespace: istio-system", "namespace: other")
    assert (
        run(tmp_path, elsewhere, "--to", "reviews:9080", "--from", "default/sleep")["decision"]
        == "allow"
    )


# -- unknown ---------------------------------------------------------------------------


def test_host_outside_the_inputs_is_unknown(tmp_path):
    """A host in a namespace the inputs hold no Service of cannot be followed: unknown,
    with the reason."""
    out = run(tmp_path, "", "--to", "ratings.other:9080", *PRODUCTPAGE)
    assert out["decision"] == "unknown"
    assert "no Services of namespace other" in out["reason"]


def test_claim_condition_without_claim_is_unknown_and_without_token_does_not_match(tmp_path):
    """``request.auth.claims[...]`` needs the token: a request without one has no
    claims (no match); with a token whose claim is not given, meshlint cannot tell
    (istio.io/latest/docs/reference/config/security/conditions/)."""
    text = policy(
        "admins",
        "ALLOW",
        "rules: [{when: [{key: 'request.auth.claims[groups]', values: [admin]}]}]",
    )
    assert run(tmp_path, text, *reviews())["decision"] == "deny"
    token = ("--request-principal", "issuer/alice")
    unknown = run(tmp_path, text, *reviews(), *token)
    assert unknown["decision"] == "unknown"
    assert "claim groups" in unknown["reason"]
    assert run(tmp_path, text, *reviews(), *token, "--claim", "groups=admin")["decision"] == "allow"


def test_ip_blocks_are_unknown(tmp_path):
    """``ipBlocks`` need the client's address, which manifests do not give."""
    text = policy("office", "ALLOW", "rules: [{from: [{source: {ipBlocks: [10.0.0.0/8]}}]}]")
    out = run(tmp_path, text, *reviews())
    assert out["decision"] == "unknown"
    assert "IP address" in out["reason"]


def test_source_labels_of_a_client_not_among_the_inputs_are_unknown(tmp_path):
    """``sourceLabels`` select client workloads: a client meshlint does not see makes the
    rule unknown rather than guessed."""
    text = """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: reviews}
    spec:
      hosts: [reviews]
      http:
      - match: [{sourceLabels: {app: productpage}}]
        route: [{destination: {host: reviews, subset: v2}}]
      - route: [{destination: {host: reviews, subset: v1}}]
    """
    assert run(tmp_path, text, *reviews())["destination"]["subset"] == "v2"
    out = run(tmp_path, text, "--to", "reviews:9080", "--from", "default/ghost")
    assert out["decision"] == "unknown"
    assert out["route"] is None


# -- output ----------------------------------------------------------------------------


def test_text_output_numbers_steps_with_their_file_and_line(tmp_path):
    text = run(tmp_path, JASON, *reviews(), "--header", "end-user=jason", fmt="text")
    lines = text.splitlines()
    assert lines[0] == "request: GET http://reviews:9080/ end-user: jason"
    rule = next(line for line in lines if " rule " in line)
    assert rule.endswith(f"[{tmp_path / 'mesh.yaml'}:{MESH.count(chr(10)) + 11}]")
    assert lines[-1].startswith("decision: allow")


def test_mermaid_draws_the_path(tmp_path):
    text = run(tmp_path, JASON, *reviews(), "--header", "end-user=jason", fmt="mermaid")
    assert "flowchart LR" in text
    assert "reviews-v2" in text and "reviews-v1" not in text
    assert "decision{{" in text and "linkStyle" in text


def test_usage_errors(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(MESH)
    runner = CliRunner()
    missing = runner.invoke(cli, ["trace", str(path), "--to", "x", "--gateway", "default/none"])
    assert missing.exit_code == 2
    assert "no Gateway default/none" in missing.output
    bad = runner.invoke(cli, ["trace", str(path), "--to", "x:notaport"])
    assert bad.exit_code == 2


# -- bookinfo (the README example) -----------------------------------------------------


def bookinfo(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "meshlint", "trace", str(BOOKINFO), str(EXAMPLE), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=REPO)


@needs_shared()
def test_bookinfo_jason_goes_to_v2_and_only_productpage_is_allowed():
    """The README example: productpage's request with ``end-user: jason`` reaches
    reviews v2 and is allowed; the same request from ratings' service account is denied
    by the policy that allows only productpage."""
    jason = ("--to", "reviews:9080", "--header", "end-user=jason", "--format", "json")
    allowed = bookinfo(*jason, "--from", "default/bookinfo-productpage")
    assert allowed.returncode == 0, allowed.stderr
    out = json.loads(allowed.stdout)
    assert (out["decision"], out["destination"]["subset"]) == ("allow", "v2")
    assert out["destination"]["workloads"] == ["Deployment default/reviews-v2"]
    denied = json.loads(bookinfo(*jason, "--from", "default/bookinfo-ratings").stdout)
    assert (denied["decision"], denied["decided_by"]) == ("deny", ["default/reviews-viewer"])
    picture = bookinfo(
        "--to",
        "reviews:9080",
        "--header",
        "end-user=jason",
        "--from",
        "default/bookinfo-ratings",
        "--format",
        "mermaid",
    )
    assert "Subset v2" in picture.stdout and "deny" in picture.stdout


def test_a_port_the_service_does_not_expose_is_refused(tmp_path):
    """A Service forwards only the ports it declares
    (kubernetes.io/docs/concepts/services-networking/service/#defining-a-service)."""
    out = run(tmp_path, "", "--to", "reviews:80", *PRODUCTPAGE)
    assert (out["decision"], out["outcome"]) == ("deny", "connection refused")


def test_tcp_to_a_virtual_service_with_http_rules_only_takes_the_default_route(tmp_path):
    """A sidecar uses a VirtualService's tcp rules for TCP traffic; without any, the
    Service's default route applies."""
    out = run(tmp_path, JASON, "--to", "reviews:9080", "--scheme", "tcp", *PRODUCTPAGE)
    assert out["route"] is None
    assert len(out["destination"]["workloads"]) == 2


def test_a_regex_re2_rejects_is_unknown_not_guessed(tmp_path):
    """Istio compiles match regexes with RE2, which has no lookahead; Python's ``re``
    would accept this one
    (istio.io/latest/docs/reference/config/networking/virtual-service/#StringMatch)."""
    text = JASON.replace('regex: "v[0-9]"', 'regex: "v(?=2)."')
    out = run(tmp_path, text, *reviews(), "--header", "x-version=v2")
    assert out["decision"] == "unknown"
    assert "not valid RE2" in out["reason"]


def test_export_to_hides_a_virtual_service_from_other_namespaces(tmp_path):
    """``exportTo: ["."]`` makes a VirtualService apply only to its own namespace's
    sidecars (istio.io/latest/docs/reference/config/networking/virtual-service/#VirtualService)."""
    text = """
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: reviews}
    spec:
      hosts: [reviews.default.svc.cluster.local]
      exportTo: ["."]
      http: [{route: [{destination: {host: reviews, subset: v2}}]}]
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: client, namespace: other}
    spec:
      template:
        metadata: {labels: {app: client}}
        spec: {serviceAccountName: client, containers: [{name: c, image: c:1}]}
    """
    inside = run(tmp_path, text, *reviews())
    assert inside["route"]["virtual_service"] == "default/reviews"
    outside = run(tmp_path, text, "--to", "reviews.default:9080", "--from", "other/client")
    assert outside["route"] is None
    assert len(outside["destination"]["workloads"]) == 2


def test_gateway_port_through_a_named_target_port(tmp_path):
    """The gateway Service's ``targetPort`` may name a container port of the gateway pod;
    the server must listen on that port number
    (kubernetes.io/docs/concepts/services-networking/service/#field-spec-ports)."""
    text = """
    apiVersion: v1
    kind: Service
    metadata: {name: edge, namespace: edge}
    spec:
      selector: {app: edge}
      ports: [{name: http, port: 80, targetPort: web}]
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: edge, namespace: edge}
    spec:
      template:
        metadata: {labels: {app: edge}}
        spec:
          containers:
          - {name: istio-proxy, image: proxyv2, ports: [{name: web, containerPort: 9090}]}
    ---
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata: {name: edge, namespace: edge}
    spec:
      selector: {app: edge}
      servers: [{port: {number: 9090, name: http, protocol: HTTP}, hosts: ["*/*"]}]
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: edge}
    spec:
      hosts: ["*"]
      gateways: [edge/edge]
      http: [{route: [{destination: {host: reviews, subset: v1}}]}]
    """
    out = run(tmp_path, text, "--gateway", "edge/edge", "--to", "shop.example.com")
    assert out["decision"] == "allow"
    assert out["destination"]["workloads"] == ["Deployment default/reviews-v1"]
    assert out["source"] == "Deployment edge/edge (edge/default)"


def test_a_client_without_sidecar_skips_virtual_services(tmp_path):
    """VirtualServices program the client's sidecar: a pod without one (injection off)
    reaches the Service directly, in plaintext
    (istio.io/latest/docs/ops/common-problems/network-issues/)."""
    legacy = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: legacy}
    spec:
      template:
        metadata:
          labels: {app: legacy, sidecar.istio.io/inject: "false"}
        spec: {containers: [{name: l, image: l:1}]}
    """
    text = JASON + "---\n" + textwrap.dedent(legacy)
    out = run(
        tmp_path,
        text,
        "--to",
        "reviews:9080",
        "--from-workload",
        "Deployment/default/legacy",
        "--header",
        "end-user=jason",
    )
    assert out["route"] is None
    assert len(out["destination"]["workloads"]) == 2
    assert any("plaintext" in s["text"] for s in out["steps"] if s["kind"] == "mtls")
