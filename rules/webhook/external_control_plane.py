"""Webhooks of a remote cluster must point at a usable external control plane address."""

from urllib.parse import urlsplit

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh.injection import ADMISSION_GROUP
from meshlint.validation.addresses import is_ip

ANALYZER = "externalcontrolplane.ExternalControlPlaneAnalyzer"
KINDS = ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration")
DEFAULT_VALIDATOR = "istiod-default-validator"
VALIDATOR_PREFIX = "istio-validator"
INJECTOR_PREFIX = "istio-sidecar-injector"


def istio_webhook_configs(mesh) -> list:
    """Istio's validating (``istiod-default-validator``, ``istio-validator*``) and
    injecting (``istio-sidecar-injector*``) webhook configurations."""
    out = []
    for config in mesh.of_kind(*KINDS, group=ADMISSION_GROUP):
        if config.kind == "ValidatingWebhookConfiguration":
            if config.name == DEFAULT_VALIDATOR or config.name.startswith(VALIDATOR_PREFIX):
                out.append(config)
        elif config.name.startswith(INJECTOR_PREFIX):
            out.append(config)
    return out


def client_configs(config):
    """(webhook name, path of clientConfig, clientConfig) of each webhook."""
    hooks = config.body.get("webhooks")
    for index, hook in enumerate(hooks if isinstance(hooks, list) else []):
        if isinstance(hook, dict):
            client = hook.get("clientConfig")
            yield str(hook.get("name") or ""), ("webhooks", index, "clientConfig"), client


def url_problem(url: str) -> str | None:
    """Why a webhook URL cannot be used (without resolving its host name)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - validates the port
    except ValueError as error:
        return f"is not a valid URL ({error})"
    if not parts.hostname:
        return "has no host name"
    return None


def url_host(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


class ExternalControlPlaneUrlInvalid(Rule):
    """An Istio webhook has no usable address for the control plane.

    ## What it does
    For Istio's webhook configurations (`istiod-default-validator`, `istio-validator*`,
    `istio-sidecar-injector*`), reports webhooks whose `clientConfig` has neither a
    `service` nor a `url`, or a `url` that cannot be parsed or has no host. Istio also
    resolves the host name with DNS; meshlint does not, since DNS answers depend on where
    it runs.

    ## Why it matters
    On a remote cluster these webhooks are the only way to reach the external istiod: pods
    are created without sidecars (or not at all) and Istio configuration is not
    validated.

    ## Example
    ```yaml
    apiVersion: admissionregistration.k8s.io/v1
    kind: MutatingWebhookConfiguration
    metadata:
      name: istio-sidecar-injector-external-istiod
    webhooks:
    - name: namespace.sidecar-injector.istio.io
      clientConfig:  # <-
        caBundle: ""
    ```

    ## Use instead
    ```yaml
    apiVersion: admissionregistration.k8s.io/v1
    kind: MutatingWebhookConfiguration
    metadata:
      name: istio-sidecar-injector-external-istiod
    webhooks:
    - name: namespace.sidecar-injector.istio.io
      clientConfig:
        url: https://istiod.example.com:15017/inject/cluster/remote1/net/network1
    ```
    """

    id = "ML642"
    name = "external-control-plane-url-invalid"
    severity = Severity.WARNING
    category = "reference"
    kinds = KINDS
    equivalents = Equivalents(istio="IST0163", analyzers=(ANALYZER,))

    def check(self, mesh):
        for config in istio_webhook_configs(mesh):
            if not config.linted:
                continue
            for name, path, client in client_configs(config):
                client = client if isinstance(client, dict) else {}
                url = client.get("url")
                if url is None:
                    if client.get("service") is None:
                        yield self.report(
                            config,
                            path,
                            f"webhook {name} has neither a url nor a service to reach the "
                            "control plane",
                            key=True,
                        )
                    continue
                if problem := url_problem(str(url)):
                    yield self.report(
                        config,
                        (*path, "url"),
                        f'the url "{url}" of webhook {name} {problem}: it cannot reach the '
                        "external control plane",
                    )


class ExternalControlPlaneAddressIsIP(Rule):
    """An Istio webhook reaches the external control plane by IP address.

    ## What it does
    For the same webhook configurations as `external-control-plane-url-invalid`, notes
    webhooks whose `url` host is an IP address rather than a host name.

    ## Why it matters
    The control plane's TLS certificate must then be issued for the IP, and the address
    breaks when the external gateway is recreated; a DNS name is recommended in
    production.

    ## Example
    ```yaml
    apiVersion: admissionregistration.k8s.io/v1
    kind: MutatingWebhookConfiguration
    metadata:
      name: istio-sidecar-injector-external-istiod
    webhooks:
    - name: namespace.sidecar-injector.istio.io
      clientConfig:
        url: https://203.0.113.10:15017/inject/cluster/remote1/net/network1  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: admissionregistration.k8s.io/v1
    kind: MutatingWebhookConfiguration
    metadata:
      name: istio-sidecar-injector-external-istiod
    webhooks:
    - name: namespace.sidecar-injector.istio.io
      clientConfig:
        url: https://istiod.example.com:15017/inject/cluster/remote1/net/network1
    ```
    """

    id = "ML643"
    name = "external-control-plane-address-ip"
    severity = Severity.INFO
    category = "best-practice"
    kinds = KINDS
    equivalents = Equivalents(istio="IST0164", analyzers=(ANALYZER,))

    def check(self, mesh):
        for config in istio_webhook_configs(mesh):
            if not config.linted:
                continue
            for name, path, client in client_configs(config):
                url = client.get("url") if isinstance(client, dict) else None
                if url is None or url_problem(str(url)):
                    continue
                host = url_host(str(url))
                if is_ip(host):
                    yield self.report(
                        config,
                        (*path, "url"),
                        f"webhook {name} reaches the external control plane at the IP "
                        f"address {host}: use a host name",
                    )
