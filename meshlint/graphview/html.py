"""One self-contained HTML page: the graph (inline SVG, pan and zoom) and the findings beside it.

Nothing is fetched: the script and styles are inline, and a Content-Security-Policy forbids
every network request.
"""

from __future__ import annotations

from html import escape

from meshlint import __version__
from meshlint.engine.finding import Finding, counts
from meshlint.graphview.layout import layout
from meshlint.graphview.style import ROLE_COLOURS, SEVERITY_COLOURS
from meshlint.graphview.svg import element_ids, render_svg
from meshlint.graphview.view import ROLES, View

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"

STYLE = """
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; font: 13px/1.4 system-ui, sans-serif; color: #212121; }
body { display: flex; }
main { position: relative; flex: 1; overflow: hidden; background: #fcfcfc; }
#graph { width: 100%; height: 100%; cursor: grab; user-select: none; touch-action: none; }
#graph:active { cursor: grabbing; }
.tools { position: absolute; top: 8px; left: 8px; display: flex; gap: 4px; }
.tools button { font: inherit; min-width: 32px; padding: 2px 8px; border: 1px solid #bdbdbd;
  border-radius: 4px; background: #fff; cursor: pointer; }
aside { width: 380px; overflow: auto; border-left: 1px solid #e0e0e0; padding: 12px 16px; }
h1 { font-size: 16px; margin: 0 0 4px; } h2 { font-size: 14px; margin: 16px 0 6px; }
.summary { color: #616161; margin: 0; }
ol { list-style: none; padding: 0; margin: 0; }
.finding { padding: 6px 8px; margin: 0 0 6px; border-left: 4px solid #9e9e9e;
  background: #fafafa; cursor: pointer; }
.finding.sev-error { border-color: #d93025; } .finding.sev-warning { border-color: #e37400; }
.finding .where { color: #616161; font-size: 12px; word-break: break-all; }
.finding.off { cursor: default; }
.heading { font-size: 11px; fill: #616161; }
.name { font-size: 12px; font-weight: 600; fill: #212121; }
.badge { font-size: 11px; font-weight: 700; fill: #fff; text-anchor: middle; }
.label { font-size: 11px; text-anchor: middle; paint-order: stroke; stroke: #fcfcfc;
  stroke-width: 4px; stroke-linejoin: round; }
.focus rect, .focus path { stroke-width: 5px; }
.legend { display: grid; grid-template-columns: 18px 1fr; gap: 4px 8px; align-items: center; }
.swatch { width: 18px; height: 12px; border: 1px solid; border-radius: 3px; }
.swatch.dashed { border-style: dashed; }
"""

SCRIPT = """
(() => {
  const svg = document.getElementById("graph");
  const port = document.getElementById("viewport");
  const width = Number(svg.dataset.width), height = Number(svg.dataset.height);
  let scale = 1, x = 0, y = 0, drag = null;
  const apply = () => port.setAttribute("transform", `translate(${x} ${y}) scale(${scale})`);
  const size = () => svg.getBoundingClientRect();
  function fit() {
    const r = size();
    scale = Math.min(r.width / width, r.height / height, 1.5);
    x = (r.width - width * scale) / 2;
    y = (r.height - height * scale) / 2;
    apply();
  }
  function zoom(factor, cx, cy) {
    const next = Math.min(8, Math.max(0.02, scale * factor));
    x = cx - (cx - x) * next / scale;
    y = cy - (cy - y) * next / scale;
    scale = next;
    apply();
  }
  function focus(id) {
    document.querySelectorAll(".focus").forEach((el) => el.classList.remove("focus"));
    const el = document.getElementById(id);
    if (!el) return;
    el.classList.add("focus");
    const r = size();
    scale = Math.max(scale, 1);
    x = r.width / 2 - Number(el.dataset.cx) * scale;
    y = r.height / 2 - Number(el.dataset.cy) * scale;
    apply();
  }
  svg.addEventListener("wheel", (e) => {
    e.preventDefault();
    const r = size();
    zoom(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
  }, { passive: false });
  svg.addEventListener("pointerdown", (e) => {
    drag = [e.clientX - x, e.clientY - y];
    svg.setPointerCapture(e.pointerId);
  });
  svg.addEventListener("pointermove", (e) => {
    if (!drag) return;
    x = e.clientX - drag[0];
    y = e.clientY - drag[1];
    apply();
  });
  svg.addEventListener("pointerup", () => { drag = null; });
  document.querySelectorAll("[data-zoom]").forEach((button) => {
    button.addEventListener("click", () => {
      const r = size();
      if (button.dataset.zoom === "fit") fit();
      else zoom(Number(button.dataset.zoom), r.width / 2, r.height / 2);
    });
  });
  document.querySelectorAll("[data-target]").forEach((item) => {
    item.addEventListener("click", () => focus(item.dataset.target));
  });
  window.addEventListener("resize", fit);
  fit();
})();
"""


def _targets(view: View) -> dict[int, str]:
    """The element each finding is drawn on (an edge before a node), by ``id()``."""
    node_ids, edge_ids = element_ids(view)
    out: dict[int, str] = {}
    for edge in view.edges:
        for finding in edge.findings:
            out.setdefault(id(finding), edge_ids[id(edge)])
    for node_id, node in view.nodes.items():
        for finding in node.findings:
            out.setdefault(id(finding), node_ids[node_id])
    return out


def _finding_item(finding: Finding, target: str | None) -> str:
    where = [str(finding.location) if finding.location else finding.file or ""]
    if finding.resource is not None:
        where.append(finding.resource.ref)
    if target is None:
        where.append("not drawn")
    attrs = f' data-target="{target}"' if target else ""
    css = f"finding sev-{finding.severity.label}" + ("" if target else " off")
    return (
        f'<li class="{css}"{attrs}><strong>{finding.severity.label}</strong> '
        f"<code>{escape(finding.rule.id)}</code> {escape(finding.message)}"
        f'<div class="where">{escape(" · ".join(w for w in where if w))}</div></li>'
    )


def _legend() -> str:
    rows = []
    for role in ROLES:
        fill, border = ROLE_COLOURS[role]
        rows.append((f"background:{fill};border-color:{border}", "", role))
    for severity, (fill, border) in SEVERITY_COLOURS.items():
        rows.append((f"background:{fill};border-color:{border}", "", severity.label))
    rows.append(("background:#fafafa;border-color:#9e9e9e", " dashed", "missing / unknown"))
    return (
        '<div class="legend">'
        + "".join(
            f'<span class="swatch{extra}" style="{style}"></span><span>{escape(text)}</span>'
            for style, extra, text in rows
        )
        + "</div>"
    )


def render_html(view: View, title: str = "meshlint graph") -> str:
    targets = _targets(view)
    ordered = sorted(view.findings, key=lambda f: (-f.severity, f.sort_key))
    items = [_finding_item(f, targets.get(id(f))) for f in ordered]
    tally = ", ".join(
        f"{n} {label}{'s' if n != 1 and label != 'info' else ''}"
        for label, n in counts(view.findings).items()
    )
    summary = f"{len(view.nodes)} nodes, {len(view.edges)} edges; {tally}"
    findings = f"<ol>{''.join(items)}</ol>" if items else "<p>No findings.</p>"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<main>{render_svg(view, layout(view))}"
        '<div class="tools"><button data-zoom="1.25" title="Zoom in">+</button>'
        '<button data-zoom="0.8" title="Zoom out">&minus;</button>'
        '<button data-zoom="fit" title="Fit the graph">fit</button></div></main>'
        f'<aside><h1>{escape(title)}</h1><p class="summary">{escape(summary)}</p>'
        f"<h2>Findings ({len(view.findings)})</h2>{findings}"
        f"<h2>Legend</h2>{_legend()}"
        f'<p class="summary">meshlint {escape(__version__)}</p></aside>'
        f"<script>{SCRIPT}</script></body></html>\n"
    )
