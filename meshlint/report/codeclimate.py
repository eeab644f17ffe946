"""Code Climate issues, the format of GitLab's code quality report (``codequality``).

GitLab needs ``description``, ``check_name``, ``fingerprint`` (unique per issue),
``severity`` and ``location.path`` with ``location.lines.begin``. Fingerprints are the
content fingerprints the baseline and SARIF use, made unique when one resource field has
two findings of a rule. Suppressed findings are left out.
"""

from __future__ import annotations

import hashlib
import json

from meshlint.engine.finding import Finding, Severity, active
from meshlint.engine.fingerprint import fingerprint
from meshlint.report import rule_help
from meshlint.report.paths import display

SEVERITIES = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "info"}
CATEGORIES = {"security": "Security", "best-practice": "Style", "policy": "Style"}


def _unique(key: str, seen: set[str]) -> str:
    candidate, n = key, 1
    while candidate in seen:
        n += 1
        candidate = hashlib.sha256(f"{key}|{n}".encode()).hexdigest()[:32]
    seen.add(candidate)
    return candidate


def issue(finding: Finding, root: str, fingerprint_: str) -> dict:
    rule = finding.rule
    loc = finding.location
    file = loc.file if loc else (finding.file or "")
    description = finding.message
    if finding.resource is not None:
        description += f" [{finding.resource.ref}]"
    return {
        "type": "issue",
        "check_name": f"{rule.id} {rule.name}",
        "description": description,
        "content": {"body": f"{rule.summary()}\n\n{rule_help.help_uri(rule)}"},
        "categories": [CATEGORIES.get(rule.category, "Bug Risk")],
        "severity": SEVERITIES[finding.severity],
        "fingerprint": fingerprint_,
        "location": {
            "path": display(file, root),
            "lines": {"begin": loc.line if loc else 1, "end": loc.end_line if loc else 1},
        },
    }


def render(findings: list[Finding], context) -> str:
    seen: set[str] = set()
    issues = [issue(f, context.root, _unique(fingerprint(f), seen)) for f in active(findings)]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
