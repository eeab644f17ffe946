"""A rule crashed."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Rule


class InternalError(Rule):
    """A rule raised an exception while checking a resource.

    ## What it does
    Reports the crash on the resource being checked; every other rule and resource is still
    checked.

    ## Why it matters
    The resource was not fully checked. This is a bug in meshlint (or in a plugin rule):
    please report it with the resource that triggers it.
    """

    id = "ML000"
    name = "internal-error"
    severity = Severity.ERROR
    category = "input"
    input_rule = True
