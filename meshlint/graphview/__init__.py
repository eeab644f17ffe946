"""``meshlint graph``: the mesh as a picture of where traffic goes, with findings drawn on it.

build_view (the mesh's resource graph + findings -> View) -> filters.select -> a renderer
(mermaid, dot, html, json).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from meshlint.engine.finding import Finding
from meshlint.graphview.build import project
from meshlint.graphview.marks import mark
from meshlint.graphview.view import View
from meshlint.mesh.index import Mesh


def build_view(mesh: Mesh, findings: Iterable[Finding] = ()) -> View:
    """The traffic view of ``mesh`` with ``findings`` (unsuppressed ones) placed on it."""
    view = project(mesh)
    mark(view, findings)
    return view


def renderer(fmt: str) -> Callable[[View], str]:
    """The renderer of a format: ``mermaid``, ``dot``, ``html`` or ``json``."""
    if fmt == "mermaid":
        from meshlint.graphview.mermaid import render_mermaid

        return render_mermaid
    if fmt == "dot":
        from meshlint.graphview.dot import render_dot

        return render_dot
    if fmt == "html":
        from meshlint.graphview.html import render_html

        return render_html
    if fmt == "json":
        from meshlint.graphview.json_format import render_json

        return render_json
    raise ValueError(f"unknown graph format {fmt!r}")


FORMATS = ("mermaid", "dot", "html", "json")
