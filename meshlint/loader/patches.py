"""Kustomize patches: partial objects that are merged into a base, never applied alone.

A file listed under ``patches``, ``patchesStrategicMerge`` or ``patchesJson6902`` of a
kustomization among the inputs is a patch. A file linted without its kustomization is
taken for a strategic-merge patch only when it cannot be a whole object: it carries a
``$patch`` directive, or it is a pod controller with no selector, no pod labels and no
container image (a complete Deployment has all three; a patch that adds an argument or
an environment variable has none of them). A controller missing only its selector is
still an object the API server rejects.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from meshlint.core.nodes import PMap
from meshlint.loader.yaml_reader import parse_text
from meshlint.model import Resource, as_list

_PATCH_LISTS = ("patches", "patchesStrategicMerge", "patchesJson6902")
_SELECTED_CONTROLLERS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"})


def kustomize_patch_files(kustomizations: Iterable[tuple[str, str]]) -> set[str]:
    """The normalised paths of the patch files that kustomizations list.

    ``kustomizations`` are (path, text) of kustomization files; inline patches (text
    rather than a file name) are skipped.
    """
    out: set[str] = set()
    for path, text in kustomizations:
        parsed = parse_text(text)
        root = parsed.documents[0].root if parsed.documents else None
        if not isinstance(root, PMap):
            continue
        directory = os.path.dirname(path)
        for field in _PATCH_LISTS:
            for entry in as_list(root.get(field)):
                name = entry.get("path") if isinstance(entry, dict) else entry
                if isinstance(name, str) and name and "\n" not in name:
                    out.add(os.path.normpath(os.path.join(directory, name)))
    return out


#: How deep below a resource's root a ``$`` directive is looked for.
_DIRECTIVE_DEPTH = 32


def looks_like_patch(resource: Resource) -> bool:
    """Whether a resource can only be a strategic-merge patch fragment (see the module)."""
    return resource.partial or _has_directive(resource.body) or _controller_fragment(resource)


def _has_directive(value: object) -> bool:
    """Whether a mapping key within 32 levels of ``value`` starts with ``$``."""
    level = [value]
    for _ in range(_DIRECTIVE_DEPTH + 1):
        below: list = []
        for item in level:
            if isinstance(item, dict):
                for key, child in item.items():
                    if isinstance(key, str) and key.startswith("$"):
                        return True
                    if isinstance(child, dict | list):
                        below.append(child)
            elif isinstance(item, list):
                below.extend(child for child in item if isinstance(child, dict | list))
        if not below:
            return False
        level = below
    return False


def _controller_fragment(resource: Resource) -> bool:
    if resource.kind not in _SELECTED_CONTROLLERS or "selector" in resource.spec:
        return False
    template = resource.spec.get("template")
    template = template if isinstance(template, dict) else {}
    metadata = template.get("metadata")
    if isinstance(metadata, dict) and metadata.get("labels"):
        return False
    spec = template.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    containers = [
        c
        for field in ("containers", "initContainers")
        for c in as_list(spec.get(field))
        if isinstance(c, dict)
    ]
    return not any(c.get("image") for c in containers)
