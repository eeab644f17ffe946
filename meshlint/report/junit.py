"""JUnit XML: one test suite per file, one test case per rule per file.

A file gets a case for every rule that checks a kind of resource the file holds, and for
every rule that reported in it. A case fails when the rule reported something in the file
at or above the failure threshold, so the test results agree with the exit code; findings
below the threshold are listed in the case's ``system-out``. Findings that belong to no
file go to a ``meshlint`` suite. Suppressed findings are left out.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from meshlint.engine.finding import Finding, Severity, active
from meshlint.report.paths import display

NO_FILE = "meshlint"
# Characters XML 1.0 cannot carry, even escaped.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _line(finding: Finding, file: str) -> str:
    loc = finding.location
    where = f"{file}:{loc.line}:{loc.column}" if loc else file
    ref = f" [{finding.resource.ref}]" if finding.resource is not None else ""
    return f"{where}: {finding.severity.label}: {finding.message}{ref}"


def _case(suite: ET.Element, file: str, rule, findings: list[Finding], limit) -> bool:
    """Add one test case; True when it failed."""
    case = ET.SubElement(suite, "testcase", name=f"{rule.id} {rule.name}", classname=file, time="0")
    if file != NO_FILE:
        case.set("file", file)
    failing, passing = [], []
    for finding in findings:
        (failing if limit is not None and finding.severity >= limit else passing).append(finding)
    if failing:
        first = failing[0]
        count = f"{len(failing)} findings" if len(failing) > 1 else "1 finding"
        failure = ET.SubElement(
            case, "failure", type=rule.id, message=_clean(f"{count}: {first.message}")
        )
        failure.text = _clean("\n".join(_line(f, file) for f in failing))
        if first.location is not None:
            case.set("line", str(first.location.line))
    if passing:
        ET.SubElement(case, "system-out").text = _clean("\n".join(_line(f, file) for f in passing))
    return bool(failing)


def _kinds_by_file(result, root: str) -> dict[str, set[str]]:
    mesh = getattr(result, "mesh", None)
    out: dict[str, set[str]] = defaultdict(set)
    for resource in getattr(mesh, "resources", ()):
        if resource.linted:
            out[display(resource.file, root)].add(resource.kind)
    return out


def render(findings: list[Finding], context) -> str:
    result = context.result
    root = context.root
    limit = None if context.threshold == "none" else Severity.parse(context.threshold)
    by_file: dict[str, dict] = defaultdict(lambda: defaultdict(list))
    for finding in active(findings):
        file = finding.location.file if finding.location else finding.file
        by_file[display(file, root) if file else NO_FILE][finding.rule.id].append(finding)
    files = [display(f, root) for f in result.files]
    files += sorted(set(by_file) - set(files))
    kinds = _kinds_by_file(result, root)
    checks = [r for r in result.rules if not r.input_rule]

    suites = ET.Element("testsuites", name="meshlint")
    total = failed = 0
    for file in files:
        suite = ET.SubElement(suites, "testsuite", name=file)
        found = by_file.get(file, {})
        cases = {r.id: r for r in checks if kinds[file] & set(r.kinds)}
        cases.update({rule_id: findings[0].rule for rule_id, findings in found.items()})
        failures = sum(
            _case(suite, file, cases[rule_id], found.get(rule_id, []), limit)
            for rule_id in sorted(cases)
        )
        suite.attrib.update(
            tests=str(len(cases)), failures=str(failures), errors="0", skipped="0", time="0"
        )
        total, failed = total + len(cases), failed + failures
    suites.attrib.update(tests=str(total), failures=str(failed), errors="0", skipped="0", time="0")
    ET.indent(suites)
    body = ET.tostring(suites, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
