"""Generate meshlint's JSON Schemas into ``schemas/``.

Sources: the Istio and Gateway API CRDs in ``<shared>/reference/`` and the Kubernetes schemas
shipped by the ``kubernetes-validate`` package (a generation-time dependency only).

Usage: ``python tools/gen_schemas.py [--shared ../shared] [--kubernetes-version 1.37.0]
[--out schemas]``.
The output is deterministic: re-running it on the same inputs produces no diff.
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "schemas"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
KUBERNETES_VERSION = "1.37.0"
CRD_FILES = ("istio-crds.yaml", "gateway-api-crds.yaml")
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
DEFS = "#/$defs/"
REGENERATE = "python tools/gen_schemas.py --shared ../shared"

Schema = dict[str, Any]

# (group, version, kind, scope) of the core Kubernetes kinds meshlint reads.
K8S_KINDS: tuple[tuple[str, str, str, str], ...] = (
    ("", "v1", "ConfigMap", "Namespaced"),
    ("", "v1", "Endpoints", "Namespaced"),
    ("", "v1", "Namespace", "Cluster"),
    ("", "v1", "Node", "Cluster"),
    ("", "v1", "Pod", "Namespaced"),
    ("", "v1", "Secret", "Namespaced"),
    ("", "v1", "Service", "Namespaced"),
    ("", "v1", "ServiceAccount", "Namespaced"),
    ("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", "Cluster"),
    ("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", "Cluster"),
    ("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "Cluster"),
    ("apps", "v1", "DaemonSet", "Namespaced"),
    ("apps", "v1", "Deployment", "Namespaced"),
    ("apps", "v1", "ReplicaSet", "Namespaced"),
    ("apps", "v1", "StatefulSet", "Namespaced"),
    ("batch", "v1", "CronJob", "Namespaced"),
    ("batch", "v1", "Job", "Namespaced"),
)

# Values of Go `+enum` string types in k8s.io/api that the API server's validation enforces but
# kubernetes-validate's schemas omit. "name[]" targets the items of an array property.
_PROTOCOLS = ("SCTP", "TCP", "UDP")
_PULL_POLICIES = ("Always", "IfNotPresent", "Never")
_MESSAGE_POLICIES = ("FallbackToLogsOnError", "File")
_FAILURE_POLICIES = ("Fail", "Ignore")
_MATCH_POLICIES = ("Equivalent", "Exact")
K8S_ENUMS: dict[str, dict[str, tuple[str, ...]]] = {
    "io.k8s.api.core.v1.ServiceSpec": {
        "type": ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort"),
        "sessionAffinity": ("ClientIP", "None"),
        "externalTrafficPolicy": ("Cluster", "Local"),
        "internalTrafficPolicy": ("Cluster", "Local"),
        "ipFamilyPolicy": ("PreferDualStack", "RequireDualStack", "SingleStack"),
        "ipFamilies[]": ("IPv4", "IPv6"),
    },
    "io.k8s.api.core.v1.ServicePort": {"protocol": _PROTOCOLS},
    "io.k8s.api.core.v1.ContainerPort": {"protocol": _PROTOCOLS},
    "io.k8s.api.core.v1.EndpointPort": {"protocol": _PROTOCOLS},
    "io.k8s.api.core.v1.Container": {
        "imagePullPolicy": _PULL_POLICIES,
        "terminationMessagePolicy": _MESSAGE_POLICIES,
    },
    "io.k8s.api.core.v1.EphemeralContainer": {
        "imagePullPolicy": _PULL_POLICIES,
        "terminationMessagePolicy": _MESSAGE_POLICIES,
    },
    "io.k8s.api.core.v1.PodSpec": {
        "restartPolicy": ("Always", "Never", "OnFailure"),
        "dnsPolicy": ("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"),
        "preemptionPolicy": ("Never", "PreemptLowerPriority"),
    },
    "io.k8s.api.core.v1.HTTPGetAction": {"scheme": ("HTTP", "HTTPS")},
    "io.k8s.api.core.v1.SeccompProfile": {"type": ("Localhost", "RuntimeDefault", "Unconfined")},
    "io.k8s.api.core.v1.NodeSelectorRequirement": {
        "operator": ("DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"),
    },
    "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement": {
        "operator": ("DoesNotExist", "Exists", "In", "NotIn"),
    },
    "io.k8s.api.apps.v1.DeploymentStrategy": {"type": ("Recreate", "RollingUpdate")},
    "io.k8s.api.apps.v1.StatefulSetUpdateStrategy": {"type": ("OnDelete", "RollingUpdate")},
    "io.k8s.api.apps.v1.StatefulSetSpec": {"podManagementPolicy": ("OrderedReady", "Parallel")},
    "io.k8s.api.apps.v1.DaemonSetUpdateStrategy": {"type": ("OnDelete", "RollingUpdate")},
    "io.k8s.api.batch.v1.CronJobSpec": {"concurrencyPolicy": ("Allow", "Forbid", "Replace")},
    "io.k8s.api.batch.v1.JobSpec": {"completionMode": ("Indexed", "NonIndexed")},
    "io.k8s.api.admissionregistration.v1.MutatingWebhook": {
        "failurePolicy": _FAILURE_POLICIES,
        "matchPolicy": _MATCH_POLICIES,
        "reinvocationPolicy": ("IfNeeded", "Never"),
    },
    "io.k8s.api.admissionregistration.v1.ValidatingWebhook": {
        "failurePolicy": _FAILURE_POLICIES,
        "matchPolicy": _MATCH_POLICIES,
    },
    "io.k8s.api.admissionregistration.v1.RuleWithOperations": {
        "operations[]": ("*", "CONNECT", "CREATE", "DELETE", "UPDATE"),
        "scope": ("*", "Cluster", "Namespaced"),
    },
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionSpec": {
        "scope": ("Cluster", "Namespaced"),
    },
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceConversion": {
        "strategy": ("None", "Webhook"),
    },
}

_SCHEMA_MAPS = ("properties", "patternProperties", "$defs")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_SCHEMA_VALUES = ("items", "not", "additionalProperties", "additionalItems")
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


@dataclass(frozen=True)
class Entry:
    """One generated schema: its identity, file and provenance."""

    group: str
    version: str
    kind: str
    scope: str
    source: str
    schema: Schema
    storage: bool = True
    deprecated: bool = False
    deprecation_warning: str = ""

    @property
    def api_version(self) -> str:
        """The apiVersion documents of this kind carry."""
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def path(self) -> str:
        """File path relative to ``schemas/``."""
        return f"{self.group or 'core'}/{self.version}/{self.kind.lower()}.json"


# --- OpenAPI v3 (Kubernetes flavour) to JSON Schema 2020-12 -------------------------------


def convert(node: Schema) -> Schema:
    """Convert one OpenAPI v3 schema node, recursively, to JSON Schema 2020-12."""
    out: Schema = {}
    for key, value in node.items():
        if key == "nullable":
            continue
        if key in _SCHEMA_MAPS:
            out[key] = {name: convert(sub) for name, sub in value.items()}
        elif key in _SCHEMA_LISTS:
            out[key] = [convert(sub) for sub in value]
        elif key in _SCHEMA_VALUES and isinstance(value, dict):
            out[key] = convert(value)
        else:
            out[key] = value
    _collapse_type_union(out)
    _int_or_string(out)
    if node.get("nullable"):
        _make_nullable(out)
    _list_type(out)
    _int_range(out)
    _defaults_in_branches(out)
    return out


def _defaults_in_branches(out: Schema) -> None:
    """Let ``oneOf``/``anyOf``/``allOf`` branches see property defaults, as Kubernetes does.

    The API server applies defaults before it validates, so an absent property with a default
    is checked as that default. A branch whose condition on such a property rejects the default
    therefore needs the property to be present: ``required`` says so without defaulting.
    """
    properties = out.get("properties", {})
    for keyword in _SCHEMA_LISTS:
        for branch in out.get(keyword, []):
            for name, condition in branch.get("properties", {}).items():
                default = properties.get(name, {}).get("default")
                if default is None or Draft202012Validator(condition).is_valid(default):
                    continue
                branch["required"] = sorted({*branch.get("required", []), name})


def _types(schema: Schema) -> list[str]:
    value = schema.get("type", [])
    return [value] if isinstance(value, str) else list(value)


def _collapse_type_union(out: Schema) -> None:
    """Turn ``anyOf``/``oneOf`` of bare ``{"type": ...}`` branches into one ``type`` list.

    A ``oneOf`` is collapsed only when its non-null types are disjoint, so the result accepts
    the same values, except that ``null`` (in more than one branch) is accepted rather than
    rejected as ambiguous, which is how Kubernetes reads it.
    """
    for keyword in _SCHEMA_LISTS[1:]:
        branches = out.get(keyword)
        if "type" in out or not branches or any(set(b) != {"type"} for b in branches):
            continue
        types = [t for branch in branches for t in _types(branch)]
        concrete = [t for t in types if t != "null"]
        overlapping = len(set(concrete)) < len(concrete) or {"integer", "number"} <= set(concrete)
        if keyword == "oneOf" and overlapping:
            continue
        out["type"] = list(dict.fromkeys(concrete)) + (["null"] if "null" in types else [])
        del out[keyword]


def _int_or_string(out: Schema) -> None:
    if out.get("x-kubernetes-int-or-string") and not {"type", "anyOf", "oneOf"} & set(out):
        out["type"] = ["integer", "string"]


def _make_nullable(out: Schema) -> None:
    if "type" not in out:
        raise ValueError(f"nullable schema without a type: {sorted(out)}")
    types = _types(out)
    out["type"] = types if "null" in types else [*types, "null"]
    if "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]


def _list_type(out: Schema) -> None:
    if out.get("x-kubernetes-list-type") == "set":
        out["uniqueItems"] = True


def _int_range(out: Schema) -> None:
    """Make ``format: int32/int64`` bounds checkable: validators treat ``format`` as a note."""
    bounds = _INT_RANGES.get(out.get("format", ""))
    if bounds and "integer" in _types(out):
        out.setdefault("minimum", bounds[0])
        out.setdefault("maximum", bounds[1])


# --- $ref closure over the Kubernetes definitions ------------------------------------------


def _children(node: Schema) -> Iterator[Schema]:
    for key in _SCHEMA_MAPS:
        yield from node.get(key, {}).values()
    for key in _SCHEMA_LISTS:
        yield from node.get(key, [])
    for key in _SCHEMA_VALUES:
        if isinstance(node.get(key), dict):
            yield node[key]


def _refs(node: Schema) -> Iterator[str]:
    ref = node.get("$ref")
    if ref is not None:
        if not ref.startswith(DEFS):
            raise ValueError(f"unsupported $ref {ref}")
        yield ref.removeprefix(DEFS)
    for child in _children(node):
        yield from _refs(child)


def closure(definitions: dict[str, Schema], roots: list[str]) -> dict[str, Schema]:
    """The definitions reachable from ``roots`` (refs all point into ``#/$defs/``)."""
    found: dict[str, Schema] = {}
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name not in found:
            found[name] = definitions[name]
            pending.extend(_refs(definitions[name]))
    return found


# --- Kubernetes kinds ------------------------------------------------------------------------


def load_kubernetes_definitions(kubernetes_version: str) -> dict[str, Schema]:
    """Converted ``$defs`` of kubernetes-validate for one Kubernetes version, enums overlaid."""
    folder = resources.files("kubernetes_validate") / "kubernetes-json-schema"
    text = (folder / f"v{kubernetes_version}-local" / "_definitions.json").read_text("utf-8")
    definitions = {name: convert(node) for name, node in json.loads(text)["$defs"].items()}
    for name, properties in K8S_ENUMS.items():
        for prop, values in properties.items():
            _add_enum(definitions[name], prop, values)
    return definitions


def _add_enum(definition: Schema, prop: str, values: tuple[str, ...]) -> None:
    target = definition["properties"][prop.removesuffix("[]")]
    if prop.endswith("[]"):
        target = target["items"]
    if "enum" in target:
        raise ValueError(f"{prop} already has an enum; drop it from K8S_ENUMS")
    nullable = "null" in _types(target)
    target["enum"] = [*values, None] if nullable else list(values)


def _gvk_index(definitions: dict[str, Schema]) -> dict[tuple[str, str, str], str]:
    index = {}
    for name, node in definitions.items():
        for gvk in node.get("x-kubernetes-group-version-kind", []):
            index[(gvk["group"], gvk["version"], gvk["kind"])] = name
    return index


def kubernetes_entries(definitions: dict[str, Schema], source: str) -> list[Entry]:
    """One entry per kind in ``K8S_KINDS``, each with its own pruned ``$defs``."""
    names = _gvk_index(definitions)
    entries = []
    for group, version, kind, scope in K8S_KINDS:
        root = names[(group, version, kind)]
        defs = closure(definitions, [root])
        schema = {**defs.pop(root), "type": "object"}
        if defs:
            schema["$defs"] = defs
        entries.append(Entry(group, version, kind, scope, source, schema))
    return entries


# --- CRDs --------------------------------------------------------------------------------------


def crd_entries(path: Path, source: str, object_meta: dict[str, Schema]) -> list[Entry]:
    """One entry per served version of every CRD in a multi-document YAML file."""
    with path.open(encoding="utf-8") as stream:
        documents = [d for d in yaml.safe_load_all(stream) if d]
    entries = []
    for crd in documents:
        if crd.get("kind") != "CustomResourceDefinition":
            continue
        spec = crd["spec"]
        for served in spec["versions"]:
            if not served.get("served", True):
                continue
            schema = crd_schema(spec, served, object_meta)
            entry = Entry(
                group=spec["group"],
                version=served["name"],
                kind=spec["names"]["kind"],
                scope=spec.get("scope", "Namespaced"),
                source=source,
                schema=schema,
                storage=bool(served.get("storage")),
                deprecated=bool(served.get("deprecated")),
                deprecation_warning=served.get("deprecationWarning", ""),
            )
            entries.append(entry)
    return entries


def crd_schema(spec: Schema, served: Schema, object_meta: dict[str, Schema]) -> Schema:
    """The JSON Schema of one CRD version, with apiVersion/kind/metadata described."""
    schema = convert(served["schema"]["openAPIV3Schema"])
    properties = schema.setdefault("properties", {})
    api_version = f"{spec['group']}/{served['name']}"
    properties["apiVersion"] = _pinned(properties.get("apiVersion"), api_version)
    properties["kind"] = _pinned(properties.get("kind"), spec["names"]["kind"])
    metadata = {k: v for k, v in properties.get("metadata", {}).items() if k != "type"}
    properties["metadata"] = {**metadata, "$ref": DEFS + OBJECT_META}
    schema["$defs"] = object_meta
    return schema


def _pinned(existing: Schema | None, value: str) -> Schema:
    return {**(existing or {}), "type": "string", "enum": [value]}


# --- Provenance ------------------------------------------------------------------------------


def reference_source(readme: Path, filename: str) -> str:
    """The 'source' column of ``filename``'s row in the reference README table."""
    for line in readme.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0] == f"`{filename}`":
            return cells[1]
    raise ValueError(f"{filename} is not described in {readme}")


def sources_markdown(entries: list[Entry], sources: dict[str, str]) -> str:
    """The text of ``schemas/SOURCES.md``; ``sources`` maps each entry's label to its origin."""
    lines = [
        "# Sources of the schemas in this folder",
        "",
        f"Generated by `tools/gen_schemas.py`; do not edit. Regenerate with `{REGENERATE}`.",
        "All inputs are licensed Apache-2.0, and so are these derived schemas.",
        "",
    ]
    for label, origin in sources.items():
        lines += [f"## {label}", "", origin, ""]
        lines += [f"- `{e.api_version}/{e.kind}`: `{e.path}`" for e in entries if e.source == label]
        lines.append("")
    lines += [
        "## Changes made while converting",
        "",
        '- OpenAPI `nullable: true` became `type: [T, "null"]` (and `null` joined any `enum`).',
        "- `anyOf`/`oneOf` of bare types (int-or-string, Quantity) became one `type` list.",
        "- `x-kubernetes-list-type: set` gained `uniqueItems: true`.",
        "- `format: int32`/`int64` gained the matching `minimum`/`maximum` where none was set.",
        "- A `oneOf`/`anyOf`/`allOf` branch whose condition rejects a property's `default` now",
        "  requires that property, since Kubernetes validates after defaulting.",
        "- CRDs: `apiVersion` and `kind` are pinned with `enum`; `metadata` refers to the",
        "  Kubernetes `ObjectMeta` of the kubernetes-validate source above.",
        "- Kubernetes kinds: `enum` values of these `+enum` types of k8s.io/api were added,",
        "  as the API server's validation enforces them:",
        "",
    ]
    for name, properties in sorted(K8S_ENUMS.items()):
        for prop, values in sorted(properties.items()):
            lines.append(f"  - `{name}.{prop}`: " + ", ".join(f"`{v}`" for v in values))
    return "\n".join(lines) + "\n"


# --- Output ----------------------------------------------------------------------------------


def dump(data: Any) -> str:
    """Stable compact JSON."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def index_entry(entry: Entry) -> Schema:
    """What ``index.json`` records for one schema."""
    return {
        "deprecated": entry.deprecated,
        "deprecation_warning": entry.deprecation_warning,
        "group": entry.group,
        "kind": entry.kind,
        "path": entry.path,
        "scope": entry.scope,
        "source": entry.source,
        "storage": entry.storage,
        "version": entry.version,
    }


def clean(out: Path) -> None:
    """Remove what a previous run generated, keeping ``__init__.py``."""
    for child in out.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
        elif child.suffix in {".json", ".md"}:
            child.unlink()


def write(out: Path, entries: list[Entry], sources_md: str) -> None:
    """Write every schema, ``index.json`` and ``SOURCES.md`` under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    clean(out)
    (out / "__init__.py").touch()
    index = {}
    for entry in entries:
        key = f"{entry.api_version}/{entry.kind}"
        if key in index:
            raise ValueError(f"two schemas for {key}")
        index[key] = index_entry(entry)
        target = out / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dump({"$schema": DIALECT, **entry.schema}), encoding="utf-8")
    (out / "index.json").write_text(dump(index), encoding="utf-8")
    (out / "SOURCES.md").write_text(sources_md, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--kubernetes-version", default=KUBERNETES_VERSION)
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default: schemas/)")
    args = parser.parse_args(argv)
    reference = args.shared / "reference"
    validate_version = package_version("kubernetes-validate")
    kubernetes = f"kubernetes-validate {validate_version} (Kubernetes v{args.kubernetes_version})"
    sources = {name: reference_source(reference / "README.md", name) for name in CRD_FILES}
    sources[kubernetes] = (
        f"The `kubernetes-validate` {validate_version} package (PyPI), its schemas of "
        f"Kubernetes v{args.kubernetes_version} (`v{args.kubernetes_version}-local`)."
    )
    definitions = load_kubernetes_definitions(args.kubernetes_version)
    object_meta = closure(definitions, [OBJECT_META])
    entries = [
        entry for name in CRD_FILES for entry in crd_entries(reference / name, name, object_meta)
    ]
    entries += kubernetes_entries(definitions, kubernetes)
    write(args.out, entries, sources_markdown(entries, sources))
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"wrote {len(entries)} schemas to {args.out} ({size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
