"""Long fuzz run over the loader and the whole pipeline, with a time budget.

    python tools/fuzz.py --minutes 30 [--corpus DIR ...]

Runs the property tests' generators (arbitrary bytes, YAML trees, Kubernetes-like objects,
mutations of real manifests, aliases in key positions, policies with hostile patterns)
without an example limit until the budget is spent, then prints how many inputs were tried,
the slowest, and every failure found (saved under benchmarks/out/). An input that takes
longer than ``--slow`` seconds counts as a failure: meshlint must not hang on any input.
"""

from __future__ import annotations

import argparse
import time
import traceback
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz_inputs import (
    ALIASED_KEYS,
    MUTATIONS,
    OBJECTS,
    PATTERN_CASES,
    TREES,
    lint_bytes,
    mutate,
)

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "out" / "fuzz"
BATCH = 500


def _corpus(dirs: list[Path]) -> list[bytes]:
    return [p.read_bytes() for d in dirs for p in sorted(d.rglob("*.yaml")) if p.is_file()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--slow", type=float, default=20, help="seconds one input may take")
    parser.add_argument(
        "--corpus",
        type=Path,
        action="append",
        default=[REPO / "examples", REPO.parent / "shared" / "reference"],
    )
    args = parser.parse_args()
    corpus = _corpus([d for d in args.corpus if d.is_dir()])
    deadline = time.monotonic() + args.minutes * 60
    tried = 0
    failures: list[str] = []
    slowest = (0.0, b"")

    def plain(data: st.SearchStrategy[bytes]) -> st.SearchStrategy[tuple[list, bytes]]:
        return data.map(lambda d: ([], d))

    inputs = st.one_of(
        plain(st.binary(max_size=4000)),
        plain(
            st.lists(TREES, min_size=1, max_size=4).map(lambda t: yaml.safe_dump_all(t).encode())
        ),
        plain(
            st.lists(OBJECTS, min_size=1, max_size=6).map(lambda o: yaml.safe_dump_all(o).encode())
        ),
        plain(st.tuples(st.sampled_from(corpus), MUTATIONS).map(lambda c: mutate(*c))),
        plain(ALIASED_KEYS),
        PATTERN_CASES,
    )

    def keep(data: bytes, failure: str) -> None:
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / f"crash-{len(failures):04d}.yaml").write_bytes(data)
        failures.append(failure)

    @settings(
        max_examples=BATCH, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(inputs)
    def run(case: tuple[list, bytes]) -> None:
        nonlocal tried, slowest
        if time.monotonic() > deadline:
            return
        policies, data = case
        tried += 1
        start = time.monotonic()
        try:
            lint_bytes(data, policies=policies)
        except Exception:  # a finding of the fuzzer: keep it and go on
            keep(data, traceback.format_exc(limit=3))
        took = time.monotonic() - start
        if took > slowest[0]:
            slowest = (took, data)
        if took > args.slow:
            keep(data, f"took {took:.1f} s (policies: {[p.schema for p in policies]})")

    while time.monotonic() < deadline:
        run()
        print(f"fuzz: {tried} inputs so far, {len(failures)} failures", flush=True)
    print(f"fuzz: {tried} inputs in {args.minutes} min, {len(failures)} failures")
    print(f"fuzz: slowest input {slowest[0]:.2f} s ({len(slowest[1])} bytes)")
    for failure in failures[:20]:
        print(failure)


if __name__ == "__main__":
    main()
