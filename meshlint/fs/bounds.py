"""The project root, and what may be read under it.

A project's root is the git work tree that holds it (the nearest folder upward with a
``.git``), else the folder itself. Files found by walking a directory or matching a glob,
and every path a repository's config names, must resolve (following every link) inside
that root: a committed link to ``/etc`` or ``~/.ssh`` is never read. Paths named on the
command line are the user's choice and are not checked.
"""

from __future__ import annotations

import os
import stat

from meshlint.fs.regular import kind_of


def project_root(path: str) -> str:
    """The real path of the git work tree holding ``path`` (a folder), else of ``path``."""
    start = os.path.realpath(path)
    directory = start
    while True:
        if os.path.lexists(os.path.join(directory, ".git")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return start
        directory = parent


def within(path: str, root: str) -> bool:
    """Whether the absolute, normalised ``path`` is ``root`` or below it (no link followed)."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def inside(path: str, root: str) -> bool:
    """Whether ``path`` resolves, following every link, to ``root`` or below it."""
    return within(os.path.realpath(path), root)


def outside_message(root: str) -> str:
    return f"leads outside the project ({root}); not read"


def refusal(path: str, root: str, *, walked: bool = False) -> str | None:
    """Why a file found under ``root`` must not be read (None: it may be): it resolves
    outside the root, or it is not a regular file. A broken link inside the root is left
    to the reader, which reports it. ``walked``: found by a walk that follows no link, so
    only a link at the file itself can lead out (one ``lstat`` for a plain file)."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    linked = stat.S_ISLNK(mode)
    if (linked or not walked) and not inside(path, root):
        return f"symbolic link that {outside_message(root)}"
    if linked:
        try:
            mode = os.stat(path).st_mode
        except OSError:
            return None
    if not stat.S_ISREG(mode):
        return f"{kind_of(mode)}, not a regular file; not read"
    return None
