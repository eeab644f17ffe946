"""The lint pipeline: sources -> loader -> mesh index -> rules -> located findings."""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field

from meshlint.engine.finding import Finding, Severity
from meshlint.engine.registry import builtin_rules, input_rule
from meshlint.engine.rule import Rule
from meshlint.engine.runner import locate, run_rules, to_location
from meshlint.engine.selection import select_rules
from meshlint.loader.documents import InputProblem, LoadedFile, load_source
from meshlint.loader.sources import SourceText, discover, read
from meshlint.loader.yaml_reader import Limits
from meshlint.mesh.config import MeshSettings
from meshlint.mesh.index import Mesh
from meshlint.model import Resource

DEFAULT_MAX_FILE_SIZE = 50 * 1024 * 1024


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
    kinds: frozenset[str] | None = None
    resource_filter: Callable[[Resource], bool] | None = None
    #: Multi-cluster input: cluster name -> the files that describe that cluster.
    clusters: dict[str, list[str]] | None = None


@dataclass
class LintResult:
    findings: list[Finding]
    files: list[str]
    unparsed: list[str]
    resources: int
    mesh: Mesh
    rules: list[type[Rule]]


def load_files(paths: list[str], options: LintOptions) -> list[LoadedFile]:
    """Read and parse every file; bad files come back with problems, never exceptions."""
    namespace = options.settings.default_namespace
    return [
        load_source(read(path, options.max_file_size), namespace, options.limits) for path in paths
    ]


def _problem_finding(problem: InputProblem) -> Finding:
    rule = input_rule(problem.rule)
    finding = Finding(
        rule=rule,
        message=problem.message,
        severity=rule.severity,
        resource=problem.resource,
        path=problem.path,
        file=problem.file,
    )
    finding.location = to_location(problem.file, problem.span)
    return finding


def _instantiate(rules: list[type[Rule]], overrides: dict[str, Severity]) -> list[Rule]:
    out = []
    for rule in rules:
        severity = next((overrides[n] for n in rule.names() if n in overrides), None)
        out.append(rule(severity))
    return out


@dataclass
class LoadedInputs:
    """Every input of a run, parsed: the files to lint and the context files."""

    files: list[str]
    loaded: list[LoadedFile]
    context: list[LoadedFile] = field(default_factory=list)


def load_inputs(options: LintOptions) -> LoadedInputs:
    """Discover and parse every input; raises only MissingPath (a usage error)."""
    cluster_of = {p: name for name, paths in (options.clusters or {}).items() for p in paths}
    walk_errors: list[SourceText] = []
    files = discover([*options.paths, *cluster_of], options.exclude, walk_errors)
    context_files = [f for f in discover(options.context, options.exclude) if f not in files]
    gc.disable()
    try:
        loaded = load_files(files, options)
        loaded += [load_source(error) for error in walk_errors]
        context = load_files(context_files, options)
    finally:
        gc.enable()
    gc.freeze()
    for file in loaded:
        for resource in file.resources:
            resource.cluster = cluster_of.get(resource.file, "")
    for file in context:
        for resource in file.resources:
            resource.linted = False
    return LoadedInputs(files, loaded, context)


def analyze(inputs: LoadedInputs, options: LintOptions) -> LintResult:
    """Index the parsed inputs, run the selected rules, and locate every finding."""
    resources: list[Resource] = [r for f in (*inputs.loaded, *inputs.context) for r in f.resources]
    if options.kinds is not None:
        resources = [r for r in resources if r.kind in options.kinds]
    if options.resource_filter is not None:
        resources = [r for r in resources if options.resource_filter(r)]
    mesh = Mesh(resources, options.settings)
    rules = select_rules(builtin_rules(), options.select, options.ignore)
    active = _instantiate([r for r in rules if not r.input_rule], options.severity_overrides)
    findings = run_rules(mesh, active)
    locate(findings)
    input_names = {r.name for r in rules if r.input_rule}
    for file in inputs.loaded:
        findings.extend(_problem_finding(p) for p in file.problems if p.rule in input_names)
    _apply_overrides(findings, options.severity_overrides)
    findings.sort(key=lambda f: f.sort_key)
    return LintResult(
        findings=findings,
        files=inputs.files,
        unparsed=[f.path for f in inputs.loaded if not f.parsed],
        resources=sum(len(f.resources) for f in inputs.loaded),
        mesh=mesh,
        rules=rules,
    )


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
