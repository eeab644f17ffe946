"""Benchmark: full ``meshlint lint`` against PyYAML merely loading the same files.

    python benchmarks/bench_lint.py [--resources 10000] [--rounds 3] [--single]

Both run as fresh processes, interleaved round by round (the machine is noisy); the script
prints the median seconds, resources per second, and the ratio lint / load. The target of
the core issue is a ratio of at most 3.0 at 10,000 resources.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_mesh import write

LOAD = (
    "import sys, yaml\n"
    "docs = []\n"
    "for path in sys.argv[1:]:\n"
    "    with open(path, 'rb') as f:\n"
    "        docs.extend(yaml.load_all(f, Loader=yaml.CSafeLoader))\n"
    "print(len(docs))\n"
)


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if run.returncode not in (0, 1):
        raise SystemExit(f"{command[:3]} failed ({run.returncode}):\n{run.stderr[-2000:]}")
    return elapsed


def peak_rss_mb(command: list[str]) -> float | None:
    """Peak resident memory of a command, via GNU time when present."""
    if not Path("/usr/bin/time").exists():
        return None
    run = subprocess.run(["/usr/bin/time", "-f", "%M", *command], capture_output=True, text=True)
    return int(run.stderr.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--single", action="store_true", help="one file instead of 200")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = [str(p) for p in write(Path(tmp), args.resources, 1 if args.single else 200)]
        size = sum(os.path.getsize(f) for f in files) / 1e6
        load = [sys.executable, "-c", LOAD, *files]
        lint = [sys.executable, "-m", "meshlint", "lint", "--format", "json", "-o", os.devnull, tmp]
        loads, lints = [], []
        for _ in range(args.rounds):
            loads.append(timed(load))
            lints.append(timed(lint))
        base, ours = statistics.median(loads), statistics.median(lints)
        rss = peak_rss_mb(lint)
    print(f"mesh: {args.resources} resources, {len(files)} files, {size:.1f} MB")
    print(f"PyYAML CSafeLoader load_all: {base:7.2f} s  {args.resources / base:9.0f} resources/s")
    print(f"meshlint lint (json):        {ours:7.2f} s  {args.resources / ours:9.0f} resources/s")
    print(f"ratio lint / load:           {ours / base:7.2f}x  (rounds: {args.rounds}, medians)")
    if rss is not None:
        print(f"meshlint peak RSS:           {rss:7.0f} MB")


if __name__ == "__main__":
    main()
