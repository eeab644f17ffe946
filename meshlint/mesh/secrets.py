"""TLS credentials: finding the Secret a ``credentialName`` names, and checking what it holds.

Secrets are often created outside the manifests (cert-manager, External Secrets, Sealed
Secrets, ``kubectl create secret``), so a Secret counts as present when one of those
resources produces it, and as unknown when nothing in the analyzed files manages Secrets
in that namespace.
"""

from __future__ import annotations

import base64
import binascii
import warnings
from datetime import UTC, datetime

from meshlint.fieldpath import get
from meshlint.mesh.index import Mesh
from meshlint.mesh.memo import per_mesh
from meshlint.mesh.resolve import Resolution, found, not_found, unknown
from meshlint.model import Resource

#: Kinds that create a Secret, and where they name it (metadata.name when absent).
SECRET_PRODUCERS: dict[str, tuple[str, ...]] = {
    "Certificate": ("spec", "secretName"),
    "ExternalSecret": ("spec", "target", "name"),
    "SealedSecret": ("spec", "template", "metadata", "name"),
}
SECRET_KINDS = ("Secret", *SECRET_PRODUCERS)

#: Key pairs Istio reads a server certificate from, in the order it tries them.
CREDENTIAL_KEYS = (("cert", "key"), ("tls.crt", "tls.key"))


def produced_name(resource: Resource) -> str:
    """The name of the Secret a resource is or creates."""
    path = SECRET_PRODUCERS.get(resource.kind)
    name = get(resource.body, path) if path else None
    return name if isinstance(name, str) and name else resource.name


@per_mesh
def _by_name(mesh: Mesh) -> dict[str, dict[str, list[Resource]]]:
    """Secrets and the resources that create them, by namespace and Secret name."""
    out: dict[str, dict[str, list[Resource]]] = {}
    for resource in mesh.of_kind(*SECRET_KINDS):
        names = out.setdefault(resource.namespace, {})
        names.setdefault(produced_name(resource), []).append(resource)
    return out


@per_mesh
def resolve_secret(mesh: Mesh, namespace: str, name: str) -> Resolution:
    """The Secret (or the resource that creates it) named ``name`` in ``namespace``
    (memoized: the resolution is shared, callers must not modify it)."""
    in_namespace = _by_name(mesh).get(namespace, {})
    matches = in_namespace.get(name, [])
    secrets = [r for r in matches if r.kind == "Secret"]
    if secrets or matches:
        return found(secrets or matches)
    if mesh.settings.assume_complete:
        return not_found()
    if in_namespace:
        return not_found(f"the analyzed files define other Secrets in {namespace}")
    return unknown(f"no Secret of namespace {namespace} is in the analyzed files")


def secret_data(secret: Resource) -> tuple[dict[str, bytes], list[str]]:
    """The Secret's entries, decoded, and the keys whose value is not valid base64."""
    out: dict[str, bytes] = {}
    bad: list[str] = []
    data = secret.body.get("data")
    if isinstance(data, dict):
        for key, value in data.items():
            try:
                out[str(key)] = base64.b64decode(str(value or ""), validate=True)
            except (binascii.Error, ValueError):
                bad.append(str(key))
    plain = secret.body.get("stringData")
    if isinstance(plain, dict):
        out.update({str(k): str(v or "").encode() for k, v in plain.items()})
    return out, bad


def credential_problem(secret: Resource, now: datetime | None = None) -> str | None:
    """Why a Secret cannot serve as a gateway's TLS credential (a phrase following "the
    Secret"), or None if it can, or if ``cryptography`` is not installed to check it."""
    data, bad = secret_data(secret)
    if bad:
        return f"has invalid base64 in {', '.join(sorted(bad))}"
    pair = next((p for p in CREDENTIAL_KEYS if data.get(p[0]) and data.get(p[1])), None)
    if pair is None:
        keys = ", ".join(sorted(data)) or "no keys"
        return f"has neither cert/key nor tls.crt/tls.key (it has {keys})"
    return certificate_problem(data[pair[0]], pair[0], now)


def certificate_problem(pem: bytes, key: str, now: datetime | None = None) -> str | None:
    """Why the first certificate of a PEM bundle is unusable: unparsable, expired or not
    yet valid."""
    try:
        from cryptography import x509
    except ImportError:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cert = x509.load_pem_x509_certificate(pem)
            not_before, not_after = cert.not_valid_before_utc, cert.not_valid_after_utc
    except ValueError:
        return f"has a {key} that is not a PEM certificate"
    now = now or datetime.now(UTC)
    if now > not_after:
        return f"holds a certificate that expired on {not_after:%Y-%m-%d %H:%M} UTC"
    if now < not_before:
        return f"holds a certificate not valid before {not_before:%Y-%m-%d %H:%M} UTC"
    return None
