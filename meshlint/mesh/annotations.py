"""Istio's annotation catalogue, and the places where a resource carries annotations.

The catalogue is generated from istio/api by ``tools/gen_annotations.py`` into
``meshlint/data/istio_annotations.json`` and read on first use.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from meshlint.fieldpath import Path, get
from meshlint.mesh.memo import per_resource
from meshlint.mesh.workloads import TEMPLATE_PATHS, WORKLOAD_KINDS
from meshlint.model import Resource, string_map
from meshlint.package_data import DATA

ANY = "Any"
INGRESS_CLASS = "kubernetes.io/ingress.class"
GATEWAY_API = "gateway.networking.k8s.io"
#: On Istio's own resources these are checked by Istio's validating webhook (and by the
#: ``istio-annotation-rejected`` rule), not by the annotation catalogue.
WEBHOOK_CHECKED = ("istio.io/dry-run", "internal.istio.io/")
#: Kinds whose annotations are checked: Istio's four (Namespace, Service, Pod, Deployment),
#: every workload controller, and the kinds the catalogue names (Gateway API ones only).
ANNOTATED_KINDS = (
    "Namespace",
    "Service",
    *WORKLOAD_KINDS,
    "ServiceEntry",
    "AuthorizationPolicy",
    "WorkloadEntry",
    "Gateway",
    "GatewayClass",
)


@dataclass(frozen=True, slots=True)
class AnnotationDef:
    """One catalogue entry: maturity, deprecation and the kinds it may be set on."""

    name: str
    status: str
    deprecated: bool
    resources: tuple[str, ...]

    @property
    def alpha(self) -> bool:
        return self.status == "Alpha"

    def applies_to(self, kind: str) -> bool:
        return ANY in self.resources or kind in self.resources


@dataclass(frozen=True, slots=True)
class Catalogue:
    annotations: dict[str, AnnotationDef]
    labels: frozenset[str]


@cache
def catalogue() -> Catalogue:
    """The annotation catalogue, loaded once."""
    text = (DATA / "istio_annotations.json").read_text(encoding="utf-8")
    data = json.loads(text)
    defs = {
        name: AnnotationDef(name, e["status"], e["deprecated"], tuple(e["resources"]))
        for name, e in data["annotations"].items()
    }
    return Catalogue(defs, frozenset(data["labels"]))


def lookup(name: str) -> AnnotationDef | None:
    return catalogue().annotations.get(name)


def is_istio_annotation(name: str) -> bool:
    """Whether Istio owns the key: its prefix ends in ``istio.io`` (``sidecar.istio.io/...``,
    ``istio.io/...``), or it is the Kubernetes ingress class Istio documents."""
    if name == INGRESS_CLASS:
        return True
    prefix, slash, _ = name.partition("/")
    return bool(slash) and prefix.endswith("istio.io")


@dataclass(frozen=True, slots=True)
class AnnotationSite:
    """One ``annotations`` mapping: whose it is (``kind``, e.g. ``Pod`` for a pod template)
    and where it sits in the resource."""

    resource: Resource
    kind: str
    path: Path
    values: dict
    labels: dict[str, str]

    @property
    def template(self) -> bool:
        """True for a controller's pod template (pods not created yet)."""
        return self.kind == "Pod" and self.resource.kind != "Pod"

    def items(self) -> Iterator[tuple[str, str, Path]]:
        """(name, value as text, path of the entry) for every annotation here."""
        texts = string_map(self.values)
        for key in self.values:
            yield str(key), texts[str(key)], (*self.path, key)


def annotation_sites(resource: Resource) -> Iterator[AnnotationSite]:
    """The resource's own annotations and, for a workload controller, its pod template's.
    Istio Gateways share their kind name with Gateway API ones and are skipped."""
    if resource.kind == "Gateway" and resource.group != GATEWAY_API:
        return
    own = ("metadata", "annotations")
    values = get(resource.body, own)
    if isinstance(values, dict):
        yield AnnotationSite(resource, resource.kind, own, values, resource.labels)
    template = TEMPLATE_PATHS.get(resource.kind)
    if template:
        path = (*template, "metadata", "annotations")
        values = get(resource.body, path)
        if isinstance(values, dict):
            labels = string_map(get(resource.body, (*template, "metadata", "labels")))
            yield AnnotationSite(resource, "Pod", path, values, labels)


@per_resource
def istio_annotations(resource: Resource) -> tuple[tuple[AnnotationSite, str, str, Path], ...]:
    """(site, name, value, path) of every Istio-owned annotation of the resource (on Istio
    resources, except the ones their validating webhook checks). Found in one walk that
    every annotation rule reads: do not modify them."""
    return tuple(_istio_annotations(resource))


def _istio_annotations(resource: Resource) -> Iterator[tuple[AnnotationSite, str, str, Path]]:
    istio_resource = resource.group.endswith("istio.io")
    for site in annotation_sites(resource):
        for name, value, path in site.items():
            if not is_istio_annotation(name):
                continue
            if istio_resource and name.startswith(WEBHOOK_CHECKED):
                continue
            yield site, name, value, path
