"""Istio Gateway resources: name, servers and their ports."""

from meshlint.engine.finding import Severity
from meshlint.rulebases.semantic import REJECTED, WARNED, SemanticRule
from meshlint.validation.addresses import UNIX_PREFIX, is_ip, unix_path_error
from meshlint.validation.hosts import is_dns1123_label
from meshlint.validation.ports import is_http
from meshlint.validation.values import is_int, items, mapping, text
from meshlint.validation.walk import enumerate_maps, spec_items

GATEWAY_SEMANTICS = "internal.istio.io/gateway-semantics"


class GatewayNameInvalid(SemanticRule):
    """An Istio Gateway's name is not a DNS-1123 label.

    ## What it does
    Checks that `metadata.name` of a `networking.istio.io` Gateway is a DNS label: at most
    63 lowercase letters, digits and `-`, with no dots. Kubernetes allows dots in names,
    but VirtualServices refer to gateways as `namespace/name`, and Istio rejects dotted
    gateway names.

    ## Why it matters
    The webhook rejects the Gateway, so no server it declares is configured.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: public.gateway  # <-
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 80, name: http, protocol: HTTP}
        hosts: ["*"]
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: public-gateway
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 80, name: http, protocol: HTTP}
        hosts: ["*"]
    ```
    """

    id = "ML741"
    name = "gateway-name-invalid"
    severity = Severity.ERROR
    kinds = ("Gateway",)
    equivalents = REJECTED

    def issues(self, resource):
        if resource.annotations.get(GATEWAY_SEMANTICS) == "gateway":
            return
        if resource.name and not is_dns1123_label(resource.name):
            yield (
                ("metadata", "name"),
                (f'gateway name "{resource.name}" must be a DNS-1123 label (no dots)'),
            )


def _bind_error(server: dict, number: object) -> str | None:
    bind = server.get("bind")
    if not isinstance(bind, str) or not bind:
        return None
    if bind.startswith(UNIX_PREFIX):
        error = unix_path_error(bind[len(UNIX_PREFIX) :])
        if error is None and is_int(number) and number != 0:
            error = "port number must be 0 for a unix domain socket bind"
        return error
    return None if is_ip(bind) else f'bind "{bind}" is not an IP address or unix:// path'


class GatewayServerInvalid(SemanticRule):
    """A Gateway lacks servers, hosts or a port name, repeats a port name, or has a bad bind.

    ## What it does
    Checks the structure Istio requires of `spec.servers`: at least one server; each with
    at least one host and a named port; port names unique across the Gateway's servers;
    `bind` an IP address or a `unix://` absolute path (with port number 0).

    ## Why it matters
    The webhook rejects the Gateway, so none of its servers is configured.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: public
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 80, name: web, protocol: HTTP}
        hosts: ["*"]
      - port: {number: 8080, name: web, protocol: HTTP}  # <-
        hosts: ["*"]
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
      - port: {number: 80, name: web, protocol: HTTP}
        hosts: ["*"]
      - port: {number: 8080, name: web-alt, protocol: HTTP}
        hosts: ["*"]
    ```
    """

    id = "ML742"
    name = "gateway-server-invalid"
    severity = Severity.ERROR
    kinds = ("Gateway",)
    equivalents = REJECTED

    def issues(self, resource):
        servers = resource.spec.get("servers")
        if not items(servers):
            yield (
                ("spec", "servers") if servers is not None else ("spec",),
                ("a gateway must have at least one server"),
            )
            return
        names: set[str] = set()
        for path, server in enumerate_maps(servers, ("spec", "servers")):
            if isinstance(server.get("hosts"), list) and not server["hosts"]:
                yield (*path, "hosts"), "a server must have at least one host"
            port = server.get("port")
            if not isinstance(port, dict):
                continue
            name = port.get("name")
            if name == "":
                yield (*path, "port", "name"), "the server port must have a name"
            elif isinstance(name, str):
                if name in names:
                    yield (*path, "port", "name"), f'duplicate server port name "{name}"'
                names.add(name)
            error = _bind_error(server, port.get("number"))
            if error:
                yield (*path, "bind"), error


class GatewayServerSettingIgnored(SemanticRule):
    """A Gateway server sets `targetPort`, or `httpsRedirect` on a non-HTTP port.

    ## What it does
    Reports server settings Istio accepts with a warning because they do nothing:
    `port.targetPort` (gateways listen on `number` itself) and `tls.httpsRedirect` on a
    server whose protocol is not HTTP.

    ## Why it matters
    The setting suggests behaviour that does not happen: traffic is not sent to the
    target port, and no redirect is issued.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata:
      name: public
    spec:
      selector: {istio: ingressgateway}
      servers:
      - port: {number: 80, name: http, protocol: HTTP, targetPort: 8080}  # <-
        hosts: ["*"]
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
      - port: {number: 80, name: http, protocol: HTTP}
        hosts: ["*"]
    ```
    """

    id = "ML743"
    name = "gateway-server-setting-ignored"
    severity = Severity.WARNING
    kinds = ("Gateway",)
    equivalents = WARNED

    def issues(self, resource):
        for path, server in spec_items(resource, "servers"):
            port = mapping(server.get("port"))
            target = port.get("targetPort")
            if is_int(target) and target > 0:
                yield (*path, "port", "targetPort"), "targetPort has no effect on Gateways"
            tls = mapping(server.get("tls"))
            if port and tls.get("httpsRedirect") is True and not is_http(port.get("protocol")):
                yield (
                    (*path, "tls", "httpsRedirect"),
                    (f"httpsRedirect only works on HTTP servers, not {text(port.get('protocol'))}"),
                )
