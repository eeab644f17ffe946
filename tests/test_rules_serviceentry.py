"""ServiceEntry rules: conflicting protocols and addresses for TCP ports."""

from __future__ import annotations

from meshlint.mesh.settings import DEFAULT_MESH_CONFIG, layer

from conftest import at, found


def entry(name: str, protocol: str, *, namespace: str = "default", extra: str = "") -> str:
    return f"""\
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: {name}
  namespace: {namespace}
spec:
  hosts: [api.example.com]
  location: MESH_EXTERNAL
  resolution: DNS
{extra}  ports:
  - number: 8443
    name: port
    protocol: {protocol}
"""


def test_same_host_and_port_with_different_protocols_conflict(lint_yaml):
    text = entry("a", "HTTPS") + entry("b", "HTTP", namespace="other")
    result = lint_yaml("se.yaml", text)
    assert found(result, "ML401") == [
        ("se-conflicting-protocol", *at(text, "HTTPS")),
        ("se-conflicting-protocol", *at(text, "HTTP\n")),
    ]
    first = next(f for f in result.findings if f.rule.id == "ML401")
    assert "ServiceEntry other/b (HTTP)" in first.message
    assert first.related[0].resource.name == "b"


def test_protocols_compare_case_insensitively(lint_yaml):
    text = entry("a", "http") + entry("b", "HTTP")
    assert found(lint_yaml("se.yaml", text), "ML401") == []


def test_entries_exported_to_disjoint_namespaces_do_not_conflict(lint_yaml):
    local = '  exportTo: ["."]\n'
    text = entry("a", "HTTPS", extra=local) + entry("b", "HTTP", namespace="other", extra=local)
    assert found(lint_yaml("se.yaml", text), "ML401") == []
    hidden = entry("a", "HTTPS", extra='  exportTo: ["~"]\n') + entry("b", "HTTP")
    assert found(lint_yaml("se.yaml", hidden), "ML401") == []


def test_an_entry_exported_everywhere_overlaps_a_local_one(lint_yaml):
    text = entry("a", "HTTPS", extra='  exportTo: ["."]\n') + entry("b", "HTTP", namespace="x")
    assert len(found(lint_yaml("se.yaml", text), "ML401")) == 2


def test_tcp_port_without_addresses_is_reported_at_its_protocol(lint_yaml):
    text = entry("db", "TCP") + entry("web", "HTTPS", namespace="other")
    result = lint_yaml("se.yaml", text)
    assert found(result, "ML402") == [("se-addresses-required", *at(text, "TCP"))]


def test_port_without_protocol_counts_as_tcp(lint_yaml):
    text = entry("db", "TCP").replace("    protocol: TCP\n", "")
    result = lint_yaml("se.yaml", text)
    assert found(result, "ML402") == [("se-addresses-required", *at(text, "8443"))]


def test_addresses_or_allocated_status_addresses_satisfy_tcp(lint_yaml):
    given = entry("db", "TCP", extra="  addresses: [192.0.2.10]\n")
    allocated = (
        entry("db", "TCP")
        + "status:\n  addresses:\n  - {host: api.example.com, value: 240.240.0.1}\n"
    )
    assert found(lint_yaml("se.yaml", given), "ML402") == []
    assert found(lint_yaml("se.yaml", allocated), "ML402") == []


def test_dns_capture_with_auto_allocation_needs_no_addresses(lint_yaml):
    metadata = {"ISTIO_META_DNS_CAPTURE": "true", "ISTIO_META_DNS_AUTO_ALLOCATE": "true"}
    config = layer(DEFAULT_MESH_CONFIG, {"defaultConfig": {"proxyMetadata": metadata}})
    assert found(lint_yaml("se.yaml", entry("db", "TCP"), mesh_config=config), "ML402") == []
    capture_only = layer(
        DEFAULT_MESH_CONFIG,
        {"defaultConfig": {"proxyMetadata": {"ISTIO_META_DNS_CAPTURE": "true"}}},
    )
    assert found(lint_yaml("se.yaml", entry("db", "TCP"), mesh_config=capture_only), "ML402") != []


def test_auto_allocation_can_come_from_the_istio_configmap(lint_yaml):
    configmap = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: istio
  namespace: istio-system
data:
  mesh: |-
    defaultConfig:
      proxyMetadata:
        ISTIO_META_DNS_CAPTURE: "true"
        PILOT_ENABLE_IP_AUTOALLOCATE: "true"
"""
    assert found(lint_yaml("se.yaml", configmap + entry("db", "TCP")), "ML402") == []
