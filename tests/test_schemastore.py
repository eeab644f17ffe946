"""Specs for the bundled JSON Schemas and their validation (meshlint.schemastore)."""

from __future__ import annotations

import datetime
import filecmp
import functools
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from meshlint.schemastore import (
    SchemaError,
    Validator,
    kinds_of_group,
    known_groups,
    known_kinds,
    known_versions,
    schema_entry,
    schema_for,
    validate,
    validator_for,
)

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO / "schemas"
SHARED = REPO.parent / "shared"
BOOKINFO = SHARED / "reference" / "samples" / "bookinfo"

# Every behaviour is checked with the jsonschema-rs fast path and with jsonschema alone.
both_paths = pytest.mark.parametrize("fast", [True, False], ids=["fast-path", "jsonschema-only"])


@functools.cache
def _validator(api_version: str, kind: str, fast: bool) -> Validator:
    schema = schema_for(api_version, kind)
    assert schema is not None, f"no schema for {api_version}/{kind}"
    return Validator(schema, fast=fast)


def errors(document: dict[str, Any], fast: bool) -> list[SchemaError]:
    return _validator(document["apiVersion"], document["kind"], fast).errors(document)


def virtual_service(http: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": "reviews"},
        "spec": {"hosts": ["reviews"], "http": [http]},
    }


def service(spec: dict[str, Any]) -> dict[str, Any]:
    ports = [{"name": "http", "port": 80, "targetPort": 9080}]
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "reviews"},
        "spec": {"ports": ports, **spec},
    }


def destination_rule(traffic_policy: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "networking.istio.io/v1",
        "kind": "DestinationRule",
        "metadata": {"name": "reviews"},
        "spec": {"host": "reviews", "trafficPolicy": traffic_policy},
    }


def peer_authentication(port_level_mtls: dict[Any, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "security.istio.io/v1",
        "kind": "PeerAuthentication",
        "metadata": {"name": "default"},
        "spec": {"selector": {"matchLabels": {"app": "reviews"}}, "portLevelMtls": port_level_mtls},
    }


def gateway_api_gateway(addresses: list[dict[str, Any]]) -> dict[str, Any]:
    listener = {"name": "http", "port": 80, "protocol": "HTTP"}
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": {"name": "edge"},
        "spec": {"gatewayClassName": "istio", "listeners": [listener], "addresses": addresses},
    }


def walk(node: Any) -> Any:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


# --- wrong values are reported where they are ------------------------------------------------


@both_paths
def test_virtualservice_timeout_of_wrong_type_is_reported_at_its_path(fast: bool) -> None:
    document = virtual_service({"timeout": 5, "route": [{"destination": {"host": "reviews"}}]})

    [error] = errors(document, fast)

    assert error.path == ("spec", "http", 0, "timeout")
    assert error.validator == "type"
    assert "string" in error.message


@both_paths
def test_service_type_outside_its_enum_lists_the_allowed_values(fast: bool) -> None:
    [error] = errors(service({"type": "Foo"}), fast)

    assert error.path == ("spec", "type")
    assert error.validator == "enum"
    assert error.allowed == ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
    assert error.message == (
        'Unsupported value: "Foo": supported values: '
        '"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'
    )


@both_paths
def test_missing_required_field_points_at_the_parent_and_names_the_key(fast: bool) -> None:
    document = {
        "apiVersion": "networking.istio.io/v1",
        "kind": "ServiceEntry",
        "metadata": {"name": "external"},
        "spec": {"ports": [{"number": 443, "name": "https", "protocol": "TLS"}]},
    }

    [error] = errors(document, fast)

    assert error.path == ("spec",)
    assert error.validator == "required"
    assert error.field == "hosts"
    assert error.message == 'Required value: "hosts" is missing'


@both_paths
def test_two_members_of_a_proto_oneof_are_reported_by_name(fast: bool) -> None:
    load_balancer = {"simple": "ROUND_ROBIN", "consistentHash": {"useSourceIp": True}}

    [error] = errors(destination_rule({"loadBalancer": load_balancer}), fast)

    assert error.path == ("spec", "trafficPolicy", "loadBalancer")
    assert error.validator == "oneOf"
    assert 'found "simple", "consistentHash"' in error.message


@both_paths
def test_one_member_of_a_proto_oneof_is_valid(fast: bool) -> None:
    assert errors(destination_rule({"loadBalancer": {"simple": "LEAST_REQUEST"}}), fast) == []


@both_paths
def test_set_lists_reject_duplicates(fast: bool) -> None:
    modifier = {"remove": ["x-debug", "x-debug"]}
    rule = {"filters": [{"type": "RequestHeaderModifier", "requestHeaderModifier": modifier}]}
    document = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "reviews"},
        "spec": {"rules": [rule]},
    }

    [error] = errors(document, fast)

    assert error.path == ("spec", "rules", 0, "filters", 0, "requestHeaderModifier", "remove")
    assert error.validator == "uniqueItems"


@both_paths
def test_int32_fields_reject_values_out_of_range(fast: bool) -> None:
    document = service({"ports": [{"port": 2**31}]})

    [error] = errors(document, fast)

    assert error.path == ("spec", "ports", 0, "port")
    assert error.validator == "maximum"


@both_paths
def test_labels_of_an_istio_resource_must_be_strings(fast: bool) -> None:
    document = destination_rule({})
    document["metadata"]["labels"] = {"version": 1}

    [error] = errors(document, fast)

    assert error.path == ("metadata", "labels", "version")


# --- what Kubernetes accepts is accepted -----------------------------------------------------


@both_paths
def test_explicit_null_is_accepted_where_the_crd_says_nullable(fast: bool) -> None:
    locality = {"enabled": None}
    document = destination_rule({"loadBalancer": {"localityLbSetting": locality}})

    assert errors(document, fast) == []


@both_paths
def test_explicit_null_is_accepted_in_kubernetes_kinds(fast: bool) -> None:
    document = service({"type": None, "clusterIP": None})
    document["spec"]["ports"][0]["targetPort"] = None

    assert errors(document, fast) == []


@both_paths
@pytest.mark.parametrize("target_port", [9080, "http"])
def test_int_or_string_field_accepts_both(fast: bool, target_port: int | str) -> None:
    document = service({})
    document["spec"]["ports"][0]["targetPort"] = target_port

    assert errors(document, fast) == []


@both_paths
def test_int_or_string_field_rejects_other_types(fast: bool) -> None:
    document = service({})
    document["spec"]["ports"][0]["targetPort"] = 80.5

    [error] = errors(document, fast)

    assert error.path == ("spec", "ports", 0, "targetPort")
    assert error.validator == "type"


@both_paths
def test_gateway_address_without_type_is_checked_as_its_default(fast: bool) -> None:
    assert errors(gateway_api_gateway([{"value": "10.0.0.1"}]), fast) == []
    assert errors(gateway_api_gateway([{"type": "Hostname", "value": "edge.example"}]), fast) == []


@both_paths
def test_integer_yaml_keys_are_read_as_strings_like_kubernetes_does(fast: bool) -> None:
    assert errors(peer_authentication({8080: {"mode": "DISABLE"}}), fast) == []

    [error] = errors(peer_authentication({8080: {"mode": "OFF"}}), fast)

    assert error.path == ("spec", "portLevelMtls", "8080", "mode")
    assert error.allowed == ["UNSET", "DISABLE", "PERMISSIVE", "STRICT"]


@both_paths
def test_yaml_timestamps_are_read_as_strings(fast: bool) -> None:
    document = service({})
    document["metadata"]["annotations"] = {"released": datetime.date(2024, 1, 31)}

    assert errors(document, fast) == []


@both_paths
def test_unknown_fields_are_left_to_a_separate_check(fast: bool) -> None:
    document = virtual_service({"route": [{"destination": {"host": "reviews"}}], "retrys": {}})

    assert errors(document, fast) == []


# --- lookup --------------------------------------------------------------------------------


def test_unknown_kinds_have_no_schema_and_no_errors() -> None:
    assert schema_for("example.com/v1", "Widget") is None
    assert validator_for("example.com/v1", "Widget") is None
    assert validate("example.com/v1", "Widget", {"spec": 1}) == []


def test_validate_uses_the_cached_validator_of_the_kind() -> None:
    assert validator_for("v1", "Service") is validator_for("v1", "Service")
    assert [e.validator for e in validate("v1", "Service", service({"type": "Foo"}))] == ["enum"]


def test_known_versions_lists_served_versions_preferred_first() -> None:
    assert known_versions("networking.istio.io", "VirtualService") == ["v1", "v1beta1", "v1alpha3"]
    assert known_versions("telemetry.istio.io", "Telemetry") == ["v1", "v1alpha1"]
    assert known_versions("", "Service") == ["v1"]
    assert known_versions("core", "Service") == ["v1"]
    assert known_versions("networking.istio.io", "Widget") == []


def test_index_entries_say_what_is_deprecated_and_why() -> None:
    tls_route = schema_entry("gateway.networking.k8s.io/v1alpha2", "TLSRoute")
    virtual_service = schema_entry("networking.istio.io/v1", "VirtualService")

    assert tls_route is not None and virtual_service is not None
    assert tls_route["deprecated"] is True
    assert "Please upgrade to v1" in tls_route["deprecation_warning"]
    assert virtual_service["deprecated"] is False
    assert schema_entry("networking.istio.io/v2", "VirtualService") is None


def test_kinds_and_groups_with_a_schema() -> None:
    assert {"VirtualService", "Deployment", "HTTPRoute"} <= set(known_kinds())
    assert {"", "apps", "networking.istio.io", "gateway.networking.k8s.io"} <= known_groups()
    assert kinds_of_group("security.istio.io") == [
        "AuthorizationPolicy",
        "PeerAuthentication",
        "RequestAuthentication",
    ]


@both_paths
def test_a_null_proto_oneof_is_reported_once_as_a_type_error(fast: bool) -> None:
    document = destination_rule({"loadBalancer": None})

    assert [(e.path, e.validator) for e in errors(document, fast)] == [
        (("spec", "trafficPolicy", "loadBalancer"), "type")
    ]


@both_paths
def test_messages_use_the_api_servers_words(fast: bool) -> None:
    document = {
        "apiVersion": "extensions.istio.io/v1alpha1",
        "kind": "WasmPlugin",
        "metadata": {"name": "filter"},
        "spec": {"url": "", "sha256": "foo", "priority": "high"},
    }

    assert [e.message for e in errors(document, fast)] == [
        'Invalid value: must be of type integer, got string "high"',
        "Invalid value: \"foo\": should match '(^$|^[a-f0-9]{64}$)'",
        'Invalid value: "": should be at least 1 chars long',
    ]


def test_istio_and_gateway_api_gateways_are_told_apart_by_group() -> None:
    istio = schema_for("networking.istio.io/v1", "Gateway")
    gateway_api = schema_for("gateway.networking.k8s.io/v1", "Gateway")

    assert istio is not None and gateway_api is not None
    assert "servers" in istio["properties"]["spec"]["properties"]
    assert "listeners" in gateway_api["properties"]["spec"]["properties"]


# --- the generated schemas -------------------------------------------------------------------


def _index() -> dict[str, dict[str, Any]]:
    return json.loads((SCHEMAS / "index.json").read_text(encoding="utf-8"))


def test_every_file_listed_in_the_index_exists_and_every_schema_is_listed() -> None:
    listed = {entry["path"] for entry in _index().values()}
    on_disk = {
        p.relative_to(SCHEMAS).as_posix() for p in SCHEMAS.rglob("*.json") if p.name != "index.json"
    }

    assert listed == on_disk


def test_index_keys_are_api_version_and_kind() -> None:
    index = _index()

    assert index["networking.istio.io/v1/VirtualService"]["path"] == (
        "networking.istio.io/v1/virtualservice.json"
    )
    assert index["v1/Service"]["path"] == "core/v1/service.json"
    assert index["apps/v1/Deployment"]["source"].startswith("kubernetes-validate")
    for key, entry in index.items():
        group = f"{entry['group']}/" if entry["group"] else ""
        assert key == f"{group}{entry['version']}/{entry['kind']}"


def test_every_schema_is_a_valid_draft_2020_12_schema() -> None:
    for entry in _index().values():
        schema = json.loads((SCHEMAS / entry["path"]).read_text(encoding="utf-8"))
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        if importlib.util.find_spec("jsonschema_rs"):
            import jsonschema_rs

            assert jsonschema_rs.meta.is_valid(schema), entry["path"]
        else:
            from jsonschema import Draft202012Validator

            Draft202012Validator.check_schema(schema)


def test_crd_schemas_describe_the_top_level_fields() -> None:
    schema = schema_for("networking.istio.io/v1beta1", "VirtualService")
    assert schema is not None

    properties = schema["properties"]

    assert properties["apiVersion"]["enum"] == ["networking.istio.io/v1beta1"]
    assert properties["kind"]["enum"] == ["VirtualService"]
    assert properties["metadata"]["$ref"].startswith("#/$defs/")


def test_istio_schemas_gain_no_additional_properties_false() -> None:
    for key, entry in _index().items():
        if ".istio.io/" in key:
            schema = schema_for(key.rsplit("/", 1)[0], entry["kind"])
            assert all(node.get("additionalProperties") is not False for node in walk(schema))


def test_cel_rules_and_list_map_keys_are_kept_for_later_passes() -> None:
    extension = schema_for("extensions.istio.io/v1alpha1", "TrafficExtension")
    kubernetes_service = schema_for("v1", "Service")
    assert extension is not None and kubernetes_service is not None

    rules = extension["properties"]["spec"]["x-kubernetes-validations"]
    ports = kubernetes_service["$defs"]["io.k8s.api.core.v1.ServiceSpec"]["properties"]["ports"]

    assert any("has(self.targetRefs)" in rule["rule"] for rule in rules)
    assert ports["x-kubernetes-list-map-keys"] == ["port", "protocol"]


def test_sources_record_origin_and_licence() -> None:
    text = (SCHEMAS / "SOURCES.md").read_text(encoding="utf-8")

    assert "Apache-2.0" in text
    assert "istio-crds.yaml" in text and "gateway-api-crds.yaml" in text
    assert "kubernetes-validate" in text


@pytest.mark.skipif(not BOOKINFO.is_dir(), reason="../shared/reference is not present")
@both_paths
def test_bookinfo_validates_without_errors(fast: bool) -> None:
    documents = []
    for path in sorted(BOOKINFO.glob("*.yaml")):
        with path.open(encoding="utf-8") as stream:
            documents += [d for d in yaml.safe_load_all(stream) if d]

    assert len(documents) > 10
    for document in documents:
        assert errors(document, fast) == [], document["metadata"]["name"]


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is not present")
@pytest.mark.skipif(
    not importlib.util.find_spec("kubernetes_validate"),
    reason="kubernetes-validate (a generation-time dependency) is not installed",
)
def test_generator_reproduces_the_committed_schemas(tmp_path: Path) -> None:
    command = [sys.executable, str(REPO / "tools" / "gen_schemas.py"), "--shared", str(SHARED)]
    subprocess.run([*command, "--out", str(tmp_path)], check=True, capture_output=True)

    generated = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(
        p.relative_to(SCHEMAS)
        for p in SCHEMAS.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )
    assert generated == committed
    _, mismatch, missing = filecmp.cmpfiles(tmp_path, SCHEMAS, generated, shallow=False)
    assert mismatch == [] and missing == []
