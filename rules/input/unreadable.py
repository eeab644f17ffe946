"""Inputs that could not be read at all."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Rule


class UnreadableFile(Rule):
    """A file could not be read or decoded as text, or must not be read.

    ## What it does
    Reports an input that is unreadable (permissions, a broken link), binary, or not valid
    UTF-8/UTF-16/UTF-32 text, at the offending byte where there is one. A file found in a
    directory or by a glob is not read when it is a link leading outside the project (the
    git work tree holding the directory) or not a regular file (a FIFO, a device): it is
    reported here instead.

    ## Why it matters
    Nothing in the file was checked. The other files of the run are still linted. A
    committed link to `/etc/passwd` or `~/.ssh/config` must not be printed into a pull
    request's annotations, and a FIFO would stop the run.
    """

    id = "ML001"
    name = "unreadable-file"
    severity = Severity.ERROR
    category = "input"
    input_rule = True


class FileTooLarge(Rule):
    """A file is larger than the configured limit and was skipped.

    ## What it does
    Skips files over `--max-file-size` (default 50 MB) and says so.

    ## Why it matters
    A huge input is more often a generated artefact or an attack than a manifest; raise the
    limit if the file is genuine.
    """

    id = "ML002"
    name = "file-too-large"
    severity = Severity.WARNING
    category = "input"
    input_rule = True
