"""Lint a corpus of real configs as a new user would and print every error and warning.

    python tools/precision.py [DIR ...] [--together] [--json FILE]

Each file is linted alone (the way one file from a repository or a docs page is linted),
and with ``--together`` each folder is also linted as one project. The output lists every
error and warning finding (file:line, rule, message) and a count per rule, for a person to
judge which are real problems: the precision regression check of issue 17.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from meshlint.engine.finding import Severity
from meshlint.pipeline.lint import LintOptions, lint

REPORTED = (Severity.ERROR, Severity.WARNING)
SUFFIXES = (".yaml", ".yml", ".json")


def corpus_files(directory: Path) -> list[Path]:
    """The manifest files of a corpus folder, in a stable order."""
    return sorted(p for p in directory.rglob("*") if p.is_file() and p.suffix in SUFFIXES)


def reported(paths: list[str]) -> list[dict]:
    """Error and warning findings of one lint of ``paths`` with default options."""
    result = lint(LintOptions(paths=paths))
    return [
        {
            "file": f.location.file if f.location else (f.file or ""),
            "line": f.location.line if f.location else 0,
            "rule": f.rule.id,
            "severity": f.severity.name.lower(),
            "message": f.message,
        }
        for f in result.findings
        if f.severity in REPORTED
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", default=["../shared/realworld"])
    parser.add_argument("--together", action="store_true", help="also lint each folder whole")
    parser.add_argument("--json", help="write every finding to this file")
    args = parser.parse_args(argv)
    runs: list[tuple[str, list[str]]] = []
    for directory in map(Path, args.dirs):
        files = corpus_files(directory)
        runs += [("alone", [str(f)]) for f in files]
        if args.together:
            folders = sorted({f.parent for f in files})
            runs += [("together", [str(f) for f in files if f.parent == d]) for d in folders]
    everything: list[dict] = []
    for mode, paths in runs:
        for finding in reported(paths):
            everything.append({"mode": mode, **finding})
    for f in everything:
        print(f"{f['mode']:8} {f['file']}:{f['line']}: {f['severity']} {f['rule']} {f['message']}")
    counts = Counter((f["mode"], f["rule"]) for f in everything)
    print(f"\n{len(runs)} runs, {len(everything)} error/warning findings")
    for (mode, rule), n in sorted(counts.items()):
        print(f"  {mode:8} {rule}: {n}")
    if args.json:
        Path(args.json).write_text(json.dumps(everything, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
