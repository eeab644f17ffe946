"""Input generators and the property every input must satisfy, shared by the fixed-seed
tests and the long fuzz script (``tools/fuzz.py``)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import strategies as st

from meshlint.pipeline.lint import LintOptions, LintResult, lint
from meshlint.policy.rule import InvalidPolicySchema, policy_rule

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


@st.composite
def aliased_keys(draw: st.DrawFn) -> bytes:
    """Anchors, each a list of aliases of the one before (alias bombs when wide and deep
    enough), then mappings that use them as keys (``? *a3``), as values and as merges."""
    width = draw(st.integers(1, 12))
    depth = draw(st.integers(1, 9))
    leaf = draw(TREES)
    lines = [f"a0: &a0 {yaml.safe_dump(leaf, default_flow_style=True).strip() or 'null'}"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, depth)]
    uses = draw(st.lists(st.tuples(st.integers(0, depth - 1), SCALARS), min_size=1, max_size=4))
    for anchor, value in uses:
        position = draw(st.sampled_from(["key", "flow-key", "value", "merge"]))
        text = yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()
        if position == "key":
            lines += [f"? *a{anchor}", f": {text or 'null'}"]
        elif position == "flow-key":
            lines.append(f"k{anchor}: {{? [*a{anchor}, {text or 'null'}] : x}}")
        elif position == "value":
            lines.append(f"v{anchor}: *a{anchor}")
        else:
            lines.append(f"m{anchor}: {{<<: *a{anchor}}}")
    return ("\n".join(lines) + "\n").encode()


ALIASED_KEYS = aliased_keys()

#: Pieces of regular expressions: catastrophic for a backtracking engine, rejected by RE2
#: (backreferences, lookarounds), or malformed.
PATTERN_PARTS = st.sampled_from(
    ["^", "$", "(a+)+", "(a|aa)*", "(.*)*", "a*a*a*a*", "\\1", "(?=a)", "(?<!b)", "[", "(",
     "a{2,}", "a{1000}", "\\d+", "[a-z0-9-]", ".", "|", "?", "\\p{L}", "(?i)", "\\b"]
)  # fmt: skip
PATTERNS = st.lists(PATTERN_PARTS, min_size=1, max_size=6).map("".join)
#: Strings long enough to make a backtracking engine run for minutes.
SUBJECTS = st.tuples(st.sampled_from("ab-1"), st.integers(0, 3000), st.sampled_from(["", "!"]))


def policy_with_pattern(pattern: str, where: str) -> list[type]:
    """A policy on route names with ``pattern`` as their pattern or as a property name
    pattern; none when the pattern is refused (a config error, as it should be)."""
    name = (
        {"pattern": pattern}
        if where == "pattern"
        else {"patternProperties": {pattern: {}}, "additionalProperties": False}
    )
    spec = {
        "id": "fuzz-route-names",
        "kinds": ["VirtualService"],
        "message": "route names",
        "schema": {
            "properties": {
                "spec": {"properties": {"http": {"items": {"properties": {"name": name}}}}}
            }
        },
    }
    try:
        return [policy_rule(spec, "fuzz")]
    except InvalidPolicySchema:
        return []


@st.composite
def pattern_cases(draw: st.DrawFn) -> tuple[list[type], bytes]:
    """A policy with a generated pattern, and a route whose name may be a long string (for
    ``pattern``) or a mapping with a long key (for ``patternProperties``)."""
    where = draw(st.sampled_from(["pattern", "patternProperties"]))
    char, count, tail = draw(SUBJECTS)
    subject = char * count + tail
    name = subject if where == "pattern" else {subject: 1}
    route = {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": "r"},
        "spec": {
            "hosts": ["r"],
            "http": [{"name": name, "route": [{"destination": {"host": "r"}}]}],
        },
    }
    rules = policy_with_pattern(draw(PATTERNS), where)
    return rules, yaml.safe_dump(route, width=1 << 16).encode()


PATTERN_CASES = pattern_cases()


def lint_bytes(*contents: bytes, policies: list[type] | None = None) -> LintResult:
    """The property: linting any bytes returns a result (findings or clean), never raises."""
    with tempfile.TemporaryDirectory() as tmp:
        for i, content in enumerate(contents):
            (Path(tmp) / f"f{i}.yaml").write_bytes(content)
        result = lint(LintOptions(paths=[tmp], extra_rules=policies or []))
    for finding in result.findings:
        assert finding.location is not None and finding.location.line >= 1
        assert finding.rule.id != "ML000", finding.message
    return result
