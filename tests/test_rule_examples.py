"""Every rule's documented examples are its tests: the example under "Example" is
reported at each line marked ``# <-``, the one under "Use instead" is not reported."""

from __future__ import annotations

import re

import pytest

from meshlint.engine.docs import examples
from meshlint.engine.registry import builtin_rules

RULES = builtin_rules()
BAD = [(r, i, ex) for r in RULES for i, ex in enumerate(examples(r, "Example"))]
GOOD = [(r, i, ex) for r in RULES for i, ex in enumerate(examples(r, "Use instead"))]


CLUSTER_MARK = re.compile(r"# cluster: (\S+)")


def _cluster_files(text: str) -> dict[str, str]:
    """A multi-cluster example, whose parts are headed ``# cluster: NAME``, as one text per
    cluster; other clusters' lines are blanked so that line numbers stay the same."""
    lines, owner, owners = text.splitlines(), None, []
    for line in lines:
        mark = CLUSTER_MARK.fullmatch(line.strip())
        owner = mark.group(1) if mark else owner
        owners.append(owner)
    names = dict.fromkeys(o for o in owners if o)
    return {
        name: "\n".join(line if o == name else "" for line, o in zip(lines, owners, strict=True))
        for name in names
    }


def _lint(lint_yaml, tmp_path, rule, text):
    parts = _cluster_files(text)
    if not parts:
        return lint_yaml("example.yaml", text, select=[rule.id])
    files = [item for name, part in parts.items() for item in (f"{name}.yaml", part)]
    clusters = {name: [str(tmp_path / f"{name}.yaml")] for name in parts}
    return lint_yaml(*files, select=[rule.id], clusters=clusters)


@pytest.mark.parametrize(("rule", "index", "example"), BAD, ids=lambda v: getattr(v, "id", None))
def test_bad_example_is_reported_at_marked_lines(lint_yaml, tmp_path, rule, index, example):
    result = _lint(lint_yaml, tmp_path, rule, example.text)
    lines = sorted({f.location.line for f in result.findings if f.rule is rule})
    assert example.expected_lines, f"{rule.id}: mark the offending line with '# <-'"
    assert lines == example.expected_lines, [f.message for f in result.findings]


@pytest.mark.parametrize(("rule", "index", "example"), GOOD, ids=lambda v: getattr(v, "id", None))
def test_good_example_is_clean(lint_yaml, tmp_path, rule, index, example):
    result = _lint(lint_yaml, tmp_path, rule, example.text)
    assert [f.message for f in result.findings if f.rule is rule] == []


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_is_documented(rule):
    assert rule.summary(), f"{rule.id} has no summary line"
    assert rule.section("What it does"), f"{rule.id} lacks '## What it does'"
    assert rule.section("Why it matters"), f"{rule.id} lacks '## Why it matters'"
    if not rule.input_rule:
        assert examples(rule, "Example") and examples(rule, "Use instead"), rule.id
        # no kinds means every kind read: only apiVersion/kind checks are about every
        # kind, any other rule that reads every kind says what it reports on (targets)
        about = rule.kinds or rule.targets
        assert about or rule.category in ("schema", "input"), f"{rule.id}: declare kinds"
    assert rule.category in {
        "input",
        "schema",
        "reference",
        "conflict",
        "security",
        "best-practice",
        "policy",
    }


def test_rule_ids_and_names_are_unique_and_well_formed():
    ids = [r.id for r in RULES]
    names = [r.name for r in RULES]
    assert len(set(ids)) == len(ids) and len(set(names)) == len(names)
    for rule in RULES:
        assert rule.id.startswith("ML") and rule.id[2:].isdigit() and len(rule.id) == 5
        assert rule.name == rule.name.lower() and " " not in rule.name
