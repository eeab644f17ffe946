"""Generate the rule documentation pages ``docs/rules/<ID>.md`` and their index.

Each page is the rule's docstring (the single source of truth) with its metadata; SARIF
``helpUri`` points at these pages. Usage: ``python tools/gen_rule_docs.py [--out docs/rules]``,
or ``--check`` to fail when the pages are out of date (tests/test_sarif.py runs it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from meshlint.engine.registry import builtin_rules
from meshlint.engine.rule import Rule
from meshlint.report import rule_help

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "rules"
INDEX = "README.md"
REGENERATE = "python tools/gen_rule_docs.py"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def index(rules: tuple[type[Rule], ...]) -> str:
    lines = [
        "# Rules",
        "",
        f"Generated from the rules' own documentation by `{REGENERATE}`; do not edit.",
        "",
        "| Rule | Name | Severity | Category | Summary |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| [{r.id}]({r.id}.md) | {r.name} | {r.severity.label} | {r.category} | "
        f"{_cell(r.summary())} |"
        for r in rules
    ]
    return "\n".join(lines) + "\n"


def pages() -> dict[str, str]:
    """File name -> content of every page, index included."""
    rules = builtin_rules()
    out = {f"{rule.id}.md": rule_help.markdown(rule) for rule in rules}
    out[INDEX] = index(rules)
    return out


def stale(out: Path) -> list[str]:
    """Pages that are missing, different, or no longer generated."""
    wanted = pages()
    problems = [
        name
        for name, text in wanted.items()
        if not (out / name).is_file() or (out / name).read_text(encoding="utf-8") != text
    ]
    if out.is_dir():
        problems += sorted(p.name for p in out.glob("*.md") if p.name not in wanted)
    return problems


def write(out: Path) -> None:
    wanted = pages()
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.md"):
        if old.name not in wanted:
            old.unlink()
    for name, text in wanted.items():
        (out / name).write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="only report stale pages")
    args = parser.parse_args(argv)
    if args.check:
        problems = stale(args.out)
        for name in problems:
            print(f"{args.out / name} is out of date; run {REGENERATE}", file=sys.stderr)
        return 1 if problems else 0
    write(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
