"""Export meshlint's JSON Schemas as draft-07 for the YAML language server.

Writes one file per (group, version, kind) — the same schemas meshlint validates with,
rewritten from draft 2020-12 (``$defs``) to draft-07 (``definitions``) — plus
``all.json``, a bundle that dispatches on ``apiVersion`` and ``kind``.
"""

from __future__ import annotations

import json
from pathlib import Path

from meshlint import schemastore
from meshlint.fs.write import write_file

DRAFT_07 = "http://json-schema.org/draft-07/schema#"


def to_draft07(node: object) -> object:
    """Rename ``$defs`` to ``definitions`` and rewrite the references that point there."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$defs":
                out["definitions"] = to_draft07(value)
            elif key == "$ref" and isinstance(value, str):
                out[key] = value.replace("#/$defs/", "#/definitions/")
            else:
                out[key] = to_draft07(value)
        return out
    if isinstance(node, list):
        return [to_draft07(item) for item in node]
    return node


def export(directory: Path) -> list[Path]:
    """Write every schema and the bundle under ``directory``; returns the files written."""
    written = []
    branches = []
    for key, entry in sorted(schemastore.index().items()):
        api_version = key.rsplit("/", 1)[0]
        schema = to_draft07(schemastore.schema_for(api_version, entry["kind"]))
        schema["$schema"] = DRAFT_07
        target = directory / entry["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        write_file(str(target), (json.dumps(schema, sort_keys=True) + "\n").encode())
        written.append(target)
        branches.append(
            {
                "if": {
                    "properties": {
                        "apiVersion": {"const": api_version},
                        "kind": {"const": entry["kind"]},
                    },
                    "required": ["apiVersion", "kind"],
                },
                "then": {"$ref": entry["path"]},
            }
        )
    bundle = {
        "$schema": DRAFT_07,
        "title": "Istio and Kubernetes resources known to meshlint",
        "type": "object",
        "allOf": branches,
    }
    target = directory / "all.json"
    write_file(str(target), (json.dumps(bundle, indent=1) + "\n").encode())
    written.append(target)
    return written
