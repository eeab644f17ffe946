"""Configuration: discovery, the shipped JSON Schema, and the settings model."""

from __future__ import annotations

import os
from collections.abc import Mapping

from meshlint.config.discovery import config_files
from meshlint.config.errors import ConfigError, ConfigProblem
from meshlint.config.layers import Config, MeshKeys, from_source, merge, shown_path
from meshlint.config.schema import config_schema, config_schema_text
from meshlint.config.source import read_source

__all__ = [
    "Config",
    "ConfigError",
    "ConfigProblem",
    "MeshKeys",
    "config_schema",
    "config_schema_text",
    "load_config",
    "merge",
]


def load_config(
    explicit: str | None = None,
    start: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """The merged configuration (user file, then project file; or only ``explicit``).

    Raises ConfigError naming the file, line and key of every problem.
    """
    environ = os.environ if environ is None else environ
    config = Config()
    for found in config_files(explicit, start or os.getcwd(), environ):
        file = shown_path(found)
        source = read_source(file)
        if source is None:
            if found == explicit:
                problem = ConfigProblem(file, None, None, "", "has no [tool.meshlint] table")
                raise ConfigError([problem])
            continue
        config = merge(config, from_source(source))
    return config
