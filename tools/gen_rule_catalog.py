"""Generate ``rules/catalog.json``: every built-in rule's names, the kinds it reads, and
where its class lives (or, for the shipped policy packs' rules, their pack), so a run
imports only the rules it needs.

Usage: ``python tools/gen_rule_catalog.py``, or ``--check`` to fail when the catalogue is
out of date (tests/test_rule_catalog.py runs it).
"""

from __future__ import annotations

import argparse
import json
import sys

from meshlint.config.policy_files import pack_rules
from meshlint.engine.catalog import catalog_path, entry_of
from meshlint.engine.registry import discover_builtin_rules

REGENERATE = "python tools/gen_rule_catalog.py"


def catalog_text() -> str:
    """The catalogue of the rules in the package, as written to the file."""
    catalog = {
        "generated_by": REGENERATE,
        "rules": [entry_of(rule) for rule in discover_builtin_rules()],
        "packs": [entry_of(rule) for rule in pack_rules()],
    }
    return json.dumps(catalog, indent=1) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when out of date")
    args = parser.parse_args()
    path = catalog_path()
    text = catalog_text()
    current = path.read_text(encoding="utf-8") if path.is_file() else ""
    if args.check:
        if current != text:
            print(f"{path} is out of date; run: {REGENERATE}", file=sys.stderr)
            return 1
        return 0
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
