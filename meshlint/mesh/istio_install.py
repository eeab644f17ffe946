"""What the settings and the analyzed files say about the Istio installation itself.

istiod reads its mesh config and mesh networks from the ``istio`` ConfigMap (keys ``mesh``
and ``meshNetworks``; ``istio-<revision>`` for revisions). When the analyzed files include
that ConfigMap (a rendered install, say), it is layered over ``--mesh-config``; mesh
networks from ``--mesh-networks`` and from the ConfigMap are both checked.

Mesh networks are not a Kubernetes object, so findings about them are attached to a
synthetic ``MeshNetworks <istio namespace>/meshnetworks`` resource (Istio's own name for
it) whose positions point into the file the networks were read from.
"""

from __future__ import annotations

from meshlint.core.nodes import PList, PMap, Span, positioned
from meshlint.fieldpath import get
from meshlint.loader.yaml_reader import parse_text
from meshlint.mesh.index import Mesh
from meshlint.mesh.memo import per_mesh
from meshlint.mesh.settings import MESH_NETWORKS_KIND, layer
from meshlint.model import Resource

MESH_NETWORKS_FILE = "<mesh networks>"
MESH_NETWORKS_NAME = "meshnetworks"


@per_mesh
def istio_configmaps(mesh: Mesh) -> list[Resource]:
    """The ``istio`` ConfigMaps (any revision) in the analyzed files (a shared list)."""
    return [
        r
        for r in mesh.of_kind("ConfigMap")
        if r.name == "istio" or (r.name.startswith("istio-") and "mesh" in _data(r))
    ]


def _data(resource: Resource) -> dict:
    data = resource.body.get("data")
    return data if isinstance(data, dict) else {}


def _yaml_mapping(text: object) -> dict | None:
    if not isinstance(text, str):
        return None
    import yaml  # only for an Istio ConfigMap: a one-file lint never needs PyYAML

    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    return value if isinstance(value, dict) else None


@per_mesh
def effective_mesh_config(mesh: Mesh) -> dict:
    """The settings' mesh config with any ``istio`` ConfigMap's ``mesh`` layered on top
    (read once per mesh: a shared dict, callers must not modify it)."""
    config = mesh.settings.mesh_config
    for configmap in istio_configmaps(mesh):
        overlay = _yaml_mapping(_data(configmap).get("mesh"))
        if overlay:
            config = layer(config, overlay)
    return config


def proxy_metadata(config: dict) -> dict[str, str]:
    """``defaultConfig.proxyMetadata`` of a mesh config, values as text."""
    metadata = get(config, ("defaultConfig", "proxyMetadata"))
    return {str(k): str(v) for k, v in metadata.items()} if isinstance(metadata, dict) else {}


def mesh_networks(mesh: Mesh) -> list[Resource]:
    """One synthetic MeshNetworks resource per source of mesh networks."""
    settings = mesh.settings
    out = []
    if settings.mesh_networks:
        body = _networks_body(settings.mesh_networks, settings.mesh_networks_file)
        out.append(_networks_resource(settings.root_namespace, body, settings.mesh_networks_file))
    for configmap in istio_configmaps(mesh):
        data = _data(configmap)
        if not isinstance(data.get("meshNetworks"), str):
            continue
        body = _embedded_networks(configmap)
        if body is not None:
            resource = _networks_resource(configmap.namespace, body, configmap.file)
            resource.linted = configmap.linted
            out.append(resource)
    return out


def _networks_resource(namespace: str, body: PMap, file: str) -> Resource:
    return Resource(
        "v1alpha1",
        MESH_NETWORKS_KIND,
        namespace,
        MESH_NETWORKS_NAME,
        body,
        file or MESH_NETWORKS_FILE,
    )


def _networks_body(networks: dict, path: str) -> PMap:
    """The networks with their positions in ``path`` when it is a plain YAML file."""
    if path:
        try:
            with open(path, encoding="utf-8") as handle:
                parsed = parse_text(handle.read())
        except OSError:
            parsed = None
        if parsed and parsed.documents and isinstance(parsed.documents[0].root, PMap):
            root = parsed.documents[0].root
            if "networks" in root:
                return root
    return positioned(networks)


def _embedded_networks(configmap: Resource) -> PMap | None:
    """The ConfigMap's ``data.meshNetworks`` parsed, positioned in the ConfigMap's file.

    A literal block scalar (``|``) keeps its lines, so each position is shifted to where
    it stands in the file; any other scalar style points everything at the value.
    """
    data = configmap.body["data"]
    parsed = parse_text(data["meshNetworks"])
    root = parsed.documents[0].root if parsed.documents else None
    if not isinstance(root, PMap):
        return None
    spans = data.value_spans if isinstance(data, PMap) else {}
    value_span = spans.get("meshNetworks", getattr(data, "span", (0, 0, 0, 0)))
    offset = _block_offset(configmap.file, value_span)
    if offset is None:
        return positioned(dict(root), value_span)
    _shift(root, *offset)
    return root


def _block_offset(path: str, span: Span) -> tuple[int, int] | None:
    """(first content line, indentation) of the literal block scalar starting at ``span``."""
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    line, column = span[0], span[1]
    if line >= len(lines) or not lines[line][column:].startswith("|"):
        return None
    for content in lines[line + 1 :]:
        if content.strip():
            return line + 1, len(content) - len(content.lstrip(" "))
    return None


def _shift(node: object, lines: int, columns: int, seen: set[int] | None = None) -> None:
    """Move every span under ``node`` (shared alias nodes only once)."""
    seen = set() if seen is None else seen
    if not isinstance(node, PMap | PList) or id(node) in seen:
        return
    seen.add(id(node))

    def move(span: Span) -> Span:
        return (span[0] + lines, span[1] + columns, span[2] + lines, span[3] + columns)

    node.span = move(node.span)
    if isinstance(node, PMap):
        node.key_spans = {k: move(s) for k, s in node.key_spans.items()}
        node.value_spans = {k: move(s) for k, s in node.value_spans.items()}
        children = list(node.values())
    else:
        node.item_spans = [move(s) for s in node.item_spans]
        children = list(node)
    for child in children:
        _shift(child, lines, columns, seen)
