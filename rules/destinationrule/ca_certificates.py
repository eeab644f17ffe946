"""DestinationRules originating TLS should say how to verify the server's certificate."""

from collections.abc import Iterator

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.fieldpath import Path
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

    ## Why it matters
    Without a CA the sidecar may not verify the server's certificate, so a
    man-in-the-middle can impersonate the destination.

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
          mode: SIMPLE  # <-
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
    severity = Severity.WARNING
    category = "security"
    kinds = ("DestinationRule",)
    equivalents = Equivalents(istio="IST0128", analyzers=("destinationrule.CaCertificateAnalyzer",))

    def check_resource(self, dr, mesh):
        for path, policy in policies(dr):
            mode = unverified(policy.get("tls"), _has_selector(dr))
            if mode:
                yield self.report(
                    dr,
                    (*path, "tls", "mode"),
                    f'TLS mode {mode} without caCertificates: the certificate of "'
                    f'{dr.spec.get("host")}" is not verified against a known CA',
                )


class PortTlsWithoutCaCertificates(Rule):
    """A DestinationRule's port-level TLS settings originate TLS without `caCertificates`.

    ## What it does
    Reports `portLevelSettings[].tls` (at the top level or in a subset's traffic policy)
    in mode `SIMPLE` or `MUTUAL` without `caCertificates`, with the same `credentialName`
    exception as `dr-tls-no-ca-certificates`.

    ## Why it matters
    Traffic to that port may not verify the server's certificate, so a man-in-the-middle
    can impersonate the destination.

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
            mode: MUTUAL  # <-
            clientCertificate: /etc/certs/client.pem
            privateKey: /etc/certs/client-key.pem
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
    severity = Severity.WARNING
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
                    yield self.report(
                        dr,
                        (*path, "portLevelSettings", i, "tls", "mode"),
                        f"TLS mode {mode} without caCertificates{where}: the "
                        f'certificate of "{dr.spec.get("host")}" is not verified against a '
                        "known CA",
                    )
