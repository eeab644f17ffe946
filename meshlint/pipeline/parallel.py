"""Parsing files and checking rules in several processes.

Forked children each take a share of the work and send back its result, pickled: parsed
files (a share of the paths), or findings (a share of the rules, the parsed mesh being
shared copy-on-write; resources travel by identity, which a fork preserves, and one a rule
made up while checking travels whole). Only on POSIX, only from a single-threaded process
(the command line), and only for work large enough to pay for a fork. A child that fails
has its share done again in the parent, so results never depend on how work was split, and
says so in a warning: a process that dies (killed for memory, a crash) is never passed over
in silence.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from meshlint.engine.finding import Finding, Related
from meshlint.engine.registry import input_rule
from meshlint.engine.rule import Rule
from meshlint.mesh.index import Mesh
from meshlint.model import Resource
from meshlint.pipeline.runner import locate, run_rules

T = TypeVar("T")
R = TypeVar("R")

#: Below this many resources one process checks the rules faster than several.
MIN_RESOURCES = 2000
#: Below this many bytes of input one process parses faster than several.
MIN_BYTES = 1_000_000
#: A child's share of the files to parse, relative to the parent's (measured: pickling
#: parsed files costs about half as much as parsing them).
CHILD_SHARE = 0.65


def default_jobs() -> int:
    """How many processes ``--jobs 0`` (auto) uses: one per core, at most four."""
    return max(1, min(os.cpu_count() or 1, 4))


def map_in_processes(
    function: Callable[[T], R],
    items: list[T],
    jobs: int,
    size: Callable[[T], int],
    warnings: list[str] | None = None,
    what: str = "items",
) -> list[R]:
    """``[function(item) for item in items]``, in order, computed by up to ``jobs``
    processes in contiguous shares balanced by ``size`` (one process when the total is
    under :data:`MIN_BYTES`). A child that fails adds a line to ``warnings`` naming its
    share (``what`` says what the items are)."""
    sizes = [size(item) for item in items]
    if jobs < 2 or not hasattr(os, "fork") or len(items) < 2 or sum(sizes) < MIN_BYTES:
        return [function(item) for item in items]
    # a child also pickles what it made (about half the work of making it) and the parent
    # unpickles it: children take smaller shares
    shares = _contiguous(items, sizes, [1.0] + [CHILD_SHARE] * (jobs - 1))
    children = [
        _fork(lambda share=share: [function(item) for item in share]) for share in shares[1:]
    ]
    results = [function(item) for item in shares[0]]
    for child, share in zip(children, shares[1:], strict=True):
        received, failure = _receive(*child, lambda data: data)
        if failure is not None:
            _warn(warnings, failure, f"{len(share)} {what} ({_span(share)})")
            received = [function(item) for item in share]
        results += received
    return results


def _span(share: list) -> str:
    return str(share[0]) if len(share) == 1 else f"{share[0]} to {share[-1]}"


def _warn(warnings: list[str] | None, failure: str, share: str) -> None:
    if warnings is not None:
        warnings.append(f"a worker process {failure} with {share}; done again in the main process")


def _contiguous(items: list[T], sizes: list[int], weights: list[float]) -> list[list[T]]:
    """Consecutive shares of ``items`` whose sizes are about in proportion to ``weights``."""
    total = sum(sizes) / sum(weights)
    bounds = [total * sum(weights[: n + 1]) for n in range(len(weights))]
    shares: list[list[T]] = [[]]
    filled = 0
    for item, item_size in zip(items, sizes, strict=True):
        if filled >= bounds[len(shares) - 1] and len(shares) < len(weights):
            shares.append([])
        shares[-1].append(item)
        filled += item_size
    return shares


def run_rules_in_processes(
    mesh: Mesh,
    rules: list[Rule],
    scope: Iterable[tuple] | None,
    jobs: int,
    should_stop: Callable[[], bool] | None = None,
    warnings: list[str] | None = None,
) -> list[Finding]:
    """Every finding of ``rules``, located, checked by up to ``jobs`` processes (one
    when the caller may stop the run: see :func:`run_rules`); a child that fails adds a
    line to ``warnings``."""
    if (
        jobs < 2
        or should_stop is not None
        or not hasattr(os, "fork")
        or len(mesh.resources) < MIN_RESOURCES
        or not rules
    ):
        return _checked(mesh, rules, scope, should_stop)
    mesh.build_indexes()
    by_id = {id(r): r for r in mesh.resources}
    mine, *shares = [s for s in split(mesh, rules, jobs) if s]

    def findings_of(share: list[Rule]) -> list[tuple]:
        return [_encode(f, by_id) for f in _checked(mesh, share, scope)]

    children = [_fork(lambda share=share: findings_of(share)) for share in shares]
    findings = _checked(mesh, mine, scope)
    crash = input_rule("internal-error")
    classes = {crash.id: crash, **{type(r).id: type(r) for r in rules}}
    for child, share in zip(children, shares, strict=True):
        received, failure = _receive(
            *child, lambda data: [_decode(item, by_id, classes) for item in data]
        )
        if failure is not None:
            names = [type(rule).id for rule in share]
            _warn(warnings, failure, f"{len(share)} rules ({', '.join(names)})")
            received = _checked(mesh, share, scope)
        findings += received
    return findings


def split(mesh: Mesh, rules: list[Rule], parts: int) -> list[list[Rule]]:
    """``parts`` shares of ``rules`` of about equal work, estimated by how many resources
    each rule reads (greedy, heaviest first)."""
    counts = {kind: len(mesh.of_kind(kind)) for kind in {r.kind for r in mesh.resources}}
    total = len(mesh.resources)

    def work(rule: Rule) -> int:
        read = {*rule.kinds, *rule.targets}
        return 50 + (sum(counts.get(k, 0) for k in read) if read else total)

    shares: list[list[Rule]] = [[] for _ in range(parts)]
    loads = [0] * parts
    for cost, rule in sorted(((work(r), r) for r in rules), key=lambda c: c[0], reverse=True):
        lightest = loads.index(min(loads))
        shares[lightest].append(rule)
        loads[lightest] += cost
    return shares


def _checked(mesh: Mesh, rules: list[Rule], scope, should_stop=None) -> list[Finding]:
    findings = run_rules(mesh, rules, scope, should_stop)
    locate(findings)
    return findings


def _fork(work: Callable[[], list]) -> tuple[int, int]:
    """A child process that pickles ``work()`` into a pipe and exits: (pid, read end)."""
    import pickle  # here, not at the top: a one-process run never needs it

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write_end)
        return pid, read_end
    status = 1
    try:
        os.close(read_end)
        result = work()
        with os.fdopen(write_end, "wb") as pipe:
            pickle.dump(result, pipe, pickle.HIGHEST_PROTOCOL)
        status = 0
    finally:
        os._exit(status)


def _receive(
    pid: int, pipe: int, convert: Callable[[Any], list]
) -> tuple[list, None] | tuple[None, str]:
    """What the child sent, converted; or None and how the child failed. Unpickled as it
    arrives, so the parent never holds the whole pickle beside what it becomes."""
    import pickle

    received: list | None
    try:
        with os.fdopen(pipe, "rb") as stream:
            received = convert(pickle.load(stream))
            stream.read()
    except Exception:  # a child that died half-way: its share is done again
        received = None
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return None, f"was killed by signal {os.WTERMSIG(status)}"
    if status != 0:
        return None, f"exited with status {os.waitstatus_to_exitcode(status)}"
    if received is None:
        return None, "sent back nothing readable"
    return received, None


def _ref(resource: Resource | None, by_id: dict) -> int | Resource | None:
    """A resource as the parent will find it: by identity, or whole when a rule made it
    up after the fork."""
    return id(resource) if id(resource) in by_id else resource


def _resource(ref: int | Resource | None, by_id: dict) -> Resource | None:
    return by_id[ref] if isinstance(ref, int) else ref


def _encode(finding: Finding, by_id: dict) -> tuple:
    related = [(r.message, _ref(r.resource, by_id), r.path, r.location) for r in finding.related]
    return (
        finding.rule.id,
        finding.message,
        finding.severity,
        _ref(finding.resource, by_id),
        finding.path,
        finding.key,
        related,
        finding.file,
        finding.location,
        finding.fixes,
        finding.unchecked,
    )


def _decode(item: tuple, by_id: dict, classes: dict) -> Finding:
    rule_id, message, severity, resource, path, key, related, file, location, fixes, why = item
    return Finding(
        rule=classes[rule_id],
        message=message,
        severity=severity,
        resource=_resource(resource, by_id),
        path=path,
        key=key,
        related=[Related(m, _resource(r, by_id), p, loc) for m, r, p, loc in related],
        file=file,
        location=location,
        fixes=fixes,
        unchecked=why,
    )
