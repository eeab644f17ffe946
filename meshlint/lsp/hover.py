"""Hover text: a finding's rule docs, or what a host/subset/gateway reference resolves to."""

from __future__ import annotations

from meshlint.engine.finding import Finding
from meshlint.fieldpath import get, path_at, span_of
from meshlint.mesh.index import Mesh
from meshlint.model import Resource, as_list


def rule_hover(finding: Finding) -> str:
    rule = finding.rule
    parts = [f"**{rule.id} {rule.name}** ({finding.severity.label})", "", rule.summary()]
    for title in ("What it does", "Why it matters"):
        text = rule.section(title)
        if text:
            parts += ["", f"**{title}**", "", text]
    return "\n".join(parts)


def resource_at(mesh: Mesh, path: str, line: int) -> Resource | None:
    for resource in mesh.resources:
        span = resource.body.span
        if resource.file == path and span[0] <= line <= span[2]:
            return resource
    return None


def _where(resource: Resource, field: tuple) -> str:
    span, _ = span_of(resource.body, field)
    line = span[0] + 1 if span else 1
    return f"{resource.ref} ({resource.file}:{line})"


def reference_hover(mesh: Mesh, resource: Resource, line: int, column: int) -> str | None:
    """What the reference under the cursor resolves to, or None if it is not a reference."""
    field = path_at(resource.body, line, column)
    value = get(resource.body, field)
    if not isinstance(value, str) or not field:
        return None
    if field[-1] == "host" and resource.kind in ("VirtualService", "DestinationRule"):
        fqdn = mesh.fqdn(value, resource.namespace)
        resolution = mesh.resolve_host(fqdn, resource.namespace)
        targets = [_where(e.resource, e.path) for e in resolution.targets]
        return _describe(f"host `{value}` -> `{fqdn}`", resolution.status.value, targets)
    if field[-1] == "subset" and resource.kind == "VirtualService":
        host = get(resource.body, (*field[:-1], "host"))
        if not isinstance(host, str):
            return None
        rules = mesh.destination_rules_for(mesh.fqdn(host, resource.namespace), resource.namespace)
        targets = []
        for dr in rules:
            for i, subset in enumerate(as_list(dr.spec.get("subsets"))):
                if isinstance(subset, dict) and subset.get("name") == value:
                    targets.append(_where(dr, ("spec", "subsets", i)))
        return _describe(
            f"subset `{value}` of `{host}`", "found" if targets else "not found", targets
        )
    if "gateways" in field and resource.kind == "VirtualService" and value != "mesh":
        resolution = mesh.resolve_gateway(value, resource.namespace)
        targets = [_where(g, ("metadata", "name")) for g in resolution.targets]
        return _describe(f"gateway `{value}`", resolution.status.value, targets)
    return None


def _describe(what: str, status: str, targets: list[str]) -> str:
    lines = [f"{what}: **{status}**"]
    lines += [f"- {t}" for t in targets]
    return "\n".join(lines)
