"""Benchmark: language-server re-lint latency after an edit in a large workspace.

    python benchmarks/bench_lsp.py [--resources 10000] [--edits 5] [--no-hub]

Measures, in the server's own Workspace and as the server runs it (after the debounce,
with the garbage collector off until the diagnostics are out, up to the diagnostics of
the edited document):

- the fast re-lint of the edit's neighbourhood, which publishes the diagnostics, after
  editing a file of one VirtualService and a file of mixed resources (50 at 10,000
  resources; medians of several edits in different namespaces), with the size of the
  neighbourhood;
- the full re-lint that confirms the fast one once the user pauses, and the garbage
  collection the server runs after publishing it;
- as a baseline for this machine's speed, PyYAML's CSafeLoader loading the same files.

It does so for namespaces that link only to the root namespace, then (unless
``--no-hub``) for the same mesh with every VirtualService bound to one shared ingress
Gateway in a namespace of its own: an edit to a route then re-checks that Gateway
against every route bound to it.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pygls import uris

from meshlint.lsp import workspace as workspace_module
from meshlint.lsp.convert import to_diagnostic
from meshlint.lsp.workspace import Workspace
from meshlint.pipeline.lint import LintOptions

from generate_mesh import write

VIRTUAL_SERVICE = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews-canary
  namespace: team-0000
spec:
  hosts: [app-1]{gateways}
  http:
  - route:
    - destination: {{host: app-1, subset: {subset}}}
"""


class Sizes:
    """Records the size of each neighbourhood the fast re-lint computes (-1: the whole
    mesh)."""

    def __init__(self) -> None:
        self.seen: list[tuple[int, int]] = []
        self._compute = workspace_module.neighbourhood

    def __call__(self, mesh, *args, **kwargs):
        near = self._compute(mesh, *args, **kwargs)
        self.seen.append((len(near.scope.keys), len(near.scope.resources)) if near else (-1, -1))
        return near


def ms(seconds: list[float]) -> str:
    return f"{statistics.median(seconds) * 1000:8.0f} ms"


def measure(folder: Path, files: list[Path], edits: int, hub: bool) -> None:
    single = folder / "team-0000-reviews-vs.yaml"
    gateways = "\n  gateways: [mesh, ingress/public]" if hub else ""
    single.write_text(VIRTUAL_SERVICE.format(subset="v1", gateways=gateways))
    start = time.perf_counter()
    for path in files:
        with open(path, "rb") as handle:
            list(yaml.load_all(handle, Loader=yaml.CSafeLoader))
    baseline = time.perf_counter() - start
    workspace = Workspace(LintOptions(paths=[]))
    start = time.perf_counter()
    workspace.index([str(folder)])
    indexed = time.perf_counter() - start
    start = time.perf_counter()
    workspace.lint()
    first = time.perf_counter() - start
    sizes = Sizes()
    workspace_module.neighbourhood = sizes
    gc.disable()

    def timed(action) -> float:
        start = time.perf_counter()
        action()
        return time.perf_counter() - start

    def publish(path: str) -> None:
        """What the server does next: the diagnostics of the edited (open) document."""
        for finding in workspace.findings_by_file().get(path, []):
            to_diagnostic(finding, uris.from_fs_path)

    def edit_file(n: int) -> None:
        path = str(files[(n * 37) % len(files)])
        text = Path(path).read_text().replace("subset: v1", f"subset: v{n + 2}", 1)
        workspace.update(path, text)
        workspace.lint()
        publish(path)

    def edit_route(n: int) -> None:
        text = VIRTUAL_SERVICE.format(subset=f"v{n + 2}", gateways=gateways)
        workspace.update(str(single), text)
        workspace.lint()
        publish(str(single))

    results: dict[str, list[float]] = {"route": [], "file": [], "collect": [], "full": []}
    size_of: dict[str, list[tuple[int, int]]] = {"route": [], "file": []}
    for n in range(edits):
        for name, edit in (("route", edit_route), ("file", edit_file)):
            results[name].append(timed(lambda edit=edit, n=n: edit(n)))
            size_of[name].append(sizes.seen[-1])
        results["full"].append(timed(lambda: workspace.lint(full=True)))
        results["collect"].append(timed(gc.collect))
    gc.enable()
    workspace_module.neighbourhood = sizes._compute

    def size(name: str) -> str:
        scope = statistics.median(s for s, _ in size_of[name])
        context = statistics.median(c for _, c in size_of[name])
        return f"re-checks {scope:.0f} resources on a mesh of {context:.0f}"

    print(f"baseline, PyYAML load:      {baseline * 1000:8.0f} ms (this machine's speed)")
    print(f"index (parse everything):   {indexed * 1000:8.0f} ms")
    print(f"first full lint:            {first * 1000:8.0f} ms")
    print(f"fast re-lint, one route:    {ms(results['route'])} (median; {size('route')})")
    label = f"fast re-lint, {len(workspace.files[str(files[1])].resources)} resources:"
    print(f"{label:28s}{ms(results['file'])} (median; {size('file')}, one file)")
    print(f"confirming full re-lint:    {ms(results['full'])} (median; once the user pauses)")
    print(f"then, garbage collection:   {ms(results['collect'])} (median; after publishing)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--no-hub", action="store_true", help="skip the shared-gateway mesh")
    args = parser.parse_args()
    for hub in (False, True)[: 1 if args.no_hub else 2]:
        with tempfile.TemporaryDirectory() as tmp:
            files = write(Path(tmp), args.resources, 200, shared_gateway=hub)
            layout = "one ingress Gateway shared by all" if hub else "namespaces on their own"
            print(f"workspace: {args.resources} resources in {len(files)} files, {layout}")
            measure(Path(tmp), files, args.edits, hub)


if __name__ == "__main__":
    main()
