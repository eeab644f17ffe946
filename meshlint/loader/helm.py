"""Rendering Helm charts, only when the user asks (``--helm``, or a trusted config) and helm
is installed: ``helm template -- DIR``. The ``--`` keeps a folder named like a flag a folder.

``helm template`` marks each rendered document with ``# Source: CHART/templates/x.yaml``;
a :class:`SourceMap` turns a line of the output back into the template and the line of
the document rendered from it.
"""

from __future__ import annotations

import bisect
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field

from meshlint.loader.nonmanifest import CHART_FILE

RENDER_TIMEOUT_SECONDS = 120
_SOURCE = re.compile(r"^# Source: (\S.*?)\s*$", re.MULTILINE)
PIPE_HINT = "helm template RELEASE CHART | meshlint lint -"


class CannotRender(Exception):
    """helm is missing or failed; the message says why."""


def is_chart(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, CHART_FILE))


def charts_in(paths: list[str]) -> list[str]:
    """The chart directories among ``paths`` and under the directories they name (a chart's
    own subcharts render with it; hidden folders are skipped, links not followed)."""
    charts: list[str] = []
    for path in paths:
        if not os.path.isdir(path):
            continue
        if is_chart(path):
            charts.append(path)
            continue
        for root, dirs, _ in os.walk(path, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            found = [d for d in dirs if is_chart(os.path.join(root, d))]
            charts.extend(os.path.normpath(os.path.join(root, d)) for d in found)
            dirs[:] = [d for d in dirs if d not in found]
    return list(dict.fromkeys(charts))


def render(chart: str) -> str:
    """``helm template`` of ``chart``; raises CannotRender."""
    if shutil.which("helm") is None:
        raise CannotRender(
            f"--helm: helm is not on PATH; install it, or render the chart and pipe it in: "
            f"`helm template {chart} | meshlint lint -`"
        )
    command = ["helm", "template", "--include-crds", "--", chart]
    try:
        run = subprocess.run(
            command, capture_output=True, text=True, timeout=RENDER_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise CannotRender(f"helm template {chart}: {error}") from None
    if run.returncode != 0:
        reason = (run.stderr.strip().splitlines() or ["no output"])[-1]
        raise CannotRender(f"helm template {chart}: {reason}")
    return run.stdout


@dataclass
class SourceMap:
    """Where each line of a chart's rendered output came from."""

    chart: str
    #: 1-based lines of the ``# Source:`` comments, and the template each names.
    lines: list[int] = field(default_factory=list)
    templates: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, chart: str, text: str) -> SourceMap:
        mapping = cls(chart)
        for match in _SOURCE.finditer(text):
            mapping.lines.append(text.count("\n", 0, match.start()) + 1)
            mapping.templates.append(mapping._template_path(match.group(1)))
        return mapping

    def _template_path(self, source: str) -> str:
        """``reviews/templates/vs.yaml`` (helm names the chart first) in the chart folder."""
        _, _, inside = source.partition("/")
        return os.path.normpath(os.path.join(self.chart, inside or source))

    def locate(self, line: int) -> tuple[str, int]:
        """The template and its rendered document's line for a line of the output (the
        chart's ``Chart.yaml``, line 1, before the first ``# Source:``)."""
        index = bisect.bisect_left(self.lines, line) - 1
        if index < 0:
            return os.path.join(self.chart, CHART_FILE), 1
        return self.templates[index], line - self.lines[index]
