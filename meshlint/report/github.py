"""GitHub Actions workflow commands: one annotation per finding, shown on the pull request.

``::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=T::message``. Values are
escaped as the Actions runner unescapes them (``%``, CR and LF everywhere; ``:`` and ``,``
in properties too), so text from a manifest can never start a command of its own.
Suppressed findings are not annotated.
"""

from __future__ import annotations

from meshlint.engine.finding import Finding, Severity, active
from meshlint.report.paths import STDIN, display

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _properties(finding: Finding, root: str) -> list[tuple[str, str]]:
    props: list[tuple[str, str]] = []
    loc = finding.location
    file = loc.file if loc else finding.file
    if file and file != STDIN and not file.startswith("<"):
        props.append(("file", display(file, root)))
    if loc is not None:
        props.append(("line", str(loc.line)))
        if loc.end_line == loc.line:  # columns are only allowed on a single-line span
            props.append(("col", str(loc.column)))
        props.append(("endLine", str(loc.end_line)))
        if loc.end_line == loc.line:
            props.append(("endColumn", str(max(loc.end_column, loc.column))))
    props.append(("title", f"{finding.rule.id} {finding.rule.name}"))
    return props


def _message(finding: Finding, root: str) -> str:
    text = finding.message
    if finding.resource is not None:
        text += f" [{finding.resource.ref}]"
    for related in finding.related:
        if related.location and not related.location.file.startswith("<"):
            where = f"{display(related.location.file, root)}:{related.location.line}"
            text += f"\n{where}: {related.message}"
    return text


def command(finding: Finding, root: str) -> str:
    props = ",".join(f"{k}={escape_property(v)}" for k, v in _properties(finding, root))
    return f"::{COMMANDS[finding.severity]} {props}::{escape_data(_message(finding, root))}"


def render(findings: list[Finding], context) -> str:
    return "".join(command(f, context.root) + "\n" for f in active(findings))
