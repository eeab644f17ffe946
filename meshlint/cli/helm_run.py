"""``meshlint lint --helm``: render the charts among the paths with ``helm template``, lint
the output, and point each finding back at the template it came from (the line counts
lines of that template's rendered document)."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import click

from meshlint.cli.exit_codes import EXIT_USAGE
from meshlint.loader.helm import CannotRender, SourceMap, charts_in, render

if TYPE_CHECKING:
    from meshlint.engine.finding import Finding, Location
    from meshlint.pipeline.lint import LintOptions, LintResult


class HelmError(click.ClickException):
    """helm is missing or could not render a chart; exit 2."""

    exit_code = EXIT_USAGE

    def show(self, file=None) -> None:
        click.echo(f"meshlint: error: {self.message}", err=True)


@dataclass
class RenderedCharts:
    """The rendered output of each chart, in a private temporary folder."""

    folder: str | None = None
    #: Rendered file -> where its lines came from.
    maps: dict[str, SourceMap] = field(default_factory=dict)

    def cleanup(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def _location(self, location: Location | None) -> Location | None:
        if location is None or location.file not in self.maps:
            return location
        template, line = self.maps[location.file].locate(location.line)
        shift = location.line - line
        return replace(location, file=template, line=line, end_line=location.end_line - shift)

    def _map(self, finding: Finding) -> None:
        mapped = self._location(finding.location)
        if mapped is finding.location and finding.file not in self.maps:
            return
        finding.location = mapped
        finding.file = mapped.file if mapped else self.maps[finding.file].chart
        finding.fixes = []  # a fix would edit the rendered output, not the template
        for related in finding.related:
            related.location = self._location(related.location)
        resource = finding.resource
        if resource is not None and resource.file in self.maps and mapped is not None:
            resource.file = mapped.file

    def map_back(self, result: LintResult) -> None:
        """Findings, files and unparsed files of the rendered output, in the charts."""
        if not self.maps:
            return
        for finding in result.findings:
            self._map(finding)

        def chart(path: str) -> str:
            return self.maps[path].chart if path in self.maps else path

        result.files = list(dict.fromkeys(chart(f) for f in result.files))
        result.unparsed = [chart(f) for f in result.unparsed]


def _write(path: str, text: str) -> None:
    from meshlint.fs.write import write_file

    write_file(path, text.encode("utf-8"))


def render_charts(options: LintOptions) -> RenderedCharts:
    """Render every chart among ``options.paths`` (or under them) and lint the output
    instead of the chart's files; raises HelmError when one cannot be rendered."""
    charts = charts_in(options.paths)
    rendered = RenderedCharts()
    if not charts:
        return rendered
    rendered.folder = tempfile.mkdtemp(prefix="meshlint-helm-")
    try:
        for index, chart in enumerate(charts):
            text = render(chart)
            name = os.path.basename(os.path.abspath(chart)) or "chart"
            path = os.path.join(rendered.folder, f"{index}-{name}.yaml")
            _write(path, text)
            rendered.maps[path] = SourceMap.of(chart, text)
    except CannotRender as error:
        rendered.cleanup()
        raise HelmError(str(error)) from None
    walked = [c for c in charts if c not in options.paths]
    options.exclude += [os.path.abspath(c).replace(os.sep, "/") + "/*" for c in walked]
    options.paths = [p for p in options.paths if p not in charts] + list(rendered.maps)
    return rendered
