"""Report formats other than SARIF, and how the CLI chooses and writes them."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from meshlint.report import FORMATS, renderer
from meshlint.report.context import ReportContext
from meshlint.report.github import command, escape_data, escape_property
from meshlint.report.markdown import cell

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
GOOD_VS = VS.replace("subset: v3", "subset: v1")


@pytest.fixture
def broken(lint_yaml, tmp_path):
    """A mesh in three files whose VirtualService names a missing subset (line 11)."""
    result = lint_yaml("dr.yaml", DR, "svc.yaml", SERVICE, "k8s/vs.yaml", VS)
    return result, ReportContext(result, root=str(tmp_path))


def render(fmt: str, result, context) -> str:
    return renderer(fmt)(result.findings, context)


def subset_findings(result):
    return [f for f in result.findings if f.rule.name == "vs-subset-not-found"]


def meshlint(*args: str, cwd: Path, env: dict | None = None):
    return subprocess.run(
        [sys.executable, "-m", "meshlint", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


# -- one interface -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_renders_a_clean_run_and_a_broken_one(fmt, lint_yaml, tmp_path):
    clean = lint_yaml("dr.yaml", DR, "svc.yaml", SERVICE, "vs.yaml", GOOD_VS)
    assert isinstance(render(fmt, clean, ReportContext(clean, root=str(tmp_path))), str)
    broken = lint_yaml("dr.yaml", DR, "svc.yaml", SERVICE, "vs.yaml", VS)
    assert "v3" in render(fmt, broken, ReportContext(broken, root=str(tmp_path)))


# -- github --------------------------------------------------------------------------------


def test_github_annotation_names_file_line_columns_and_rule(broken):
    result, context = broken
    lines = render("github", result, context).splitlines()
    assert (
        "::error file=k8s/vs.yaml,line=11,col=17,endLine=11,endColumn=19,"
        "title=ML104 vs-subset-not-found::" in "\n".join(lines)
    )
    line = next(x for x in lines if "ML104" in x)
    assert "[VirtualService default/reviews]%0Adr.yaml:8: subsets of DestinationRule" in line


def test_github_commands_are_escaped_so_manifest_text_cannot_inject_one():
    assert escape_data("50%\r\n::warning::x") == "50%25%0D%0A::warning::x"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_multi_line_spans_have_no_columns(broken):
    result, context = broken
    finding = subset_findings(result)[0]
    related = finding.related[0].location
    finding.location = related.__class__(related.file, 7, 3, 9, 1)
    assert ",col=" not in command(finding, context.root)
    assert "line=7,endLine=9," in command(finding, context.root)


def test_github_levels(lint_yaml, tmp_path):
    result = lint_yaml("values.yaml", "replicas: 3\n")  # not a manifest: info
    out = render("github", result, ReportContext(result, root=str(tmp_path)))
    assert out.startswith("::notice file=values.yaml,line=1,")


# -- junit and codeclimate ------------------------------------------------------------------


def test_junit_has_one_case_per_rule_per_file_failing_where_reported(broken):
    result, context = broken
    suites = ET.fromstring(render("junit", result, context))
    by_name = {s.get("name"): s for s in suites}
    assert set(by_name) == {"dr.yaml", "svc.yaml", "k8s/vs.yaml"}
    vs = by_name["k8s/vs.yaml"]
    names = [c.get("name") for c in vs.iter("testcase")]
    assert len(names) == len(set(names)) and "ML104 vs-subset-not-found" in names
    failing = [c for c in vs.iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failing] == ["ML104 vs-subset-not-found"]
    assert failing[0].get("file") == "k8s/vs.yaml" and failing[0].get("line") == "11"
    assert "k8s/vs.yaml:11:17: error:" in failing[0].find("failure").text
    assert suites.get("failures") == "1" and int(suites.get("tests")) > 3


def test_junit_failures_follow_the_failure_threshold(broken):
    result, context = broken
    context.threshold = "none"
    suites = ET.fromstring(render("junit", result, context))
    assert suites.get("failures") == "0"
    assert "k8s/vs.yaml:11:17" in "".join(e.text or "" for e in suites.iter("system-out"))


def test_codeclimate_is_gitlab_code_quality(broken):
    result, context = broken
    issues = json.loads(render("codeclimate", result, context))
    issue = next(i for i in issues if i["check_name"].startswith("ML104"))
    assert issue["severity"] == "critical" and issue["type"] == "issue"
    assert issue["location"] == {"path": "k8s/vs.yaml", "lines": {"begin": 11, "end": 11}}
    assert issue["description"].startswith('subset "v3" is not defined')
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_codeclimate_fingerprints_stay_unique_for_twin_findings(broken):
    result, context = broken
    finding = subset_findings(result)[0]
    twin = type(finding)(
        finding.rule,
        finding.message,
        finding.severity,
        finding.resource,
        finding.path,
        location=finding.location,
    )
    issues = json.loads(renderer("codeclimate")([finding, twin], context))
    assert len({i["fingerprint"] for i in issues}) == 2


# -- markdown (the job summary) --------------------------------------------------------------


def test_markdown_summary_counts_and_top_findings(broken):
    result, context = broken
    context.blob_url = "https://github.com/o/r/blob/abc"
    text = render("markdown", result, context)
    assert text.startswith("### meshlint: 1 error, 0 warnings")
    assert "| error | 1 |" in text
    row = next(line for line in text.splitlines() if "ML104" in line)
    assert "[k8s/vs.yaml:11:17](https://github.com/o/r/blob/abc/k8s/vs.yaml#L11)" in row


def test_markdown_cells_cannot_break_the_table():
    assert cell("a|b\nc <img> *x* [l](u)") == r"a\|b c \<img\> \*x\* \[l\](u)"


# -- suppressed findings ------------------------------------------------------------------


def test_suppressed_findings_are_left_out_unless_asked_for(broken):
    result, context = broken
    for finding in result.findings:
        finding.suppressed_by, finding.suppression_kind = "accepted risk", "external"
    for fmt in ("text", "github", "codeclimate"):
        assert "v3" not in render(fmt, result, context), fmt
    assert json.loads(render("json", result, context))["findings"] == []
    assert json.loads(render("json", result, context))["summary"]["error"] == 0
    context.show_suppressed = True
    assert "(suppressed: accepted risk)" in render("text", result, context)
    assert json.loads(render("json", result, context))["findings"][0]["suppressed"]


# -- the command line ----------------------------------------------------------------------


@pytest.fixture
def project(tmp_path):
    (tmp_path / "k8s").mkdir()
    (tmp_path / "dr.yaml").write_text(DR)
    (tmp_path / "svc.yaml").write_text(SERVICE)
    (tmp_path / "k8s" / "vs.yaml").write_text(VS)
    (tmp_path / ".git").mkdir()  # report paths are relative to the repository root
    return tmp_path


def test_several_format_output_pairs_in_one_run(project):
    run = meshlint(
        "lint", "--format", "github", "--format", "sarif", "-o", "out.sarif",
        "--format", "junit", "--output", "junit.xml", ".", cwd=project,
    )  # fmt: skip
    assert run.returncode == 1, run.stderr
    assert run.stdout.startswith("::error file=k8s/vs.yaml,line=11,")
    assert json.loads((project / "out.sarif").read_text())["version"] == "2.1.0"
    assert ET.parse(project / "junit.xml").getroot().get("failures") == "1"


def test_one_format_and_one_output_pair_in_any_order(project):
    run = meshlint("lint", "-o", "report.json", "--format", "json", ".", cwd=project)
    assert run.returncode == 1 and run.stdout == ""
    assert json.loads((project / "report.json").read_text())["summary"]["error"] == 1


@pytest.mark.parametrize(
    "args",
    [
        ("--format", "json", "--format", "sarif"),  # two structured reports on stdout
        ("--format", "json", "-o", "a", "-o", "b"),  # an output with no format before it
        ("--format", "json", "-o", "a", "--format", "sarif", "-o", "a"),  # same file twice
    ],
)
def test_ambiguous_report_destinations_are_usage_errors(project, args):
    run = meshlint("lint", *args, ".", cwd=project)
    assert run.returncode == 2, run.stdout
    assert "Traceback" not in run.stderr


def test_format_auto_is_github_inside_github_actions_else_text(project):
    import os

    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    text = meshlint("lint", "--format", "auto", "--no-color", ".", cwd=project, env=env)
    assert "k8s/vs.yaml:11:17: error ML104" in text.stdout and "::" not in text.stdout
    github = meshlint(
        "lint", "--format", "auto", ".", cwd=project, env={**env, "GITHUB_ACTIONS": "true"}
    )
    assert github.stdout.startswith("::error file=k8s/vs.yaml,line=11,")


def test_project_lints_everything_but_reports_on_the_named_files(project):
    # Nothing is wrong in svc.yaml, and nothing elsewhere points into it.
    clean = meshlint("lint", "--project", ".", "svc.yaml", cwd=project)
    assert clean.returncode == 0, clean.stdout
    assert "in 1 file " in clean.stderr
    # A change to the DestinationRule is reported where it breaks the VirtualService.
    broken = meshlint("lint", "--project", ".", "--format", "json", "dr.yaml", cwd=project)
    assert broken.returncode == 1
    (finding,) = json.loads(broken.stdout)["findings"]
    assert finding["location"]["file"].endswith("vs.yaml")
    # And where the mistake is.
    alone = meshlint("lint", "--project", ".", "k8s/vs.yaml", cwd=project)
    assert alone.returncode == 1 and "ML104" in alone.stdout


def test_write_errors_are_usage_errors(project):
    run = meshlint("lint", "--format", "json", "-o", "missing/dir/r.json", ".", cwd=project)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr


def test_text_run_does_not_import_sarif_om(project):
    code = (
        "import sys\nfrom meshlint.cli import main\nsys.argv=['meshlint','lint','.']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\nprint('sarif_om' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=project, timeout=120)  # fmt: skip
    assert run.stdout.strip().endswith("False")
