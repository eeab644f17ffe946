"""What every entry's key starts from: the version of meshlint's code and data."""

from __future__ import annotations

import functools
import importlib.util
import os

from meshlint import __version__
from meshlint.cache.encoding import digest

_CODE_PACKAGES = ("meshlint", "meshlint.rules", "meshlint.schemas")


@functools.lru_cache(maxsize=1)
def code_version() -> bytes:
    """A digest of meshlint's version and of the name, size and modification time of
    every file of its packages: an edited rule or schema (a development install) never
    reads another code's entries."""
    parts: list[str] = [__version__]
    for package in _CODE_PACKAGES:
        spec = importlib.util.find_spec(package)
        for location in (spec.submodule_search_locations or []) if spec else []:
            parts.extend(_stats(location))
    return digest(*parts)


def _stats(top: str) -> list[str]:
    """``path:size:mtime`` of every file under ``top`` (but compiled bytecode), in a
    stable order."""
    found: list[str] = []
    pending = [("", top)]
    while pending:
        prefix, directory = pending.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name, reverse=True)
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if name != "__pycache__":
                        pending.append((f"{prefix}{name}/", entry.path))
                elif not name.endswith(".pyc"):
                    status = entry.stat()
                    found.append(f"{prefix}{name}:{status.st_size}:{status.st_mtime_ns}")
            except OSError:
                continue
    return found
