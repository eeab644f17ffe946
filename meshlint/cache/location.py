"""Where the cache lives: one folder per project root under the user's cache directory."""

from __future__ import annotations

import hashlib
import os

from meshlint.fs.bounds import project_root, within

#: Overrides the cache directory (tests, CI caches).
CACHE_DIR_VARIABLE = "MESHLINT_CACHE_DIR"


class CacheRefused(Exception):
    """The cache cannot be used (its place is inside the linted project, or unusable)."""


def cache_root() -> str:
    """``$MESHLINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/meshlint``, else
    ``~/.cache/meshlint`` (absolute; not created)."""
    explicit = os.environ.get(CACHE_DIR_VARIABLE)
    if explicit:
        return os.path.abspath(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(os.path.abspath(base), "meshlint")


def root_of(paths: list[str]) -> str:
    """The project root of a run: that of its first path on disk (its folder for a file),
    else of the working directory."""
    for path in paths:
        if path != "-" and os.path.exists(path):
            folder = path if os.path.isdir(path) else os.path.dirname(path) or "."
            return project_root(folder)
    return project_root(".")


def project_folder(root: str, project: str) -> str:
    """The cache folder of a project root: the hash of its real path, under ``root``."""
    digest = hashlib.sha256(os.path.realpath(project).encode("utf-8", "surrogatepass"))
    return os.path.join(root, "projects", digest.hexdigest()[:32])


def check_outside(root: str, project: str) -> None:
    """Raise CacheRefused when the cache directory is inside the project: a pull request
    could then plant entries, or read them."""
    real = os.path.realpath(root)
    project = os.path.realpath(project)
    if within(real, project) or within(os.path.abspath(root), project):
        raise CacheRefused(f"cache directory {root} is inside the project {project}; not used")
