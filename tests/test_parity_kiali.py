"""Kiali's routing and sidecar checks against meshlint, as whole-mesh cases.

Each test writes in Kiali's decision and names the Go function (kiali/kiali,
business/checkers/...) it comes from; deliberate differences say why meshlint differs.
Kiali sees the whole cluster, so every case runs with ``assume_complete``."""

from __future__ import annotations

NAMESPACES = """\
apiVersion: v1
kind: Namespace
metadata: {name: bookinfo}
---
apiVersion: v1
kind: Namespace
metadata: {name: frontend}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: bookinfo}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
---
"""


def dr(
    name: str, host: str, subsets: str = "", namespace: str = "bookinfo", extra: str = ""
) -> str:
    body = f"  subsets: [{subsets}]\n" if subsets else ""
    return f"""\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  host: "{host}"
{body}{extra}---
"""


def vs(name: str, host: str, routes: str, namespace: str = "bookinfo") -> str:
    return f"""\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  hosts: ["{host}"]
  http:
  - route:
{routes}---
"""


def route(host: str, subset: str = "") -> str:
    target = f"{{host: {host}, subset: {subset}}}" if subset else f"{{host: {host}}}"
    return f"    - destination: {target}\n"


V1 = "{name: v1, labels: {version: v1}}"
V2 = "{name: v2, labels: {version: v2}}"
TLS = "  trafficPolicy:\n    connectionPool: {tcp: {maxConnections: 10}}\n"


def reported(lint_yaml, text: str, rule: str) -> list[str]:
    result = lint_yaml("mesh.yaml", NAMESPACES + text, select=[rule], assume_complete=True)
    return sorted(f.resource.name for f in result.findings)


# -- KIA0201 destinationrules.multimatch (ML350) --------------------------------------


def test_same_subset_of_one_host_in_short_and_full_form(lint_yaml):
    """Kiali: ``MultiMatchChecker.Check`` (destinationrules/multi_match_checker.go) keys
    host+subset by the parsed FQDN and marks both DestinationRules."""
    text = dr("a", "reviews", V1) + dr("b", "reviews.bookinfo.svc.cluster.local", V1)
    assert reported(lint_yaml, text, "ML350") == ["a", "b"]


def test_same_subset_of_an_external_host(lint_yaml):
    """Kiali: ``MultiMatchChecker.Check`` keys ServiceEntry hosts as written."""
    text = dr("a", "api.example.com", V1) + dr("b", "api.example.com", V1)
    assert reported(lint_yaml, text, "ML350") == ["a", "b"]


def test_every_rule_sharing_a_subset_is_reported(lint_yaml):
    """Kiali: ``checkCollisions`` marks each pair, so all three rules are reported."""
    text = dr("a", "reviews", V1) + dr("b", "reviews", V1) + dr("c", "reviews", f"{V1}, {V2}")
    assert reported(lint_yaml, text, "ML350") == ["a", "b", "c"]


def test_rules_istio_merges_cleanly_are_not_reported(lint_yaml):
    """Deliberate difference: ``extractSubsets`` gives a rule without subsets the subset
    "~", which collides with every rule of the host, so Kiali reports a policy-only rule
    next to a subsets-only one; istiod merges the two without dropping anything."""
    text = dr("a", "reviews", extra=TLS) + dr("b", "reviews", V1)
    assert reported(lint_yaml, text, "ML350") == []


def test_catch_all_hosts_are_not_merged_with_specific_ones(lint_yaml):
    """Deliberate difference: Kiali's ``MultiMatchChecker.Check`` compares a
    '*.ns.svc.<domain>' rule (without ISTIO_MUTUAL) with every host of the namespace;
    istiod picks the most specific host and merges nothing."""
    text = dr("all", "*.bookinfo.svc.cluster.local", V1) + dr("a", "reviews", V1)
    assert reported(lint_yaml, text, "ML350") == []


def test_the_namespace_short_form_is_another_host(lint_yaml):
    """Deliberate difference: Kiali reads ``reviews.bookinfo`` as the Service (its
    ``GetHost`` knows the namespace); istiod expands only names without a dot, so the
    rule configures another host, which ML301 reports."""
    text = dr("a", "reviews.bookinfo", V1) + dr("b", "reviews", V1)
    assert reported(lint_yaml, text, "ML350") == []
    assert reported(lint_yaml, text, "ML301") == ["a"]


# -- KIA1106 virtualservices.singlehost (ML114) ---------------------------------------


def test_one_service_named_three_ways(lint_yaml):
    """Kiali: ``SingleHostChecker.Check`` groups hosts by the parsed namespace and
    service, so ``reviews``, ``reviews.bookinfo`` and the FQDN are one host."""
    text = vs("a", "reviews", route("reviews")) + vs("b", "reviews.bookinfo", route("reviews"))
    text += vs("c", "reviews.bookinfo.svc.cluster.local", route("reviews"))
    assert reported(lint_yaml, text, "ML114") == ["a", "b", "c"]


def test_a_short_form_naming_no_known_service_is_another_host(lint_yaml):
    """Kiali: ``GetHost`` reads ``name.ns`` as a Service only when ``ns`` is a known
    namespace; otherwise it is an external host of its own."""
    text = vs("a", "reviews", route("reviews")) + vs("b", "reviews.elsewhere", route("reviews"))
    assert reported(lint_yaml, text, "ML114") == []


# -- KIA1107 virtualservices.subsetpresent.subsetnotfound (ML104) ---------------------


def test_subsets_defined_in_the_service_namespace(lint_yaml):
    """Kiali: ``SubsetPresenceChecker.subsetPresent`` accepts a subset that any visible
    DestinationRule for the host defines, in whatever namespace."""
    text = dr("reviews", "reviews", V1)
    text += vs(
        "a",
        "reviews.bookinfo.svc.cluster.local",
        route("reviews.bookinfo.svc.cluster.local", "v1")
        + route("reviews.bookinfo.svc.cluster.local", "v2"),
        namespace="frontend",
    )
    result = lint_yaml("mesh.yaml", NAMESPACES + text, select=["ML104"], assume_complete=True)
    assert [f.message.split('"')[1] for f in result.findings] == ["v2"]


def test_subsets_of_a_rule_not_exported_to_the_route(lint_yaml):
    """Kiali: only DestinationRules exported to the VirtualService's namespace take part
    (``IstioValidationsService.filterDRExportToNamespaces``, business/
    istio_validations.go), so a subset of a rule kept to its namespace is missing for
    routes elsewhere."""
    text = dr("reviews", "reviews", V1, extra='  exportTo: ["."]\n')
    text += vs(
        "a",
        "reviews.bookinfo.svc.cluster.local",
        route("reviews.bookinfo.svc.cluster.local", "v1"),
        "frontend",
    )
    assert reported(lint_yaml, text, "ML104") == ["a"]


def test_subsets_of_a_catch_all_rule(lint_yaml):
    """Kiali: ``getDestinationRules`` matches wildcard DestinationRule hosts."""
    text = dr("all", "*.bookinfo.svc.cluster.local", V1) + vs(
        "a", "reviews", route("reviews", "v1")
    )
    assert reported(lint_yaml, text, "ML104") == []


# -- KIA1004 sidecar.egress.servicenotfound (ML470) -----------------------------------

SIDECAR = """\
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ext, namespace: frontend}
spec:
  hosts: [api.example.com, "*.myhost.com"]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: NONE
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: frontend}
spec:
  egress:
  - hosts:
HOSTS"""


def sidecar(*hosts: str) -> str:
    return SIDECAR.replace("HOSTS", "".join(f'    - "{h}"\n' for h in hosts))


def test_valid_egress_hosts_are_not_reported(lint_yaml):
    """Kiali: ``EgressHostChecker.validateHost`` accepts ``*/*``, ``~/*``, ``./*`` and
    ``ns/*``, and ``HasMatchingService`` finds Services, ServiceEntries and hosts a
    wildcard ServiceEntry covers."""
    text = sidecar(
        "*/*",
        "~/*",
        "./*",
        "bookinfo/*",
        "istio-system/*",
        "bookinfo/reviews.bookinfo.svc.cluster.local",
        "*/reviews.bookinfo.svc.cluster.local",
        "bookinfo/*.bookinfo.svc.cluster.local",
        "./api.example.com",
        "*/api.example.com",
        "./www.myhost.com",
    )
    assert reported(lint_yaml, text, "ML470") == []


def test_an_egress_host_of_another_namespace(lint_yaml):
    """Kiali: ``EgressHostChecker.validateHost`` looks the name up in every namespace and
    reports nothing. Deliberate difference: istiod imports ``bookinfo/api.example.com``
    only from bookinfo, where nothing defines it; the message names the namespace that
    does."""
    result = lint_yaml(
        "mesh.yaml",
        NAMESPACES + sidecar("bookinfo/api.example.com"),
        select=["ML470"],
        assume_complete=True,
    )
    assert "namespace frontend defines it" in result.findings[0].message
