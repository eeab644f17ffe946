"""Benchmark: language-server re-lint latency after an edit in a large workspace.

    python benchmarks/bench_lsp.py [--resources 10000] [--edits 5]

Measures, in the server's own Workspace (what runs after the debounce): indexing the
workspace, the first full lint, and the re-lint after editing one file (median of several
edits in different namespaces), next to a full re-lint of the same state.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from meshlint.engine.lint import LintOptions
from meshlint.lsp.workspace import Workspace

from generate_mesh import write


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = write(Path(tmp), args.resources, 200)
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
    print(f"workspace: {args.resources} resources in {len(files)} files")
    print(f"index (parse everything):   {indexed * 1000:8.0f} ms")
    print(f"first full lint:            {first * 1000:8.0f} ms")
    print(f"re-lint after one edit:     {statistics.median(edits) * 1000:8.0f} ms (median)")
    print(f"full re-lint, same state:   {statistics.median(fulls) * 1000:8.0f} ms (median)")


if __name__ == "__main__":
    main()
