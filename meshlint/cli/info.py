"""``meshlint rules`` and ``meshlint explain``: what the rules are."""

from __future__ import annotations

import json

import click

from meshlint.cli.run_options import config_options, configured_rules


@click.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@config_options
def list_rules(fmt: str, **kw) -> None:
    """List every rule with its id, severity and summary: built-ins, plugin rules, the
    shipped policy packs (opt-in) and the config's policies."""
    from meshlint.engine.registry import rule_source

    rules = configured_rules(kw)
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
                "source": rule_source(r),
                "opt_in": r.opt_in,
            }
            for r in rules
        ]
        click.echo(json.dumps(data, indent=2))
        return
    for r in rules:
        eq = " ".join(c for c in (r.equivalents.istio, r.equivalents.kiali) if c)
        line = f"{r.id}  {r.name:<34} {r.severity.label:<8} {r.summary()}"
        source = rule_source(r)
        if source != "builtin":
            eq = f"{eq} " if eq else ""
            eq += f"{source}{', opt-in' if r.opt_in else ''}"
        click.echo(line + (f"  [{eq}]" if eq else ""))
    on = sum(1 for r in rules if not r.opt_in)
    click.echo(f"{len(rules)} rules: {on} on by default, {len(rules) - on} opt-in", err=True)


@click.command()
@click.argument("rule")
@config_options
def explain(rule: str, **kw) -> None:
    """Print a rule's documentation (by id, slug, IST/KIA code, or policy pack)."""
    from meshlint.engine.docs import render_docs
    from meshlint.pipeline.options import rule_hint

    wanted = {rule, rule.upper()}
    rules = configured_rules(kw)
    matches = [r for r in rules if wanted & r.names()]
    if not matches:
        raise click.UsageError(
            f"no rule is named {rule!r}{rule_hint(rule, rules)}; see `meshlint rules`"
        )
    for r in matches:
        click.echo(render_docs(r))
