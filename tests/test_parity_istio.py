"""Severities and deliberate differences against istioctl analyze.

Each test names the Istio analyzer function whose decision it writes in; the levels come
from Istio's message catalogue (../shared/conformance/istio/messages.json), which the
last test reads when it is present."""

from __future__ import annotations

import json

import pytest

from meshlint.engine.finding import Severity
from meshlint.engine.registry import builtin_rules

from conftest import SHARED, needs_shared

SUBSET_ON_WORKLOAD_ENTRIES = """\
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: vms, namespace: default}
spec:
  hosts: [vm.example.internal]
  location: MESH_INTERNAL
  ports: [{number: 80, name: http, protocol: HTTP}]
  resolution: STATIC
  workloadSelector:
    labels: {app: vm}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: vm1, namespace: default}
spec:
  address: 10.0.0.1
  labels: {app: vm, version: v1}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: vms, namespace: default}
spec:
  host: vm.example.internal
  subsets:
  - name: SUBSET
    labels: {version: SUBSET}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vms, namespace: default}
spec:
  hosts: [vm.example.internal]
  http:
  - route:
    - destination: {host: vm.example.internal, subset: SUBSET}
"""


def ml312(lint_yaml, subset: str) -> list[Severity]:
    text = SUBSET_ON_WORKLOAD_ENTRIES.replace("SUBSET", subset)
    result = lint_yaml("se.yaml", text, select=["ML312"], assume_complete=True)
    return [f.severity for f in result.findings]


def test_routed_subset_of_a_workload_selector_service_entry_is_an_error(lint_yaml):
    """istioctl: ``PodNotSelectedAnalyzer.Analyze`` merges the ServiceEntry's
    workloadSelector with the subset labels and reports IST0173, level Error."""
    assert ml312(lint_yaml, "v2") == [Severity.ERROR]


def test_subset_backed_by_workload_entries_is_not_reported(lint_yaml):
    """Deliberate difference: ``PodNotSelectedAnalyzer.Analyze`` matches Pods only, so
    istioctl also reports IST0173 here; istiod builds the endpoints of a ServiceEntry
    with a workloadSelector from WorkloadEntries too, and the subset has one."""
    assert ml312(lint_yaml, "v1") == []


GATEWAY = """\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: default}
spec:
  hosts: [shop.example.com]
  gateways: [REF]
  http:
  - route:
    - destination: {host: shop.example.com}
"""


def gateway_findings(lint_yaml, ref: str) -> list[tuple[str, Severity]]:
    text = GATEWAY.replace("REF", ref)
    result = lint_yaml("g.yaml", text, select=["ML105", "ML111"], assume_complete=True)
    return [(f.rule.id, f.severity) for f in result.findings]


def test_missing_gateway_is_ist0101_and_ist0132(lint_yaml):
    """istioctl: ``GatewayAnalyzer.analyzeVirtualService`` reports IST0101 (Error) and,
    finding no server hosts, IST0132 (Warning) for a gateway that does not exist."""
    assert gateway_findings(lint_yaml, "istio-system/nothere") == [
        ("ML105", Severity.ERROR),
        ("ML111", Severity.WARNING),
    ]


def test_gateway_named_by_its_fqdn_resolves(lint_yaml):
    """Deliberate difference: ``GatewayAnalyzer.analyzeVirtualService`` splits the name
    only on '/', so istioctl also reports IST0101 and IST0132 for
    ``public.istio-system.svc.cluster.local``; istiod resolves that form."""
    assert gateway_findings(lint_yaml, "public.istio-system.svc.cluster.local") == []


REVISION_NAMESPACE = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio.io/rev: canary}
---
apiVersion: v1
kind: Pod
metadata: {name: cart, namespace: shop}
spec:
  containers:
  - {name: cart, image: cart:v1}
"""


def test_pods_in_a_revision_labelled_namespace_are_checked(lint_yaml):
    """Deliberate difference: ``injection.Analyzer.Analyze`` collects injected namespaces
    by the ``istio-injection`` label only, so istioctl reports no IST0103 here; the
    revision label injects just as well."""
    result = lint_yaml("p.yaml", REVISION_NAMESPACE, select=["ML631"], assume_complete=True)
    assert [f.rule.id for f in result.findings] == ["ML631"]


@needs_shared()
@pytest.mark.parametrize("code", ["IST0132", "IST0173"])
def test_rule_severity_is_the_istio_catalogue_level(code):
    catalogue = json.loads((SHARED / "conformance" / "istio" / "messages.json").read_text())
    level = next(m["level"] for m in catalogue if m["code"] == code)
    rule = next(r for r in builtin_rules() if r.equivalents.istio == code)
    assert rule.severity.label == level.lower()
