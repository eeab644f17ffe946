"""Configuration: discovery, the shipped JSON Schema, and the settings model."""

from __future__ import annotations

import os
from collections.abc import Mapping

from meshlint.config.confine import check_config_file, confinement_problems
from meshlint.config.discovery import config_files
from meshlint.config.errors import ConfigError, ConfigProblem
from meshlint.config.layers import Config, MeshKeys, from_source, merge, shown_path
from meshlint.config.schema import config_schema, config_schema_text
from meshlint.config.source import read_source
from meshlint.config.trust import restrict, trusted_by_environment

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
    *,
    trust: bool = False,
) -> Config:
    """The merged configuration (user file, then project file; or only ``explicit``).

    A repository's config may name no path outside its project, and (unless ``trust`` or
    ``$MESHLINT_TRUST_CONFIG``) what it may not set is dropped with a warning in
    ``Config.warnings``. Raises ConfigError naming the file, line and key of every problem.
    """
    environ = os.environ if environ is None else environ
    trust = trust or trusted_by_environment(environ)
    config = Config()
    for found in config_files(explicit, start or os.getcwd(), environ):
        file = shown_path(found.path)
        if found.repository:
            check_config_file(file)
        source = read_source(file)
        if source is None:
            if found.path == explicit:
                problem = ConfigProblem(file, None, None, "", "has no [tool.meshlint] table")
                raise ConfigError([problem])
            continue
        layer = from_source(source)
        if found.repository:
            problems = confinement_problems(source)
            if problems:
                raise ConfigError(problems)
            if not trust:
                layer.warnings += restrict(source, layer, config)
        config = merge(config, layer)
    return config
