"""Files that sit beside manifests but are not manifests, recognised by name and place.

A Helm chart (a folder with ``Chart.yaml``) holds its metadata (``Chart.yaml``,
``Chart.lock``), values (``values*.yaml``, ``values.schema.json``, chart-testing's
``ci/``), templates (``templates/``) and vendored subcharts (``charts/``): none of them
is a manifest until ``helm template`` renders the chart. Its ``Chart.yaml`` stands for the
whole chart (one note, not one per template); ``crds/`` and any other files are linted.
meshlint's own config, pre-commit's and GitHub's files are tool configuration.
"""

from __future__ import annotations

import os
import re
from fnmatch import fnmatchcase
from functools import lru_cache

CHART_FILE = "Chart.yaml"
#: What a file is, when it is not a manifest to lint.
CHART, SKIPPED = "chart", "skipped"
_TOOL_FILES = frozenset(
    {
        ".meshlint.yaml",
        ".meshlint.yml",
        ".pre-commit-config.yaml",
        ".pre-commit-hooks.yaml",
        ".yamllint",
        ".yamllint.yaml",
        ".yamllint.yml",
    }
)
_USER_CONFIG = [".config", "meshlint.yaml"]
_CHART_PARTS = frozenset({"templates", "charts", "ci"})
#: How far up a chart's root is looked for (``chart/templates/sub/dir/file.yaml``).
_MAX_CHART_DEPTH = 8
#: A key that Kubernetes objects have, as YAML or JSON writes it.
_MANIFEST_SIGN = re.compile(r"""["']?\b(?:apiVersion|kind)\b["']?\s*:""")


def looks_like_manifest(text: str) -> bool:
    """Whether a text names an ``apiVersion`` or ``kind`` key anywhere."""
    return _MANIFEST_SIGN.search(text) is not None


@lru_cache(maxsize=4096)
def _has_chart(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, CHART_FILE))


def chart_root(path: str) -> str | None:
    """The nearest folder at or above ``path``'s folder that holds a ``Chart.yaml``."""
    directory = os.path.dirname(os.path.abspath(path))
    for _ in range(_MAX_CHART_DEPTH):
        if _has_chart(directory):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent
    return None


def _is_subchart(root: str) -> bool:
    parent = os.path.dirname(root)
    return os.path.basename(parent) == "charts" and _has_chart(os.path.dirname(parent))


def _chart_role(path: str) -> str | None:
    root = chart_root(path)
    if root is None:
        return None
    parts = os.path.relpath(os.path.abspath(path), root).split(os.sep)
    if _is_subchart(root):
        return SKIPPED  # rendered with the chart that vendors it
    name = parts[-1]
    if len(parts) == 1:
        if name == CHART_FILE:
            return CHART
        if name in ("Chart.lock", "values.schema.json") or fnmatchcase(name, "values*.y*ml"):
            return SKIPPED
        return None
    return SKIPPED if parts[0] in _CHART_PARTS else None


def role(path: str) -> str | None:
    """``chart`` for a chart's ``Chart.yaml``, ``skipped`` for other files that are not
    manifests (chart values and templates, tool configuration), else None."""
    parts = path.replace(os.sep, "/").split("/")
    if parts[-1] in _TOOL_FILES or ".github" in parts[:-1] or parts[-2:] == _USER_CONFIG:
        return SKIPPED
    return _chart_role(path)
