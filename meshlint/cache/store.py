"""Authenticated entries on disk: HMAC-SHA256 with a key made once per cache directory.

An entry is ``MAGIC + HMAC + payload``; the HMAC covers the format (meshlint and Python
versions), the entry's kind and name, and the payload, so an entry that was truncated,
altered, renamed, written by another meshlint or under another key fails it and is
ignored. The payload is a :mod:`marshal` stream, read only after the check passed.
Entries are written to a temporary file beside them and renamed (two runs at once never
leave half an entry), never through a link.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import marshal
import os
import shutil
import stat
import sys
import tempfile

from meshlint import __version__
from meshlint.cache.location import CacheRefused
from meshlint.fs.write import RefusedWrite, write_file

MAGIC = b"MLC1"
KEY_FILE = "key"
KEY_BYTES = 32
#: Everything that changes what an entry's bytes mean: a different value never reads
#: another's entries.
FORMAT = f"meshlint {__version__}; python {sys.version}; marshal {marshal.version}".encode()
_HEADER = len(MAGIC) + hashlib.sha256().digest_size


def make_folder(path: str) -> None:
    """Create ``path`` (and its parents) private to the user; refuse a link or a file."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    if not stat.S_ISDIR(os.lstat(path).st_mode):
        raise CacheRefused(f"{path} is not a folder")


def _read_key(path: str) -> bytes | None:
    """The key at ``path`` when it is a regular file of the user's, private, of the right
    size; None otherwise."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(handle.fileno())
        if (
            not stat.S_ISREG(status.st_mode)
            or status.st_uid != os.getuid()
            or status.st_mode & 0o077
        ):
            return None
        key = handle.read(KEY_BYTES + 1)
    return key if len(key) == KEY_BYTES else None


def load_key(root: str) -> bytes:
    """The cache directory's key, created at first use (0600, atomically: when two runs
    create it at once, both end up using the one that won)."""
    make_folder(root)
    path = os.path.join(root, KEY_FILE)
    key = _read_key(path)
    if key is not None:
        return key
    descriptor, temporary = tempfile.mkstemp(dir=root, prefix=".key.")  # mode 0600
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(os.urandom(KEY_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)  # fails when another run made it first: use theirs
        except FileExistsError:
            if _read_key(path) is None:  # not a key of ours: replace it
                os.replace(temporary, path)
        except OSError:  # no hard links on this file system
            os.replace(temporary, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    key = _read_key(path)
    if key is None:
        raise CacheRefused(f"cannot make a private key in {root}")
    return key


class Store:
    """The entries of one project: ``folder/<kind>/<name>``, authenticated with ``key``."""

    def __init__(self, folder: str, key: bytes) -> None:
        self.folder = folder
        self._key = key
        self._made: set[str] = set()

    def _mac(self, kind: str, name: str, payload: bytes) -> bytes:
        mac = hmac.new(self._key, FORMAT + b"\0" + f"{kind}/{name}".encode() + b"\0", "sha256")
        mac.update(payload)
        return mac.digest()

    def get(self, kind: str, name: str) -> object | None:
        """The value stored under ``kind/name``; None when absent or not authentic."""
        try:
            descriptor = os.open(
                os.path.join(self.folder, kind, name), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
            )
        except OSError:
            return None
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            data = handle.read()
        if len(data) < _HEADER or not data.startswith(MAGIC):
            return None
        payload = memoryview(data)[_HEADER:]
        if not hmac.compare_digest(data[len(MAGIC) : _HEADER], self._mac(kind, name, payload)):
            return None
        try:
            return marshal.loads(payload)
        except (EOFError, ValueError, TypeError):
            return None

    def put(self, kind: str, name: str, value: object) -> None:
        """Store ``value`` (marshal-able) under ``kind/name``; a failure to write is
        ignored (the entry is simply missing next time)."""
        try:
            payload = marshal.dumps(value)
        except ValueError:
            return
        folder = os.path.join(self.folder, kind)
        path = os.path.join(folder, name)
        data = MAGIC + self._mac(kind, name, payload) + payload
        try:
            if folder not in self._made:
                make_folder(folder)
                self._made.add(folder)
            write_file(path, data, durable=False)
        except RefusedWrite:  # a link, a read-only or hard-linked file: not ours to keep
            with contextlib.suppress(OSError, RefusedWrite):
                os.unlink(path)
                write_file(path, data, durable=False)
        except (OSError, CacheRefused):
            return


def remove(folder: str) -> tuple[int, int]:
    """Delete a project's cache folder: (entries, bytes) removed. Links are removed,
    never followed."""
    entries = size = 0
    if not os.path.isdir(folder) or os.path.islink(folder):
        return 0, 0
    for directory, _, names in os.walk(folder):
        for name in names:
            with contextlib.suppress(OSError):
                size += os.lstat(os.path.join(directory, name)).st_size
                entries += 1
    shutil.rmtree(folder, ignore_errors=True)
    return entries, size
