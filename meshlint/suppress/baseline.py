"""Baselines: today's findings recorded by content fingerprint, so that later runs report
only new ones. Fingerprints hold the rule, the resource and the field path, never the
line, so edits elsewhere in a file do not invalidate them."""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field

from meshlint import __version__
from meshlint.engine.finding import Finding
from meshlint.engine.fingerprint import fingerprint
from meshlint.fieldpath import render

VERSION = 1


@dataclass
class Baseline:
    """Fingerprints (with how many findings share each) read from a baseline file."""

    path: str
    counts: Counter = field(default_factory=Counter)

    @property
    def label(self) -> str:
        return f"in baseline {os.path.basename(self.path)}"


def _entry(finding: Finding) -> dict:
    return {
        "fingerprint": fingerprint(finding),
        "rule": finding.rule.id,
        "name": finding.rule.name,
        "resource": finding.resource.ref if finding.resource is not None else None,
        "field": render(finding.path) if finding.path else None,
        "file": finding.location.file if finding.location else finding.file,
        "message": finding.message,
    }


def baseline_text(findings: list[Finding]) -> str:
    """The baseline file recording ``findings``."""
    entries = sorted(
        (_entry(f) for f in findings),
        key=lambda e: (e["file"] or "", e["resource"] or "", e["rule"], e["fingerprint"]),
    )
    document = {"version": VERSION, "generator": f"meshlint {__version__}", "findings": entries}
    return json.dumps(document, indent=2) + "\n"


def load_baseline(path: str) -> Baseline:
    """Read a baseline file; raises ValueError when it is not one."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except OSError as error:
        raise ValueError(f"cannot read baseline {path}: {error.strerror or error}") from error
    except json.JSONDecodeError as error:
        raise ValueError(f"baseline {path} is not JSON: {error}") from error
    entries = document.get("findings") if isinstance(document, dict) else None
    if document.get("version") != VERSION or not isinstance(entries, list):
        raise ValueError(f"{path} is not a meshlint baseline (version {VERSION})")
    prints = [e.get("fingerprint") for e in entries if isinstance(e, dict)]
    return Baseline(path, Counter(p for p in prints if isinstance(p, str)))


def apply_baseline(findings: list[Finding], baseline: Baseline) -> int:
    """Suppress the findings the baseline records; returns how many of its entries no
    longer occur."""
    left = Counter(baseline.counts)
    for finding in findings:
        if finding.suppressed_by:
            continue
        key = fingerprint(finding)
        if left[key] > 0:
            left[key] -= 1
            finding.suppressed_by = baseline.label
            finding.suppression_kind = "external"
    return sum(n for n in left.values() if n > 0)
