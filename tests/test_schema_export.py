"""``meshlint schemas export``: draft-07 schemas and a bundle the YAML language server uses."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from conftest import REPO

VS = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
"""


def test_export_writes_draft07_schemas_and_a_dispatching_bundle(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "meshlint", "schemas", "export", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert run.returncode == 0, run.stderr
    bundle = json.loads((tmp_path / "all.json").read_text())
    assert bundle["$schema"] == "http://json-schema.org/draft-07/schema#"
    vs_file = tmp_path / "networking.istio.io" / "v1" / "virtualservice.json"
    assert "$defs" not in vs_file.read_text()

    def retrieve(uri: str) -> Resource:
        contents = json.loads((tmp_path / uri).read_text())
        return Resource.from_contents(contents, default_specification=DRAFT7)

    jsonschema.Draft7Validator.check_schema(bundle)
    validator = jsonschema.Draft7Validator(bundle, registry=Registry(retrieve=retrieve))
    good = yaml.safe_load(VS)
    assert list(validator.iter_errors(good)) == []
    bad = yaml.safe_load(VS.replace("hosts: [reviews]", "hosts: reviews"))
    assert [e.message for e in validator.iter_errors(bad)] == ["'reviews' is not of type 'array'"]
