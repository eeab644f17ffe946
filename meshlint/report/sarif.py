"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers, built with sarif-om.

What GitHub needs and what the peers get wrong: ../shared/reference/linter-conventions.md
§2.5. In short: one rule descriptor per rule reported (its own text, help with the fix, a
help URI, tags, ``security-severity`` for security rules), an explicit ``level`` on every
result, repository-relative URIs under ``%SRCROOT%``, content fingerprints (no line
numbers), related and logical locations, suppressions, ``automationDetails.id``, and
``results: []`` even when there is nothing to report.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import sarif_om as om

from meshlint import __version__
from meshlint.engine.finding import Finding, Location, Severity
from meshlint.engine.fingerprint import fingerprint
from meshlint.engine.rule import Rule
from meshlint.fieldpath import render as render_path
from meshlint.fixer.apply import finding_edits
from meshlint.fixer.documents import Cut
from meshlint.fixer.files import FileText
from meshlint.fixer.source import TextEdit
from meshlint.loader.documents import is_kustomization
from meshlint.model import Resource
from meshlint.report import rule_help
from meshlint.report.paths import STDIN, relative
from meshlint.report.sarif_json import to_data
from meshlint.report.snippet import Sources
from meshlint.report.summary import worst_first

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/meshlint/meshlint"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "meshlint/v1"
INTERNAL_ERROR = "internal-error"
#: GitHub accepts at most this many results per run (and shows the first 5,000).
MAX_RESULTS = 25_000

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
#: GitHub's security-severity scale: >= 9 critical, >= 7 high, >= 4 medium, else low.
SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.5", Severity.INFO: "2.0"}


def _pascal(slug: str) -> str:
    return "".join(part.capitalize() for part in slug.split("-"))


def descriptor(rule: type[Rule]) -> om.ReportingDescriptor:
    """The rule's own documentation, not any finding's message."""
    properties = om.PropertyBag(tags=sorted({"meshlint", rule.category}))
    properties.precision = "high"
    if rule.category == "security":
        setattr(properties, "security-severity", SECURITY_SEVERITY[rule.severity])
    eq = rule.equivalents
    if eq.istio:
        properties.istio = eq.istio
    if eq.kiali:
        properties.kiali = eq.kiali
    return om.ReportingDescriptor(
        id=rule.id,
        name=_pascal(rule.name),
        short_description=om.MultiformatMessageString(text=rule.summary()),
        full_description=om.MultiformatMessageString(text=rule_help.description(rule)),
        help=om.MultiformatMessageString(
            text=rule_help.help_text(rule), markdown=rule_help.help_markdown(rule)
        ),
        help_uri=rule_help.help_uri(rule),
        default_configuration=om.ReportingConfiguration(level=LEVELS[rule.severity]),
        properties=properties,
    )


class _Builder:
    """Turns findings into one SARIF run."""

    def __init__(self, findings: list[Finding], context) -> None:
        self.context = context
        self.root = context.root
        # Most severe first, within the number of results GitHub accepts.
        ordered = worst_first(findings)
        self.findings = ordered[:MAX_RESULTS]
        self.dropped = len(ordered) - len(self.findings)
        self.rules = sorted({f.rule for f in self.findings}, key=lambda r: r.id)
        self.index = {rule: i for i, rule in enumerate(self.rules)}
        self.texts: dict[str, Cut | None] = {}
        self.sources = Sources()

    # -- locations -------------------------------------------------------------------

    def artifact(self, file: str) -> om.ArtifactLocation:
        if file == STDIN:
            return om.ArtifactLocation(description=om.Message(text="standard input"))
        rel = relative(file, self.root)
        if rel is None:
            return om.ArtifactLocation(uri=Path(file).resolve().as_uri())
        return om.ArtifactLocation(uri=_quote(rel), uri_base_id=SRCROOT)

    def physical(self, location: Location) -> om.PhysicalLocation:
        region = om.Region(start_line=location.line, start_column=location.column)
        if (location.end_line, location.end_column) > (location.line, location.column):
            region.end_line = location.end_line
            region.end_column = location.end_column
        return om.PhysicalLocation(artifact_location=self.artifact(location.file), region=region)

    @staticmethod
    def logical(resource: Resource | None) -> list[om.LogicalLocation] | None:
        if resource is None:
            return None
        scope = f"{resource.namespace}/" if resource.namespace else ""
        return [
            om.LogicalLocation(
                name=resource.name,
                fully_qualified_name=f"{resource.kind}/{scope}{resource.name}",
                kind="object",
            )
        ]

    def location(self, finding: Finding) -> om.Location:
        where = finding.location
        if where is None and finding.file:
            where = Location(finding.file, 1, 1, 1, 1)
        physical = self.physical(where) if where else None
        snippet = self.sources.snippet(where) if where and finding.location else None
        if physical is not None and snippet is not None:
            physical.region.snippet = om.ArtifactContent(text=snippet)
        return om.Location(
            physical_location=physical,
            logical_locations=self.logical(finding.resource),
        )

    def related(self, finding: Finding) -> list[om.Location]:
        out = []
        for number, related in enumerate(finding.related, start=1):
            real = related.location is not None and not related.location.file.startswith("<")
            out.append(
                om.Location(
                    id=number,
                    physical_location=self.physical(related.location) if real else None,
                    logical_locations=self.logical(related.resource),
                    message=om.Message(text=related.message or "related"),
                )
            )
        return out

    # -- results ---------------------------------------------------------------------

    def message(self, finding: Finding, related: list[om.Location]) -> om.Message:
        """The finding's message, linking the first related place that is in a file
        (GitHub shows related locations only when the message links them)."""
        linked = next((r for r in related if r.physical_location is not None), None)
        if linked is None:
            return om.Message(text=finding.message)
        text = f"{_escape(finding.message)} (see [{_escape(linked.message.text)}]({linked.id}))"
        return om.Message(text=text)

    def fixes(self, finding: Finding) -> list[om.Fix] | None:
        """The finding's fixes that can be made as text edits on its file, as replacements."""
        resource = finding.resource
        if resource is None or not finding.fixes:
            return None
        cut = self.cut(resource.file)
        if cut is None:
            return None
        out = []
        for fix in finding.fixes:
            edits = finding_edits(finding, fix, cut.text, cut)
            if edits:
                change = om.ArtifactChange(
                    artifact_location=self.artifact(resource.file),
                    replacements=[_replacement(edit) for edit in edits],
                )
                out.append(
                    om.Fix(description=om.Message(text=fix.title), artifact_changes=[change])
                )
        return out or None

    def cut(self, file: str) -> Cut | None:
        """A linted file's text, cut into documents (read once), or None for input that
        was not read from that file as it stands (standard input, rendered kustomizations)."""
        if file not in self.texts:
            readable = file != STDIN and not is_kustomization(file)
            read = FileText.read(file) if readable else None
            self.texts[file] = Cut(read.text) if read else None
        return self.texts[file]

    def result(self, finding: Finding) -> om.Result:
        related = self.related(finding)
        result = om.Result(
            rule_id=finding.rule.id,
            rule_index=self.index[finding.rule],
            level=LEVELS[finding.severity],
            message=self.message(finding, related),
            locations=[self.location(finding)],
            related_locations=related or None,
            partial_fingerprints={FINGERPRINT_KEY: fingerprint(finding)},
            fixes=self.fixes(finding),
        )
        if finding.path:
            result.properties = om.PropertyBag()
            result.properties.field = render_path(finding.path)
        if finding.suppressed_by:
            result.suppressions = [
                om.Suppression(
                    kind=finding.suppression_kind or "external",
                    justification=finding.suppressed_by,
                )
            ]
        return result

    # -- invocation ------------------------------------------------------------------

    def notifications(self) -> list[om.Notification]:
        """Files that could not be parsed and rules that crashed, for the tool's log."""
        out = []
        unparsed = set(self.context.result.unparsed)
        for finding in self.findings:
            crashed = finding.rule.name == INTERNAL_ERROR
            if not crashed and not (finding.rule.category == "input" and finding.file in unparsed):
                continue
            prefix = "" if crashed else f"could not parse {finding.file}: "
            out.append(
                om.Notification(
                    level="error",
                    message=om.Message(text=prefix + finding.message),
                    locations=[self.location(finding)],
                    associated_rule=om.ReportingDescriptorReference(
                        id=finding.rule.id, index=self.index[finding.rule]
                    ),
                )
            )
        if self.dropped:
            text = f"{self.dropped} less severe results were left out (limit {MAX_RESULTS})"
            out.append(om.Notification(level="warning", message=om.Message(text=text)))
        return out

    def overrides(self) -> list[om.ConfigurationOverride]:
        """Rules whose level the configuration changed."""
        out = []
        for rule in self.rules:
            level = next((s for n, s in self.context.overrides.items() if n in rule.names()), None)
            if level is not None and level != rule.severity:
                out.append(
                    om.ConfigurationOverride(
                        descriptor=om.ReportingDescriptorReference(
                            id=rule.id, index=self.index[rule]
                        ),
                        configuration=om.ReportingConfiguration(level=LEVELS[level]),
                    )
                )
        return out

    def invocation(self) -> om.Invocation:
        notifications = self.notifications()
        crashed = any(f.rule.name == INTERNAL_ERROR for f in self.findings)
        return om.Invocation(
            execution_successful=not crashed,
            tool_execution_notifications=notifications or None,
            rule_configuration_overrides=self.overrides() or None,
        )

    def run(self) -> om.Run:
        return om.Run(
            tool=om.Tool(
                driver=om.ToolComponent(
                    name="meshlint",
                    version=__version__,
                    semantic_version=__version__,
                    information_uri=INFORMATION_URI,
                    rules=[descriptor(rule) for rule in self.rules],
                )
            ),
            automation_details=om.RunAutomationDetails(id=_category(self.context.category)),
            invocations=[self.invocation()],
            original_uri_base_ids={
                SRCROOT: om.ArtifactLocation(uri=Path(self.root).resolve().as_uri() + "/")
            },
            column_kind="unicodeCodePoints",
            results=[self.result(f) for f in self.findings],
        )


def _replacement(edit: TextEdit) -> om.Replacement:
    """A text edit: the region it deletes (empty for an insertion) and the text it puts."""
    (line, column), (end_line, end_column) = edit.start, edit.end
    region = om.Region(
        start_line=line + 1,
        start_column=column + 1,
        end_line=end_line + 1,
        end_column=end_column + 1,
    )
    content = om.ArtifactContent(text=edit.text) if edit.text else None
    return om.Replacement(deleted_region=region, inserted_content=content)


def _category(category: str) -> str:
    """``automationDetails.id``: a category ends with a slash (what follows is a run id)."""
    category = category.strip() or "meshlint"
    return category if category.endswith("/") else f"{category}/"


def _quote(path: str) -> str:
    return quote(path, safe="/")


def _escape(text: str) -> str:
    """Escape what SARIF reads as embedded links in a message that has some."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def sarif_log(findings: list[Finding], context) -> om.SarifLog:
    run = _Builder(findings, context).run()
    return om.SarifLog(version="2.1.0", schema_uri=SCHEMA_URI, runs=[run])


def render(findings: list[Finding], context) -> str:
    data = to_data(sarif_log(findings, context))
    data = {"$schema": data.pop("$schema"), "version": data.pop("version"), **data}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
