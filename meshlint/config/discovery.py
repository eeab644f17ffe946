"""Where the configuration comes from.

Order (lowest precedence first): the user's file (``$MESHLINT_CONFIG_FILE``, else
``$XDG_CONFIG_HOME/meshlint/config.yaml``), then the project's file, found from the
working directory upward to the repository root (the folder holding ``.git``). ``-c FILE``
replaces both. The user's file never overrides the project's.

The project's file is the repository's: whoever sends a pull request writes it, so it
is read as untrusted (see :mod:`meshlint.config.trust`). So is a ``-c FILE`` inside the
working directory's project; the user's file, and a ``-c FILE`` elsewhere, are trusted.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from meshlint.config.source import PYPROJECT, TOOL_TABLE
from meshlint.fs.bounds import inside, project_root

#: Project files, by precedence within one folder.
PROJECT_FILES = (".meshlint.yaml", ".meshlint.yml", os.path.join(".config", "meshlint.yaml"))
USER_FILE_VARIABLE = "MESHLINT_CONFIG_FILE"


def _has_tool_table(path: str) -> bool:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError):
        return False
    return f"[{'.'.join(TOOL_TABLE)}" in text


def project_file(start: str) -> str | None:
    """The project's config file, from ``start`` upward to the repository root."""
    directory = os.path.abspath(start)
    while True:
        for name in PROJECT_FILES:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate):
                return candidate
        pyproject = os.path.join(directory, PYPROJECT)
        if os.path.isfile(pyproject) and _has_tool_table(pyproject):
            return pyproject
        parent = os.path.dirname(directory)
        if os.path.exists(os.path.join(directory, ".git")) or parent == directory:
            return None
        directory = parent


def user_file(environ: Mapping[str, str]) -> str | None:
    """The user-level config file, if there is one."""
    explicit = environ.get(USER_FILE_VARIABLE)
    if explicit:
        return explicit if os.path.isfile(explicit) else None
    base = environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    candidate = os.path.join(base, "meshlint", "config.yaml")
    return candidate if os.path.isfile(candidate) else None


@dataclass(frozen=True, slots=True)
class FoundConfig:
    path: str
    #: Written by the repository (untrusted), not by the user.
    repository: bool


def config_files(explicit: str | None, start: str, environ: Mapping[str, str]) -> list[FoundConfig]:
    """The files to read, lowest precedence first."""
    if explicit:
        return [FoundConfig(explicit, inside(explicit, project_root(start)))]
    user, project = user_file(environ), project_file(start)
    found = [FoundConfig(user, False)] if user else []
    return found + ([FoundConfig(project, True)] if project else [])
