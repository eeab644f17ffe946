"""The native YAML reader gives exactly what the Python reader gives: the same values of
the same types, the same span for every key, value and item, the same issues."""

from __future__ import annotations

import math
import pickle
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO

sys.path.insert(0, str(REPO / "tools"))

from meshlint.cache.encoding import decode_python, encode
from meshlint.core.nodes import PList, PMap
from meshlint.gc_pause import gc_paused
from meshlint.loader.yaml_reader import (
    Limits,
    ParseResult,
    native_reader,
    parse_text,
    parse_text_python,
)
from meshlint.time_limit import TimeLimit, time_limit

from fuzz_inputs import ALIASED_KEYS, MUTATIONS, mutate

native = pytest.importorskip("meshlint.loader.native", reason="the extension was not compiled")
SHARED = REPO.parent / "shared"
CI = settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


def parse_native(text: str, limits: Limits | None = None) -> ParseResult:
    return native.parse(text, limits or Limits()) or parse_text_python(text, limits)


def same_value(a: object, b: object, where: str) -> None:
    """``a`` and ``b`` hold equal values of equal types, with equal spans throughout."""
    stack = [(a, b, where)]
    seen: set[tuple[int, int]] = set()
    while stack:
        x, y, path = stack.pop()
        assert type(x) is type(y), f"{path}: {type(x).__name__} != {type(y).__name__}"
        if isinstance(x, PMap | PList):
            if (id(x), id(y)) in seen:
                continue
            seen.add((id(x), id(y)))
            assert x.span == y.span, f"{path}: span"
        if isinstance(x, PMap):
            assert list(x) == list(y), f"{path}: keys"
            assert x.key_spans == y.key_spans, f"{path}: key spans"
            assert x.value_spans == y.value_spans, f"{path}: value spans"
            stack.extend((x[k], y[k], f"{path}.{k}") for k in x)
        elif isinstance(x, PList):
            assert len(x) == len(y), f"{path}: length"
            assert x.item_spans == y.item_spans, f"{path}: item spans"
            stack.extend((i, j, f"{path}[{n}]") for n, (i, j) in enumerate(zip(x, y, strict=True)))
        elif isinstance(x, float) and math.isnan(x):
            assert math.isnan(y), path
        else:
            assert x == y, f"{path}: {x!r} != {y!r}"


def assert_same_reading(text: str, limits: Limits | None = None) -> None:
    expected = parse_text_python(text, limits)
    got = parse_native(text, limits)
    assert got.issues == expected.issues
    assert len(got.documents) == len(expected.documents)
    for mine, theirs in zip(got.documents, expected.documents, strict=True):
        assert (mine.index, mine.span, mine.helm_source) == (
            theirs.index,
            theirs.span,
            theirs.helm_source,
        )
        same_value(mine.root, theirs.root, f"document {mine.index}")


def corpus(*roots: Path) -> list[Path]:
    found = (p for root in roots if root.is_dir() for p in root.rglob("*"))
    return sorted(p for p in found if p.suffix in (".yaml", ".yml"))


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


REPO_FILES = corpus(REPO / "tests" / "fixtures", REPO / "examples")
SHARED_FILES = corpus(SHARED / "conformance", SHARED / "realworld", SHARED / "reference")


def test_parse_text_uses_thenative_reader_unless_told_not_to(monkeypatch):
    monkeypatch.delenv("MESHLINT_PURE_YAML", raising=False)
    assert native_reader() is native
    monkeypatch.setenv("MESHLINT_PURE_YAML", "1")
    assert native_reader() is None


def test_without_the_extension_the_python_reader_is_used(monkeypatch):
    monkeypatch.delenv("MESHLINT_PURE_YAML", raising=False)
    monkeypatch.setitem(sys.modules, "meshlint.loader.native", None)  # import fails
    monkeypatch.delattr("meshlint.loader.native")
    assert native_reader() is None
    assert parse_text("a: [1]\n").documents[0].root == {"a": [1]}


@pytest.mark.parametrize("path", REPO_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_repository_files_read_the_same(path):
    assert_same_reading(read(path))


@pytest.mark.skipif(not SHARED_FILES, reason="../shared is absent")
def test_shared_corpora_read_the_same():
    for path in SHARED_FILES:
        try:
            assert_same_reading(read(path))
        except AssertionError as error:
            raise AssertionError(f"{path}: {error}") from None


EDGE_CASES = {
    "yaml 1.1 scalars": "a: 0x1F\nb: yes\nc: 1_000\nd: ~\ne: 1.5\nf: '010'\ng: 010\nh: 1:30\n"
    "i: .inf\nj: -.NaN\nk: .nan\nl: 2001-12-14\nm: 0b101\nn: +12\no: -0\np: 1e3\nq: -.5\n"
    "r: 99999999999999999999999999999999999999999999999999999999999999999999999\n"
    "s: 123456789012345678\nt: 1234567890123456789\nu: Off\nv: N\nw: null\nx: NULL\n"
    "y: TRUE\nz: =\n'': ''\n? \n",
    "tags": "a: !!str 123\nb: !!int '7'\nc: !custom {x: 1}\nd: ! yes\ne: !!float 1\n"
    "f: !!null ''\ng: !!bool 'on'\nh: !!binary aGk=\ni: !!timestamp 2001-12-14\n",
    "empty tagged scalars": "a: !!int\nb: !!float ''\nc: !!bool\nd: !!int +\ne: !!null x\n",
    "keys": "1: a\ntrue: b\n~: c\ny: d\n[1, 2]: e\n{k: v}: f\n? |\n  block\n: g\n3.5: h\n",
    "merges": "base: &b {x: 1, y: 2}\nmore: &m {z: 3}\none:\n  <<: *b\n  y: 9\n"
    "many:\n  <<: [*b, *m, scalar]\n  w: 0\nexplicit: {!!merge x: *b}\nbad: {<<: 5}\n",
    "aliases": "a: &s yes\nb: *s\nc: &l [1, 2]\nd: *l\ne: [*l, *s]\n*s : x\n",
    "duplicates": "a: 1\nb: 2\na: 3\n1: x\n'1': y\n",
    "flow pairs": "a: [x:, y]\nb: [k: v, z]\nc: [? q]\n",
    "ipv6 fallback": "a: [001:db8::]\nb: yes\n",
    "documents": "---\na: 1\n---\n---\n# comment\n...\n---\n[1]\n--- 5\n",
    "helm": "---\n# Source: chart/templates/a.yaml\na: 1\n---\n# Source: chart/b.yaml\nb: 2\n",
    "undefined alias": "a: 1\n---\nb: *nope\n",
    "duplicate anchor": "a: 1\n---\nb: &x 1\nc: &x 2\n",
    "syntax error mid-stream": "a: 1\n---\nb: yes\nc: [\n",
    "control character": "a: 1\n---\nb: \x01\n",
    "tab indentation": "a:\n\tb: 1\n",
    "unicode": "é: ünïcödé\n\"\\u00e9\": 'x'\nkey: 😀\n",
    "block scalars": 'a: |\n  line\n  yes\nb: >-\n  folded\n  text\nc: "dq\\n"\n',
    "recursive merge": "a: &a {x: 1, <<: *a}\n",
    "recursive document": "a: &a [1, *a]\n",
    "recursive key": "a: &a {*a : 1}\n",
    "empty": "",
    "comment only": "# nothing\n",
}


@pytest.mark.parametrize("name", EDGE_CASES)
def test_edge_cases_read_the_same(name):
    assert_same_reading(EDGE_CASES[name])


def nested(depth: int, flow: bool) -> str:
    if flow:
        return "a: " + "[" * depth + "]" * depth + "\n"
    return "a:\n" + "".join("  " * i + "b:\n" for i in range(1, depth))


@pytest.mark.parametrize("depth", [399, 400, 401, 402, 600, 999, 1000, 1001, 1500])
@pytest.mark.parametrize("flow", [True, False])
def test_nesting_reads_the_same(depth, flow):
    text = f"ok: 1\n---\n{nested(depth, flow)}---\nafter: yes\n"
    assert_same_reading(text)


def test_nesting_past_libyaml_limit_stops_the_file_at_the_same_place():
    assert_same_reading("ok: 1\n---\n" + "[" * 200_000 + "]" * 200_000)
    assert_same_reading("- " * 1200 + "x\n")
    assert_same_reading("[" * 995 + "{" * 10 + "}" * 10 + "]" * 995)


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_limits_read_the_same(limit):
    limits = Limits(max_depth=limit, max_documents=limit, max_expanded_nodes=limit * 10)
    text = "a: [[[1]]]\n---\nb: &x [1, 2, 3]\nc: [*x, *x, *x, *x]\n---\n{[*q]: 1}\n---\nd: 1\n"
    assert_same_reading(text, limits)
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    assert_same_reading(bomb, limits)
    assert_same_reading("k: &k [1, 2]\n? [*k, *k, *k]\n: v\n", limits)


def test_alias_bomb_is_skipped_and_huge_scalars_kept():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(10)
    )
    assert_same_reading(bomb)
    assert_same_reading("a: " + "x" * 3_000_000 + "\nb: '" + "y" * 100_000 + "'\n")
    assert_same_reading("- " + "9" * 5000 + "\n- 0x" + "f" * 80 + "\n")


def test_invalid_text_raises_as_the_python_reader_does():
    with pytest.raises(UnicodeEncodeError):
        parse_text_python("a: \udc80\n")
    with pytest.raises(UnicodeEncodeError):
        parse_native("a: \udc80\n")


def test_a_time_limit_interrupts_a_long_parse():
    text = "- [1, 2, 3]\n" * 400_000
    # As parse_text does: with the collector running, the limit's signal may land in a gc
    # callback (hypothesis installs one), where an exception is swallowed.
    with pytest.raises(TimeLimit), time_limit(0.01), gc_paused():
        parse_native(text)
    assert_same_reading("- [1, 2, 3]\n" * 3)


def test_native_containers_pickle_with_their_spans():
    root = parse_native(EDGE_CASES["merges"]).documents[0].root
    copy = pickle.loads(pickle.dumps(root))
    same_value(copy, root, "copy")


FRAGMENTS = st.sampled_from(
    [
        "a", "b", "key", ": ", ":", "- ", "\n", "\n  ", "\n    ", "\n- ", "  ", "[", "]", "{",
        "}", ", ", "&x ", "&y ", "*x", "*y", "<<: ", "'q'", '"d"', "yes", "y", "N", "off",
        "0o17", "010", "1:30", "1e3", "-.5", ".inf", "~", "null", "12", "0x1F", "1_000",
        "!!str ", "!t ", "! ", "!!int ", "---\n", "...\n", "# c\n", "|\n  ", ">\n  ", "?",
        "001:db8::", "é", "\t", "%YAML 1.1\n", "#", "true", "3.5", "+1",
    ]
)  # fmt: skip
TEXTS = st.lists(FRAGMENTS, max_size=40).map("".join)


@CI
@given(TEXTS)
def test_generated_yaml_reads_the_same(text):
    assert_same_reading(text)


SCALAR_TEXTS = st.sampled_from(
    [
        "x", "name", "yes", "No", "on", "y", "n", "~", "null", "", "12", "0", "010", "0o17",
        "0x1F", "1_000", "1:30", "1e3", "-.5", "+1", ".inf", ".NaN", "2001-12-14", "100m",
        "3.5", "'q'", '"d"', "!!str 5", "! yes", "!t v", "é", "1234567890123456789", "-",
    ]
)  # fmt: skip
KEY_TEXTS = st.sampled_from(
    ["a", "b", "a", "y", "1", "on", "~", "'k'", "<<", "*a", "[x]", "{x: y}"]
)


def flow_collections(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Flow sequences and mappings of ``inner``."""
    sequences = st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]")
    pairs = st.lists(st.tuples(KEY_TEXTS, inner), max_size=3)
    return sequences | pairs.map(lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}")


FLOW_TEXTS = st.recursive(
    SCALAR_TEXTS | st.sampled_from(["*a", "*b", "&c z"]), flow_collections, max_leaves=8
)


@st.composite
def block_yaml(draw: st.DrawFn, depth: int = 0, indent: int = 0) -> str:
    """A block mapping or sequence (with anchors, aliases and merge keys) after a key or dash."""
    kind = draw(st.sampled_from(["map", "seq", "flow", "scalar"] if depth < 4 else ["scalar"]))
    if kind == "scalar":
        return " " + draw(SCALAR_TEXTS | st.sampled_from(["*a", "*b"])) + "\n"
    if kind == "flow":
        return " " + draw(FLOW_TEXTS) + "\n"
    pad = " " * indent
    lines = [draw(st.sampled_from(["", " &a", " &b"])) + "\n"]
    for _ in range(draw(st.integers(1, 3))):
        child = draw(block_yaml(depth + 1, indent + 2))
        lead = f"{draw(KEY_TEXTS)}:" if kind == "map" else "-"
        lines.append(f"{pad}{lead}{child}")
    return "".join(lines)


DOCUMENTS = st.lists(block_yaml(), min_size=1, max_size=3).map(
    lambda docs: "".join(f"---{doc}" for doc in docs)
)


@CI
@given(DOCUMENTS)
def test_generated_documents_read_the_same(text):
    assert_same_reading(text)


@CI
@given(st.sampled_from(REPO_FILES), MUTATIONS)
def test_mutated_files_read_the_same(path, ops):
    assert_same_reading(mutate(path.read_bytes(), ops).decode("utf-8", errors="replace"))


@CI
@given(ALIASED_KEYS)
def test_aliased_keys_read_the_same(data):
    limits = Limits(max_expanded_nodes=200)
    assert_same_reading(data.decode("utf-8", errors="replace"), limits)


@pytest.mark.parametrize("path", REPO_FILES + SHARED_FILES, ids=str)
def test_the_cache_decodes_natively_what_python_decodes(path):
    for document in parse_text_python(read(path)).documents:
        if isinstance(document.root, PMap | PList):
            encoded = encode(document.root)
            same_value(native.decode(encoded), decode_python(encoded), path.name)


@pytest.mark.parametrize(
    "encoded", [(), (2, (0, 0, 0, 0)), (0, (0, 0, 0, 0), ("a",), (), (), ()), (1, None, [1], [])]
)
def test_a_value_that_is_no_encoded_document_is_refused(encoded):
    with pytest.raises(ValueError, match="not an encoded document"):
        native.decode(encoded)
