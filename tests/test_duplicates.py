"""Two inputs that define the same object: every copy is linted, the duplicate is
reported once naming both, and a reference either copy satisfies is found."""

from __future__ import annotations

from conftest import found

REVIEWS_V1 = """\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  subsets:
  - name: v1
    labels: {version: v1}
  trafficPolicy: {tls: {mode: MUTUL}}
"""
REVIEWS_V2 = """\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  subsets:
  - name: v2
    labels: {version: v2}
"""
ROUTE = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 50
    - destination: {host: reviews, subset: v2}
      weight: 50
"""


def test_the_copy_applied_last_is_reported_naming_the_other(lint_yaml, tmp_path):
    result = lint_yaml("a.yaml", REVIEWS_V1, "b.yaml", REVIEWS_V2)
    (finding,) = [f for f in result.findings if f.rule.id == "ML010"]
    assert (finding.location.file, finding.location.line) == (str(tmp_path / "b.yaml"), 3)
    assert str(tmp_path / "a.yaml") in finding.message
    assert [r.location.file for r in finding.related] == [str(tmp_path / "a.yaml")]


def test_every_copy_is_linted_whatever_the_order(lint_yaml, tmp_path):
    for files in (
        ("a.yaml", REVIEWS_V1, "b.yaml", REVIEWS_V2),
        ("b.yaml", REVIEWS_V2, "a.yaml", REVIEWS_V1),
    ):
        result = lint_yaml(*files)
        assert ("schema-violation", 9, 31) in found(result, "ML701")


def test_a_subset_defined_by_either_copy_is_found(lint_yaml):
    result = lint_yaml("a.yaml", REVIEWS_V1, "b.yaml", REVIEWS_V2, "vs.yaml", ROUTE)
    assert found(result, "ML104") == []


def test_files_without_a_namespace_may_be_applied_to_different_namespaces(lint_yaml):
    plain_v1 = REVIEWS_V1.replace(", namespace: shop", "")
    plain_v2 = REVIEWS_V2.replace(", namespace: shop", "")
    assert found(lint_yaml("a.yaml", plain_v1, "b.yaml", plain_v2), "ML010") == []
    same_file = lint_yaml("a.yaml", plain_v1 + "---\n" + plain_v2)
    assert found(same_file, "ML010") == [("duplicate-resource", 13, 18)]


def test_a_kustomize_patch_is_no_duplicate_and_never_replaces_its_object(lint_yaml):
    deployment = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web}]
"""
    patch = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
"""
    result = lint_yaml("base.yaml", deployment, "patch.yaml", patch)
    assert found(result, "ML010") == []
    (web,) = result.mesh.of_kind("Deployment")
    assert web.file.endswith("base.yaml")
