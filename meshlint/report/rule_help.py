"""A rule's documentation as a Markdown page: docs/rules/<ID>.md and SARIF ``help``."""

from __future__ import annotations

from meshlint.engine.rule import Rule

DOCS_URL = "https://github.com/meshlint/meshlint/blob/main/docs/rules/{id}.md"


def help_uri(rule: type[Rule]) -> str:
    return DOCS_URL.format(id=rule.id)


def body(rule: type[Rule]) -> str:
    """The docs after the summary line: what it does, why, the example and the fix."""
    docs = rule.docs()
    return docs.split("\n", 1)[1].strip() if "\n" in docs else ""


def facts(rule: type[Rule]) -> list[tuple[str, str]]:
    """Metadata rows: severity, category, kinds read and the equivalent checks."""
    eq = rule.equivalents
    rows = [("Severity", rule.severity.label), ("Category", rule.category)]
    if rule.reads():
        rows.append(("Reads", rule.reads()))
    if eq.istio:
        analyzers = f" ({', '.join(eq.analyzers)})" if eq.analyzers else ""
        rows.append(("Istio", f"{eq.istio}{analyzers}"))
    if eq.kiali:
        rows.append(("Kiali", eq.kiali))
    return rows


def markdown(rule: type[Rule]) -> str:
    """The full page: title, summary, metadata table and the documented sections."""
    table = ["| | |", "|---|---|", *(f"| {k} | {v} |" for k, v in facts(rule))]
    parts = [f"# {rule.id} {rule.name}", rule.summary(), "\n".join(table), body(rule)]
    return "\n\n".join(p for p in parts if p) + "\n"


def help_markdown(rule: type[Rule]) -> str:
    """SARIF ``help.markdown``: the documented sections and a link to the page."""
    return f"{body(rule)}\n\n[{rule.id} documentation]({help_uri(rule)})".strip()


def help_text(rule: type[Rule]) -> str:
    """SARIF ``help.text``: the same, as plain text."""
    return f"{body(rule)}\n\nDocumentation: {help_uri(rule)}".strip()


def description(rule: type[Rule]) -> str:
    """SARIF ``fullDescription``: the summary and what the rule does, in one paragraph."""
    what = " ".join(rule.section("What it does").split())
    return f"{rule.summary()} {what}".strip()
