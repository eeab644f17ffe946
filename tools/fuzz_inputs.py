"""Input generators and the property every input must satisfy, shared by the fixed-seed
tests and the long fuzz script (``tools/fuzz.py``)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import strategies as st

from meshlint.engine.lint import LintOptions, LintResult, lint

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["v1", "reviews", "*", "mesh", "ns/name", "80", "{{ .x }}", "&a", "*a"]),
)
KEYS = st.sampled_from(
    [
        "apiVersion",
        "kind",
        "metadata",
        "name",
        "namespace",
        "spec",
        "hosts",
        "http",
        "route",
        "destination",
        "host",
        "subset",
        "gateways",
        "selector",
        "servers",
        "port",
        "number",
        "labels",
        "subsets",
        "items",
        "template",
        "containers",
        "<<",
    ]
) | st.text(max_size=8)
KINDS = st.sampled_from(
    [
        "VirtualService",
        "DestinationRule",
        "Gateway",
        "ServiceEntry",
        "Service",
        "Deployment",
        "Pod",
        "Sidecar",
        "List",
        "Namespace",
        "AuthorizationPolicy",
        "EnvoyFilter",
        "Telemetry",
    ]
)
TREES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=30,
)
OBJECTS = st.fixed_dictionaries(
    {
        "apiVersion": st.sampled_from(
            [
                "v1",
                "apps/v1",
                "networking.istio.io/v1",
                "security.istio.io/v1",
                "networking.istio.io/v1alpha3",
            ]
        ),
        "kind": KINDS,
        "metadata": st.fixed_dictionaries(
            {"name": st.text(min_size=1, max_size=10)}, optional={"namespace": st.text(max_size=8)}
        ),
        "spec": TREES,
    }
)


def mutate(data: bytes, ops: list[tuple[str, int, int]]) -> bytes:
    """Apply byte- and line-level mutations: insert, delete, duplicate, swap lines."""
    for op, a, b in ops:
        if not data:
            data = b"\n"
        i = a % len(data)
        if op == "insert":
            data = data[:i] + bytes([b % 256]) + data[i:]
        elif op == "delete":
            data = data[:i] + data[i + 1 + b % 8 :]
        elif op == "duplicate":
            data = data[:i] + data[i : i + 1 + b % 64] + data[i:]
        else:
            lines = data.split(b"\n")
            x, y = a % len(lines), b % len(lines)
            lines[x], lines[y] = lines[y], lines[x]
            data = b"\n".join(lines)
    return data


MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(["insert", "delete", "duplicate", "swap"]),
        st.integers(0, 1 << 20),
        st.integers(0, 1 << 20),
    ),
    min_size=1,
    max_size=6,
)


def lint_bytes(*contents: bytes) -> LintResult:
    """The property: linting any bytes returns a result (findings or clean), never raises."""
    with tempfile.TemporaryDirectory() as tmp:
        for i, content in enumerate(contents):
            (Path(tmp) / f"f{i}.yaml").write_bytes(content)
        result = lint(LintOptions(paths=[tmp]))
    for finding in result.findings:
        assert finding.location is not None and finding.location.line >= 1
        assert finding.rule.id != "ML000", finding.message
    return result
