"""Semantic validation: what Istio's validating webhook rejects or warns about beyond the
CRD schema and its CEL rules, reported by the ``rules/schema/semantic_*`` rules at the
offending field."""

from __future__ import annotations

import re
import textwrap

import pytest

from meshlint.engine.finding import Severity
from meshlint.engine.registry import builtin_rules
from meshlint.validation.durations import duration_error, parse_duration
from meshlint.validation.export_to import export_to_issues
from meshlint.validation.headers import header_name_error, value_error
from meshlint.validation.hosts import namespaced_host_errors, wildcard_domain_error
from meshlint.validation.labels import label_key_error, label_value_error
from meshlint.validation.locality import locality_lb_issues
from meshlint.validation.regex import regex_error

from conftest import SHARED, needs_shared

SEMANTIC = [r for r in builtin_rules() if ".schema.semantic_" in r.__module__]
SEMANTIC_IDS = [r.id for r in SEMANTIC]
TESTDATA = SHARED / "reference" / "istio-crd-testdata"
BOOKINFO = SHARED / "reference" / "samples" / "bookinfo"

#: Invalid CRD test documents a semantic rule also rejects, with the rule and the field.
#: Every ``_err`` of the set is a CRD schema or CEL message (the CRDs carry the webhook's
#: checks as CEL); these three documents also lack the ``patch`` Istio's webhook requires.
CAUGHT = {
    ("envoyfilter-invalid.yaml", 0): ("ML795", ("spec", "configPatches", 0)),
    ("envoyfilter-invalid.yaml", 1): ("ML795", ("spec", "configPatches", 0)),
    ("envoyfilter-invalid.yaml", 2): ("ML795", ("spec", "configPatches", 0)),
}


def documents(name: str) -> list[tuple[str, int, str]]:
    """``(file, index, text)`` of each document of a CRD test file, ``_err`` removed."""
    path = TESTDATA / name
    if not path.is_file():
        return []
    chunks = re.split(r"^---[ \t]*$", path.read_text(), flags=re.MULTILINE)
    docs = [re.sub(r"^_err:.*\n", "", c, flags=re.MULTILINE) for c in chunks]
    docs = [d for d in docs if re.search(r"^kind:", d, re.MULTILINE)]
    return [(name, i, d) for i, d in enumerate(docs)]


def fixture_set(suffix: str) -> list[tuple[str, int, str]]:
    if not TESTDATA.is_dir():
        return []
    return [d for p in sorted(TESTDATA.glob(f"*-{suffix}.yaml")) for d in documents(p.name)]


def semantic(result, *severities: Severity) -> list:
    return [
        f
        for f in result.findings
        if f.rule.id in SEMANTIC_IDS and (not severities or f.severity in severities)
    ]


def describe(findings) -> list[str]:
    return [f"{f.rule.id} {f.location.line}: {f.message}" for f in findings]


def lint_doc(lint_yaml, text: str):
    return lint_yaml("doc.yaml", text, select=SEMANTIC_IDS)


# -- Istio's own CRD test documents and bookinfo ---------------------------------------


@needs_shared()
@pytest.mark.parametrize(("name", "index", "text"), fixture_set("valid"), ids=str)
def test_valid_crd_document_gets_no_error_or_warning(lint_yaml, name, index, text):
    result = lint_doc(lint_yaml, text)
    assert describe(semantic(result, Severity.ERROR, Severity.WARNING)) == []


@needs_shared()
@pytest.mark.parametrize(("name", "index", "text"), fixture_set("invalid"), ids=str)
def test_invalid_crd_document_is_left_to_the_schema_unless_the_webhook_rejects_more(
    lint_yaml, name, index, text
):
    errors = semantic(lint_doc(lint_yaml, text), Severity.ERROR)
    expected = CAUGHT.get((name, index))
    if expected is None:
        assert describe(errors) == []
    else:
        assert [(f.rule.id, f.path) for f in errors] == [expected]


@needs_shared()
def test_bookinfo_is_clean():
    from meshlint.pipeline.lint import LintOptions, lint

    paths = [str(p) for p in sorted(BOOKINFO.glob("*.yaml"))]
    assert paths
    assert describe(semantic(lint(LintOptions(paths=paths, select=SEMANTIC_IDS)))) == []


# -- The webhook-only cases Istio's CRD tests leave as TODO ----------------------------


def only_findings(lint_yaml, text: str) -> list[tuple[str, int]]:
    result = lint_doc(lint_yaml, textwrap.dedent(text))
    return [(f.rule.name, f.location.line) for f in semantic(result, Severity.ERROR)]


def test_wildcard_selector_key_is_rejected(lint_yaml):
    text = """\
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: bad-selector-key
        spec:
          hosts: ["example.com"]
          resolution: STATIC
          workloadSelector:
            labels:
              "*": val
        """
    assert only_findings(lint_yaml, text) == [("selector-label-key-invalid", 10)]


def test_wildcard_suffix_host_is_rejected(lint_yaml):
    text = """\
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: bad-host-wildcard-suffix
        spec:
          hosts: ["foo*"]
        """
    assert only_findings(lint_yaml, text) == [("host-invalid", 6)]


def test_cidr_prefix_too_long_is_rejected(lint_yaml):
    text = """\
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: bad-cidr
        spec:
          hosts: ["example.com"]
          addresses: [1.2.3.4/99]
        """
    assert only_findings(lint_yaml, text) == [("se-address-invalid", 7)]


def test_lookahead_regex_is_rejected_at_the_regex(lint_yaml):
    text = """\
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: api
        spec:
          hosts: [api]
          http:
          - match:
            - headers:
                x-user:
                  regex: "^(?!admin).*$"
            route:
            - destination: {host: api}
        """
    result = lint_doc(lint_yaml, textwrap.dedent(text))
    [finding] = semantic(result)
    assert (finding.rule.name, finding.location.line, finding.location.column) == (
        "regex-not-re2",
        11,
        18,
    )
    assert "invalid perl operator" in finding.message


def test_sub_millisecond_idle_timeout_without_cel_is_rejected(lint_yaml):
    text = """\
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: db
        spec:
          host: db
          trafficPolicy:
            connectionPool:
              tcp:
                idleTimeout: 500us
        """
    assert only_findings(lint_yaml, text) == [("duration-precision", 10)]


def test_webhook_warnings_that_istio_tests_call_valid_are_info(lint_yaml):
    text = """\
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata:
          name: vm
        spec:
          network: net
        """
    result = lint_doc(lint_yaml, textwrap.dedent(text))
    assert [(f.rule.name, f.severity) for f in semantic(result)] == [
        ("workloadentry-network-only", Severity.INFO)
    ]


# -- Rule metadata ----------------------------------------------------------------------


@pytest.mark.parametrize("rule", SEMANTIC, ids=lambda r: r.id)
def test_semantic_rule_metadata(rule):
    assert 730 <= int(rule.id[2:]) <= 799
    assert rule.category == "schema"
    assert rule.equivalents.analyzers == ()
    expected = "IST0106" if rule.severity is Severity.ERROR else "IST0133"
    assert rule.equivalents.istio == expected


# -- The validation helpers -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "nanos"),
    [("1s", 10**9), ("1.5ms", 1_500_000), ("1h30m", 5400 * 10**9), ("0", 0), ("2", None)],
)
def test_durations_parse_as_go_does(text, nanos):
    assert parse_duration(text) == nanos


def test_durations_need_whole_milliseconds():
    assert duration_error("10ms") is None
    assert "finer than a millisecond" in duration_error("1500us")
    assert "at least 1ms" in duration_error("999us")
    assert duration_error("999us", check_minimum=False) is None
    assert duration_error("soon", check_minimum=False) is None


@pytest.mark.parametrize(
    ("pattern", "valid"),
    [("/api/.*", True), ("(?i)^GET$", True), ("(?=a)b", False), (r"(a)\1", False), ("a[", False)],
)
def test_regexes_are_checked_with_re2(pattern, valid):
    assert (regex_error(pattern) is None) is valid


def test_overlong_regex_is_rejected():
    assert "too large" in regex_error("a" * 1025)


@pytest.mark.parametrize(
    ("host", "valid"),
    [
        ("reviews", True),
        ("*.example.com", True),
        ("*", True),
        ("*-api.example.com", True),
        ("api.*.example.com", False),
        ("foo*", False),
        ("example.123", False),
        ("a" * 64 + ".com", False),
        ("bad_name.com", False),
    ],
)
def test_wildcard_domains(host, valid):
    assert (wildcard_domain_error(host) is None) is valid


def test_namespaced_hosts_of_sidecars_and_gateways():
    assert namespaced_host_errors("./*", gateway=False) == []
    assert namespaced_host_errors("~/*", gateway=False) == []
    assert namespaced_host_errors("istio-system/*.example.com", gateway=True) == []
    assert namespaced_host_errors("reviews.default.svc.cluster.local", gateway=True) == []
    assert namespaced_host_errors("10.0.0.1", gateway=True) == []  # gateways accept IPs
    assert namespaced_host_errors("reviews", gateway=False)
    assert namespaced_host_errors("default/reviews", gateway=False)
    assert namespaced_host_errors("~/*", gateway=True)


def test_header_names_and_values():
    assert header_name_error("x-user_id") is None
    assert header_name_error("x user")
    assert header_name_error("@request.auth.claims.group", jwt_claims=True) is None
    assert header_name_error("*", cors=True) is None
    assert value_error("100%%") is None
    assert value_error("%HOSTNAME%") is None
    assert value_error("%REQ(:PATH)%") is None
    assert value_error('%REQ(":path")%')  # as Istio's port of Envoy's parser reads it
    assert value_error("50%")
    assert value_error("%START_TIME")
    assert value_error("a\nb")


def test_labels():
    assert label_key_error("app.kubernetes.io/name") is None
    assert label_key_error("-app")
    assert label_value_error("") is None
    assert label_value_error("v1 ")


def test_export_to():
    assert list(export_to_issues([".", "*"], "ns")) == [
        ((), 'exportTo "*" already exports to every namespace: drop the other entries')
    ]
    assert [i for i, _ in export_to_issues([".", "ns"], "ns")] == [1]
    assert list(export_to_issues(["~"], "ns", service_entry=True)) == []
    assert list(export_to_issues(["~"], "ns"))


def test_locality_weights_must_total_100_and_not_overlap():
    good = {"distribute": [{"from": "us/*", "to": {"us/a/*": 60, "us/b/*": 40}}]}
    assert list(locality_lb_issues(good)) == []
    short = {"distribute": [{"from": "us/*", "to": {"us/a/*": 60}}]}
    assert [m for _, m in locality_lb_issues(short)] == ["locality weights add up to 60, not 100"]
    overlap = {"distribute": [{"from": "us/*", "to": {"us/*": 50, "us/a": 50}}]}
    assert [p for p, _ in locality_lb_issues(overlap)] == [("distribute", 0, "to", "us/a")]
    failover = {"failover": [{"from": "us-east", "to": "us-east"}]}
    assert [m for _, m in locality_lb_issues(failover)] == [
        "failover must go to a different region"
    ]
