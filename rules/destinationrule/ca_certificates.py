"""DestinationRules originating TLS should say how to verify the server's certificate."""

from collections.abc import Iterator

from meshlint.engine.finding import Finding, Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.fieldpath import Path, get
from meshlint.model import Resource

VERIFYING_MODES = ("SIMPLE", "MUTUAL")


def unverified(tls: object, has_selector: bool) -> str | None:
    """The TLS mode when it originates TLS without ``caCertificates`` (a ``credentialName``
    counts when the DestinationRule has a ``workloadSelector``, as its Secret may hold the
    CA), else None."""
    if not isinstance(tls, dict):
        return None
    mode = str(tls.get("mode") or "").upper()
    if mode not in VERIFYING_MODES or tls.get("caCertificates"):
        return None
    if tls.get("credentialName") and has_selector:
        return None
    return mode


def insecure(tls: object) -> bool:
    """Whether TLS settings turn off verification of the server's certificate."""
    return isinstance(tls, dict) and tls.get("insecureSkipVerify") is True


def finding_for(rule: Rule, dr: Resource, tls_path: Path, mode: str, where: str = "") -> Finding:
    """The finding for TLS settings without ``caCertificates``: a warning when
    ``insecureSkipVerify`` turns verification off, else a note on what Istio does."""
    host = dr.spec.get("host")
    tls = get(dr.body, tls_path)
    if insecure(tls):
        return rule.report(
            dr,
            (*tls_path, "insecureSkipVerify"),
            f'TLS mode {mode} with insecureSkipVerify{where}: the certificate of "{host}" is '
            "not verified, so anyone on the path can impersonate it",
            severity=max(rule.effective_severity, Severity.WARNING),
        )
    return rule.report(
        dr,
        (*tls_path, "mode"),
        f"TLS mode {mode} without caCertificates{where}: the sidecar verifies the "
        f'certificate of "{host}" against the system CA bundle; set caCertificates (or '
        "credentialName) to trust only the CA that signs it",
    )


def policies(dr: Resource) -> Iterator[tuple[Path, dict]]:
    """(path, trafficPolicy) of the DestinationRule and of each of its subsets."""
    policy = dr.spec.get("trafficPolicy")
    if isinstance(policy, dict):
        yield ("spec", "trafficPolicy"), policy
    subsets = dr.spec.get("subsets")
    for i, subset in enumerate(subsets if isinstance(subsets, list) else []):
        policy = subset.get("trafficPolicy") if isinstance(subset, dict) else None
        if isinstance(policy, dict):
            yield ("spec", "subsets", i, "trafficPolicy"), policy


def _has_selector(dr: Resource) -> bool:
    return isinstance(dr.spec.get("workloadSelector"), dict)


class TlsWithoutCaCertificates(Rule):
    """A DestinationRule originates TLS without `caCertificates`.

    ## What it does
    Reports `trafficPolicy.tls` (of the DestinationRule or of one of its subsets) in mode
    `SIMPLE` or `MUTUAL` without `caCertificates`. A `credentialName` counts as providing
    the CA when the DestinationRule has a `workloadSelector` (its Secret may hold
    `ca.crt`). Port-level settings are checked by `dr-port-tls-no-ca-certificates`.
    Istio's analyzer does not look at subsets; meshlint does.

    Istio's analyzer reports this as IST0128, and meshlint keeps the finding for parity,
    at info: with `caCertificates` empty, Istio configures the sidecar to verify the
    server against the system CA bundle, so the server *is* verified (a server whose
    certificate a private CA signed fails the handshake instead). It is a warning only
    when `insecureSkipVerify: true` really turns verification off.

    ## Why it matters
    The system CA bundle trusts every public CA; `caCertificates` pins the one CA that
    signs the destination's certificate. With `insecureSkipVerify` nothing is verified,
    so a man-in-the-middle can impersonate the destination.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: db-tls
    spec:
      host: db.example.com
      trafficPolicy:
        tls:
          mode: SIMPLE
          insecureSkipVerify: true  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: db-tls
    spec:
      host: db.example.com
      trafficPolicy:
        tls:
          mode: SIMPLE
          caCertificates: /etc/certs/db-ca.pem
    ```
    """

    id = "ML310"
    name = "dr-tls-no-ca-certificates"
    severity = Severity.INFO
    category = "security"
    kinds = ("DestinationRule",)
    equivalents = Equivalents(istio="IST0128", analyzers=("destinationrule.CaCertificateAnalyzer",))

    def check_resource(self, dr, mesh):
        for path, policy in policies(dr):
            mode = unverified(policy.get("tls"), _has_selector(dr))
            if mode:
                yield finding_for(self, dr, (*path, "tls"), mode)


class PortTlsWithoutCaCertificates(Rule):
    """A DestinationRule's port-level TLS settings originate TLS without `caCertificates`.

    ## What it does
    Reports `portLevelSettings[].tls` (at the top level or in a subset's traffic policy)
    in mode `SIMPLE` or `MUTUAL` without `caCertificates`, with the same `credentialName`
    exception as `dr-tls-no-ca-certificates`. As there, the finding (Istio's IST0129) is
    info, since the sidecar then verifies the server against the system CA bundle; it is
    a warning when `insecureSkipVerify: true` turns verification off.

    ## Why it matters
    The system CA bundle trusts every public CA; `caCertificates` pins the one CA that
    signs the destination's certificate. With `insecureSkipVerify` nothing is verified,
    so a man-in-the-middle can impersonate the destination.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: db-tls
    spec:
      host: db.example.com
      trafficPolicy:
        portLevelSettings:
        - port: {number: 5432}
          tls:
            mode: MUTUAL
            clientCertificate: /etc/certs/client.pem
            privateKey: /etc/certs/client-key.pem
            insecureSkipVerify: true  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: db-tls
    spec:
      host: db.example.com
      trafficPolicy:
        portLevelSettings:
        - port: {number: 5432}
          tls:
            mode: MUTUAL
            clientCertificate: /etc/certs/client.pem
            privateKey: /etc/certs/client-key.pem
            caCertificates: /etc/certs/db-ca.pem
    ```
    """

    id = "ML311"
    name = "dr-port-tls-no-ca-certificates"
    severity = Severity.INFO
    category = "security"
    kinds = ("DestinationRule",)
    equivalents = Equivalents(istio="IST0129", analyzers=("destinationrule.CaCertificateAnalyzer",))

    def check_resource(self, dr, mesh):
        for path, policy in policies(dr):
            settings = policy.get("portLevelSettings")
            for i, setting in enumerate(settings if isinstance(settings, list) else []):
                if not isinstance(setting, dict):
                    continue
                mode = unverified(setting.get("tls"), _has_selector(dr))
                if mode:
                    port = setting.get("port")
                    number = port.get("number") if isinstance(port, dict) else None
                    where = f" on port {number}" if number is not None else ""
                    tls_path = (*path, "portLevelSettings", i, "tls")
                    yield finding_for(self, dr, tls_path, mode, where)
