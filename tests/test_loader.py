"""The loader: every node keeps its position, and bad input becomes findings."""

from __future__ import annotations

from meshlint.fieldpath import parse, render, span_of
from meshlint.loader.sources import decode
from meshlint.loader.yaml_reader import parse_text

from conftest import found

VS = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  http:
  - route:
    - destination:
        host: reviews
        subset: v1
"""


def test_field_path_maps_to_line_and_column():
    doc = parse_text(VS).documents[0].root
    span, found_path = span_of(doc, parse("spec.http[0].route[0].destination.subset"))
    assert span == (9, 16, 9, 18)
    assert found_path == ("spec", "http", 0, "route", 0, "destination", "subset")


def test_key_span_is_available_for_unknown_fields():
    doc = parse_text(VS).documents[0].root
    span, _ = span_of(doc, ("spec", "http"), key=True)
    assert span[:2] == (5, 2)


def test_missing_path_points_at_deepest_existing_node():
    doc = parse_text(VS).documents[0].root
    span, found_path = span_of(doc, parse("spec.http[0].timeout"))
    assert found_path == ("spec", "http", 0)
    assert span[0] == 6


def test_paths_round_trip():
    for text in (
        "spec.http[0].route[1].destination.subset",
        'metadata.labels["app.kubernetes.io/name"]',
    ):
        assert render(parse(text)) == text


def test_yaml_1_1_scalars_read_as_pyyaml_does():
    doc = (
        parse_text("a: 0x1F\nb: yes\nc: 1_000\nd: ~\ne: 1.5\nf: '010'\ng: 010\n").documents[0].root
    )
    assert doc == {"a": 31, "b": True, "c": 1000, "d": None, "e": 1.5, "f": "010", "g": 8}


def test_aliases_share_one_object_so_alias_bombs_stay_small():
    text = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    root = parse_text(text).documents[0].root
    assert root["i"][0] is root["i"][1]


def test_merge_keys_are_applied():
    root = parse_text("base: &b {x: 1}\nobj:\n  <<: *b\n  y: 2\n").documents[0].root
    assert root["obj"] == {"x": 1, "y": 2}


def test_documents_before_a_syntax_error_are_kept():
    result = parse_text("a: 1\n---\nb: [\n")
    assert [d.root for d in result.documents] == [{"a": 1}]
    assert result.issues[0].kind == "syntax" and result.issues[0].span[0] == 3


def test_deep_nesting_is_bounded():
    block = "a:\n" + "".join("  " * i + "b:\n" for i in range(1, 600))
    assert [i.kind for i in parse_text(block).issues] == ["limit"]
    flow = parse_text("a: " + "[" * 5000 + "]" * 5000 + "\n").issues
    assert "nesting depth" in flow[0].message


def test_encodings():
    assert decode("f", b"\xef\xbb\xbfa: 1\n").text == "a: 1\n"
    assert decode("f", "a: 1\n".encode("utf-16")).text == "a: 1\n"
    bad = decode("f", b"a: 1\nb: \xff\n")
    assert bad.text is None and (bad.issue.line, bad.issue.column) == (1, 3)
    assert decode("f", b"\x00\x01binary").issue.kind == "binary"


def test_bad_files_are_reported_and_good_files_still_linted(lint_yaml):
    result = lint_yaml(
        "broken.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: [x\n",
        "vs.yaml",
        VS.replace("host: reviews", "host: nowhere"),
        assume_complete=True,
    )
    assert ("yaml-syntax", 5, 1) in found(result)
    assert found(result, "vs-destination-host-not-found") == [
        ("vs-destination-host-not-found", 9, 15)
    ]
    assert result.unparsed and result.unparsed[0].endswith("broken.yaml")


def test_non_kubernetes_documents_are_one_info_per_file(lint_yaml):
    result = lint_yaml("settings.yaml", "replicas: 3\n---\n- a\n---\n")
    assert [(f.rule.name, f.severity.label) for f in result.findings] == [
        ("not-kubernetes", "info"),
    ]
    assert result.findings[0].message.endswith("(and 1 more in this file)")


def test_list_kinds_are_unpacked(lint_yaml):
    text = """\
    apiVersion: v1
    kind: List
    items:
    - apiVersion: v1
      kind: Service
      metadata: {name: a}
    - apiVersion: v1
      kind: Service
      metadata: {name: b, namespace: prod}
    """
    result = lint_yaml("list.yaml", text)
    assert sorted(r.ref for r in result.mesh.of_kind("Service") if r.linted) == [
        "Service default/a",
        "Service prod/b",
    ]


def test_namespaces_default_and_cluster_scoped_kinds_have_none(lint_yaml):
    text = """\
    apiVersion: v1
    kind: Namespace
    metadata: {name: prod, namespace: ignored}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: a}
    """
    result = lint_yaml("ns.yaml", text, default_namespace="team")
    refs = sorted(r.ref for r in result.mesh.resources if r.linted)
    assert refs == ["Namespace prod", "Service team/a"]
    empty = lint_yaml("ns2.yaml", text, default_namespace="")
    assert "Service a" in {r.ref for r in empty.mesh.resources}


def test_helm_source_comments_are_kept_as_origin(lint_yaml):
    text = """\
    ---
    # Source: chart/templates/svc.yaml
    apiVersion: v1
    kind: Service
    metadata: {name: a}
    ---
    # Source: chart/templates/dr.yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: a}
    spec: {host: a}
    """
    result = lint_yaml("rendered.yaml", text)
    origins = {r.kind: r.helm_source for r in result.mesh.resources if r.linted}
    assert origins == {
        "Service": "chart/templates/svc.yaml",
        "DestinationRule": "chart/templates/dr.yaml",
    }


def test_helm_templates_and_kustomizations_get_a_clear_finding(lint_yaml):
    result = lint_yaml(
        "chart/templates/svc.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Values.name }}\n",
        "kustomization.yaml",
        "resources: [svc.yaml]\n",
    )
    assert sorted(found(result)) == [("helm-template", 4, 9), ("kustomization", 1, 1)]


def test_a_jinja_template_is_a_template_not_a_syntax_error(lint_yaml):
    """An Ansible role's templates/ beside the manifests: `{% if %}` lines break YAML."""
    text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n{% if x %}\n  labels: {}\n"
    result = lint_yaml("role/templates/svc.yml", text + "{% endif %}\n")
    assert found(result) == [("helm-template", 5, 1)]
    assert "Jinja" in result.findings[0].message


def test_duplicate_keys_are_errors(lint_yaml):
    result = lint_yaml(
        "dup.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  name: b\n"
    )
    assert found(result) == [("duplicate-key", 5, 3)]
