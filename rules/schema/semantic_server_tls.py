"""TLS settings of Gateway servers and Sidecar ingress listeners."""

from meshlint.engine.finding import Severity
from meshlint.rulebases.semantic import REJECTED, WARNED, SemanticRule, below
from meshlint.validation.ports import is_http, is_tls, port_error, protocol
from meshlint.validation.server_tls import (
    PASSTHROUGH_MODES,
    mode,
    server_tls_errors,
    server_tls_warnings,
)
from meshlint.validation.values import mapping, text
from meshlint.validation.walk import enumerate_maps, spec_items

_CERT_FIELDS = ("caCertificates", "privateKey", "serverCertificate")


def tls_blocks(resource):
    """``(path, tls, owner)`` of each server TLS block; ``owner`` is the server or the
    ingress listener holding it."""
    section = "servers" if resource.kind == "Gateway" else "ingress"
    for path, owner in enumerate_maps(resource.spec.get(section), ("spec", section)):
        if isinstance(owner.get("tls"), dict):
            yield (*path, "tls"), owner["tls"], owner


def _gateway_protocol_issues(resource):
    """TLS settings missing on HTTPS/TLS servers, or present on plain-text ones."""
    for path, server in spec_items(resource, "servers"):
        port = mapping(server.get("port"))
        name = port.get("protocol")
        if protocol(name) is None or port_error(port.get("number")):
            continue
        tls = server.get("tls")
        if is_tls(name) and not isinstance(tls, dict):
            yield (*path, "port", "protocol"), f"{name} servers need tls settings"
        elif isinstance(tls, dict) and not is_tls(name):
            redirect_only = mode(tls) in PASSTHROUGH_MODES and not any(
                text(tls.get(f)) for f in _CERT_FIELDS
            )
            if not (is_http(name) and redirect_only):
                yield (
                    (*path, "tls"),
                    (
                        f"a {name} server cannot terminate TLS: use protocol HTTPS or TLS "
                        "(only httpsRedirect is allowed on HTTP servers)"
                    ),
                )


def _sidecar_ingress_issues(path, tls):
    if tls.get("subjectAltNames"):
        yield (*path, "subjectAltNames"), "subjectAltNames is not supported in Sidecar ingress TLS"
    if tls.get("httpsRedirect") is True:
        yield (*path, "httpsRedirect"), "httpsRedirect is not supported in Sidecar ingress TLS"
    if text(tls.get("credentialName")):
        yield (*path, "credentialName"), "credentialName is not supported in Sidecar ingress TLS"
    if tls.get("mode") in ("ISTIO_MUTUAL", "AUTO_PASSTHROUGH"):
        yield (*path, "mode"), f"mode {tls['mode']} is not supported in Sidecar ingress TLS"


class ServerTLSInvalid(SemanticRule):
    """A server's TLS settings are missing, contradictory, or lack certificates.

    ## What it does
    Checks Gateway servers and Sidecar ingress listeners: HTTPS and TLS servers need a
    `tls` block and plain-text servers may not terminate TLS (HTTP servers may only set
    `httpsRedirect`); `ISTIO_MUTUAL` takes no certificates; `SIMPLE` needs a server
    certificate and key, `MUTUAL` also a CA bundle, unless a `credentialName` provides
    them; `caCrl` cannot be combined with `credentialName` or `SIMPLE`. Sidecar ingress
    TLS supports neither `subjectAltNames`, `httpsRedirect`, `credentialName`, nor the
    `ISTIO_MUTUAL` and `AUTO_PASSTHROUGH` modes.

    ## Why it matters
    The webhook rejects the resource, so the listener is not configured.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: public
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 443, name: https, protocol: HTTPS}
        hosts: ["*.example.com"]
        tls:
          mode: SIMPLE  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: public
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 443, name: https, protocol: HTTPS}
        hosts: ["*.example.com"]
        tls:
          mode: SIMPLE
          credentialName: example-com-cert
    ```
    """

    id = "ML744"
    name = "server-tls-invalid"
    severity = Severity.ERROR
    kinds = ("Gateway", "Sidecar")
    equivalents = REJECTED

    def issues(self, resource):
        if resource.kind == "Gateway":
            yield from _gateway_protocol_issues(resource)
        for path, tls, _ in tls_blocks(resource):
            if resource.kind == "Sidecar":
                yield from _sidecar_ingress_issues(path, tls)
            yield from below(path, server_tls_errors(tls))


class ServerTLSIgnoredSettings(SemanticRule):
    """A server's TLS settings include weak, unknown or ignored options.

    ## What it does
    Reports what Istio accepts with a warning in Gateway server and Sidecar ingress TLS:
    `minProtocolVersion` TLSV1_0 or TLSV1_1 without `cipherSuites` (the defaults have no
    cipher those versions can use), unknown or duplicate cipher suites (dropped), and
    certificates on `PASSTHROUGH`/`AUTO_PASSTHROUGH` servers (never used).

    ## Why it matters
    Clients that need the old TLS version cannot connect, or the configuration suggests a
    protection that is not in place.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: public
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 443, name: https, protocol: HTTPS}
        hosts: ["*.example.com"]
        tls:
          mode: SIMPLE
          credentialName: example-com-cert
          cipherSuites:
          - ECDHE-RSA-AES256-GCM-SHA384
          - TLS_AES_256_GCM_SHA384  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: public
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 443, name: https, protocol: HTTPS}
        hosts: ["*.example.com"]
        tls:
          mode: SIMPLE
          credentialName: example-com-cert
          cipherSuites:
          - ECDHE-RSA-AES256-GCM-SHA384
    ```
    """

    id = "ML745"
    name = "server-tls-ignored-settings"
    severity = Severity.WARNING
    kinds = ("Gateway", "Sidecar")
    equivalents = WARNED

    def issues(self, resource):
        for path, tls, _ in tls_blocks(resource):
            yield from below(path, server_tls_warnings(tls))
