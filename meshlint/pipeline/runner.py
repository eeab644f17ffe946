"""Run rules over a mesh with crash isolation, and place findings in their files."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from meshlint.core.nodes import Span
from meshlint.engine.finding import Finding, Location
from meshlint.engine.registry import input_rule
from meshlint.engine.rule import Rule
from meshlint.fieldpath import span_of
from meshlint.mesh.index import Mesh
from meshlint.model import Resource


def _crash(rule: Rule, resource: Resource | None, error: Exception) -> Finding:
    import traceback  # only when a rule crashes

    frame = traceback.extract_tb(error.__traceback__)[-1]
    where = f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}"
    return Finding(
        rule=input_rule("internal-error"),
        message=f"rule {rule.id} ({rule.name}) crashed: {type(error).__name__}: {error} "
        f"[{where}]; please report this",
        severity=input_rule("internal-error").severity,
        resource=resource,
    )


class Cancelled(Exception):
    """A run stopped between two rules because its caller no longer needs it."""


def run_rules(
    mesh: Mesh,
    rules: Iterable[Rule],
    scope: Iterable[tuple] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[Finding]:
    """Every finding of every rule; a rule that raises becomes an internal-error finding
    on the resource it was checking, and the run goes on.

    With ``scope`` (a set of resource keys), rules that check one resource at a time check
    only those resources; whole-mesh rules always check everything. ``should_stop`` is
    asked before each rule: when it answers true the run raises :class:`Cancelled`.
    """
    findings: list[Finding] = []
    scoped = None if scope is None else [r for r in map(mesh.get_key, scope) if r is not None]
    for rule in rules:
        if should_stop is not None and should_stop():
            raise Cancelled
        if rule.per_resource():
            for resource in mesh.checked_by(rule, scoped):
                if not resource.linted:
                    continue
                try:
                    findings.extend(rule.check_resource(resource, mesh))
                except Exception as error:
                    findings.append(_crash(rule, resource, error))
        else:
            try:
                findings.extend(rule.check(mesh))
            except Exception as error:
                findings.append(_crash(rule, None, error))
    return [f for f in findings if f.resource is None or f.resource.linted]


def to_location(file: str, span: Span | None) -> Location:
    if span is None:
        return Location(file, 1, 1, 1, 1)
    line, column, end_line, end_column = span
    if (end_line, end_column) <= (line, column):
        end_line, end_column = line, column + 1
    return Location(file, line + 1, column + 1, end_line + 1, end_column + 1)


def _resource_location(resource: Resource, path, key: bool) -> Location:
    span, _ = span_of(resource.body, path, key=key)
    return to_location(resource.file, span)


def locate(findings: Iterable[Finding]) -> None:
    """Give every finding (and every related entry) its file:line:column."""
    for finding in findings:
        if finding.resource is not None and finding.location is None:
            finding.location = _resource_location(finding.resource, finding.path, finding.key)
            finding.file = finding.resource.file
        for related in finding.related:
            if related.resource is not None and related.location is None:
                related.location = _resource_location(related.resource, related.path, False)
