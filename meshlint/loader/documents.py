"""Turn parsed documents into resources, and everything else into input problems."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from meshlint.core.nodes import PList, PMap, Span
from meshlint.fieldpath import Path, span_of
from meshlint.loader.comments import FileDirectives, scan
from meshlint.loader.nonmanifest import CHART, chart_root, looks_like_manifest, role
from meshlint.loader.sources import STDIN, SourceText
from meshlint.loader.yaml_reader import Limits, ParsedDocument, parse_text
from meshlint.model import CLUSTER_SCOPED_KINDS, Resource

_TEMPLATE = re.compile(
    r"\{\{-?\s*(?:\.|\$|if\b|end\b|range\b|include\b|template\b|with\b|toYaml\b)"
    r"|^\s*\{%-?\s*(?:if|for|set|include|macro|block)\b",
    re.MULTILINE,
)
#: The name and namespace istioctl gives an install spec that has no metadata.
INSTALL_SPEC_NAME = "installed-state"
INSTALL_NAMESPACE = "istio-system"
_KUSTOMIZATION = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})


@dataclass(slots=True)
class InputProblem:
    """A problem with the input itself, reported under one of the ``input`` rules."""

    rule: str
    message: str
    file: str
    span: Span | None
    resource: Resource | None = None
    path: Path = ()
    #: Reported at info whatever the rule's severity (a note, not a problem).
    minor: bool = False


@dataclass(slots=True)
class LoadedFile:
    path: str
    resources: list[Resource] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    parsed: bool = True
    #: ``# meshlint: ignore[...]`` comments (PyYAML drops comments, so the text is scanned).
    comments: FileDirectives | None = None


def too_slow(path: str, seconds: float) -> LoadedFile:
    """What stands for a file that took longer than ``seconds`` to read and parse."""
    message = f"reading and parsing took longer than {seconds:g} s; file skipped"
    return LoadedFile(
        path, parsed=False, problems=[InputProblem("input-limit", message, path, None)]
    )


def is_kustomization(path: str) -> bool:
    return os.path.basename(path) in _KUSTOMIZATION


def _point(line: int, column: int) -> Span:
    return (line, column, line, column + 1)


def _looks_templated(path: str, text: str) -> bool:
    if _TEMPLATE.search(text) is None:
        return False
    in_templates = f"{os.sep}templates{os.sep}" in path or "/templates/" in path
    return in_templates or chart_root(path) is not None


def load_source(
    source: SourceText, default_namespace: str = "default", limits: Limits | None = None
) -> LoadedFile:
    """Parse one input and build its resources; never raises for bad input."""
    loaded = LoadedFile(source.path)
    if source.text is None:
        issue = source.issue
        assert issue is not None
        loaded.parsed = False
        rule = "file-too-large" if issue.kind == "limit" else "unreadable-file"
        span = _point(issue.line, issue.column)
        loaded.problems.append(InputProblem(rule, issue.message, source.path, span))
        return loaded
    if is_kustomization(source.path) and source.rendered is None:
        loaded.problems.append(
            InputProblem(
                "kustomization",
                "kustomization file: render it with `kubectl kustomize` or `kustomize build` "
                "and pipe the output to `meshlint lint -`",
                source.path,
                _point(0, 0),
            )
        )
        return loaded
    text = source.text
    kind = None if source.rendered or source.path == STDIN else role(source.path)
    if kind is not None:
        if kind == CHART:
            loaded.problems.append(_chart_problem(source.path))
        return loaded
    loaded.comments = scan(text)
    if _looks_templated(source.path, text):
        loaded.problems.append(_template_problem(source.path, text))
        return loaded
    result = parse_text(text, limits)
    manifests = {d.index for d in result.documents if _is_manifest(d.root)}
    for issue in result.issues:
        if issue.kind == "yaml-ambiguity" and issue.document not in manifests:
            continue  # only the API server reads YAML 1.1: other files are not its business
        if issue.kind == "syntax":
            if _TEMPLATE.search(text):
                loaded.parsed = False
                loaded.problems.append(_template_problem(source.path, text))
                continue
            if _data_file(source.path, text):
                loaded.problems.append(_data_problem(source.path, issue.span))
                continue
            loaded.parsed = False
            rule = "yaml-syntax"
        elif issue.kind in ("duplicate-key", "yaml-ambiguity"):
            rule = issue.kind
        else:
            rule = "input-limit"
        problem = InputProblem(rule, issue.message, source.path, issue.span, minor=issue.minor)
        loaded.problems.append(problem)
    for document in result.documents:
        _add_document(loaded, document, default_namespace)
    _one_note(loaded)
    return loaded


def _one_note(loaded: LoadedFile) -> None:
    """Keep the first note that a document is not a Kubernetes object: one per file."""
    notes = [p for p in loaded.problems if p.rule == "not-kubernetes"]
    if len(notes) < 2:
        return
    first = notes[0]
    first.message += f" (and {len(notes) - 1} more in this file)"
    loaded.problems = [p for p in loaded.problems if p.rule != "not-kubernetes" or p is first]


def _data_file(path: str, text: str) -> bool:
    """A ``.json`` file that is not JSON (JSON lines, concatenated objects, comments) and
    names no apiVersion or kind is data. A YAML file with a syntax error stays an error:
    YAML is what manifests are written in."""
    return path.endswith(".json") and not looks_like_manifest(text)


def _data_problem(path: str, span: Span | None) -> InputProblem:
    """One note for a data file (see :func:`_data_file`), not a broken manifest."""
    return InputProblem(
        "not-kubernetes",
        "not JSON (JSON lines?) and no apiVersion or kind anywhere: data, not a manifest; skipped",
        path,
        span,
    )


def _chart_problem(path: str) -> InputProblem:
    """One note for a whole Helm chart, on its ``Chart.yaml``."""
    chart = os.path.dirname(path) or "."
    return InputProblem(
        "helm-template",
        f"Helm chart {chart}: its templates are linted once rendered: run "
        f"`meshlint lint --helm {chart}` (or `helm template {chart} | meshlint lint -`)",
        path,
        _point(0, 0),
        minor=True,
    )


def _is_manifest(root: object) -> bool:
    """Whether a document is (or lists) Kubernetes objects: it names a kind or an
    apiVersion."""
    return isinstance(root, PMap) and ("kind" in root or "apiVersion" in root)


def _template_problem(path: str, text: str) -> InputProblem:
    match = _TEMPLATE.search(text)
    offset = match.start() if match else 0
    line = text.count("\n", 0, offset)
    column = offset - (text.rfind("\n", 0, offset) + 1)
    if match is not None and match.group().lstrip().startswith("{%"):
        message = (
            "unrendered Jinja template (Ansible, Salt...): lint what it renders to, piped "
            "to `meshlint lint -`"
        )
    else:
        message = (
            "unrendered Helm/Go template: render it with `helm template` and pipe the "
            "output to `meshlint lint -`"
        )
    return InputProblem("helm-template", message, path, _point(line, column))


def _add_document(loaded: LoadedFile, document: ParsedDocument, default_namespace: str) -> None:
    root = document.root
    if root is None:
        return
    if not isinstance(root, PMap):
        loaded.problems.append(
            InputProblem(
                "not-kubernetes",
                f"document is a {'list' if isinstance(root, PList) else 'scalar'}, "
                "not a Kubernetes object; skipped",
                loaded.path,
                document.span,
            )
        )
        return
    kind = root.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(root.get("items"), PList):
        items = root["items"]
        for i, item in enumerate(items):
            if isinstance(item, PMap):
                _add_object(loaded, item, document, default_namespace)
            else:
                loaded.problems.append(
                    InputProblem(
                        "invalid-object",
                        f"item {i} of {kind} is not an object",
                        loaded.path,
                        items.item_spans[i],
                    )
                )
        return
    _add_object(loaded, root, document, default_namespace)


def _add_object(
    loaded: LoadedFile, body: PMap, document: ParsedDocument, default_namespace: str
) -> None:
    api_version, kind = body.get("apiVersion"), body.get("kind")
    if api_version is None and kind is None:
        loaded.problems.append(
            InputProblem(
                "not-kubernetes",
                "document has no apiVersion or kind: not a Kubernetes object; skipped",
                loaded.path,
                body.span,
            )
        )
        return
    if _install_spec(api_version, kind) and not _named(body.get("metadata")):
        metadata = body.get("metadata")
        namespace = metadata.get("namespace") if isinstance(metadata, dict) else None
        loaded.resources.append(
            Resource(
                api_version=api_version,
                kind=kind,
                namespace=namespace
                if isinstance(namespace, str) and namespace
                else (INSTALL_NAMESPACE),
                name=INSTALL_SPEC_NAME,
                body=body,
                file=loaded.path,
                document=document.index,
                helm_source=document.helm_source,
            )
        )
        return
    problem = _identity_problem(body, api_version, kind)
    if problem:
        message, path = problem
        span, _ = span_of(body, path, key=path == ("metadata",))
        loaded.problems.append(InputProblem("invalid-object", message, loaded.path, span))
        return
    metadata = body.get("metadata")
    name = metadata.get("name") or metadata.get("generateName") or ""
    namespace = metadata.get("namespace")
    defaulted = False
    if kind in CLUSTER_SCOPED_KINDS:
        namespace = ""
    elif namespace is None or namespace == "":
        namespace, defaulted = default_namespace, bool(default_namespace)
    loaded.resources.append(
        Resource(
            api_version=api_version,
            kind=kind,
            namespace=str(namespace),
            name=str(name),
            body=body,
            file=loaded.path,
            document=document.index,
            helm_source=document.helm_source,
            namespace_defaulted=defaulted,
        )
    )


def _named(metadata: object) -> bool:
    """Whether ``metadata`` is a mapping that names the object."""
    return isinstance(metadata, dict) and bool(metadata.get("name"))


def _install_spec(api_version: object, kind: object) -> bool:
    """Whether an object is an ``IstioOperator`` install spec: ``istioctl install -f``
    reads it from a file, where Istio's docs write it without ``metadata`` or without a
    name (``istioctl`` names it ``installed-state``)."""
    return (
        kind == "IstioOperator"
        and isinstance(api_version, str)
        and api_version.startswith("install.istio.io/")
    )


def _identity_problem(body: PMap, api_version: object, kind: object) -> tuple[str, Path] | None:
    if not isinstance(api_version, str) or not api_version:
        return "apiVersion must be a non-empty string", ("apiVersion",)
    if not isinstance(kind, str) or not kind:
        return "kind must be a non-empty string", ("kind",)
    metadata = body.get("metadata")
    if not isinstance(metadata, PMap):
        return f"{kind} has no metadata mapping; skipped", ("metadata",)
    name = metadata.get("name")
    if name is None and not metadata.get("generateName"):
        return f"{kind} has no metadata.name; skipped", ("metadata",)
    if not isinstance(name, str | int | float | None):
        return "metadata.name must be a string", ("metadata", "name")
    namespace = metadata.get("namespace")
    if namespace is not None and not isinstance(namespace, str):
        return "metadata.namespace must be a string", ("metadata", "namespace")
    return None
