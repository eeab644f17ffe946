"""Read a configuration file (YAML, or ``[tool.meshlint]`` in pyproject.toml) keeping the
position of every key, so that problems name their line."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from meshlint.config.errors import ConfigError, ConfigProblem
from meshlint.fieldpath import Path, render, span_of
from meshlint.loader.yaml_reader import parse_text

PYPROJECT = "pyproject.toml"
#: Parse issues that make a config unreadable (YAML 1.1 ambiguities are not: only meshlint
#: reads its config, and its schema takes ``off`` and ``false`` alike).
_FATAL = frozenset({"syntax", "duplicate-key", "limit"})
TOOL_TABLE = ("tool", "meshlint")


@dataclass
class ConfigSource:
    """The data of one configuration file, and where each of its keys stands."""

    file: str
    data: object
    text: str

    @property
    def directory(self) -> str:
        return os.path.dirname(os.path.abspath(self.file))

    @property
    def is_toml(self) -> bool:
        return os.path.basename(self.file) == PYPROJECT

    def position(self, path: Path, key: bool = False) -> tuple[int | None, int | None]:
        """1-based (line, column) of the value at ``path`` (of its key with ``key=True``)."""
        if self.is_toml:
            return _toml_line(self.text, path), None
        span, _ = span_of(self.data, path, key=key)
        return (span[0] + 1, span[1] + 1) if span else (None, None)

    def problem(self, path: Path, message: str, key: bool = False) -> ConfigProblem:
        line, column = self.position(path, key)
        return ConfigProblem(self.file, line, column, render(path), message)


def _toml_line(text: str, path: Path) -> int | None:
    """Best effort: the line of the last key of ``path`` inside the meshlint tables."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if _is_tool_header(line)), None)
    if start is None:
        return None
    names = [p for p in path if isinstance(p, str)]
    for name in reversed(names):
        pattern = re.compile(
            rf"""^\s*(["']?){re.escape(name)}\1\s*=|\[[^\]]*\b{re.escape(name)}\]"""
        )
        for i in range(start, len(lines)):
            if pattern.search(lines[i]):
                return i + 1
    return start + 1


def _is_tool_header(line: str) -> bool:
    return re.match(r"^\s*\[\[?\s*tool\.meshlint\b", line) is not None


def read_yaml(file: str, text: str) -> ConfigSource:
    """A YAML config; raises ConfigError on syntax errors and duplicate keys."""
    result = parse_text(text)
    problems = [
        ConfigProblem(
            file,
            i.span[0] + 1 if i.span else None,
            i.span[1] + 1 if i.span else None,
            "",
            i.message,
        )
        for i in result.issues
        if i.kind in _FATAL
    ]
    if problems:
        raise ConfigError(problems)
    if len(result.documents) > 1:
        raise ConfigError([ConfigProblem(file, None, None, "", "expected one YAML document")])
    data = result.documents[0].root if result.documents else None
    return ConfigSource(file, {} if data is None else data, text)


def read_source(file: str) -> ConfigSource | None:
    """Read a config file; None for a pyproject.toml without ``[tool.meshlint]``."""
    try:
        with open(file, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ConfigError([ConfigProblem(file, None, None, "", f"cannot read: {reason}")]) from None
    if os.path.basename(file) != PYPROJECT:
        return read_yaml(file, text)
    try:
        import tomllib

        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([ConfigProblem(file, None, None, "", str(error))]) from None
    data = document.get(TOOL_TABLE[0], {}).get(TOOL_TABLE[1])
    return None if data is None else ConfigSource(file, data, text)
