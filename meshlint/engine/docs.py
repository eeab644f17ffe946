"""Rule documentation: rendering it, and reading its examples (which are also tests)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from meshlint.engine.rule import Rule

_YAML_BLOCK = re.compile(r"```yaml\n(.*?)```", re.DOTALL)
EXPECT_MARK = "# <-"


@dataclass
class Example:
    """A YAML example from a rule's docs; ``expected_lines`` are the 1-based lines marked
    ``# <-`` where the rule must report."""

    text: str
    expected_lines: list[int]


def examples(rule: type[Rule], section: str) -> list[Example]:
    out = []
    for block in _YAML_BLOCK.findall(rule.section(section)):
        lines = block.splitlines()
        marked = [i + 1 for i, line in enumerate(lines) if EXPECT_MARK in line]
        out.append(Example(block, marked))
    return out


def render_docs(rule: type[Rule]) -> str:
    """The docs as printed by ``meshlint explain``."""
    eq = rule.equivalents
    header = [
        f"{rule.id} {rule.name} ({rule.severity.label}, {rule.category})",
        "",
        rule.summary(),
    ]
    facts = []
    if rule.reads():
        facts.append(f"Reads: {rule.reads()}")
    if eq.istio:
        facts.append(
            f"Istio: {eq.istio}" + (f" ({', '.join(eq.analyzers)})" if eq.analyzers else "")
        )
    if eq.kiali:
        facts.append(f"Kiali: {eq.kiali}")
    body = rule.docs().split("\n", 1)[1].strip() if "\n" in rule.docs() else ""
    return "\n".join([*header, "", *facts, "", body, ""])
