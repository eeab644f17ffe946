"""Find input files and read them as text.

Paths may be files, directories (searched recursively for ``.yaml``, ``.yml`` and
``.json``), glob patterns, or ``-`` for standard input. Reading never raises: a file that
cannot be read or decoded comes back with a :class:`ReadIssue` instead of text.

A file found by walking a directory or matching a glob is read only when it resolves
inside the directory's project (see :mod:`meshlint.fs.bounds`) and is a regular file;
one named directly is the caller's choice (``meshlint lint <(kustomize build)``).
"""

from __future__ import annotations

import codecs
import glob
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatch

from meshlint.fs.bounds import inside, outside_message, project_root, refusal
from meshlint.fs.regular import read_regular

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
STDIN = "-"
_GLOB_CHARS = frozenset("*?[")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class MissingPath(Exception):
    """A path named on the command line does not exist (a usage error)."""


@dataclass(slots=True)
class ReadIssue:
    kind: str
    message: str
    line: int = 0
    column: int = 0


@dataclass(slots=True)
class SourceText:
    """The text of one input, or why there is none."""

    path: str
    text: str | None
    issue: ReadIssue | None = None
    #: The command that produced the text, when it was rendered rather than read.
    rendered: str | None = None


def _excluded(path: str, exclude: Iterable[str]) -> bool:
    norm = path.replace(os.sep, "/")
    parts = norm.split("/")
    absolute = os.path.abspath(path).replace(os.sep, "/")
    return any(
        fnmatch(norm, pattern)
        or fnmatch(absolute, pattern)
        or any(fnmatch(part, pattern) for part in parts)
        for pattern in exclude
    )


def _unreadable(path: str, message: str) -> SourceText:
    return SourceText(path, None, ReadIssue("unreadable", message))


def _walk(
    directory: str,
    errors: list[SourceText],
    exclude: tuple[str, ...],
    project: str | None = None,
) -> Iterator[str]:
    """The manifests under ``directory`` that may be read, inside ``project`` (default:
    the directory's own project)."""

    def failed(error: OSError) -> None:
        reason = error.strerror or str(error)
        errors.append(_unreadable(error.filename or directory, f"cannot read: {reason}"))

    project = project or project_root(directory)
    for root, dirs, files in os.walk(directory, onerror=failed, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = _plain(os.path.join(root, name))
            if (
                name.endswith(MANIFEST_SUFFIXES)
                and not _excluded(path, exclude)
                and _allowed(path, project, errors, walked=True)
            ):
                yield path


def _plain(path: str) -> str:
    """``./k8s/vs.yaml`` as ``k8s/vs.yaml``."""
    prefix = f".{os.sep}"
    while path.startswith(prefix) and len(path) > len(prefix):
        path = path[len(prefix) :]
    return path


def _allowed(path: str, project: str, errors: list[SourceText], *, walked: bool = False) -> bool:
    """Whether a file found under ``project`` may be read; if not, why goes to ``errors``."""
    reason = refusal(path, project, walked=walked)
    if reason is not None:
        errors.append(_unreadable(path, reason))
    return reason is None


def _glob_root(pattern: str) -> str:
    """The folder a glob searches: its path up to the first part with a wildcard."""
    parts = pattern.split(os.sep)
    fixed = next(i for i, part in enumerate(parts) if _GLOB_CHARS & set(part))
    return os.sep.join(parts[:fixed]) or ("/" if pattern.startswith(os.sep) else ".")


def discover(
    paths: Iterable[str], exclude: Iterable[str] = (), errors: list[SourceText] | None = None
) -> list[str]:
    """Expand command-line paths into input files, in a stable order, without repeats.

    Directories that cannot be read, and files found in them that must not be read, are
    appended to ``errors`` (as unreadable sources).
    """
    errors = [] if errors is None else errors
    exclude = tuple(exclude)
    found: list[str] = []
    seen: set[str] = set()

    def add(path: str) -> None:
        if path not in seen and not _excluded(path, exclude):
            seen.add(path)
            found.append(path)

    for path in paths:
        if path == STDIN:
            add(path)
        elif os.path.isdir(path):
            for file in _walk(path, errors, exclude):
                add(file)
        elif os.path.lexists(path):
            add(path)
        elif _GLOB_CHARS & set(path):
            matches = sorted(glob.glob(path, recursive=True))
            if not matches:
                raise MissingPath(path)
            project = project_root(_glob_root(path))
            for match in matches:
                if _excluded(match, exclude):
                    continue
                if not os.path.isdir(match):
                    if _allowed(match, project, errors):
                        add(match)
                elif inside(match, project):
                    for file in _walk(match, errors, exclude, project):
                        add(file)
                else:
                    message = f"symbolic link that {outside_message(project)}"
                    errors.append(_unreadable(match, message))
        else:
            raise MissingPath(path)
    return found


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset)
    column = offset - (data.rfind(b"\n", 0, offset) + 1)
    return line, column


def decode(path: str, data: bytes) -> SourceText:
    """Decode bytes as UTF-8 (or the UTF encoding its byte-order mark names)."""
    encoding = "utf-8"
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding, data = name, data[len(bom) :]
            break
    else:
        if b"\x00" in data[:8192]:
            line, column = _position(data, data.index(b"\x00"))
            return SourceText(
                path, None, ReadIssue("binary", "binary file (NUL bytes)", line, column)
            )
    try:
        return SourceText(path, data.decode(encoding))
    except UnicodeDecodeError as error:
        line, column = _position(data, error.start)
        message = f"not valid {encoding} text (byte 0x{data[error.start]:02x})"
        return SourceText(path, None, ReadIssue("encoding", message, line, column))


#: Files larger than this many bytes are skipped unless a limit says otherwise.
DEFAULT_MAX_FILE_SIZE = 50 * 1024 * 1024


def read(path: str, max_bytes: int, *, regular_only: bool = True) -> SourceText:
    """Read one input; the issue says why when it cannot be read. Unless
    ``regular_only`` is False, only a regular file is read (never a FIFO or a device)."""
    try:
        if path == STDIN:
            data = sys.stdin.buffer.read(max_bytes + 1)
        elif regular_only:
            data, _ = read_regular(path, max_bytes + 1)
        else:
            with open(path, "rb") as handle:
                data = handle.read(max_bytes + 1)
    except OSError as error:
        reason = error.strerror or str(error)
        return SourceText(path, None, ReadIssue("unreadable", f"cannot read file: {reason}"))
    if len(data) > max_bytes:
        message = f"file larger than {max_bytes} bytes; skipped (raise --max-file-size)"
        return SourceText(path, None, ReadIssue("limit", message))
    return decode(path, data)


def unused_excludes(paths: Iterable[str], exclude: Iterable[str]) -> list[str]:
    """The exclude patterns that match none of the files ``paths`` name or hold (likely
    a typo, or a layout that changed)."""
    files = discover([p for p in paths if p != STDIN])
    return [pattern for pattern in exclude if not any(_excluded(f, (pattern,)) for f in files)]
