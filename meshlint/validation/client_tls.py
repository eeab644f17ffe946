"""Client TLS settings of a DestinationRule traffic policy."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.validation import Issue
from meshlint.validation.values import mapping, text


def client_tls_errors(tls: dict) -> Iterator[Issue]:
    """What Istio rejects in a DestinationRule ``tls`` block (paths below it)."""
    tls_mode = text(tls.get("mode"))
    skip = tls.get("insecureSkipVerify")
    skip = mapping(skip).get("value") if isinstance(skip, dict) else skip
    if skip is True:
        conflicting = {
            "SIMPLE": ("caCertificates", "credentialName", "subjectAltNames"),
            "MUTUAL": ("caCertificates", "subjectAltNames"),
        }.get(tls_mode, ())
        for field in conflicting:
            if tls.get(field) not in (None, ""):
                yield ((field,), f"{field} cannot be set when insecureSkipVerify is true")
    if tls_mode in ("SIMPLE", "MUTUAL") and text(tls.get("credentialName")):
        for field in ("clientCertificate", "privateKey", "caCertificates", "caCrl"):
            if text(tls.get(field)):
                yield (
                    (field,),
                    f"{field} cannot be set with credentialName: the credential provides it",
                )
        return
    if tls_mode == "MUTUAL":
        for field in ("clientCertificate", "privateKey"):
            if not text(tls.get(field)):
                yield (("mode",), f"MUTUAL TLS needs {field} (or a credentialName)")
