"""Sidecar resources: listeners, egress hosts and the outbound traffic policy."""

from meshlint.engine.finding import Severity
from meshlint.rulebases.semantic import REJECTED, WARNED, SemanticRule
from meshlint.validation.addresses import UNIX_PREFIX, unix_path_error
from meshlint.validation.hosts import is_dns1123_label
from meshlint.validation.ports import is_http
from meshlint.validation.sidecar import bind_error, default_endpoint_error
from meshlint.validation.values import is_int, items, mapping, present, text
from meshlint.validation.walk import spec_items


class SidecarEmpty(SemanticRule):
    """A Sidecar configures nothing.

    ## What it does
    Reports a Sidecar without `egress`, `ingress`, `outboundTrafficPolicy` and
    `inboundConnectionPool`: Istio rejects it as an empty configuration.

    ## Why it matters
    The webhook rejects the resource, so the change is not applied.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: default
    spec:  # <-
      workloadSelector:
        labels: {app: ratings}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: default
    spec:
      workloadSelector:
        labels: {app: ratings}
      egress:
      - hosts: ["./*", "istio-system/*"]
    ```
    """

    id = "ML746"
    name = "sidecar-empty"
    severity = Severity.ERROR
    kinds = ("Sidecar",)
    equivalents = REJECTED

    def issues(self, resource):
        spec = resource.spec
        fields = ("egress", "ingress", "outboundTrafficPolicy", "inboundConnectionPool")
        if isinstance(resource.body.get("spec"), dict) and not any(spec.get(f) for f in fields):
            message = "empty Sidecar: set egress, ingress, outboundTrafficPolicy or "
            yield ("spec",), message + "inboundConnectionPool", True


def _target_port(path, port):
    if is_int(port.get("targetPort")) and port["targetPort"] > 0:
        yield (*path, "port", "targetPort"), "targetPort has no effect on Sidecars"


class SidecarIngressInvalid(SemanticRule):
    """A Sidecar ingress listener repeats a port, sets `targetPort`, or has a bad address.

    ## What it does
    Checks `spec.ingress`: each listener's port number is unique, `port.targetPort` is not
    set (it does nothing on Sidecars), `bind` is an IP address, and `defaultEndpoint` is
    `127.0.0.1:<port>`, `0.0.0.0:<port>`, `[::1]:<port>`, `[::]:<port>` or
    `unix://<absolute path>`.

    ## Why it matters
    The webhook rejects the resource, so the change is not applied.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: ratings
    spec:
      workloadSelector:
        labels: {app: ratings}
      ingress:
      - port: {number: 9080, protocol: HTTP, name: http}
        defaultEndpoint: ratings:9080  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: ratings
    spec:
      workloadSelector:
        labels: {app: ratings}
      ingress:
      - port: {number: 9080, protocol: HTTP, name: http}
        defaultEndpoint: 127.0.0.1:9080
    ```
    """

    id = "ML747"
    name = "sidecar-ingress-invalid"
    severity = Severity.ERROR
    kinds = ("Sidecar",)
    equivalents = REJECTED

    def issues(self, resource):
        ports: set[int] = set()
        for path, listener in spec_items(resource, "ingress"):
            port = listener.get("port")
            if not isinstance(port, dict):
                continue
            yield from _target_port(path, port)
            error = bind_error(listener.get("bind"))
            if error:
                yield (*path, "bind"), error
            number = port.get("number")
            if is_int(number):
                if number in ports:
                    yield (*path, "port", "number"), f"duplicate ingress port {number}"
                ports.add(number)
            endpoint = listener.get("defaultEndpoint")
            if isinstance(endpoint, str) and endpoint:
                error = default_endpoint_error(endpoint)
                if error:
                    yield (*path, "defaultEndpoint"), error


class SidecarEgressInvalid(SemanticRule):
    """A Sidecar egress listener is misplaced, duplicated, or badly bound.

    ## What it does
    Checks `spec.egress`: at most one listener without a port (the catch-all), and it must
    be the last; every listener lists hosts; port numbers are unique among IP-bound
    listeners and `unix://` binds unique among port-0 listeners; a port-0 listener binds a
    `unix://` absolute path with captureMode DEFAULT or NONE; other binds are IP
    addresses; `port.targetPort` is not set.

    ## Why it matters
    The webhook rejects the resource, so the change is not applied.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: default
    spec:
      egress:
      - hosts: ["./*"]  # <-
      - port: {number: 3306, protocol: MYSQL, name: mysql}
        hosts: ["db/*"]
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: default
    spec:
      egress:
      - port: {number: 3306, protocol: MYSQL, name: mysql}
        hosts: ["db/*"]
      - hosts: ["./*"]
    ```
    """

    id = "ML748"
    name = "sidecar-egress-invalid"
    severity = Severity.ERROR
    kinds = ("Sidecar",)
    equivalents = REJECTED

    def issues(self, resource):
        listeners = list(spec_items(resource, "egress"))
        catch_all = False
        ports: set[int] = set()
        sockets: set[str] = set()
        for index, (path, listener) in enumerate(listeners):
            if isinstance(listener.get("hosts"), list) and not listener["hosts"]:
                yield (*path, "hosts"), "an egress listener must have at least one host"
            port = listener.get("port")
            if not isinstance(port, dict):
                if catch_all:
                    yield path, "only one egress listener may omit the port"
                elif index != len(listeners) - 1:
                    yield path, "the egress listener without a port must be the last one"
                else:
                    catch_all = True
                continue
            yield from _target_port(path, port)
            bind = text(listener.get("bind"))
            if port.get("number") == 0:
                yield from self._unix_listener(path, listener, bind, sockets)
                continue
            error = bind_error(bind)
            if error:
                yield (*path, "bind"), error
            number = port.get("number")
            if is_int(number):
                if number in ports:
                    yield (*path, "port", "number"), f"duplicate egress port {number}"
                ports.add(number)

    def _unix_listener(self, path, listener, bind, sockets):
        if not bind.startswith(UNIX_PREFIX):
            yield (*path, "port", "number"), "port 0 requires a unix:// bind address"
            return
        error = unix_path_error(bind[len(UNIX_PREFIX) :])
        if error:
            yield (*path, "bind"), error
        if bind in sockets:
            yield (*path, "bind"), f'duplicate unix domain socket bind "{bind}"'
        sockets.add(bind)
        if listener.get("captureMode") not in (None, "DEFAULT", "NONE"):
            yield (
                (*path, "captureMode"),
                "unix domain socket listeners need captureMode DEFAULT or NONE",
            )


class SidecarEgressDuplicateHost(SemanticRule):
    """A Sidecar egress listener lists a host twice, or `*/*` next to other hosts.

    ## What it does
    Within one egress listener, reports a `namespace/host` repeated, covered by an
    earlier `namespace/*`, or listed next to `*/*` (which already selects everything).
    `./` counts as the Sidecar's own namespace.

    ## Why it matters
    The extra entries have no effect; they usually hide a typo in the intended host.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: default
    spec:
      egress:
      - hosts:
        - "istio-system/*"
        - "istio-system/istiod.istio-system.svc.cluster.local"  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: default
    spec:
      egress:
      - hosts:
        - "istio-system/*"
        - "./*"
    ```
    """

    id = "ML749"
    name = "sidecar-egress-duplicate-host"
    severity = Severity.WARNING
    kinds = ("Sidecar",)
    equivalents = WARNED

    def issues(self, resource):
        for path, listener in spec_items(resource, "egress"):
            seen: dict[str, set[str]] = {}
            hosts = list(enumerate(items(listener.get("hosts"))))
            for i, host in hosts:
                if not isinstance(host, str) or "/" not in host:
                    continue
                namespace, _, name = host.partition("/")
                namespace = resource.namespace if namespace == "." else namespace
                names = seen.setdefault(namespace, set())
                if (name != "*" and (name in names or "*" in names)) or (name == "*" and names):
                    yield (*path, "hosts", i), f'duplicated egress host "{host}"'
                names.add(name)
            if "*" in seen.get("*", set()) and len(seen) > 1:
                yield (*path, "hosts"), '"*/*" selects every host: the other hosts add nothing'


class SidecarOutboundPolicyInvalid(SemanticRule):
    """A Sidecar's egress proxy is set without ALLOW_ANY, lacks a port, or names a bad subset.

    ## What it does
    Checks `spec.outboundTrafficPolicy`: an `egressProxy` only works with mode
    `ALLOW_ANY`, needs `port`, and its `subset` (if any) must be a DNS label.

    ## Why it matters
    The webhook rejects the resource, so the change is not applied.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: default
    spec:
      outboundTrafficPolicy:
        mode: REGISTRY_ONLY  # <-
        egressProxy:
          host: egress-proxy.egress.svc.cluster.local
          port: {number: 3128}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: default
    spec:
      outboundTrafficPolicy:
        mode: ALLOW_ANY
        egressProxy:
          host: egress-proxy.egress.svc.cluster.local
          port: {number: 3128}
    ```
    """

    id = "ML750"
    name = "sidecar-outbound-policy-invalid"
    severity = Severity.ERROR
    kinds = ("Sidecar",)
    equivalents = REJECTED

    def issues(self, resource):
        policy = mapping(resource.spec.get("outboundTrafficPolicy"))
        proxy = policy.get("egressProxy")
        if not isinstance(proxy, dict):
            return
        base = ("spec", "outboundTrafficPolicy")
        if policy.get("mode") != "ALLOW_ANY":
            yield (
                (*base, "mode") if "mode" in policy else (*base, "egressProxy"),
                ("egressProxy requires mode ALLOW_ANY"),
            )
            return
        if not present(proxy, "port"):
            yield (*base, "egressProxy"), "egressProxy needs a port"
        subset = proxy.get("subset")
        if isinstance(subset, str) and subset and not is_dns1123_label(subset):
            yield (*base, "egressProxy", "subset"), f'invalid subset name "{subset}"'


class SidecarHTTPPoolOnNonHTTPPort(SemanticRule):
    """A Sidecar ingress listener sets HTTP connection pool settings on a non-HTTP port.

    ## What it does
    Reports `ingress[].connectionPool.http` on a listener whose port protocol is not an
    HTTP protocol (HTTP, HTTP2, GRPC, ...): only the TCP settings apply there.

    ## Why it matters
    The HTTP limits you set (pending requests, requests per connection) are not enforced.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: mysql
    spec:
      workloadSelector:
        labels: {app: mysql}
      ingress:
      - port: {number: 3306, protocol: TCP, name: tcp}
        defaultEndpoint: 127.0.0.1:3306
        connectionPool:
          http: {http1MaxPendingRequests: 10}  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: mysql
    spec:
      workloadSelector:
        labels: {app: mysql}
      ingress:
      - port: {number: 3306, protocol: TCP, name: tcp}
        defaultEndpoint: 127.0.0.1:3306
        connectionPool:
          tcp: {maxConnections: 10}
    ```
    """

    id = "ML751"
    name = "sidecar-http-pool-on-non-http-port"
    severity = Severity.WARNING
    kinds = ("Sidecar",)
    equivalents = WARNED

    def issues(self, resource):
        for path, listener in spec_items(resource, "ingress"):
            port = mapping(listener.get("port"))
            pool = mapping(listener.get("connectionPool"))
            if port and pool.get("http") is not None and not is_http(port.get("protocol")):
                yield (
                    (*path, "connectionPool", "http"),
                    (
                        f"port {port.get('number')} speaks {text(port.get('protocol')) or 'TCP'}: "
                        "HTTP connection pool settings do not apply, only tcp ones"
                    ),
                )
