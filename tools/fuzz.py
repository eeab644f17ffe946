"""Long fuzz run over the loader and the whole pipeline, with a time budget.

    python tools/fuzz.py --minutes 30 [--corpus DIR ...]

Runs the property tests' generators (arbitrary bytes, YAML trees, Kubernetes-like objects,
mutations of real manifests) without an example limit until the budget is spent, then
prints how many inputs were tried and every failure found (saved under benchmarks/out/).
"""

from __future__ import annotations

import argparse
import time
import traceback
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz_inputs import MUTATIONS, OBJECTS, TREES, lint_bytes, mutate

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "out" / "fuzz"
BATCH = 500


def _corpus(dirs: list[Path]) -> list[bytes]:
    return [p.read_bytes() for d in dirs for p in sorted(d.rglob("*.yaml")) if p.is_file()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
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

    inputs = st.one_of(
        st.binary(max_size=4000),
        st.lists(TREES, min_size=1, max_size=4).map(lambda t: yaml.safe_dump_all(t).encode()),
        st.lists(OBJECTS, min_size=1, max_size=6).map(lambda o: yaml.safe_dump_all(o).encode()),
        st.tuples(st.sampled_from(corpus), MUTATIONS).map(lambda c: mutate(*c)),
    )

    @settings(
        max_examples=BATCH, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(inputs)
    def run(data: bytes) -> None:
        nonlocal tried
        if time.monotonic() > deadline:
            return
        tried += 1
        try:
            lint_bytes(data)
        except Exception:  # a finding of the fuzzer: keep it and go on
            OUT.mkdir(parents=True, exist_ok=True)
            (OUT / f"crash-{len(failures):04d}.yaml").write_bytes(data)
            failures.append(traceback.format_exc(limit=3))

    while time.monotonic() < deadline:
        run()
        print(f"fuzz: {tried} inputs so far, {len(failures)} failures", flush=True)
    print(f"fuzz: {tried} inputs in {args.minutes} min, {len(failures)} failures")
    for failure in failures[:20]:
        print(failure)


if __name__ == "__main__":
    main()
