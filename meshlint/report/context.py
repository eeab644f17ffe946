"""What a reporter may need besides the findings."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from meshlint.engine.finding import Severity


@dataclass
class ReportContext:
    """The run and the reporting choices. Every field but ``result`` has a default, so a
    reporter can be called with ``ReportContext(result)``."""

    #: The :class:`~meshlint.pipeline.lint.LintResult` (files, unparsed, resources, rules).
    result: Any
    #: Colour the text format.
    colour: bool = False
    #: Show suppressed findings in the formats that omit them by default (text, json).
    show_suppressed: bool = False
    #: The ``--failure-threshold``: JUnit fails test cases at or above it.
    threshold: str = "warning"
    #: Severity overrides from the configuration (rule name -> severity), for SARIF.
    overrides: Mapping[str, Severity] = field(default_factory=dict)
    #: The directory report paths are relative to (the repository root).
    root: str = field(default_factory=os.getcwd)
    #: SARIF ``automationDetails.id`` category; several uploads per commit need distinct ones.
    category: str = "meshlint"
    #: ``https://github.com/OWNER/REPO/blob/SHA`` inside GitHub Actions, for links to findings.
    blob_url: str | None = None
    #: Text: print info findings (otherwise they are only counted in the summary).
    show_info: bool = True
    #: Text: print only findings at or above ``threshold``.
    quiet: bool = False
    #: Text: print a count per rule instead of the findings.
    statistics: bool = False
    #: Text: print the offending line with a caret under the field.
    snippets: bool = False
