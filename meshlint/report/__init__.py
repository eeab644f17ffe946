"""Reporters: one module per output format, each with ``render(result, context) -> str``.

Formats load lazily so a text run never imports what SARIF needs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

FORMATS = {"text": "meshlint.report.text", "json": "meshlint.report.json_format"}


def renderer(name: str) -> Callable:
    """The ``render`` function of a format."""
    return importlib.import_module(FORMATS[name]).render
