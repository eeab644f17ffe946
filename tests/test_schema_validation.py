"""Specs for schema validation as rules: JSON Schema (ML701), CEL rules (ML702), unknown
fields (ML703), apiVersions (ML704-ML707) and YAML read as Kubernetes reads it (ML710)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from meshlint.apiserver.goyaml import go_number
from meshlint.apiserver.plan import compile_schema
from meshlint.apiserver.rules import rule_violations
from meshlint.cel import Scope
from meshlint.engine.finding import Severity
from meshlint.engine.fix import Edit
from meshlint.engine.registry import by_name
from meshlint.fieldpath import parse

from conftest import SHARED, found, needs_shared

SCHEMA_RULES = ["ML701", "ML702", "ML703", "ML704", "ML705", "ML706", "ML707", "ML710"]
TESTDATA = SHARED / "reference" / "istio-crd-testdata"
BOOKINFO = SHARED / "reference" / "samples" / "bookinfo"


def lint(lint_yaml, text: str, **options):
    return lint_yaml("manifest.yaml", text, select=SCHEMA_RULES, **options)


def messages(result, rule: str) -> list[str]:
    return [f.message for f in result.findings if rule in (f.rule.id, f.rule.name)]


# --- Istio's CRD test data: every invalid document rejected where the API server says ---------


@dataclass
class Fixture:
    name: str
    text: str
    expected: str | None


def _fixtures(suffix: str) -> list[Fixture]:
    if not TESTDATA.is_dir():
        return []
    out = []
    for path in sorted(TESTDATA.glob(f"*-{suffix}.yaml")):
        chunks = re.split(r"^---\s*$", path.read_text(encoding="utf-8"), flags=re.M)
        for index, chunk in enumerate(chunks):
            lines = chunk.splitlines()
            errors = [line for line in lines if line.startswith("_err:")]
            body = "\n".join(line for line in lines if not line.startswith("_err:"))
            if not re.search(r"^kind:", body, flags=re.M):
                continue  # commented out upstream
            expected = errors[0].split(":", 1)[1].strip().strip("'\"") if errors else None
            out.append(Fixture(f"{path.stem}[{index}]", body + "\n", expected))
    return out


INVALID = _fixtures("invalid")
VALID = _fixtures("valid")
_FIELD = re.compile(r"^([A-Za-z_]\w*(?:\[\d+\])?(?:\.[A-Za-z_]\w*(?:\[\d+\])?)*)(?:: | in body )")


def _at_named_field(finding, expected: str) -> bool:
    """Whether ``finding`` is where the API server's message ``expected`` says: at the
    field it names (the object lacking it, for ``Required value``), or with its words."""
    field = _FIELD.match(expected)
    if field is None:
        return expected.lower() in finding.message.lower()
    named = parse(field.group(1))
    path = named[:-1] if "Required value" in expected else named
    if named[0] in ("spec", "metadata"):
        return finding.path == path
    return finding.path[-len(path) :] == path


@needs_shared()
def test_the_test_data_is_all_there() -> None:
    assert len(INVALID) == 77
    assert len(VALID) == 35
    assert all(fixture.expected for fixture in INVALID)


@needs_shared()
@pytest.mark.parametrize("fixture", INVALID, ids=lambda f: f.name)
def test_invalid_crd_documents_are_rejected_at_the_field_named(lint_yaml, fixture) -> None:
    result = lint(lint_yaml, fixture.text)
    errors = [f for f in result.findings if f.severity is Severity.ERROR]

    assert any(_at_named_field(f, fixture.expected) for f in errors), (
        fixture.expected,
        [(f.path, f.message) for f in errors],
    )


@needs_shared()
@pytest.mark.parametrize("fixture", VALID, ids=lambda f: f.name)
def test_valid_crd_documents_have_no_error(lint_yaml, fixture) -> None:
    result = lint(lint_yaml, fixture.text)

    assert [f.message for f in result.findings if f.severity is Severity.ERROR] == []


@needs_shared()
def test_bookinfo_has_no_schema_finding_above_info(lint_yaml) -> None:
    texts = {path.name: path.read_text(encoding="utf-8") for path in BOOKINFO.glob("*.yaml")}
    files = [item for name in sorted(texts) for item in (name, texts[name])]

    result = lint_yaml(*files, select=SCHEMA_RULES)

    assert result.resources > 20
    assert [f.message for f in result.findings if f.severity > Severity.INFO] == []


ISTIO_DOCS_EXAMPLES = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews-route
spec:
  hosts: [reviews.prod.svc.cluster.local]
  http:
  - name: reviews-v2-routes
    match:
    - uri: {prefix: /wpcatalog}
    - uri: {prefix: /consumercatalog}
    rewrite: {uri: /newcatalog}
    route:
    - destination: {host: reviews.prod.svc.cluster.local, subset: v2}
  - name: reviews-v1-route
    route:
    - destination: {host: reviews.prod.svc.cluster.local, subset: v1}
      weight: 75
    - destination: {host: reviews.prod.svc.cluster.local, subset: v3}
      weight: 25
    timeout: 10s
    retries: {attempts: 3, perTryTimeout: 2s, retryOn: "gateway-error,connect-failure"}
    fault:
      delay: {percentage: {value: 0.1}, fixedDelay: 5s}
    mirror: {host: reviews-shadow}
    mirrorPercentage: {value: 50.0}
    corsPolicy:
      allowOrigins: [{exact: "https://example.com"}]
      allowMethods: [POST, GET]
      allowHeaders: [X-Foo-Bar]
      maxAge: 24h
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: bookinfo-ratings
spec:
  host: ratings.prod.svc.cluster.local
  trafficPolicy:
    connectionPool:
      tcp: {maxConnections: 100, connectTimeout: 30ms, tcpKeepalive: {time: 7200s, interval: 75s}}
      http: {http2MaxRequests: 1000, maxRequestsPerConnection: 10}
    outlierDetection:
      consecutive5xxErrors: 7
      interval: 5m
      baseEjectionTime: 15m
    loadBalancer:
      consistentHash:
        httpCookie: {name: user, ttl: 0s}
    tls: {mode: ISTIO_MUTUAL}
  subsets:
  - name: testversion
    labels: {version: v3}
    trafficPolicy:
      loadBalancer: {simple: ROUND_ROBIN}
      portLevelSettings:
      - port: {number: 80}
        loadBalancer: {simple: LEAST_REQUEST}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: my-gateway
  namespace: some-config-namespace
spec:
  selector: {app: my-gateway-controller}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [uk.bookinfo.com, eu.bookinfo.com]
    tls: {httpsRedirect: true}
  - port: {number: 443, name: https-443, protocol: HTTPS}
    hosts: [uk.bookinfo.com, eu.bookinfo.com]
    tls: {mode: SIMPLE, credentialName: bookinfo-secret}
  - port: {number: 9443, name: https-9443, protocol: HTTPS}
    hosts: ["bookinfo-namespace/*.bookinfo.com"]
    tls: {mode: MUTUAL, credentialName: bookinfo-secret, subjectAltNames: [bookinfo.com]}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: external-svc-https
spec:
  hosts: [api.dropboxapi.com, www.googleapis.com]
  location: MESH_EXTERNAL
  ports:
  - number: 443
    name: https
    protocol: TLS
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: external-svc-mongocluster
spec:
  hosts: [mymongodb.somedomain]
  addresses: [192.192.192.192/24]
  ports:
  - number: 27018
    name: mongodb
    protocol: MONGO
  location: MESH_INTERNAL
  resolution: STATIC
  endpoints:
  - address: 2.2.2.2
  - address: 3.3.3.3
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: default
  namespace: prod-us1
spec:
  egress:
  - hosts: ["prod-us1/*", "prod-apis/*", "istio-system/*"]
  outboundTrafficPolicy: {mode: REGISTRY_ONLY}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: httpbin
  namespace: foo
spec:
  action: ALLOW
  rules:
  - from:
    - source: {principals: ["cluster.local/ns/default/sa/sleep"]}
    - source: {namespaces: [dev]}
    to:
    - operation: {methods: [GET], paths: ["/info*"]}
    when:
    - key: request.auth.claims[iss]
      values: ["https://accounts.google.com"]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: finance
  namespace: finance
spec:
  selector:
    matchLabels: {app: finance}
  mtls: {mode: STRICT}
  portLevelMtls:
    8080: {mode: DISABLE}
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata:
  name: httpbin
  namespace: foo
spec:
  selector:
    matchLabels: {app: httpbin}
  jwtRules:
  - issuer: issuer-foo
    jwksUri: https://example.com/.well-known/jwks.json
    fromHeaders: [{name: x-jwt-assertion, prefix: "Bearer "}]
    outputClaimToHeaders: [{header: x-jwt-iss, claim: iss}]
---
apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata:
  name: mesh-default
  namespace: istio-system
spec:
  tracing:
  - randomSamplingPercentage: 10.00
  accessLogging:
  - providers: [{name: envoy}]
  metrics:
  - providers: [{name: prometheus}]
    overrides:
    - match: {metric: REQUEST_COUNT, mode: CLIENT_AND_SERVER}
      tagOverrides:
        request_host: {operation: REMOVE}
---
apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata:
  name: openid-connect
  namespace: istio-ingress
spec:
  selector:
    matchLabels: {istio: ingressgateway}
  url: oci://private-registry:5000/openid-connect/openid:latest
  imagePullPolicy: IfNotPresent
  imagePullSecret: private-registry-pull-secret
  phase: AUTHN
  pluginConfig:
    openid_server: authn
    openid_realm: ingress
---
apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata:
  name: custom-protocol
  namespace: istio-config
spec:
  configPatches:
  - applyTo: NETWORK_FILTER
    match:
      context: SIDECAR_OUTBOUND
      listener:
        portNumber: 9307
        filterChain:
          filter: {name: envoy.filters.network.tcp_proxy}
    patch:
      operation: INSERT_BEFORE
      value:
        name: envoy.filters.network.mongo_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.mongo_proxy.v3.MongoProxy
          stat_prefix: mongo
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata:
  name: details-svc
spec:
  serviceAccount: details-legacy
  address: 2.2.2.2
  labels: {app: details-legacy, instance-id: vm1}
---
apiVersion: networking.istio.io/v1
kind: WorkloadGroup
metadata:
  name: reviews
  namespace: bookinfo
spec:
  metadata:
    labels: {app.kubernetes.io/name: reviews, app.kubernetes.io/version: "1.3.4"}
  template:
    ports: {grpc: 3550, http: 8080}
    serviceAccount: default
  probe:
    initialDelaySeconds: 5
    timeoutSeconds: 3
    periodSeconds: 4
    successThreshold: 3
    failureThreshold: 3
    httpGet: {path: /foo/bar, host: 127.0.0.1, port: 3100, scheme: HTTPS}
---
apiVersion: networking.istio.io/v1beta1
kind: ProxyConfig
metadata:
  name: per-workload-proxyconfig
  namespace: example
spec:
  selector:
    matchLabels: {app: ratings}
  concurrency: 0
  image: {imageType: debug}
"""


def test_istio_documented_examples_validate_without_errors(lint_yaml) -> None:
    result = lint(lint_yaml, ISTIO_DOCS_EXAMPLES)

    assert result.resources == 15
    assert [f.message for f in result.findings if f.rule.id != "ML706"] == []


# --- JSON Schema -------------------------------------------------------------------------------


def test_an_invalid_enum_value_is_reported_at_its_line_with_the_allowed_values(lint_yaml) -> None:
    result = lint(
        lint_yaml,
        """\
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: reviews
        spec:
          host: reviews
          trafficPolicy:
            tls:
              mode: ISTIO_MUTAL
        """,
    )

    assert found(result, "ML701") == [("schema-violation", 9, 13)]
    assert messages(result, "ML701") == [
        'spec.trafficPolicy.tls.mode: Unsupported value: "ISTIO_MUTAL": supported values: '
        '"DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"; did you mean "ISTIO_MUTUAL"?'
    ]


def test_a_missing_required_field_is_reported_at_the_object_lacking_it(lint_yaml) -> None:
    result = lint(
        lint_yaml,
        """\
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: external
        spec:
          hostss: [api.example.com]
          location: MESH_EXTERNAL
        """,
    )

    assert found(result, "ML701") == [("schema-violation", 5, 1)]
    assert messages(result, "ML701") == [
        'spec.hosts: Required value; is "hostss" a misspelling of it?'
    ]


def test_wrong_types_and_ranges_are_reported_in_kubernetes_kinds_too(lint_yaml) -> None:
    result = lint(
        lint_yaml,
        """\
        apiVersion: v1
        kind: Service
        metadata:
          name: reviews
          labels:
            version: 2
        spec:
          ports:
          - port: 99999999999
            protocol: HTTP
        """,
    )

    assert found(result, "ML701") == [
        ("schema-violation", 6, 14),
        ("schema-violation", 9, 11),
        ("schema-violation", 10, 15),
    ]


def test_repeated_keys_of_a_list_map_are_duplicate_values(lint_yaml) -> None:
    result = lint(
        lint_yaml,
        """\
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: external
        spec:
          hosts: [api.example.com]
          ports:
          - {number: 80, name: http, protocol: HTTP}
          - {number: 8080, name: http, protocol: HTTP}
        """,
    )

    assert found(result, "ML701") == [("schema-violation", 9, 5)]
    assert messages(result, "ML701") == ['spec.ports[1]: Duplicate value: {"name": "http"}']


# --- CEL rules ---------------------------------------------------------------------------------


def test_a_broken_cel_rule_is_reported_at_the_field_holding_it_with_its_message(lint_yaml) -> None:
    result = lint(
        lint_yaml,
        """\
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: external
        spec:
          hosts: ["*"]
          ports:
          - {number: 99999, name: http, protocol: HTTP}
        """,
    )

    assert found(result, "ML702") == [("cel-rule-violation", 6, 11), ("cel-rule-violation", 8, 14)]
    assert messages(result, "ML702") == [
        "spec.hosts[0]: Invalid value: '*': hostname cannot be wildcard",
        "spec.ports[0].number: Invalid value: 99999: port must be between 1-65535",
    ]


def test_a_rule_failing_to_evaluate_reports_the_error_as_the_api_server_does(lint_yaml) -> None:
    result = lint(
        lint_yaml,
        """\
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: reviews
        spec:
          hosts: [reviews]
          http:
          - route:
            - destination: {host: reviews}
            timeout: 5 seconds
        """,
    )

    assert found(result, "ML702") == [("cel-rule-violation", 10, 14)]
    assert messages(result, "ML702") == [
        "spec.http[0].timeout: Invalid value: '5 seconds': type conversion error from 'string' "
        "to 'google.protobuf.Duration' evaluating rule: must be a valid duration greater than 1ms"
    ]


def test_defaults_are_applied_before_rules_are_evaluated(lint_yaml) -> None:
    route = """\
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata:
          name: reviews
        spec:
          rules:
          - matches:
            - path: {{value: {value}}}
            backendRefs:
            - {{name: reviews, port: 9080}}
        """

    assert found(lint(lint_yaml, route.format(value="/reviews")), "ML702") == []
    relative = lint(lint_yaml, route.format(value="reviews"))
    assert found(relative, "ML702") == [("cel-rule-violation", 8, 13)]


def test_a_value_of_the_wrong_type_gets_the_schema_error_only(lint_yaml) -> None:
    result = lint(
        lint_yaml,
        """\
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: external
        spec:
          hosts: [api.example.com]
          addresses: [{ip: 10.0.0.1}]
        """,
    )

    assert found(result, "ML701") == [("schema-violation", 7, 15)]
    assert found(result, "ML702") == []


def _schema_with_rule(**rule: str) -> dict:
    return {
        "type": "object",
        "properties": {"spec": {"type": "object", "x-kubernetes-validations": [rule]}},
    }


def test_field_path_and_message_expression_of_a_rule_are_honoured() -> None:
    schema = _schema_with_rule(
        rule="self.min <= self.max",
        fieldPath=".max",
        messageExpression="'max must be at least ' + string(self.min)",
    )
    [problem] = rule_violations(compile_schema(schema), {"spec": {"min": 5, "max": 1}}, Scope())

    assert problem.path == ("spec", "max")
    assert problem.message == "max must be at least 5"


def test_transition_rules_are_not_evaluated_on_a_create() -> None:
    plan = compile_schema(_schema_with_rule(rule="self == oldSelf", message="immutable"))

    assert list(rule_violations(plan, {"spec": {"a": 1}}, Scope())) == []


# --- unknown fields ----------------------------------------------------------------------------


def test_typos_are_unknown_fields_with_the_nearest_name(lint_yaml) -> None:
    result = lint(
        lint_yaml,
        """\
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: reviews
        spec:
          hostss: [reviews]
          http:
          - route:
            - destination:
                host: reviews
                subnet: v2
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: reviews
        spec:
          host: reviews
          trafficpolicy:
            tls: {mode: ISTIO_MUTUAL}
        """,
    )

    assert found(result, "ML703") == [
        ("unknown-field", 6, 3),
        ("unknown-field", 11, 9),
        ("unknown-field", 19, 3),
    ]
    hints = [m.rsplit(";", 1)[1] for m in messages(result, "ML703")]
    assert hints == [
        ' did you mean "hosts"?',
        ' did you mean "subset"?',
        ' did you mean "trafficPolicy"?',
    ]
    assert {f.severity for f in result.findings if f.rule.id == "ML703"} == {Severity.WARNING}
    subnet = next(f for f in result.findings if f.path[-1:] == ("subnet",))
    assert [edit for fix in subnet.fixes for edit in fix.edits] == [
        Edit("rename-key", ("spec", "http", 0, "route", 0, "destination", "subnet"), "subset")
    ]


def test_free_form_fields_are_not_unknown(lint_yaml) -> None:
    result = lint(
        lint_yaml,
        """\
        apiVersion: networking.istio.io/v1alpha3
        kind: EnvoyFilter
        metadata:
          name: lua
          labels: {anything: goes}
        spec:
          configPatches:
          - applyTo: HTTP_FILTER
            patch:
              operation: INSERT_BEFORE
              value:
                name: envoy.lua
                whatever: {nested: true}
        """,
    )

    assert found(result, "ML703") == []


# --- apiVersions -------------------------------------------------------------------------------


def test_api_versions(lint_yaml) -> None:
    result = lint(
        lint_yaml,
        """\
        apiVersion: networking.istio.io/v2
        kind: VirtualService
        metadata:
          name: a
        spec:
          hosts: [a]
        ---
        apiVersion: rbac.istio.io/v1alpha1
        kind: ServiceRole
        metadata:
          name: b
        spec: {}
        ---
        apiVersion: networking.istio.io/v1beta1
        kind: DestinationRule
        metadata:
          name: c
        spec:
          host: c
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualServices
        metadata:
          name: d
        spec: {}
        ---
        apiVersion: apps/v1beta2
        kind: Deployment
        metadata:
          name: e
        spec: {}
        ---
        apiVersion: example.com/v9
        kind: Widget
        metadata:
          name: f
        """,
    )

    by_rule = {(f.rule.name, f.location.line): f.message for f in result.findings}
    assert by_rule == {
        ("unknown-api-version", 1): (
            "VirtualService has no version v2 in networking.istio.io; "
            "served versions: v1, v1beta1, v1alpha3"
        ),
        ("removed-api-version", 8): (
            "rbac.istio.io/v1alpha1 ServiceRole was removed in Istio 1.6; "
            "use security.istio.io/v1 AuthorizationPolicy"
        ),
        ("deprecated-api-version", 14): (
            "networking.istio.io/v1beta1 is an older version of DestinationRule; "
            "the preferred version is networking.istio.io/v1"
        ),
        ("unknown-kind", 22): (
            'networking.istio.io has no kind VirtualServices; did you mean "VirtualService"?'
        ),
        ("removed-api-version", 27): (
            "apps/v1beta2 Deployment was removed in Kubernetes 1.16; use apps/v1"
        ),
    }
    severities = {f.rule.name: f.severity for f in result.findings}
    assert severities["deprecated-api-version"] is Severity.INFO


# --- YAML as Kubernetes reads it ---------------------------------------------------------------


def test_scalars_kubernetes_reads_differently_are_reported_and_validated_as_read(
    lint_yaml,
) -> None:
    result = lint(
        lint_yaml,
        """\
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: external
          labels:
            canary: n
            window: 1:30
            enabled: "yes"
        spec:
          hosts: [api.example.com]
          addresses: [1.2.3.4, 001:db8::]
          resolution: STATIC
          ports:
          - {number: 443, name: https, protocol: TLS}
        """,
    )

    assert found(result, "ML710") == [
        ("yaml-ambiguity", 6, 13),
        ("yaml-ambiguity", 7, 13),
        ("yaml-ambiguity", 11, 24),
    ]
    # n is the boolean false to Kubernetes: a label value must be a string.
    assert found(result, "ML701") == [("schema-violation", 6, 13)]
    assert messages(result, "ML701") == [
        "metadata.labels.canary: Invalid value: must be of type string, got boolean false"
    ]


def test_yaml11_booleans_outside_kubernetes_objects_are_not_reported(lint_yaml) -> None:
    """An Ansible playbook beside the manifests is read by Ansible, not the API server."""
    result = lint(lint_yaml, "- hosts: all\n  become: yes\n  gather_facts: no\n")
    assert found(result, "ML710") == []


def test_yaml11_booleans_are_reported_but_octal_modes_are_not(lint_yaml) -> None:
    result = lint(
        lint_yaml,
        """\
        apiVersion: v1
        kind: Pod
        metadata:
          name: app
        spec:
          hostNetwork: on
          containers:
          - name: app
            image: app
          volumes:
          - name: config
            configMap: {name: app, defaultMode: 0644}
        """,
    )

    assert found(result, "ML710") == [("yaml-ambiguity", 6, 16)]
    assert found(result, "ML701") == []


@pytest.mark.parametrize(
    ("text", "number"),
    [("0o17", 15), ("0x1F", 31), ("0777", 511), ("1e3", 1000.0), ("-.5", -0.5), ("09", 9.0)],
)
def test_numbers_as_go_yaml_reads_them(text: str, number: float) -> None:
    assert go_number(text) == number


@pytest.mark.parametrize("text", ["1:30", "1.2.3.4", "10s", "0x", "+"])
def test_text_go_yaml_reads_as_text(text: str) -> None:
    assert go_number(text) is None


def test_the_schema_rules_reach_istio_and_kubernetes_kinds() -> None:
    rule = by_name("ML701")
    assert rule is not None
    assert {"VirtualService", "Deployment", "HTTPRoute", "Service"} <= set(rule.kinds)
