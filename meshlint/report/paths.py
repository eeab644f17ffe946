"""Report paths relative to the repository root, the way CI systems want them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

STDIN = "-"


def repository_root(cwd: str | None = None, environ: Mapping[str, str] = os.environ) -> str:
    """The root report paths are relative to: ``GITHUB_WORKSPACE`` when the working
    directory is inside it, else the enclosing git work tree, else the working directory."""
    here = Path(cwd or os.getcwd()).resolve()
    workspace = environ.get("GITHUB_WORKSPACE")
    if workspace:
        root = Path(workspace).resolve()
        if here == root or root in here.parents:
            return str(root)
    for directory in (here, *here.parents):
        if (directory / ".git").exists():
            return str(directory)
    return str(here)


def relative(path: str, root: str) -> str | None:
    """``path`` relative to ``root`` with forward slashes, or None when it is outside the
    root (or standard input)."""
    if path == STDIN or path.startswith("<"):
        return None
    absolute = Path(path).resolve()
    try:
        return PurePosixPath(absolute.relative_to(Path(root).resolve())).as_posix()
    except ValueError:
        return None


def display(path: str, root: str) -> str:
    """``path`` relative to ``root`` when it is inside it, else as given."""
    return relative(path, root) or path
