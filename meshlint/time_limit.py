"""A time budget for one piece of work in the main thread, enforced with ``SIGALRM``.

Parsing a file has no natural bound on how long it may take (a FIFO named ``*.yaml``
never ends; a pathological input may run long): each file gets a budget, and overrunning
it raises :class:`TimeLimit` in the middle of the work. Only the main thread receives
signals, so elsewhere (the language server's worker threads, which keep their own budget)
the work runs unbounded. A timer already running (a test runner's) is kept and resumed.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class TimeLimit(BaseException):
    """Raised in the main thread when the budget of :func:`time_limit` runs out (a
    BaseException, so that no ``except Exception`` in the interrupted work swallows it)."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`TimeLimit` inside the block once ``seconds`` have passed."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return
    start = time.monotonic()
    outer_delay, outer_interval = signal.getitimer(signal.ITIMER_REAL)
    outer_handler = signal.getsignal(signal.SIGALRM)
    ours = seconds if not outer_delay else min(seconds, outer_delay)

    def expire(signum: int, frame: object) -> None:
        if outer_delay and time.monotonic() - start >= outer_delay and callable(outer_handler):
            outer_handler(signum, frame)
        raise TimeLimit()

    signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, ours)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, outer_handler)
        if outer_delay:
            left = max(outer_delay - (time.monotonic() - start), 0.001)
            signal.setitimer(signal.ITIMER_REAL, left, outer_interval)
