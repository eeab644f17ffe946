"""The language server's incremental re-lint gives exactly what a full lint gives."""

from __future__ import annotations

import shutil

import pytest

from meshlint.engine.lint import LintOptions
from meshlint.lsp.workspace import Workspace

from conftest import REPO, SHARED

BOOKINFO = SHARED / "reference" / "samples" / "bookinfo"
EDITS = [
    ("virtual-services.yaml", "subset: v1", "subset: v9"),
    ("destination-rules.yaml", "name: v2\n", "name: v2x\n"),
    ("app.yaml", "app: reviews\n", "app: reviewz\n"),
    ("gateway.yaml", "istio: ingressgateway", "istio: ingresgateway"),
    ("virtual-services.yaml", "host: ratings", "host: ratingz"),
    # a namespace nothing else lives in: host resolutions cached before must not be reused
    ("virtual-services.yaml", "  name: reviews\n", "  name: reviews\n  namespace: elsewhere\n"),
    ("app.yaml", "app: reviewz\n", "app: reviews\n"),
    ("destination-rules.yaml", "name: v2x\n", "name: v2\n"),
]


def _summary(result) -> list[tuple]:
    return sorted(
        (f.rule.id, f.location.file, f.location.line, f.location.column, f.message)
        for f in result.findings
    )


@pytest.mark.skipif(not BOOKINFO.is_dir(), reason="../shared is not present")
def test_incremental_relint_matches_a_full_lint_after_each_edit(tmp_path):
    for path in BOOKINFO.iterdir():
        shutil.copy(path, tmp_path / path.name)
    shutil.copy(
        REPO / "examples" / "bookinfo-broken" / "virtual-services.yaml", tmp_path / "broken-vs.yaml"
    )
    incremental = Workspace(LintOptions(paths=[]))
    incremental.index([str(tmp_path)])
    incremental.lint()
    for name, old, new in EDITS:
        path = tmp_path / name
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new, 1))
        incremental.update(str(path), path.read_text())
        fresh = Workspace(LintOptions(paths=[]))
        fresh.index([str(tmp_path)])
        assert _summary(incremental.lint()) == _summary(fresh.lint()), name
