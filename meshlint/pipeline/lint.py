"""The lint pipeline: sources -> loader -> mesh index -> rules -> located findings."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from meshlint.config.pack_catalog import lazy_pack_rules
from meshlint.engine.catalog import reads_any
from meshlint.engine.finding import Finding, Severity
from meshlint.engine.registry import input_rule, known_rules, plugin_problems
from meshlint.engine.rule import Rule
from meshlint.engine.rule_selection import select_rules
from meshlint.gc_pause import gc_paused
from meshlint.loader.documents import (
    InputProblem,
    LoadedFile,
    is_kustomization,
    load_source,
    too_slow,
)
from meshlint.loader.patches import kustomize_patch_files
from meshlint.loader.sources import DEFAULT_MAX_FILE_SIZE, SourceText, discover, read
from meshlint.loader.yaml_reader import Limits, native_reader
from meshlint.mesh.generated import GENERATED_KINDS, generated_resources, regenerated
from meshlint.mesh.index import Mesh
from meshlint.mesh.settings import MeshSettings
from meshlint.model import Resource
from meshlint.pipeline.parallel import MIN_RESOURCES, map_in_processes, run_rules_in_processes
from meshlint.pipeline.runner import to_location
from meshlint.suppress.apply import SuppressOptions, apply_suppressions
from meshlint.time_limit import TimeLimit, time_limit

if TYPE_CHECKING:
    from meshlint.cache.run import RunCache
    from meshlint.mesh.neighbourhood import Neighbourhood


@dataclass
class LintOptions:
    """Everything one run needs besides the files themselves."""

    paths: list[str]
    exclude: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    settings: MeshSettings = field(default_factory=MeshSettings)
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity_overrides: dict[str, Severity] = field(default_factory=dict)
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    limits: Limits = field(default_factory=Limits)
    #: Render kustomization files with kustomize (when installed) instead of skipping them.
    kustomize: bool = False
    kinds: frozenset[str] | None = None
    resource_filter: Callable[[Resource], bool] | None = None
    #: Multi-cluster input: cluster name -> the files that describe that cluster.
    clusters: dict[str, list[str]] | None = None
    #: Rules beyond the installed ones: the config's declarative policies.
    extra_rules: list[type[Rule]] = field(default_factory=list)
    #: Names that turn on opt-in rules (policy packs, ``--profile``) beside the selection.
    enable: list[str] = field(default_factory=list)
    #: Rule parameters by rule id (the config's ``rules:`` section).
    rule_params: dict[str, dict] = field(default_factory=dict)
    #: Suppressions from outside the linted files: config ``ignore:`` entries, baseline.
    suppress: SuppressOptions = field(default_factory=SuppressOptions)
    #: Processes that check rules (forked; only a single-threaded caller may ask for >1).
    jobs: int = 1
    #: Reuse (and keep) parsed files and rule findings in the user's cache directory.
    cache: bool = False


@dataclass
class LintResult:
    findings: list[Finding]
    files: list[str]
    unparsed: list[str]
    resources: int
    mesh: Mesh
    rules: list[type[Rule]]
    #: Problems that do not stop the run: unknown names in suppressions, expired ignore
    #: entries, plugins that failed to load.
    warnings: list[str] = field(default_factory=list)
    #: With a baseline: how many of its entries no longer occur.
    baseline_gone: int | None = None
    #: References that could not be checked (unknown), when not reported as findings.
    unchecked: list[Finding] = field(default_factory=list)


def load_files(
    paths: list[str],
    options: LintOptions,
    warnings: list[str] | None = None,
    cache: RunCache | None = None,
) -> list[LoadedFile]:
    """Read and parse every file, each within the limits' time budget; bad files come
    back with problems, never exceptions. A worker process that fails adds a line to
    ``warnings``. With a ``cache``, files it holds are not parsed again."""
    namespace = options.settings.default_namespace
    named = {*options.paths, *options.context}
    read_ahead: dict[str, SourceText] = {}

    def load(path: str) -> LoadedFile:
        seconds = options.limits.max_seconds_per_file
        try:
            with time_limit(seconds):
                source = read_ahead.get(path) or _source(path, options, path in named)
                return load_source(source, namespace, options.limits)
        except TimeLimit:
            return too_slow(path, seconds)

    # the native reader parses faster than a child could pickle what it parsed: several
    # processes parse only on the Python path
    jobs = options.jobs if native_reader() is None else 1

    def load_many(todo: list[str]) -> list[LoadedFile]:
        return map_in_processes(load, todo, jobs, _size, warnings, "files")

    if cache is None:
        return load_many(paths)
    reading = (namespace, options.limits, options.max_file_size, options.kustomize)
    return cache.load(paths, reading, read_ahead, load_many)


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _source(path: str, options: LintOptions, named: bool) -> SourceText:
    """The text of one input; only a file named directly may be other than a regular
    file (a pipe such as ``<(kustomize build)``)."""
    if options.kustomize and is_kustomization(path):
        from meshlint.loader.kustomize import render

        return render(path)
    return read(path, options.max_file_size, regular_only=not named)


def _problem_finding(problem: InputProblem) -> Finding:
    rule = input_rule(problem.rule)
    finding = Finding(
        rule=rule,
        message=problem.message,
        severity=Severity.INFO if problem.minor else rule.severity,
        resource=problem.resource,
        path=problem.path,
        file=problem.file,
    )
    finding.location = to_location(problem.file, problem.span)
    return finding


def _instantiate(
    rules: list[type[Rule]], overrides: dict[str, Severity], params: dict[str, dict] | None = None
) -> list[Rule]:
    out = []
    for rule in rules:
        severity = next((overrides[n] for n in rule.names() if n in overrides), None)
        out.append(rule(severity, (params or {}).get(rule.id)))
    return out


@dataclass
class LoadedInputs:
    """Every input of a run, parsed: the files to lint and the context files."""

    files: list[str]
    loaded: list[LoadedFile]
    context: list[LoadedFile] = field(default_factory=list)
    #: Worker processes that failed while parsing.
    warnings: list[str] = field(default_factory=list)
    #: The persistent cache the files were read through (None: not used).
    cache: RunCache | None = None


def load_inputs(options: LintOptions) -> LoadedInputs:
    """Discover and parse every input; raises only MissingPath (a usage error)."""
    cluster_of = {p: name for name, paths in (options.clusters or {}).items() for p in paths}
    walk_errors: list[SourceText] = []
    files = discover([*options.paths, *cluster_of], options.exclude, walk_errors)
    context_files = [
        f for f in discover(options.context, options.exclude, walk_errors) if f not in files
    ]
    warnings: list[str] = []
    cache = open_cache([*options.paths, *options.context], warnings) if options.cache else None
    with gc_paused():
        loaded = load_files(files, options, warnings, cache)
        loaded += [load_source(error) for error in walk_errors]
        context = load_files(context_files, options, warnings, cache)
    for file in loaded:
        for resource in file.resources:
            resource.cluster = cluster_of.get(resource.file, "")
    for file in context:
        for resource in file.resources:
            resource.linted = False
    _mark_patches(files, loaded, options)
    return LoadedInputs(files, loaded, context, warnings, cache)


def open_cache(paths: list[str], warnings: list[str]) -> RunCache | None:
    """The cache of the project holding ``paths``, or None (and a warning) when it
    cannot be used."""
    from meshlint.cache.location import CacheRefused
    from meshlint.cache.run import open_cache

    try:
        return open_cache(paths)
    except (CacheRefused, OSError) as error:
        warnings.append(f"cache not used: {error}")
        return None


def _mark_patches(files: list[str], loaded: list[LoadedFile], options: LintOptions) -> None:
    """Mark the resources of files that a kustomization among the inputs lists as patches."""
    sources = [read(f, options.max_file_size) for f in files if is_kustomization(f)]
    patches = kustomize_patch_files((s.path, s.text) for s in sources if s.text is not None)
    for file in loaded:
        if os.path.normpath(file.path) in patches:
            for resource in file.resources:
                resource.partial = True


@dataclass
class Increment:
    """What a re-lint after an edit may reuse: the previous result, the kinds the edit
    changed, and how to find the edit's neighbourhood in the new mesh (None: everything),
    given also the objects Istio would create that the edit changed (see
    :func:`~meshlint.mesh.generated.regenerated`)."""

    previous: LintResult
    changed_kinds: frozenset[str]
    neighbourhood: Callable[[Mesh, list[Resource]], Neighbourhood | None]


def analyze(
    inputs: LoadedInputs,
    options: LintOptions,
    *,
    increment: Increment | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> LintResult:
    """Index the parsed inputs, run the selected rules, and locate every finding.

    With an ``increment`` (the language server after an edit), rules that read none of
    the changed kinds keep their previous findings (a rule declares every kind it reads),
    and the others re-check the edit's neighbourhood only (see
    :mod:`meshlint.mesh.neighbourhood`), keeping their previous findings on unchanged
    resources elsewhere.

    ``should_stop`` is asked between rules; when it answers true the lint raises
    :class:`~meshlint.pipeline.runner.Cancelled`.
    """
    resources: list[Resource] = [r for f in (*inputs.loaded, *inputs.context) for r in f.resources]
    if options.kinds is not None:
        resources = [r for r in resources if r.kind in options.kinds]
    if options.resource_filter is not None:
        resources = [r for r in resources if options.resource_filter(r)]
    resources += generated_resources(resources)
    previous = increment.previous if increment is not None else None
    mesh = Mesh(resources, options.settings, previous=previous.mesh if previous else None)
    known = known_rules(options.extra_rules, lazy_pack_rules())
    rules = select_rules(known, options.select, options.ignore, options.enable)
    present = {r.kind for r in resources if r.linted} | options.settings.linted_kinds
    active = _instantiate(
        [r for r in rules if not r.input_rule and reads_any(r, present)],
        options.severity_overrides,
        options.rule_params,
    )
    warnings = list(inputs.warnings)
    if increment is None:
        findings = _checked(mesh, active, inputs, options, should_stop, warnings)
    else:
        findings = _rerun(mesh, active, increment, options.jobs, should_stop)
    findings += _findings_on_copies(mesh, active, options.jobs, should_stop)
    unchecked = [f for f in findings if f.unchecked is not None]
    if not options.settings.report_unknown:
        findings = [f for f in findings if f.unchecked is None]
    input_names = {r.name for r in rules if r.input_rule}
    for file in inputs.loaded:
        findings.extend(_problem_finding(p) for p in file.problems if p.rule in input_names)
    _apply_overrides(findings, options.severity_overrides)
    findings.sort(key=lambda f: f.sort_key)
    comments = {f.path: f.comments for f in inputs.loaded if f.comments is not None}
    suppression = apply_suppressions(findings, comments, resources, options.suppress, known)
    return LintResult(
        findings=findings,
        files=inputs.files,
        unparsed=[f.path for f in inputs.loaded if not f.parsed],
        resources=sum(len(f.resources) for f in inputs.loaded),
        mesh=mesh,
        rules=rules,
        warnings=[*plugin_problems(), *suppression.warnings, *warnings],
        baseline_gone=suppression.baseline_gone,
        unchecked=unchecked,
    )


def _checked(
    mesh: Mesh,
    active: list[Rule],
    inputs: LoadedInputs,
    options: LintOptions,
    should_stop: Callable[[], bool] | None,
    warnings: list[str],
) -> list[Finding]:
    """Every finding of the active rules: from the cache for rules whose inputs did not
    change, by running the others (whose findings the cache then keeps); a local rule
    checks again only the resources that changed."""
    if inputs.cache is None:
        return run_rules_in_processes(mesh, active, None, options.jobs, should_stop, warnings)
    entries = inputs.cache.rules()
    plan = entries.plan(mesh, active, _cacheable(active, options))
    fresh = run_rules_in_processes(mesh, plan.missing, None, options.jobs, should_stop, warnings)
    if plan.partial:
        # a few changed resources are not worth a fork
        jobs = options.jobs if len(plan.scope) >= MIN_RESOURCES else 1
        scoped = run_rules_in_processes(mesh, plan.partial, plan.scope, jobs, should_stop, warnings)
        fresh += entries.rechecked(plan, scoped)
    entries.store_results(plan, fresh)
    return plan.found + fresh


def _cacheable(active: list[Rule], options: LintOptions) -> list[type[Rule]]:
    """Rules whose findings may come from the cache: meshlint's own, not the config's
    policies nor plugins (the cache keys rules by meshlint's code; a policy's code is
    the config, a plugin's another package)."""
    policies = set(options.extra_rules)
    return [
        type(r)
        for r in active
        if type(r) not in policies and type(r).__module__.startswith("meshlint.")
    ]


def _rerun(
    mesh: Mesh,
    active: list[Rule],
    increment: Increment,
    jobs: int,
    should_stop: Callable[[], bool] | None,
) -> list[Finding]:
    """Findings after an edit: previous ones where the edit cannot change them, fresh
    ones from the rules it can affect, checked on its neighbourhood. What Istio would
    create from the inputs changes with them: the generated objects that differ from the
    previous run's count as changed too."""
    previous = increment.previous
    made = regenerated(previous.mesh.of_kind(*GENERATED_KINDS), mesh.of_kind(*GENERATED_KINDS))
    changed_kinds = increment.changed_kinds | {r.kind for r in made}
    mesh.reuse_indexes(previous.mesh, changed_kinds)
    unaffected = {type(r) for r in active if r.kinds and changed_kinds.isdisjoint(r.kinds)}
    checked = [r for r in active if type(r) not in unaffected]
    near = increment.neighbourhood(mesh, made)
    if near is None:
        findings = run_rules_in_processes(mesh, checked, None, jobs, should_stop)
        return findings + _kept_findings(previous, mesh, None, unaffected)
    findings: list[Finding] = []
    for check in near.checks:
        part = mesh if check.resources is None else mesh.within(check.resources)
        rules = checked
        if check is not near.scope:
            kinds = check.kinds
            rules = [r for r in checked if not r.checked_kinds() or kinds & set(r.checked_kinds())]
        fresh = run_rules_in_processes(part, rules, check.keys, 1, should_stop)
        findings += [f for f in fresh if _on(f, check.keys)]
        if check is near.scope:
            # Also those on resources derived from settings or ConfigMaps, not loaded.
            findings += [f for f in fresh if _derived(f, mesh)]
    return findings + _kept_findings(previous, mesh, near.keys, unaffected)


def _findings_on_copies(
    mesh: Mesh, active: list[Rule], jobs: int, should_stop: Callable[[], bool] | None
) -> list[Finding]:
    """Findings on the linted copies a later copy replaced in the mesh: each is checked
    in the mesh it would make if it were the one applied (the latest copies first)."""
    pending = [r for r in mesh.shadowed if r.linted]
    findings: list[Finding] = []
    while pending:
        applied = {r.key: r for r in pending}
        pending = [r for r in pending if applied[r.key] is not r]
        others = (r for r in mesh.resources if r.key not in applied)
        swapped = Mesh([*others, *applied.values()], mesh.settings, previous=mesh)
        swapped.whole = mesh
        copies = {id(r) for r in applied.values()}
        fresh = run_rules_in_processes(swapped, active, set(applied), jobs, should_stop)
        findings += [f for f in fresh if f.resource is not None and id(f.resource) in copies]
    return findings


def _on(finding: Finding, keys: set[tuple]) -> bool:
    """Whether a finding is on a resource in ``keys``."""
    return finding.resource is not None and finding.resource.key in keys


def _derived(finding: Finding, mesh: Mesh) -> bool:
    """Whether a finding is on a resource that is not in the mesh: one derived from the
    settings or a ConfigMap (such as MeshNetworks) rather than loaded."""
    return finding.resource is not None and mesh.get_key(finding.resource.key) is None


def _kept_findings(
    previous: LintResult, mesh: Mesh, scope: set[tuple] | None, unaffected: set[type[Rule]]
) -> list[Finding]:
    """Previous findings still valid after an edit: those of rules that read nothing the
    edit changed (as long as their resource, if loaded, is unchanged), and, after a
    re-check of a neighbourhood, those on unchanged resources outside it and on no
    resource."""

    def unchanged(finding: Finding) -> bool:
        return finding.resource is None or mesh.get_key(finding.resource.key) is finding.resource

    def kept(finding: Finding) -> bool:
        if finding.rule.input_rule:
            return False
        if finding.rule in unaffected:
            # Such a rule cannot have reported on a removed resource: it does not read it.
            return unchanged(finding) or _derived(finding, mesh)
        if scope is None:
            return False
        return finding.resource is None or (
            unchanged(finding) and finding.resource.key not in scope
        )

    earlier = {id(f): f for f in (*previous.findings, *previous.unchecked)}
    return [f for f in earlier.values() if kept(f)]


def lint(options: LintOptions) -> LintResult:
    """Lint the files named in ``options``; raises only MissingPath (a usage error)."""
    return analyze(load_inputs(options), options)


def _apply_overrides(findings: list[Finding], overrides: dict[str, Severity]) -> None:
    if not overrides:
        return
    for finding in findings:
        if finding.rule.input_rule:
            for name in finding.rule.names():
                if name in overrides:
                    finding.severity = overrides[name]
