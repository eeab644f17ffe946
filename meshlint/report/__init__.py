"""Reporters: one module per output format, each with ``render(findings, context) -> str``.

Reporters receive every finding, suppressed ones included, and a
:class:`~meshlint.report.context.ReportContext`; each format decides what to show. Adding a
format is adding a module and a line here. Formats load lazily, so a text run never
imports what SARIF needs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

FORMATS = {
    "text": "meshlint.report.text",
    "json": "meshlint.report.json_format",
    "sarif": "meshlint.report.sarif",
    "github": "meshlint.report.github",
    "junit": "meshlint.report.junit",
    "codeclimate": "meshlint.report.codeclimate",
    "markdown": "meshlint.report.markdown",
}
#: Formats made of independent lines, which may share standard output with each other.
LINE_FORMATS = frozenset({"text", "github"})


def renderer(name: str) -> Callable:
    """The ``render`` function of a format."""
    return importlib.import_module(FORMATS[name]).render
