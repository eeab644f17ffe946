"""DestinationRule rules: TLS verification and subsets that select no workload."""

from __future__ import annotations

from meshlint.engine.finding import Severity

from conftest import found

# -- ML310 dr-tls-no-ca-certificates, ML311 dr-port-tls-no-ca-certificates -----------


def tls_dr(tls: str, selector: str = "") -> str:
    return f"""\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: db
spec:
  host: db.example.com{selector}
  trafficPolicy:
    tls: {tls}
    portLevelSettings:
    - port: {{number: 5432}}
      tls: {tls}
  subsets:
  - name: v1
    labels: {{version: v1}}
    trafficPolicy:
      tls: {tls}
"""


def test_destination_port_and_subset_levels_are_each_checked(lint_yaml):
    result = lint_yaml("a.yaml", tls_dr("{mode: SIMPLE}"), select=["ML310", "ML311"])
    assert found(result) == [
        ("dr-tls-no-ca-certificates", 8, 17),
        ("dr-port-tls-no-ca-certificates", 11, 19),
        ("dr-tls-no-ca-certificates", 16, 19),
    ]


def test_ca_certificates_or_non_originating_modes_are_fine(lint_yaml):
    for tls in ("{mode: MUTUAL, caCertificates: /ca.pem}", "{mode: ISTIO_MUTUAL}"):
        assert found(lint_yaml("a.yaml", tls_dr(tls), select=["ML310", "ML311"])) == []


def test_credential_name_counts_only_with_a_workload_selector(lint_yaml):
    tls = "{mode: SIMPLE, credentialName: db-cert}"
    assert len(lint_yaml("a.yaml", tls_dr(tls), select=["ML310"]).findings) == 2
    selector = "\n  workloadSelector:\n    matchLabels: {app: api}"
    assert found(lint_yaml("a.yaml", tls_dr(tls, selector), select=["ML310"])) == []


# -- ML312 dr-subset-no-workload ------------------------------------------------------

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: httpbin
spec:
  selector: {app: httpbin}
  ports: [{name: http, port: 8000}]
"""


def subsets_dr(*labels: str) -> str:
    subsets = "".join(f"  - name: s{i}\n    labels: {lab}\n" for i, lab in enumerate(labels))
    return f"""\
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: httpbin
spec:
  host: httpbin
  subsets:
{subsets}"""


def pod_on_node(node_region: str) -> str:
    return f"""\
---
apiVersion: v1
kind: Pod
metadata:
  name: httpbin
  labels: {{app: httpbin, version: v1}}
spec:
  nodeName: node-1
  containers: [{{name: httpbin, image: httpbin}}]
---
apiVersion: v1
kind: Node
metadata:
  name: node-1
  labels:
    topology.kubernetes.io/region: "{node_region}"
"""


def test_pod_labels_include_the_locality_of_their_node(lint_yaml):
    dr = subsets_dr(
        "{topology.kubernetes.io/region: us-west-1, version: v1}",
        "{kubernetes.io/hostname: node-1}",
        "{version: v2}",
    )
    result = lint_yaml("a.yaml", SERVICE + dr + pod_on_node("us-west-1"), select=["ML312"])
    assert [f.message.split(" (")[0] for f in result.findings] == ['subset "s2"']


def test_empty_node_locality_labels_are_ignored(lint_yaml):
    dr = subsets_dr('{topology.kubernetes.io/region: ""}')
    result = lint_yaml("a.yaml", SERVICE + dr + pod_on_node(""), select=["ML312"])
    assert len(result.findings) == 1


def test_pod_template_node_selector_gives_its_locality(lint_yaml):
    deployment = """\
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: httpbin
spec:
  selector:
    matchLabels: {app: httpbin}
  template:
    metadata:
      labels: {app: httpbin}
    spec:
      nodeSelector: {topology.kubernetes.io/zone: zone-a}
      containers: [{name: httpbin, image: httpbin}]
"""
    dr = subsets_dr("{topology.kubernetes.io/zone: zone-a}")
    assert found(lint_yaml("a.yaml", SERVICE + dr + deployment, select=["ML312"])) == []


def test_routed_subset_is_an_error_and_unrouted_one_info(lint_yaml):
    """Istio's catalogue: IST0173 DestinationRuleSubsetNotSelectPods is an Error
    (``PodNotSelectedAnalyzer.Analyze``); Kiali's KIA0203 is an error when routed."""
    vs = """\
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: httpbin
spec:
  hosts: [httpbin]
  http:
  - route:
    - destination: {host: httpbin, subset: s0}
"""
    dr = subsets_dr("{version: v2}", "{version: v3}")
    result = lint_yaml("a.yaml", SERVICE + dr + pod_on_node("r") + vs, select=["ML312"])
    assert [(f.location.line, f.severity) for f in result.findings] == [
        (17, Severity.ERROR),
        (19, Severity.INFO),
    ]
    assert "a VirtualService routes to it" in result.findings[0].message


def test_host_without_analyzed_workloads_is_only_checked_when_complete(lint_yaml):
    text = SERVICE + subsets_dr("{version: v1}")
    assert found(lint_yaml("a.yaml", text, select=["ML312"])) == []
    result = lint_yaml("a.yaml", text, select=["ML312"], assume_complete=True)
    assert [f.severity for f in result.findings] == [Severity.INFO]
    assert 'nothing in the analyzed files backs "httpbin"' in result.findings[0].message


def test_services_in_other_namespaces_do_not_lend_their_pods(lint_yaml):
    other = pod_on_node("r").replace(
        "  name: httpbin\n  labels", "  name: x\n  namespace: other\n  labels"
    )
    text = SERVICE + subsets_dr("{version: v1}") + other
    result = lint_yaml("a.yaml", text, select=["ML312"], assume_complete=True)
    assert len(result.findings) == 1
