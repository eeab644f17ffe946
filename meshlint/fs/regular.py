"""Opening a file only when it is a regular one: a FIFO, a device or a socket named like a
manifest is never read, so it cannot block a run or stream endless data."""

from __future__ import annotations

import os
import stat

_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


class NotRegular(OSError):
    """The path is not a regular file (the message names what it is)."""


def kind_of(mode: int) -> str:
    """What a non-regular file is, in a few words."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def open_regular(path: str) -> tuple[int, os.stat_result]:
    """A read-only descriptor of ``path`` and its status; raises NotRegular (after closing
    it) when the file is not a regular one. Opening never blocks, even on a FIFO."""
    descriptor = os.open(path, _FLAGS)
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode):
        os.close(descriptor)
        raise NotRegular(f"{kind_of(status.st_mode)}, not a regular file; not read")
    return descriptor, status


def read_regular(path: str, limit: int = -1) -> tuple[bytes, os.stat_result]:
    """Up to ``limit`` bytes (all with -1) of a regular file, and its status at opening."""
    descriptor, status = open_regular(path)
    with os.fdopen(descriptor, "rb") as handle:
        return handle.read(limit), status
