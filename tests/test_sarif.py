"""SARIF for GitHub code scanning: valid against the official schema, with the fields
GitHub reads (../shared/reference/linter-conventions.md §2.5)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sarif_om

from meshlint.engine.finding import Finding, Location, Severity
from meshlint.engine.fingerprint import fingerprint
from meshlint.engine.registry import by_name
from meshlint.engine.rule import Rule
from meshlint.report import sarif
from meshlint.report.context import ReportContext
from meshlint.report.sarif_json import to_data

from conftest import REPO, SHARED, needs_shared

SCHEMA = SHARED / "reference" / "sarif-schema-2.1.0.json"

DR = """\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  subsets:
  - name: v1
    labels: {version: v1}
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: reviews
spec:
  ports:
  - port: 9080
    name: http
  selector: {app: reviews}
"""
VS = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
  http:
  - route:
    - destination:
        host: reviews
        subset: v3
"""


def log_of(findings, context) -> dict:
    return json.loads(sarif.render(findings, context))


@pytest.fixture
def mesh(lint_yaml, tmp_path):
    """Lint the broken mesh (and anything else given); return (SARIF log, result, context)."""

    def run(*extra: str, **options):
        result = lint_yaml("dr.yaml", DR, "svc.yaml", SERVICE, "k8s/vs.yaml", VS, *extra,
                           **options)  # fmt: skip
        overrides = options.get("severity_overrides", {})
        context = ReportContext(result, root=str(tmp_path), overrides=overrides)
        return log_of(result.findings, context), result, context

    return run


def the_result(log: dict, rule: str = "ML104") -> dict:
    return next(r for r in log["runs"][0]["results"] if r["ruleId"] == rule)


def validator():
    jsonschema = pytest.importorskip("jsonschema")
    return jsonschema.Draft4Validator(json.loads(SCHEMA.read_text()))


def schema_errors(log: dict) -> list[str]:
    return [f"{list(e.path)}: {e.message}" for e in validator().iter_errors(log)]


# -- the schema ----------------------------------------------------------------------------


@needs_shared()
def test_a_real_run_validates_against_the_sarif_schema(mesh):
    log, _, _ = mesh("bad.yaml", "a: [\n", "values.yaml", "replicas: 3\n")
    assert schema_errors(log) == []
    assert len(log["runs"][0]["results"]) >= 3


@needs_shared()
def test_a_clean_run_validates_and_still_has_results(lint_yaml, tmp_path):
    result = lint_yaml("svc.yaml", SERVICE)
    log = log_of(result.findings, ReportContext(result, root=str(tmp_path)))
    assert schema_errors(log) == []
    run = log["runs"][0]
    assert run["results"] == [] and run["tool"]["driver"]["rules"] == []


@needs_shared()
def test_suppressions_overrides_and_notifications_validate(mesh):
    log, result, context = mesh(severity_overrides={"ML104": Severity.WARNING})
    for finding in result.findings:
        finding.suppressed_by, finding.suppression_kind = "known, see TICKET-1", "inSource"
    log = log_of(result.findings, context)
    assert schema_errors(log) == []


# -- the fields GitHub reads ------------------------------------------------------------------


def test_log_header_and_tool(mesh):
    log, _, _ = mesh()
    assert list(log)[:2] == ["$schema", "version"] and log["version"] == "2.1.0"
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "meshlint" and driver["version"]
    assert driver["informationUri"].startswith("https://")


def test_rule_descriptor_is_the_rules_own_documentation(mesh):
    log, _, _ = mesh()
    run = log["runs"][0]
    result = the_result(log)
    rule = run["tool"]["driver"]["rules"][result["ruleIndex"]]
    subset = by_name("ML104")
    assert rule["id"] == "ML104" and rule["name"] == "VsSubsetNotFound"
    assert rule["shortDescription"]["text"] == subset.summary()
    assert rule["fullDescription"]["text"].startswith(subset.summary())
    assert "## Use instead" in rule["help"]["markdown"] and "subset: v1" in rule["help"]["text"]
    assert rule["helpUri"] == "https://github.com/meshlint/meshlint/blob/main/docs/rules/ML104.md"
    assert rule["defaultConfiguration"]["level"] == "error"
    assert "reference" in rule["properties"]["tags"]
    assert rule["properties"]["istio"] == "IST0101"
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(ids) == len(set(ids))


def test_result_fields(mesh):
    log, result, _ = mesh()
    sarif_result = the_result(log)
    finding = next(f for f in result.findings if f.rule.id == "ML104")
    assert sarif_result["level"] == "error"
    assert sarif_result["message"]["text"].startswith('subset "v3" is not defined')
    location = sarif_result["locations"][0]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "k8s/vs.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {
            "startLine": 11,
            "startColumn": 17,
            "endLine": 11,
            "endColumn": 19,
            "snippet": {"text": "        subset: v3\n"},
        },
    }
    assert location["logicalLocations"][0]["fullyQualifiedName"] == (
        "VirtualService/default/reviews"
    )
    assert sarif_result["partialFingerprints"] == {"meshlint/v1": fingerprint(finding)}
    assert sarif_result["properties"]["field"] == "spec.http[0].route[0].destination.subset"


def test_related_location_is_the_other_end_and_the_message_links_it(mesh):
    log, _, _ = mesh()
    result = the_result(log)
    (related,) = result["relatedLocations"]
    assert related["id"] == 1
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "dr.yaml"
    assert related["physicalLocation"]["region"]["startLine"] == 8
    assert related["logicalLocations"][0]["fullyQualifiedName"] == "DestinationRule/default/reviews"
    assert result["message"]["text"].endswith(
        "(see [subsets of DestinationRule default/reviews](1))"
    )


def test_scalar_fixes_are_sarif_replacements(mesh):
    (fix,) = the_result(mesh()[0])["fixes"]
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "k8s/vs.yaml"
    assert change["replacements"] == [
        {
            "deletedRegion": {"startLine": 11, "startColumn": 17, "endLine": 11, "endColumn": 19},
            "insertedContent": {"text": "v1"},
        }
    ]


def test_run_level_fields(mesh):
    log, _, context = mesh()
    run = log["runs"][0]
    assert run["automationDetails"] == {"id": "meshlint/"}
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == Path(context.root).as_uri() + "/"
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_fingerprints_ignore_line_numbers(lint_yaml, tmp_path):
    def fingerprint_of(vs_text: str) -> str:
        result = lint_yaml("dr.yaml", DR, "svc.yaml", SERVICE, "vs.yaml", vs_text)
        return the_result(log_of(result.findings, ReportContext(result, root=str(tmp_path))))[
            "partialFingerprints"
        ]["meshlint/v1"]

    assert fingerprint_of(VS) == fingerprint_of("# moved down\n\n" + VS)


def test_level_is_explicit_even_when_it_is_sarifs_default(mesh):
    log, _, _ = mesh(severity_overrides={"vs-subset-not-found": Severity.WARNING})
    result = the_result(log)
    assert result["level"] == "warning"
    (override,) = log["runs"][0]["invocations"][0]["ruleConfigurationOverrides"]
    assert override["descriptor"] == {"id": "ML104", "index": result["ruleIndex"]}
    assert override["configuration"] == {"level": "warning"}


def test_suppressed_findings_are_results_with_suppressions(mesh):
    _, result, context = mesh()
    finding = next(f for f in result.findings if f.rule.id == "ML104")
    finding.suppressed_by, finding.suppression_kind = "accepted until the v3 rollout", "inSource"
    suppressed = the_result(log_of(result.findings, context))
    assert suppressed["suppressions"] == [
        {"kind": "inSource", "justification": "accepted until the v3 rollout"}
    ]
    assert suppressed["level"] == "error"


def test_unparsed_files_are_tool_notifications(mesh):
    log, _, _ = mesh("bad.yaml", "a: [\n")
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and note["message"]["text"].startswith("could not parse")
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad.yaml"
    assert note["associatedRule"]["id"] == "ML003"


def test_a_crashed_rule_marks_the_execution_unsuccessful(mesh):
    _, result, context = mesh()
    crash = Finding(by_name("internal-error"), "rule X crashed", Severity.ERROR, file="dr.yaml")
    log = log_of([*result.findings, crash], context)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["message"]["text"] == "rule X crashed"


class ExposedAdmin(Rule):
    """A test rule in the security category."""

    id = "ML999"
    name = "test-exposed-admin"
    severity = Severity.WARNING
    category = "security"


def test_security_rules_carry_security_severity(mesh):
    _, result, context = mesh()
    vs = next(f for f in result.findings if f.rule.id == "ML104")
    finding = Finding(ExposedAdmin, "admin port exposed", Severity.WARNING, vs.resource,
                      location=vs.location)  # fmt: skip
    log = log_of([finding], context)
    (rule,) = log["runs"][0]["tool"]["driver"]["rules"]
    assert "security" in rule["properties"]["tags"]
    assert rule["properties"]["security-severity"] == "5.5"
    assert float(rule["properties"]["security-severity"]) > 0


def test_paths_outside_the_root_and_stdin(tmp_path):
    rule = by_name("yaml-syntax")
    outside = Finding(rule, "x", Severity.ERROR, location=Location("/elsewhere/a.yaml", 2, 1, 2, 3))
    stdin = Finding(rule, "y", Severity.ERROR, location=Location("-", 3, 1, 3, 2))
    result = type("R", (), {"unparsed": [], "files": []})()
    log = log_of([outside, stdin], ReportContext(result, root=str(tmp_path)))
    where = {
        r["message"]["text"]: r["locations"][0]["physicalLocation"]["artifactLocation"]
        for r in log["runs"][0]["results"]
    }
    assert where == {
        "x": {"uri": "file:///elsewhere/a.yaml"},
        "y": {"description": {"text": "standard input"}},
    }


def test_results_beyond_githubs_limit_keep_the_most_severe(mesh, monkeypatch):
    monkeypatch.setattr(sarif, "MAX_RESULTS", 1)
    log, _, _ = mesh("values.yaml", "replicas: 3\n")  # adds an info finding
    run = log["runs"][0]
    assert [r["level"] for r in run["results"]] == ["error"]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert "left out" in notes[-1]["message"]["text"]


def test_category_sets_automation_details(mesh):
    _, result, context = mesh()
    context.category = "meshlint/prod"
    assert log_of(result.findings, context)["runs"][0]["automationDetails"]["id"] == (
        "meshlint/prod/"
    )


def test_serializer_keeps_level_and_drops_other_defaults():
    result = sarif_om.Result(message=sarif_om.Message(text="m"), level="warning", rule_index=-1)
    assert to_data(result) == {"message": {"text": "m"}, "level": "warning"}


# -- rule documentation pages (helpUri) -------------------------------------------------------


def test_rule_docs_pages_are_up_to_date():
    run = subprocess.run(
        [sys.executable, str(REPO / "tools" / "gen_rule_docs.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr + "\nregenerate with: python tools/gen_rule_docs.py"


def test_help_uri_points_at_a_page_in_the_repository(mesh):
    log, _, _ = mesh()
    for rule in log["runs"][0]["tool"]["driver"]["rules"]:
        path = rule["helpUri"].split("/blob/main/", 1)[1]
        assert (REPO / path).is_file(), path


# -- Microsoft's SARIF validator (optional) ---------------------------------------------------


def _multitool() -> str | None:
    return os.environ.get("SARIF_MULTITOOL") or shutil.which("sarif-multitool")


@pytest.mark.skipif(_multitool() is None, reason="@microsoft/sarif-multitool is not installed")
def test_sarif_multitool_finds_nothing_to_fix(mesh, tmp_path):
    """``npm install -g @microsoft/sarif-multitool`` (or set SARIF_MULTITOOL) to run this.
    Its SARIF rules and its GitHub ingestion rules (kind Gh) must report no error or warning."""
    log, _, _ = mesh("bad.yaml", "a: [\n")
    source = tmp_path / "meshlint.sarif"
    source.write_text(json.dumps(log))
    problems = []
    for kind in ("Sarif", "Gh"):
        out = tmp_path / f"validation-{kind}.sarif"
        subprocess.run(
            [_multitool(), "validate", str(source), "--output", str(out), "--rule-kind", kind,
             "--log", "ForceOverwrite"],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert out.is_file(), f"the multitool wrote no {out.name}"
        for run in json.loads(out.read_text())["runs"]:
            problems += [
                f"{r['ruleId']}: {r['message'].get('text', r['message'])}"
                for r in run.get("results", [])
                if r.get("level", "warning") in ("error", "warning")
            ]
    assert problems == []
