"""Generate ``meshlint/data/istio_annotations.json`` from Istio's annotation catalogue.

Sources: ``<shared>/reference/istio-annotations.yaml`` and ``istio-labels.yaml`` (istio/api
``annotation/annotations.yaml`` and ``label/labels.yaml``).

Usage: ``python tools/gen_annotations.py [--shared ../shared] [--out meshlint/data]``.
The output is deterministic: re-running it on the same inputs produces no diff.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "meshlint" / "data"
FILE_NAME = "istio_annotations.json"
REGENERATE = "python tools/gen_annotations.py --shared ../shared"
# istio/api generates a Go enum whose zero value is Alpha: an entry without
# `featureStatus` is Alpha to every Istio analyzer.
DEFAULT_STATUS = "Alpha"


def annotation_entry(item: dict[str, Any]) -> dict[str, Any]:
    """The fields meshlint's rules read, for one catalogue entry."""
    return {
        "status": str(item.get("featureStatus") or DEFAULT_STATUS),
        "deprecated": bool(item.get("deprecated")),
        "hidden": bool(item.get("hidden")),
        "resources": [str(r) for r in item.get("resources") or []],
    }


def build(shared: Path) -> dict[str, Any]:
    reference = shared / "reference"
    annotations = yaml.safe_load((reference / "istio-annotations.yaml").read_text())
    labels = yaml.safe_load((reference / "istio-labels.yaml").read_text())
    return {
        "generated_by": REGENERATE,
        "source": "istio/api annotation/annotations.yaml, label/labels.yaml (Apache-2.0)",
        "annotations": {
            str(item["name"]): annotation_entry(item)
            for item in sorted(annotations["annotations"], key=lambda i: str(i["name"]))
        },
        "labels": sorted({str(item["name"]) for item in labels["labels"]}),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(build(args.shared), indent=1, sort_keys=True) + "\n"
    (args.out / FILE_NAME).write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
