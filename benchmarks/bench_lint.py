"""Benchmark: full ``meshlint lint`` against PyYAML merely loading the same files.

    python benchmarks/bench_lint.py [--resources 10000 50000] [--rounds 3] [--single]
                                    [--no-lsp] [--warm]

For each size and layout (200 files, one file), PyYAML's load and meshlint's cold lint (no
cache; in one process, ``-j 1``, and with its default of one process per core) run as fresh
processes, interleaved round by round (the machine is noisy); the script prints median
seconds, resources per second, the ratios lint / load, peak memory, the 50k/10k growth, one
small file against yamllint (when installed; cold and on a warm cache), and the language
server's re-lint latency (benchmarks/bench_lsp.py). With ``--warm``, also reruns answered
from the cache: the tree unchanged and after one file's edit.

Targets (issue 20): cold lint <= 0.8x the load, growth <= 5.5, RSS < 1 GB, warm unchanged
<= 0.3x, warm after one edit <= 0.4x, small file <= 1.5x yamllint, re-lint < 100 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from meshlint.pipeline.parallel import default_jobs

from generate_mesh import write

REPO = Path(__file__).resolve().parents[1]
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
        raise SystemExit(f"{command[:4]} failed ({run.returncode}):\n{run.stderr[-2000:]}")
    return elapsed


def peak_rss_mb(command: list[str]) -> float | None:
    """Peak resident memory of a command, via GNU time when present."""
    if not Path("/usr/bin/time").exists():
        return None
    run = subprocess.run(["/usr/bin/time", "-f", "%M", *command], capture_output=True, text=True)
    return int(run.stderr.strip().splitlines()[-1]) / 1024


def compare(*commands: list[str], rounds: int) -> list[float]:
    """Median seconds of each command, the commands interleaved round by round."""
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(rounds):
        for command, measured in zip(commands, times, strict=True):
            measured.append(timed(command))
    return [statistics.median(measured) for measured in times]


def lint_command(target: str, jobs: int = 0, *, cache: bool = False) -> list[str]:
    """A lint of ``target``; cold (no cache) unless ``cache``."""
    return [
        sys.executable,
        "-m",
        "meshlint",
        "lint",
        "--no-config",
        *([] if cache else ["--no-cache"]),
        "--jobs",
        str(jobs),
        "--max-documents",  # the one-file layout holds up to 50,000 documents
        "100000",
        "--format",
        "json",
        target,
    ]


def mesh_figures(resources: int, single: bool, rounds: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        files = [str(p) for p in write(Path(tmp), resources, 1 if single else 200)]
        size = sum(os.path.getsize(f) for f in files) / 1e6
        load = [sys.executable, "-c", LOAD, *files]
        base, serial, ours = compare(load, lint_command(tmp, 1), lint_command(tmp), rounds=rounds)
        rss = peak_rss_mb(lint_command(tmp))
    layout = "1 file" if single else f"{len(files)} files"
    print(f"\n{resources} resources, {layout}, {size:.1f} MB")
    print(f"  PyYAML CSafeLoader load_all:  {base:7.2f} s  {resources / base:8.0f} resources/s")
    for label, seconds in (("-j 1", serial), (f"-j {default_jobs()}", ours)):
        print(
            f"  meshlint lint {label} (json):  {seconds:7.2f} s  {resources / seconds:8.0f} "
            f"resources/s  ratio {seconds / base:.2f}x"
        )
    if rss is not None:
        print(f"  meshlint peak RSS (largest process): {rss:7.0f} MB")
    return ours


def warm_figures(resources: int, rounds: int) -> None:
    """A rerun on a warm cache (its own folder), unchanged and after editing one file
    (a value never seen before, so that file is parsed and its kinds' rules run again)."""
    with tempfile.TemporaryDirectory() as tmp:
        files = write(Path(tmp) / "mesh", resources, 200)
        os.environ["MESHLINT_CACHE_DIR"] = str(Path(tmp) / "cache")
        target, edited = str(Path(tmp) / "mesh"), files[len(files) // 2]
        text = edited.read_text()
        load = [sys.executable, "-c", LOAD, *map(str, files)]
        timed(lint_command(target, cache=True))  # fills the cache
        times: list[list[float]] = [[], [], []]
        for round_ in range(rounds):
            times[0].append(timed(load))
            times[1].append(timed(lint_command(target, cache=True)))
            edited.write_text(text.replace("replicas: 2", f"replicas: {100 + round_}", 1))
            times[2].append(timed(lint_command(target, cache=True)))
        del os.environ["MESHLINT_CACHE_DIR"]
    base, unchanged, one = (statistics.median(t) for t in times)
    print(f"\n{resources} resources, 200 files, warm cache")
    print(f"  PyYAML CSafeLoader load_all:  {base:7.2f} s")
    for label, seconds in (("unchanged", unchanged), ("one file edited", one)):
        print(f"  meshlint lint, {label}: {seconds:7.2f} s  ratio {seconds / base:.2f}x")


def small_file(rounds: int) -> None:
    target = str(REPO / "examples" / "bookinfo-broken" / "virtual-services.yaml")
    yamllint = shutil.which("yamllint") or str(Path(sys.executable).parent / "yamllint")
    if not Path(yamllint).exists():
        print("\none small file: yamllint not installed, skipped")
        return
    with tempfile.TemporaryDirectory() as cache:
        os.environ["MESHLINT_CACHE_DIR"] = cache
        base, cold, warm = compare(
            [yamllint, target],
            lint_command(target),
            lint_command(target, cache=True),
            rounds=rounds * 5,
        )
        del os.environ["MESHLINT_CACHE_DIR"]
    print(f"\none small file ({Path(target).name})")
    print(f"  yamllint:                   {base * 1000:6.0f} ms")
    for label, seconds in (("cold", cold), ("warm cache", warm)):
        print(f"  meshlint lint, {label:10} {seconds * 1000:6.0f} ms   ratio {seconds / base:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, nargs="+", default=[10_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--single", action="store_true", help="also the one-file layout")
    parser.add_argument("--no-lsp", action="store_true", help="skip the language server")
    parser.add_argument("--warm", action="store_true", help="also reruns on a warm cache")
    args = parser.parse_args()
    times: dict[int, float] = {}
    for resources in args.resources:
        times[resources] = mesh_figures(resources, False, args.rounds)
        if args.single:
            mesh_figures(resources, True, args.rounds)
        if args.warm:
            warm_figures(resources, args.rounds)
    if 10_000 in times and 50_000 in times:
        print(f"\ngrowth 50k / 10k: {times[50_000] / times[10_000]:.2f}x (linear would be 5.0)")
    small_file(args.rounds)
    if not args.no_lsp:
        print("\nlanguage server (benchmarks/bench_lsp.py)", flush=True)
        subprocess.run([sys.executable, str(Path(__file__).with_name("bench_lsp.py"))], check=True)


if __name__ == "__main__":
    main()
