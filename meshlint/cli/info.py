"""``meshlint rules`` and ``meshlint explain``: what the rules are."""

from __future__ import annotations

import json

import click


@click.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def list_rules(fmt: str) -> None:
    """List every rule with its id, severity and summary."""
    from meshlint.engine.registry import builtin_rules

    rules = builtin_rules()
    if fmt == "json":
        data = [
            {
                "id": r.id,
                "name": r.name,
                "severity": r.severity.label,
                "category": r.category,
                "summary": r.summary(),
                "kinds": list(r.kinds),
                "equivalents": r.equivalents.as_dict(),
            }
            for r in rules
        ]
        click.echo(json.dumps(data, indent=2))
        return
    for r in rules:
        eq = " ".join(c for c in (r.equivalents.istio, r.equivalents.kiali) if c)
        line = f"{r.id}  {r.name:<34} {r.severity.label:<8} {r.summary()}"
        click.echo(line + (f"  [{eq}]" if eq else ""))


@click.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Print a rule's documentation (by id, slug, or IST/KIA code)."""
    from meshlint.engine.docs import render_docs
    from meshlint.engine.registry import builtin_rules

    wanted = {rule, rule.upper()}
    matches = [r for r in builtin_rules() if wanted & r.names()]
    if not matches:
        raise click.UsageError(f"no rule is named {rule!r}; see `meshlint rules`")
    for r in matches:
        click.echo(render_docs(r))
