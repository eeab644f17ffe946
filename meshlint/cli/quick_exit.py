"""Ending a short run without the interpreter's teardown.

Once a command is done, freeing every module and object one by one takes a one-file lint
about a tenth of its time and serves no one: the exit handlers run, the standard streams
are flushed, and the process ends."""

from __future__ import annotations

import atexit
import os
import sys
from typing import NoReturn


def exit_now(code: int) -> NoReturn:
    """End the process with ``code`` after running the exit handlers and flushing stdout
    and stderr; a plain exit while another thread runs (the interpreter waits for it)."""
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a reader that went away, or a closed stream
            pass
    os._exit(code)
