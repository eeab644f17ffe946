"""Writing files safely: every file meshlint writes (reports, graphs, baselines, schemas,
fixes) goes through :func:`write_file`.

The new content goes to a temporary file beside the destination, is fsynced, and is then
renamed over it, so a reader never sees half a file and a link at the destination is
never followed. A destination that is a link, not a regular file, read-only, hard-linked,
or in a folder that a link leads out of the working directory, is refused. The file keeps
its mode and owner. Given the :class:`Snapshot` taken when it was read, a file changed on
disk since is refused too, so nobody's edit is lost. The temporary file is removed on any
error, on Ctrl-C and on SIGTERM.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from meshlint.fs.bounds import inside, within
from meshlint.fs.regular import kind_of

TEMPORARY_SUFFIX = ".meshlint-tmp"
CHANGED = "changed on disk since meshlint read it; run again"


class RefusedWrite(Exception):
    """meshlint will not write this destination; ``reason`` says why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a file was when it was read: size, modification time and content hash."""

    size: int
    mtime_ns: int
    digest: str

    @classmethod
    def of(cls, data: bytes, status: os.stat_result) -> Snapshot:
        return cls(status.st_size, status.st_mtime_ns, hashlib.sha256(data).hexdigest())


def check_destination(path: str) -> None:
    """Raise RefusedWrite now if :func:`write_file` would refuse ``path`` (so a command
    can stop before doing any work)."""
    _destination(path)
    _check_folder(path)


def write_file(
    path: str, data: bytes, *, expected: Snapshot | None = None, durable: bool = True
) -> None:
    """Replace (or create) ``path`` with ``data``; raises RefusedWrite for a destination
    meshlint must not write, OSError when writing fails. With ``expected``, the file must
    still be what was read (checked before and again just before the rename). Not
    ``durable``: no fsync (a cache entry, which a crash may lose but never half-write)."""
    status = _destination(path)
    _check_folder(path)
    if expected is not None:
        _check_unchanged(path, status, expected)
    directory = os.path.dirname(os.path.abspath(path))
    with _signals_raise():
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{os.path.basename(path)}.", suffix=TEMPORARY_SUFFIX, dir=directory
        )
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                _keep_metadata(path, handle.fileno(), status)
                if durable:
                    os.fsync(handle.fileno())
            if expected is not None:
                _check_unchanged(path, _destination(path), expected)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    if durable:
        _fsync_folder(directory)


def _destination(path: str) -> os.stat_result | None:
    """The destination's status (None when it does not exist yet), or RefusedWrite."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise RefusedWrite(path, error.strerror or str(error)) from None
    if stat.S_ISLNK(status.st_mode):
        raise RefusedWrite(path, "is a symbolic link; meshlint does not write through links")
    if not stat.S_ISREG(status.st_mode):
        raise RefusedWrite(path, f"is {kind_of(status.st_mode)}, not a regular file")
    if not status.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise RefusedWrite(path, "is read-only; make it writable to let meshlint replace it")
    if status.st_nlink > 1:
        raise RefusedWrite(path, f"has {status.st_nlink} hard links; replacing it would break them")
    return status


def _check_folder(path: str) -> None:
    """A relative destination inside the working directory must not be reached through
    a link that leads out of it (``reports -> /etc``)."""
    if os.path.isabs(path):
        return
    here = os.path.realpath(os.getcwd())
    folder = os.path.dirname(os.path.normpath(path)) or "."
    lexical = os.path.normpath(os.path.join(here, folder))
    if within(lexical, here) and not inside(folder, here):
        raise RefusedWrite(
            path, f"its folder {folder} is a symbolic link leading out of the working directory"
        )


def _check_unchanged(path: str, status: os.stat_result | None, expected: Snapshot) -> None:
    if status is None or (status.st_size, status.st_mtime_ns) != (
        expected.size,
        expected.mtime_ns,
    ):
        raise RefusedWrite(path, CHANGED)
    try:
        with open(path, "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
    except OSError as error:
        raise RefusedWrite(path, error.strerror or str(error)) from None
    if digest != expected.digest:
        raise RefusedWrite(path, CHANGED)


def _keep_metadata(path: str, descriptor: int, status: os.stat_result | None) -> None:
    """The old file's owner and mode on the new one (a new file: the umask's mode)."""
    if status is None:
        os.fchmod(descriptor, 0o666 & ~_umask())
        return
    mine = os.fstat(descriptor)
    if (mine.st_uid, mine.st_gid) != (status.st_uid, status.st_gid):
        try:
            os.fchown(descriptor, status.st_uid, status.st_gid)
        except PermissionError:
            raise RefusedWrite(
                path,
                f"belongs to user {status.st_uid}, group {status.st_gid}; replacing it "
                "would change its owner",
            ) from None
    os.fchmod(descriptor, stat.S_IMODE(status.st_mode))


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_folder(directory: str) -> None:
    """Make the rename durable (best effort: not every system can open a folder)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


class _Terminated(SystemExit):
    """SIGTERM (or SIGHUP) arrived while a temporary file existed."""


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """While a temporary file exists, SIGTERM and SIGHUP (unless something else handles
    them) raise, as Ctrl-C already does, so that it is removed before the process ends
    with the usual ``128 + signal`` code."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, _frame) -> None:
        raise _Terminated(128 + signum)

    wanted = (signal.SIGTERM, getattr(signal, "SIGHUP", None))
    handled = [s for s in wanted if s is not None and signal.getsignal(s) == signal.SIG_DFL]
    previous = {s: signal.signal(s, terminate) for s in handled}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
