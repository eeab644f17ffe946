"""TLS settings of a server (Gateway servers, Sidecar ingress listeners)."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.validation import Issue
from meshlint.validation.values import items, text

#: The cipher suites Envoy (BoringSSL) accepts in ``cipherSuites``.
CIPHER_SUITES = frozenset(
    {
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-RSA-CHACHA20-POLY1305",
        "ECDHE-ECDSA-AES128-SHA",
        "ECDHE-RSA-AES128-SHA",
        "ECDHE-ECDSA-AES256-SHA",
        "ECDHE-RSA-AES256-SHA",
        "AES128-GCM-SHA256",
        "AES256-GCM-SHA384",
        "AES128-SHA",
        "AES256-SHA",
        "DES-CBC3-SHA",
    }
)
_FILES = ("serverCertificate", "privateKey", "caCertificates")
PASSTHROUGH_MODES = ("PASSTHROUGH", "AUTO_PASSTHROUGH")


def mode(tls: dict) -> str:
    """The TLS mode; unset means PASSTHROUGH (the enum's zero value)."""
    return text(tls.get("mode")) or "PASSTHROUGH"


def has_credential(tls: dict) -> bool:
    """Whether certificates come from a Secret or a list instead of file paths."""
    return bool(text(tls.get("credentialName")) or items(tls.get("credentialNames"))) or bool(
        items(tls.get("tlsCertificates"))
    )


def server_tls_errors(tls: dict) -> Iterator[Issue]:
    """What Istio rejects in a server ``tls`` block (paths below it)."""
    tls_mode = mode(tls)
    if tls_mode == "ISTIO_MUTUAL":
        for field in (*_FILES, "credentialName", "credentialNames", "tlsCertificates"):
            if tls.get(field):
                yield ((field,), f"ISTIO_MUTUAL TLS uses Istio's certificates: remove {field}")
        return
    if tls_mode in ("SIMPLE", "MUTUAL", "OPTIONAL_MUTUAL") and has_credential(tls):
        return
    required = {"SIMPLE": _FILES[:2], "MUTUAL": _FILES, "OPTIONAL_MUTUAL": _FILES}
    missing = [f for f in required.get(tls_mode, ()) if not text(tls.get(f))]
    if missing:
        yield (
            ("mode",),
            f"{tls_mode} TLS needs {', '.join(missing)} (or a credentialName)",
        )
    if text(tls.get("caCrl")):
        if text(tls.get("credentialName")):
            yield (
                ("caCrl",),
                "caCrl is not supported with credentialName: put the CRL in the credential",
            )
        if tls_mode == "SIMPLE":
            yield (("caCrl",), "caCrl is not supported with SIMPLE TLS")


def server_tls_warnings(tls: dict) -> Iterator[Issue]:
    """Settings Istio accepts but ignores or distrusts (paths below the block)."""
    ciphers = items(tls.get("cipherSuites"))
    version = tls.get("minProtocolVersion")
    if version in ("TLSV1_0", "TLSV1_1") and not ciphers:
        yield (
            ("minProtocolVersion",),
            f"{version} needs compatible cipherSuites: the defaults no longer include any",
        )
    seen: set[str] = set()
    for i, cipher in enumerate(ciphers):
        if not isinstance(cipher, str):
            continue
        if not _valid_cipher(cipher):
            yield (("cipherSuites", i), f'unknown cipher suite "{cipher}" is ignored')
        elif cipher in seen:
            yield (("cipherSuites", i), f'duplicate cipher suite "{cipher}" is ignored')
        seen.add(cipher)
    if mode(tls) in PASSTHROUGH_MODES:
        for field in (*_FILES, "caCrl", "credentialName"):
            if text(tls.get(field)):
                yield ((field,), f"{mode(tls)} mode does not use certificates: {field} is ignored")


def _valid_cipher(cipher: str) -> bool:
    if cipher in ("", "ALL") or not cipher[0].isalnum():
        return True
    return cipher in CIPHER_SUITES
