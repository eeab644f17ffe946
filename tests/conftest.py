"""Shared test helpers: lint YAML text through the real pipeline, locate ../shared."""

from __future__ import annotations

import os
import tempfile
import textwrap
from pathlib import Path

import pytest

from meshlint.mesh.settings import MeshSettings
from meshlint.pipeline.lint import LintOptions, LintResult, lint

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

# Never the user's cache: every run of the suite (and every meshlint it starts) uses its own.
os.environ["MESHLINT_CACHE_DIR"] = tempfile.mkdtemp(prefix="meshlint-test-cache-")


def needs_shared() -> pytest.MarkDecorator:
    return pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is not present")


@pytest.fixture
def lint_yaml(tmp_path):
    """Write YAML documents to files and lint them: ``lint_yaml("a.yaml", text, ...)``.

    Text is dedented; several (name, text) pairs may be given. Keyword arguments go to
    :class:`LintOptions`, or to :class:`MeshSettings` when they are settings fields.
    """

    def run(*files: str, **kwargs) -> LintResult:
        pairs = list(zip(files[::2], files[1::2], strict=True))
        paths = []
        for name, text in pairs:
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
            paths.append(str(path))
        settings_fields = set(MeshSettings.__dataclass_fields__)
        settings = MeshSettings(**{k: kwargs.pop(k) for k in list(kwargs) if k in settings_fields})
        return lint(LintOptions(paths=paths, settings=settings, **kwargs))

    return run


def found(result: LintResult, rule: str | None = None) -> list[tuple[str, int, int]]:
    """(rule id or slug, line, column) of each finding, optionally of one rule only."""
    return [
        (f.rule.name, f.location.line, f.location.column)
        for f in result.findings
        if rule is None or rule in (f.rule.id, f.rule.name)
    ]


def at(text: str, needle: str, nth: int = 1) -> tuple[int, int]:
    """1-based (line, column) of the ``nth`` occurrence of ``needle`` in ``text``."""
    offset = -1
    for _ in range(nth):
        offset = text.index(needle, offset + 1)
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)
