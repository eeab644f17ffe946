"""Content fingerprints of findings: stable across edits elsewhere in a file.

Made of the rule, the resource identity and the field path (never the line number), so
baselines and SARIF ``partialFingerprints`` survive unrelated edits.
"""

from __future__ import annotations

from meshlint.engine.finding import Finding
from meshlint.fieldpath import render


def fingerprint(finding: Finding) -> str:
    """A hex digest identifying what a finding is about, not where it is printed."""
    resource = finding.resource
    if resource is not None:
        subject = f"{resource.kind}|{resource.namespace}|{resource.name}|{resource.cluster}"
    else:
        subject = f"file|{finding.file or ''}|{finding.message}"
    text = f"{finding.rule.id}|{subject}|{render(finding.path)}"
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()[:32]
