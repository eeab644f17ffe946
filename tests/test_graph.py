"""``meshlint graph``: the traffic picture, findings drawn on it, and its four formats."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import sys
import textwrap
import time
import zlib
from pathlib import Path

import pytest

from meshlint.graphview import build_view
from meshlint.graphview.dot import render_dot
from meshlint.graphview.filters import find_node
from meshlint.graphview.filters import select as select_view
from meshlint.graphview.html import render_html
from meshlint.graphview.labels import match_summary
from meshlint.graphview.layout import layout
from meshlint.graphview.mermaid import label, render_mermaid
from meshlint.graphview.view import View
from meshlint.mesh.settings import MeshSettings
from meshlint.pipeline.lint import LintOptions, lint

from conftest import REPO, SHARED, needs_shared

BOOKINFO = SHARED / "reference" / "samples" / "bookinfo"
ERROR_RED = "#d93025"

REVIEWS = """
apiVersion: v1
kind: Service
metadata: {name: reviews}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-v1}
spec:
  selector: {matchLabels: {app: reviews, version: v1}}
  template:
    metadata: {labels: {app: reviews, version: v1}}
    spec: {containers: [{name: reviews, image: reviews:1}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
"""

BROKEN_SUBSET = """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 50
    - destination: {host: reviews, subset: v4}
      weight: 50
"""

BROKEN_REFERENCES = """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: front}
spec:
  hosts: ["*"]
  gateways: [nope-gateway]
  http:
  - match: [{uri: {prefix: /api}}]
    route:
    - destination: {host: reviewz}
"""

POLICIES = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: ratings-v1}
spec:
  selector: {matchLabels: {app: ratings}}
  template:
    metadata: {labels: {app: ratings}}
    spec: {containers: [{name: ratings, image: ratings:1}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ratings-deny}
spec:
  selector: {matchLabels: {app: ratings}}
  action: DENY
  rules: [{to: [{operation: {paths: ["/admin*"]}}]}]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec:
  mtls: {mode: STRICT}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: example-api}
spec:
  hosts: [api.example.com]
  ports: [{number: 443, name: https, protocol: TLS}]
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: ratings}
spec:
  workloadSelector: {labels: {app: ratings}}
  egress:
  - hosts: ["./api.example.com", "istio-system/*"]
"""


def view_of(tmp_path: Path, *texts: str, assume_complete: bool = False) -> View:
    paths = []
    for i, text in enumerate(texts):
        path = tmp_path / f"{i}.yaml"
        path.write_text(textwrap.dedent(text))
        paths.append(str(path))
    settings = MeshSettings(assume_complete=assume_complete)
    result = lint(LintOptions(paths=paths, settings=settings))
    return build_view(result.mesh, result.findings)


def edges(view: View, kind: str | None = None) -> set[tuple[str, str]]:
    return {(e.source, e.target) for e in view.edges if kind is None or e.kind == kind}


def edge(view: View, source: str, target: str):
    (found,) = [e for e in view.edges if (e.source, e.target) == (source, target)]
    return found


# -- what the picture shows ---------------------------------------------------------------


@pytest.fixture(scope="module")
def bookinfo() -> View:
    if not BOOKINFO.is_dir():
        pytest.skip("../shared is not present")
    result = lint(LintOptions(paths=[str(BOOKINFO)]))
    return build_view(result.mesh, result.findings)


@needs_shared()
def test_bookinfo_every_gateway_route_reaches_a_deployment(bookinfo):
    """Gateway -> VirtualService -> Service -> Deployment, for every route of every
    VirtualService bound to a Gateway."""
    nodes = bookinfo.nodes
    paths = set()
    for gateway, vs in edges(bookinfo, "binds"):
        if nodes[gateway].kind != "Gateway":
            continue
        routes = [e for e in bookinfo.edges if e.source == vs and e.kind == "routes"]
        assert routes, vs
        for route in routes:
            assert nodes[route.target].kind == "Service"
            workloads = [t for s, t in edges(bookinfo, "selects") if s == route.target]
            assert workloads, route.target
            paths |= {(gateway, vs, route.target, w) for w in workloads}
    assert paths == {
        (
            "Gateway default/bookinfo-gateway",
            "VirtualService default/bookinfo",
            "Service default/productpage",
            "Deployment default/productpage-v1",
        )
    }


@needs_shared()
def test_bookinfo_internal_routes_go_through_their_subsets(bookinfo):
    for vs in ("productpage", "reviews", "ratings", "details"):
        assert ("mesh", f"VirtualService default/{vs}") in edges(bookinfo, "binds")
        subset = f"Subset default/{vs}/v1"
        assert (f"VirtualService default/{vs}", subset) in edges(bookinfo, "routes")
        assert (subset, f"Deployment default/{vs}-v1") in edges(bookinfo, "selects")
    assert ("Subset default/reviews/v2", "Deployment default/reviews-v2") in edges(bookinfo)
    assert ("Subset default/reviews/v1", "Deployment default/reviews-v2") not in edges(bookinfo)


@needs_shared()
def test_bookinfo_shows_where_traffic_enters(bookinfo):
    ingress = "Pod istio-system/istio-ingressgateway"
    assert bookinfo.nodes[ingress].state == "assumed"
    assert (ingress, "Gateway default/bookinfo-gateway") in edges(bookinfo, "serves")
    assert "Pod istio-system/istio-egressgateway" not in bookinfo.nodes  # nothing uses it
    assert all(e.severity is None for e in bookinfo.edges)


def test_broken_subset_is_a_red_edge_to_a_dashed_missing_node(tmp_path):
    view = view_of(tmp_path, REVIEWS, BROKEN_SUBSET)
    missing = view.nodes["missing Subset v4 default/reviews"]
    assert (missing.state, missing.dashed, missing.severity.label) == ("missing", True, "error")
    broken = edge(view, "VirtualService default/reviews", missing.id)
    assert [(f.rule.name, f.location.line) for f in broken.findings] == [
        ("vs-subset-not-found", 11)
    ]
    assert broken.label == "50%"
    good = edge(view, "VirtualService default/reviews", "Subset default/reviews/v1")
    assert good.findings == []
    assert view.nodes["VirtualService default/reviews"].findings == []


def test_missing_gateway_and_host_are_drawn_where_the_references_break(tmp_path):
    view = view_of(tmp_path, REVIEWS, BROKEN_REFERENCES, assume_complete=True)
    gateway = edge(view, "missing Gateway default/nope-gateway", "VirtualService default/front")
    assert "vs-gateway-not-found" in [f.rule.name for f in gateway.findings]
    assert view.nodes["missing Gateway default/nope-gateway"].severity.label == "error"
    host = edge(view, "VirtualService default/front", "missing Host default/reviewz")
    assert [f.rule.name for f in host.findings] == ["vs-destination-host-not-found"]
    assert host.label == "/api*"
    assert view.nodes["missing Host default/reviewz"].hosts == (
        "reviewz.default.svc.cluster.local",
    )


DELEGATION = """
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: front}
spec:
  hosts: [reviews]
  http:
  - match: [{uri: {prefix: /api}}]
    delegate: {name: reviews-api}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews-api}
spec:
  http: [{route: [{destination: {host: reviews, subset: v1}}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: reviews}
spec:
  parentRefs: [{name: web}]
  rules: [{backendRefs: [{name: reviews, port: 9080}]}]
"""


def test_delegates_hang_off_their_root_and_gateway_api_routes_off_their_parents(tmp_path):
    view = view_of(tmp_path, REVIEWS, DELEGATION)
    delegation = edge(view, "VirtualService default/front", "VirtualService default/reviews-api")
    assert (delegation.kind, delegation.label) == ("delegates", "/api*")
    assert ("mesh", "VirtualService default/reviews-api") not in edges(view, "binds")
    assert ("mesh", "VirtualService default/front") in edges(view, "binds")
    assert ("unknown Gateway default/web", "HTTPRoute default/reviews") in edges(view, "binds")
    assert ("HTTPRoute default/reviews", "Service default/reviews") in edges(view, "routes")


def test_policies_point_at_what_they_select_and_sidecar_egress_at_service_entries(tmp_path):
    view = view_of(tmp_path, POLICIES)
    workload = "Deployment default/ratings-v1"
    applies = edges(view, "applies")
    assert ("AuthorizationPolicy default/ratings-deny", workload) in applies
    assert ("Sidecar default/ratings", workload) in applies
    assert ("PeerAuthentication istio-system/default", "mesh") in applies  # mesh-wide
    assert edges(view, "egress") == {(workload, "ServiceEntry default/example-api")}
    assert view.nodes["AuthorizationPolicy default/ratings-deny"].heading == (
        "AuthorizationPolicy · DENY"
    )
    assert view.nodes["PeerAuthentication istio-system/default"].heading == (
        "PeerAuthentication · STRICT"
    )


EGRESS = """
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: cnn}
spec:
  hosts: [edition.cnn.com]
  ports: [{number: 80, name: http, protocol: HTTP}]
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: egress}
spec:
  selector: {istio: egressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [edition.cnn.com]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: cnn}
spec:
  hosts: [edition.cnn.com]
  gateways: [egress, mesh]
  http:
  - match: [{gateways: [mesh], port: 80}]
    route:
    - destination: {host: istio-egressgateway.istio-system.svc.cluster.local}
  - match: [{gateways: [egress], port: 80}]
    route:
    - destination: {host: edition.cnn.com}
"""


def test_egress_through_the_egress_gateway_is_one_loop_in_the_picture(tmp_path):
    view = view_of(tmp_path, EGRESS)
    gateway_service = "Service istio-system/istio-egressgateway"
    gateway_pod = "Pod istio-system/istio-egressgateway"
    assert {
        ("mesh", "VirtualService default/cnn"),
        ("VirtualService default/cnn", gateway_service),
        (gateway_service, gateway_pod),
        (gateway_pod, "Gateway default/egress"),
        ("Gateway default/egress", "VirtualService default/cnn"),
        ("VirtualService default/cnn", "ServiceEntry default/cnn"),
    } == edges(view)
    assert edge(view, "VirtualService default/cnn", gateway_service).label == ":80"
    boxes = layout(view).boxes
    assert set(boxes) == set(view.nodes)
    assert len({(b.x, b.y) for b in boxes.values()}) == len(boxes)  # no two boxes overlap


@pytest.mark.parametrize(
    ("rule", "summary"),
    [
        ({"match": [{"uri": {"exact": "/a"}}]}, "/a"),
        ({"match": [{"uri": {"prefix": "/api"}}, {"uri": {"exact": "/b"}}]}, "/api* +1"),
        ({"match": [{"headers": {"end-user": {"exact": "jason"}}}]}, "hdr end-user"),
        ({"match": [{"port": 8080, "sourceLabels": {"app": "a"}}]}, ":8080 from app=a"),
        ({"match": [{"uri": {"regex": "/x" * 30}}]}, "~" + "/x" * 15 + "…"),
        ({"route": []}, ""),
    ],
)
def test_route_labels_summarise_the_match(rule, summary):
    assert match_summary(rule) == summary


# -- filters ------------------------------------------------------------------------------


@needs_shared()
def test_from_a_gateway_keeps_only_what_it_reaches(bookinfo):
    start = find_node(bookinfo, "Gateway/default/bookinfo-gateway", "default")
    view = select_view(bookinfo, start=start)
    assert set(view.nodes) == {
        "Gateway default/bookinfo-gateway",
        "VirtualService default/bookinfo",
        "Service default/productpage",
        "Deployment default/productpage-v1",
    }


@needs_shared()
def test_host_filter_keeps_the_paths_through_the_host(bookinfo):
    view = select_view(bookinfo, hosts=["reviews"])
    assert {"VirtualService default/reviews", "Subset default/reviews/v3", "mesh"} <= set(
        view.nodes
    )
    assert {"Deployment default/reviews-v1", "Deployment default/reviews-v3"} <= set(view.nodes)
    assert not any("productpage" in node_id for node_id in view.nodes)


def test_namespace_filter_keeps_neighbours_across_namespaces(tmp_path):
    view = select_view(view_of(tmp_path, POLICIES), namespaces=["istio-system"])
    assert set(view.nodes) == {"PeerAuthentication istio-system/default", "mesh"}


# -- formats ------------------------------------------------------------------------------


def test_mermaid_marks_the_broken_edge_and_the_missing_node(tmp_path):
    view = view_of(tmp_path, REVIEWS, BROKEN_SUBSET)
    text = render_mermaid(view)
    assert text.startswith("flowchart LR\n")
    broken = next(
        i for i, e in enumerate(view.edges) if e.target == "missing Subset v4 default/reviews"
    )
    assert f"  linkStyle {broken} stroke:{ERROR_RED}" in text
    number = list(view.nodes).index("missing Subset v4 default/reviews")
    assert f'n{number}("Subset v4 · missing<br/>default/reviews")' in text
    assert f"class n{number} subset_error_dashed" in text
    assert "stroke-dasharray: 5 5" in text


def test_mermaid_labels_escape_markup():
    assert label('a "b"', "<c> & d") == '"a #quot;b#quot;<br/>#lt;c#gt; #amp; d"'


def test_dot_marks_the_missing_node(tmp_path):
    text = render_dot(view_of(tmp_path, REVIEWS, BROKEN_SUBSET))
    line = next(x for x in text.splitlines() if "Subset v4 · missing" in x)
    assert 'style="filled,rounded,dashed"' in line
    assert f'color="{ERROR_RED}"' in line


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (dot) is not installed")
@pytest.mark.parametrize("case", ["broken", "policies", "bookinfo"])
def test_graphviz_accepts_the_dot_output(tmp_path, case):
    if case == "bookinfo" and not BOOKINFO.is_dir():
        pytest.skip("../shared is not present")
    texts = {"broken": (REVIEWS, BROKEN_SUBSET, BROKEN_REFERENCES), "policies": (POLICIES,)}
    paths = [str(BOOKINFO)] if case == "bookinfo" else None
    if paths is None:
        view = view_of(tmp_path, *texts[case])
    else:
        result = lint(LintOptions(paths=paths))
        view = build_view(result.mesh, result.findings)
    run = subprocess.run(
        ["dot", "-Tsvg"], input=render_dot(view), capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert run.stdout.count('class="node"') == len(view.nodes)
    assert run.stdout.count('class="edge"') == len(view.edges)


def test_json_lists_nodes_edges_and_findings(tmp_path):
    run = meshlint_cli(tmp_path, "--format", "json", texts=(REVIEWS, BROKEN_SUBSET))
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["missing Subset v4 default/reviews"]["state"] == "missing"
    (broken,) = [e for e in data["edges"] if e["severity"] == "error"]
    assert broken["declaredBy"] == "VirtualService default/reviews"
    assert broken["paths"] == ["spec.http[0].route[1].destination"]
    assert broken["findings"][0]["name"] == "vs-subset-not-found"
    assert [f["id"] for f in data["findings"]] == ["ML104"]


def meshlint_cli(tmp_path: Path, *args: str, texts: tuple[str, ...] = ()):
    for i, text in enumerate(texts):
        (tmp_path / f"{i}.yaml").write_text(textwrap.dedent(text))
    return subprocess.run(
        [sys.executable, "-m", "meshlint", "graph", str(tmp_path), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_writes_the_file_and_filters(tmp_path):
    out = tmp_path / "out" / "graph.mmd"
    out.parent.mkdir()
    run = meshlint_cli(
        tmp_path,
        "--from",
        "VirtualService/reviews",
        "-o",
        str(out),
        texts=(REVIEWS, BROKEN_SUBSET),
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""
    text = out.read_text()
    assert "VirtualService<br/>default/reviews" in text
    assert "Mesh" not in text  # upstream of the start node


def test_cli_rejects_an_unknown_start_node(tmp_path):
    run = meshlint_cli(tmp_path, "--from", "VirtualService/default/reviewz", texts=(REVIEWS,))
    assert run.returncode == 2
    assert "no VirtualService default/reviewz" in run.stderr


# -- the HTML page in a real browser ------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-pipe",
]


class DevTools:
    """Chromium driven over ``--remote-debugging-pipe`` (fds 3 and 4), stdlib only."""

    def __init__(self, profile: Path) -> None:
        to_browser, self._out = os.pipe()
        self._in, from_browser = os.pipe()

        def wire() -> None:
            read_end, write_end = os.dup(to_browser), os.dup(from_browser)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self.process = subprocess.Popen(
            [CHROMIUM, *BROWSER_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            preexec_fn=wire,
            close_fds=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser)
        os.close(from_browser)
        self.events: list[dict] = []
        self._buffer = b""
        self._next = 0

    def _receive(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._in], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(self._in, 1 << 20) if ready else b""
            if not chunk:
                raise TimeoutError("no answer from chromium")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def call(self, method: str, session: str | None = None, **params) -> dict:
        self._next += 1
        message = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 60
        while True:
            answer = self._receive(deadline)
            if answer.get("id") != self._next:
                self.events.append(answer)
            elif "error" in answer:
                raise RuntimeError(f"{method}: {answer['error']}")
            else:
                return answer["result"]

    def wait_for(self, method: str) -> dict:
        deadline = time.monotonic() + 60
        while True:
            for event in self.events:
                if event.get("method") == method:
                    return event
            self.events.append(self._receive(deadline))

    def close(self) -> None:
        with contextlib.suppress(OSError, RuntimeError, TimeoutError):
            self.call("Browser.close")
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        os.close(self._in)
        os.close(self._out)


def png_colours(data: bytes) -> dict[tuple[int, int, int], int]:
    """Pixel count per RGB colour of an 8-bit RGB/RGBA, non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        chunks[kind] = chunks.get(kind, b"") + data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    header = chunks[b"IHDR"]
    width, height = int.from_bytes(header[:4], "big"), int.from_bytes(header[4:8], "big")
    depth, colour_type, interlace = header[8], header[9], header[12]
    assert (depth, interlace) == (8, 0) and colour_type in (2, 6)
    step = 3 if colour_type == 2 else 4
    raw, stride = zlib.decompress(chunks[b"IDAT"]), width * step
    previous, counts = bytearray(stride), {}
    for y in range(height):
        kind, row = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for i in range(stride):
            left = row[i - step] if i >= step else 0
            up, corner = previous[i], previous[i - step] if i >= step else 0
            if kind == 1:
                row[i] = (row[i] + left) & 255
            elif kind == 2:
                row[i] = (row[i] + up) & 255
            elif kind == 3:
                row[i] = (row[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                near = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                row[i] = (row[i] + near) & 255
        for x in range(0, stride, step):
            colour = (row[x], row[x + 1], row[x + 2])
            counts[colour] = counts.get(colour, 0) + 1
        previous = row
    return counts


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_html_page_loads_in_chromium_without_errors_and_shows_the_nodes(tmp_path):
    view = view_of(tmp_path, REVIEWS, BROKEN_SUBSET, BROKEN_REFERENCES, POLICIES)
    page = tmp_path / "graph.html"
    page.write_text(render_html(view))
    browser = DevTools(tmp_path / "profile")
    try:
        target = browser.call("Target.createTarget", url="about:blank")["targetId"]
        session = browser.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.call(f"{domain}.enable", session)
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            session,
            width=1200,
            height=700,
            deviceScaleFactor=1,
            mobile=False,
        )
        browser.call("Page.navigate", session, url=page.as_uri())
        browser.wait_for("Page.loadEventFired")

        def evaluate(expression: str):
            result = browser.call(
                "Runtime.evaluate",
                session,
                expression=expression,
                awaitPromise=True,
                returnByValue=True,
            )
            return result["result"].get("value")

        evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        assert evaluate("document.querySelectorAll('#graph .node').length") == len(view.nodes)
        fitted = evaluate("document.getElementById('viewport').getAttribute('transform')")
        assert fitted and fitted.startswith("translate(")  # the script ran
        browser.call(
            "Input.dispatchMouseEvent",
            session,
            type="mouseWheel",
            x=400,
            y=300,
            deltaX=0,
            deltaY=-240,
        )
        zoomed = evaluate("document.getElementById('viewport').getAttribute('transform')")
        assert zoomed != fitted
        evaluate("document.querySelector('[data-zoom=fit]').click()")
        shot = browser.call(
            "Page.captureScreenshot",
            session,
            format="png",
            clip={"x": 0, "y": 0, "width": 1200, "height": 700, "scale": 0.5},
        )
    finally:
        browser.close()
    problems = [
        e
        for e in browser.events
        if e.get("method") == "Runtime.exceptionThrown"
        or (
            e.get("method") == "Runtime.consoleAPICalled"
            and e["params"]["type"] in ("error", "warning", "assert")
        )
        or (
            e.get("method") == "Log.entryAdded"
            and e["params"]["entry"]["level"] in ("error", "warning")
        )
    ]
    assert problems == []
    requests = [
        e["params"]["request"]["url"]
        for e in browser.events
        if e.get("method") == "Network.requestWillBeSent"
    ]
    assert requests == [page.as_uri()]  # nothing else is fetched
    colours = png_colours(base64.b64decode(shot["data"]))
    total = sum(colours.values())
    background = colours.get(rgb("#fcfcfc"), 0) + colours.get(rgb("#ffffff"), 0)
    assert background < 0.95 * total  # not blank
    for fill in ("#e3f2fd", "#f5f5f5", "#fde2e1"):  # VirtualService, workload, error boxes
        assert colours.get(rgb(fill), 0) > 50, fill


def test_readme_example_image_is_committed():
    image = REPO / "docs" / "images" / "bookinfo-graph.svg"
    assert "Subset v3 · missing" in image.read_text(encoding="utf-8")
