"""Benchmark: language-server re-lint latency after an edit in a large workspace.

    python benchmarks/bench_lsp.py [--resources 10000] [--edits 5]

Measures, in the server's own Workspace (what runs after the debounce): indexing the
workspace, the first full lint, and the re-lint after editing one file (median of several
edits in different namespaces), next to a full re-lint of the same state and, as a
baseline for this machine's speed, PyYAML's CSafeLoader loading the same files.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from meshlint.engine.lint import LintOptions
from meshlint.lsp.workspace import Workspace

from generate_mesh import write

VIRTUAL_SERVICE = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews-canary
  namespace: team-0000
spec:
  hosts: [app-1]
  http:
  - route:
    - destination: {{host: app-1, subset: {subset}}}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = write(Path(tmp), args.resources, 200)
        single = Path(tmp) / "team-0000-reviews-vs.yaml"
        single.write_text(VIRTUAL_SERVICE.format(subset="v1"))
        start = time.perf_counter()
        for path in files:
            with open(path, "rb") as handle:
                list(yaml.load_all(handle, Loader=yaml.CSafeLoader))
        baseline = time.perf_counter() - start
        workspace = Workspace(LintOptions(paths=[]))
        start = time.perf_counter()
        workspace.index([tmp])
        indexed = time.perf_counter() - start
        start = time.perf_counter()
        workspace.lint()
        first = time.perf_counter() - start
        edits, fulls = [], []
        for n in range(args.edits):
            path = str(files[(n * 37) % len(files)])
            text = Path(path).read_text().replace("subset: v1", f"subset: v{n + 2}", 1)
            start = time.perf_counter()
            workspace.update(path, text)
            workspace.lint()
            edits.append(time.perf_counter() - start)
            start = time.perf_counter()
            workspace.lint(full=True)
            fulls.append(time.perf_counter() - start)
        single_edits = []
        for n in range(args.edits):
            start = time.perf_counter()
            workspace.update(str(single), VIRTUAL_SERVICE.format(subset=f"v{n + 2}"))
            workspace.lint()
            single_edits.append(time.perf_counter() - start)
    print(f"workspace: {args.resources} resources in {len(files)} files")
    print(f"baseline, PyYAML load:      {baseline * 1000:8.0f} ms (this machine's speed)")
    print(f"index (parse everything):   {indexed * 1000:8.0f} ms")
    print(f"first full lint:            {first * 1000:8.0f} ms")
    print(
        f"re-lint after one edit:     {statistics.median(edits) * 1000:8.0f} ms (median; "
        "a file of 50 mixed resources)"
    )
    print(
        f"re-lint, VirtualService:    {statistics.median(single_edits) * 1000:8.0f} ms (median; "
        "a file holding one VirtualService)"
    )
    print(f"full re-lint, same state:   {statistics.median(fulls) * 1000:8.0f} ms (median)")


if __name__ == "__main__":
    main()
