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
    found = []
    for directory, folders, names in os.walk(top):
        folders[:] = sorted(f for f in folders if f != "__pycache__")
        for name in sorted(names):
            if name.endswith(".pyc"):
                continue
            try:
                status = os.stat(os.path.join(directory, name))
            except OSError:
                continue
            where = f"{os.path.relpath(directory, top)}/{name}"
            found.append(f"{where}:{status.st_size}:{status.st_mtime_ns}")
    return found
