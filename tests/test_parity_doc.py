"""docs/parity.md is generated from the rules and ../shared; it must be current."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO, SHARED, needs_shared


@needs_shared()
def test_parity_page_is_up_to_date():
    run = subprocess.run(
        [sys.executable, str(REPO / "tools" / "gen_parity.py"), "--shared", str(SHARED), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr + "\nregenerate with: python tools/gen_parity.py"


@needs_shared()
def test_every_difference_names_its_rule():
    text = (REPO / "docs" / "parity.md").read_text(encoding="utf-8")
    differences = text.split("## Deliberate differences", 1)[1]
    for rule in ("ML560", "ML312", "ML111", "ML350", "ML114", "ML470", "ML631"):
        assert f"[{rule}](rules/{rule}.md)" in differences, rule
