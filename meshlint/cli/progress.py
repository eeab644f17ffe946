"""A status line on a terminal while a long lint runs: shown only when standard error is
a terminal, not under CI (``CI`` set) and not with ``--quiet``; erased when done."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

_ERASE = "\r\033[K"


def wanted(quiet: bool, environ: Mapping[str, str] = os.environ) -> bool:
    """Whether to show progress: a terminal on stderr, outside CI, not quiet."""
    return not quiet and not environ.get("CI") and sys.stderr.isatty()


class Status:
    """One line on stderr, replaced in place."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.shown = False

    def show(self, text: str) -> None:
        if self.enabled:
            sys.stderr.write(f"{_ERASE}{text}")
            sys.stderr.flush()
            self.shown = True

    def done(self) -> None:
        if self.shown:
            sys.stderr.write(_ERASE)
            sys.stderr.flush()
            self.shown = False
