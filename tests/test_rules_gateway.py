"""Gateway rules: shared certificates, conflicting servers and TLS credentials."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from meshlint.mesh.secrets import certificate_problem

from conftest import found


def pem_certificate(not_before: datetime, not_after: datetime) -> bytes:
    """A throwaway self-signed certificate valid between the two dates."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "shop.example.com")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def https_gateway(name: str, credential: str, *, port: int = 443, selector: str = "") -> str:
    labels = selector or "{istio: ingressgateway}"
    return f"""\
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: {name}
  namespace: shop
spec:
  selector: {labels}
  servers:
  - port: {{number: {port}, name: https, protocol: HTTPS}}
    hosts: [{name}.example.com]
    tls:
      mode: SIMPLE
      credentialName: {credential}
"""


def secret(name: str, data: dict[str, bytes], namespace: str = "istio-system") -> str:
    entries = "\n".join(f"  {k}: {base64.b64encode(v).decode()}" for k, v in data.items())
    return f"""\
---
apiVersion: v1
kind: Secret
metadata:
  name: {name}
  namespace: {namespace}
type: kubernetes.io/tls
data:
{entries}
"""


# -- ML210 gateway-duplicate-certificate ----------------------------------------------


def test_same_certificate_on_different_ports_is_fine(lint_yaml):
    text = https_gateway("shop", "wildcard") + https_gateway("blog", "wildcard", port=8443)
    assert found(lint_yaml("a.yaml", text, select=["ML210"])) == []


def test_only_the_gateway_with_the_broader_selector_is_reported(lint_yaml):
    text = https_gateway("shop", "wildcard") + https_gateway(
        "blog", "wildcard", selector="{istio: ingressgateway, tier: edge}"
    )
    result = lint_yaml("a.yaml", text, select=["ML210"])
    assert found(result) == [("gateway-duplicate-certificate", 14, 23)]
    assert result.findings[0].resource.name == "shop"


# -- ML211 gateway-conflicting-servers ------------------------------------------------


def http_gateway(name: str, hosts: str, selector: str, bind: str = "") -> str:
    bind_line = f"\n    bind: {bind}" if bind else ""
    return f"""\
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: {name}
spec:
  selector: {selector}
  servers:
  - port: {{number: 80, name: http, protocol: HTTP}}{bind_line}
    hosts: [{hosts}]
"""


EDGE_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: edge
  namespace: istio-system
  labels: {istio: edge, tier: a, zone: z1}
spec:
  containers: [{name: istio-proxy, image: proxyv2}]
"""


def test_namespace_prefixes_do_not_hide_a_conflict(lint_yaml):
    text = http_gateway("a", '"shop/www.example.com"', "{istio: ingressgateway}") + http_gateway(
        "b", "www.example.com", "{istio: ingressgateway}"
    )
    assert len(lint_yaml("a.yaml", text, select=["ML211"]).findings) == 2


def test_different_bind_addresses_do_not_conflict(lint_yaml):
    text = http_gateway(
        "a", "www.example.com", "{istio: ingressgateway}", bind="10.0.0.1"
    ) + http_gateway("b", "www.example.com", "{istio: ingressgateway}")
    assert found(lint_yaml("a.yaml", text, select=["ML211"])) == []


def test_different_selectors_conflict_when_one_workload_has_both(lint_yaml):
    text = (
        EDGE_POD
        + http_gateway("a", "www.example.com", "{istio: edge, zone: z1}")
        + http_gateway("b", "www.example.com", "{tier: a, istio: edge}")
    )
    result = lint_yaml("a.yaml", text, select=["ML211"])
    assert [f.resource.name for f in result.findings] == ["a", "b"]


def test_selectors_without_a_common_workload_do_not_conflict(lint_yaml):
    text = (
        EDGE_POD
        + http_gateway("a", "www.example.com", "{istio: edge}")
        + http_gateway("b", "www.example.com", "{istio: ingressgateway}")
    )
    assert found(lint_yaml("a.yaml", text, select=["ML211"])) == []


# -- ML212 gateway-credential-not-found, ML213 gateway-credential-invalid -------------


def test_secret_must_be_in_the_gateway_workload_namespace_not_the_gateways(lint_yaml):
    text = (
        secret("other", {"tls.crt": b"x", "tls.key": b"y"})
        + https_gateway("shop", "shop-cert")
        + secret("shop-cert", {"tls.crt": b"x", "tls.key": b"y"}, namespace="shop")
    )
    result = lint_yaml("a.yaml", text, select=["ML212"])
    assert found(result) == [("gateway-credential-not-found", 24, 23)]
    assert "no Secret shop-cert in namespace istio-system" in result.findings[0].message


def test_missing_secret_is_unknown_when_no_secret_of_that_namespace_is_analyzed(lint_yaml):
    result = lint_yaml("a.yaml", https_gateway("shop", "shop-cert"), select=["ML212"])
    assert found(result) == []
    result = lint_yaml(
        "a.yaml", https_gateway("shop", "shop-cert"), select=["ML212"], assume_complete=True
    )
    assert len(result.findings) == 1


def test_a_certificate_resource_creating_the_secret_counts(lint_yaml):
    certificate = """\
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: shop
  namespace: istio-system
spec:
  secretName: shop-cert
  issuerRef: {name: ca}
"""
    text = https_gateway("shop", "shop-cert") + certificate
    result = lint_yaml("a.yaml", text, select=["ML212", "ML213"], assume_complete=True)
    assert found(result) == []


@pytest.mark.parametrize(
    ("days_before", "days_after", "problem"),
    [(-30, 30, None), (-30, -1, "expired on"), (10, 30, "not valid before")],
)
def test_certificate_validity_is_checked_against_now(lint_yaml, days_before, days_after, problem):
    now = datetime.now(UTC)
    cert = pem_certificate(now + timedelta(days=days_before), now + timedelta(days=days_after))
    text = https_gateway("shop", "shop-cert") + secret(
        "shop-cert", {"tls.crt": cert, "tls.key": b"key"}
    )
    result = lint_yaml("a.yaml", text, select=["ML213"])
    messages = [f.message for f in result.findings]
    assert (problem is None and messages == []) or problem in messages[0]


def test_secret_without_certificate_keys_is_invalid(lint_yaml):
    text = https_gateway("shop", "shop-cert") + secret("shop-cert", {"tls.cert": b"x"})
    result = lint_yaml("a.yaml", text, select=["ML213"])
    assert found(result) == [("gateway-credential-invalid", 14, 23)]
    assert (
        "has neither cert/key nor tls.crt/tls.key (it has tls.cert)" in result.findings[0].message
    )


def test_unparsable_certificate():
    assert certificate_problem(b"hush", "cert") == "has a cert that is not a PEM certificate"
