"""Gateway TLS credentials must be Secrets in the gateway workload's namespace, holding a
usable certificate."""

from collections.abc import Iterator

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.fieldpath import Path
from meshlint.mesh.gateways import gateway_selector
from meshlint.mesh.index import ISTIO_NETWORKING
from meshlint.mesh.memo import per_mesh
from meshlint.mesh.secrets import SECRET_KINDS, credential_problem, resolve_secret
from meshlint.mesh.workloads import WORKLOAD_KINDS
from meshlint.model import Resource

KINDS = ("Gateway", *SECRET_KINDS, *WORKLOAD_KINDS)


def credential_refs(gateway: Resource) -> Iterator[tuple[Path, str]]:
    """(path, name) of each ``credentialName`` and ``credentialNames`` entry."""
    servers = gateway.spec.get("servers")
    for i, server in enumerate(servers if isinstance(servers, list) else []):
        tls = server.get("tls") if isinstance(server, dict) else None
        if not isinstance(tls, dict):
            continue
        base = ("spec", "servers", i, "tls")
        name = tls.get("credentialName")
        if isinstance(name, str) and name and "://" not in name:
            yield (*base, "credentialName"), name
        names = tls.get("credentialNames")
        for k, name in enumerate(names if isinstance(names, list) else []):
            if isinstance(name, str) and name and "://" not in name:
                yield (*base, "credentialNames", k), name


def lookups(gateway: Resource, name: str, mesh) -> list[tuple[str, str]]:
    """(namespace, secret name) pairs a credential must resolve in: the namespace of each
    workload the Gateway selects, unless the name is ``namespace/name``."""
    if "/" in name:
        namespace, _, secret = name.partition("/")
        return [(namespace, secret)]
    return [
        (namespace, name)
        for namespace in _namespaces(mesh, tuple(gateway_selector(gateway).items()))
    ]


@per_mesh
def _namespaces(mesh, selector: tuple) -> list[str]:
    """The namespaces of the workloads a Gateway selector selects (once per selector)."""
    return sorted({w.namespace for w in mesh.workloads.matching(dict(selector))})


class CredentialNotFound(Rule):
    """A Gateway's `credentialName` names a Secret that is not in its workload's namespace.

    ## What it does
    For each TLS server `credentialName` (and `credentialNames` entry) of an Istio
    Gateway, looks for the Secret in the namespace of every workload the Gateway selects
    (the gateway Pods read it there, not in the Gateway's namespace). A cert-manager
    Certificate, ExternalSecret or SealedSecret that creates the Secret counts. Since
    Secrets are often created outside the manifests, a missing Secret is only reported
    when the analyzed files define other Secrets in that namespace, or with
    `--assume-complete`. Gateways that select no workload are left to
    `gateway-selector-no-workload`.

    ## Why it matters
    Without its certificate the gateway cannot complete TLS handshakes for the server's
    hosts: HTTPS clients get connection resets.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Secret
    metadata:
      name: shop-tls
      namespace: istio-system
    type: kubernetes.io/tls
    stringData: {tls.crt: "", tls.key: ""}
    ---
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: shop
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 443, name: https, protocol: HTTPS}
        hosts: [shop.example.com]
        tls:
          mode: SIMPLE
          credentialName: shop-cert  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: cert-manager.io/v1
    kind: Certificate
    metadata:
      name: shop
      namespace: istio-system
    spec:
      secretName: shop-cert
      dnsNames: [shop.example.com]
      issuerRef: {name: letsencrypt, kind: ClusterIssuer}
    ---
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: shop
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 443, name: https, protocol: HTTPS}
        hosts: [shop.example.com]
        tls:
          mode: SIMPLE
          credentialName: shop-cert
    ```
    """

    id = "ML212"
    name = "gateway-credential-not-found"
    severity = Severity.ERROR
    category = "reference"
    kinds = KINDS
    targets = ("Gateway",)
    equivalents = Equivalents(istio="IST0101", analyzers=("gateway.SecretAnalyzer",))

    def check(self, mesh):
        for gateway in mesh.of_kind("Gateway", group=ISTIO_NETWORKING):
            if gateway.linted:
                yield from self._check_gateway(gateway, mesh)

    def _check_gateway(self, gateway, mesh):
        for path, name in credential_refs(gateway):
            for namespace, secret in lookups(gateway, name, mesh):
                resolution = resolve_secret(mesh, namespace, secret)
                message = (
                    f'credential "{name}" not found: no Secret {secret} in namespace '
                    f"{namespace}, where the gateway workload reads it"
                )
                yield from self.unresolved(gateway, path, resolution, message)


class InvalidCredential(Rule):
    """A Gateway's TLS credential Secret holds no usable certificate.

    ## What it does
    For each `credentialName` of an Istio Gateway whose Secret is in the analyzed files
    (in the namespace of the workloads the Gateway selects), checks what Istio checks
    before serving it: the Secret has non-empty `cert`/`key` or `tls.crt`/`tls.key`
    entries, the certificate is PEM, and it is valid now (not expired, not valid only in
    the future). The certificate is parsed with the `cryptography` package; without it
    only the keys are checked.

    ## Why it matters
    The gateway cannot load the credential, so TLS handshakes for the server's hosts fail
    (or clients reject the expired certificate).

    ## Example
    ```yaml
    apiVersion: v1
    kind: Secret
    metadata:
      name: shop-cert
      namespace: istio-system
    type: kubernetes.io/tls
    stringData:
      tls.cert: "-----BEGIN CERTIFICATE-----"
      tls.key: "-----BEGIN PRIVATE KEY-----"
    ---
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: shop
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 443, name: https, protocol: HTTPS}
        hosts: [shop.example.com]
        tls:
          mode: SIMPLE
          credentialName: shop-cert  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: cert-manager.io/v1
    kind: Certificate
    metadata:
      name: shop
      namespace: istio-system
    spec:
      secretName: shop-cert
      dnsNames: [shop.example.com]
      issuerRef: {name: letsencrypt, kind: ClusterIssuer}
    ---
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: shop
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 443, name: https, protocol: HTTPS}
        hosts: [shop.example.com]
        tls:
          mode: SIMPLE
          credentialName: shop-cert
    ```
    """

    id = "ML213"
    name = "gateway-credential-invalid"
    severity = Severity.ERROR
    category = "reference"
    kinds = KINDS
    targets = ("Gateway",)
    equivalents = Equivalents(istio="IST0161", analyzers=("gateway.SecretAnalyzer",))

    def check(self, mesh):
        for gateway in mesh.of_kind("Gateway", group=ISTIO_NETWORKING):
            if gateway.linted:
                yield from self._check_gateway(gateway, mesh)

    def _check_gateway(self, gateway, mesh):
        for path, name in credential_refs(gateway):
            for namespace, secret_name in lookups(gateway, name, mesh):
                resolution = resolve_secret(mesh, namespace, secret_name)
                for secret in resolution.targets:
                    if secret.kind != "Secret":
                        continue
                    problem = credential_problem(secret)
                    if problem:
                        yield self.report(
                            gateway,
                            path,
                            f'credential "{name}" is unusable: Secret {secret.qualified_name} '
                            f"{problem}",
                            related=[related_to(secret, ("data",), secret.ref)],
                        )
