"""Paths a repository's config names must stay inside its project.

A config committed to a repository is written by whoever sends the pull request: its
``paths``, ``context``, ``policy-files``, ``baseline``, ``mesh.config-file`` and
``mesh.networks-file`` must resolve, following every link, inside the project root (the
git work tree holding the config, else the config's folder), and a file they name must be
a regular one; standard input (``-``) is the command line's to name. Otherwise the config
is in error, and nothing it names is read.
"""

from __future__ import annotations

import os
import stat

from meshlint.config.errors import ConfigError, ConfigProblem
from meshlint.config.layers import resolve_path
from meshlint.config.source import ConfigSource
from meshlint.fieldpath import Path
from meshlint.fs.bounds import inside, outside_message, project_root
from meshlint.fs.regular import kind_of

_LISTS = ("paths", "context", "policy-files")
_SINGLE = (("baseline",), ("mesh", "config-file"), ("mesh", "networks-file"))


def _named(data: dict) -> list[tuple[Path, str]]:
    """Every (key path, path) the config names."""
    named: list[tuple[Path, str]] = []
    for key in _LISTS:
        values = data.get(key, [])
        named += [((key, i), v) for i, v in enumerate(values) if isinstance(v, str)]
    for keys in _SINGLE:
        value = data
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, str):
            named.append((keys, value))
    return named


def _problem(path: str, root: str) -> str | None:
    if path == "-":
        return "standard input can only be named on the command line"
    if not inside(path, root):
        return f"{path} {outside_message(root)}"
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
        return None
    return f"{path} is {kind_of(mode)}, not a regular file; not read"


def confinement_problems(source: ConfigSource) -> list[ConfigProblem]:
    """Each path of the config that leaves its project or is not a regular file."""
    data = source.data if isinstance(source.data, dict) else {}
    root = project_root(source.directory)
    problems = []
    for where, value in _named(data):
        message = _problem(resolve_path(source.directory, value), root)
        if message is not None:
            problems.append(source.problem(where, message))
    return problems


def check_config_file(file: str) -> None:
    """A repository's config file must itself be a regular file inside its project (not
    a link to ``/etc/shadow`` whose lines would be printed as config errors)."""
    folder = os.path.dirname(os.path.abspath(file))
    root = project_root(folder)
    message = _problem(file, root)
    if message is None and not os.path.isfile(file):
        message = f"{file} is not a regular file; not read"
    if message is not None:
        raise ConfigError([ConfigProblem(file, None, None, "", message)])
