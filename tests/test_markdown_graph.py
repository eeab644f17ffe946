"""The Markdown job summary draws the mesh around what is broken, in Mermaid."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def _markdown(*paths: str) -> str:
    run = subprocess.run(
        [sys.executable, "-m", "meshlint", "lint", "--no-config", "--format", "markdown", *paths],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    return run.stdout


def test_summary_draws_the_broken_subset_edge():
    text = _markdown("examples/bookinfo-broken")
    chart = text.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert chart.startswith("flowchart")
    assert "Subset v3 · missing" in chart and "VirtualService<br/>default/reviews" in chart


def test_clean_runs_draw_nothing(tmp_path):
    (tmp_path / "svc.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n"
        "spec: {selector: {app: a}, ports: [{name: http, port: 80}]}\n"
    )
    assert "```mermaid" not in _markdown(str(tmp_path))
