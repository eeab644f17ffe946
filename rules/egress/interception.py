"""Sidecar traffic interception annotations must not contradict each other."""

import ipaddress
from collections.abc import Iterator

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh import goparse
from meshlint.mesh.injection import opted_out
from meshlint.mesh.workloads import WORKLOAD_KINDS, workload_of

PREFIX = "traffic.sidecar.istio.io/"
INCLUDE_IN = PREFIX + "includeInboundPorts"
EXCLUDE_IN = PREFIX + "excludeInboundPorts"
INCLUDE_OUT = PREFIX + "includeOutboundIPRanges"
EXCLUDE_OUT = PREFIX + "excludeOutboundIPRanges"
INCLUDE_OUT_PORTS = PREFIX + "includeOutboundPorts"
EXCLUDE_OUT_PORTS = PREFIX + "excludeOutboundPorts"
#: The injector's defaults when an annotation is absent.
DEFAULTS = {INCLUDE_IN: "*", INCLUDE_OUT: "*", INCLUDE_OUT_PORTS: ""}


def ports(value: str) -> list[str] | None:
    """The ports of a valid port list (None when the injector would reject it)."""
    if goparse.check_port_list(value):
        return None
    return [p.strip() for p in value.split(",") if p.strip()]


def networks(value: str) -> list | None:
    """The networks of a valid CIDR list (None when invalid)."""
    if goparse.check_cidr_list(value):
        return None
    return [ipaddress.ip_network(c, strict=False) for c in value.split(",") if c]


def _within(inner, outer) -> bool:
    return inner.version == outer.version and inner.subnet_of(outer)


class InterceptionConflict(Rule):
    """Sidecar interception annotations contradict each other, so some have no effect.

    ## What it does
    Reads the `traffic.sidecar.istio.io/*` annotations of each Pod and pod template the
    way `istio-iptables` applies them, with the injector's defaults (`*` for the include
    annotations), and reports:

    - `excludeInboundPorts` when `includeInboundPorts` is not `*`: exclusions only apply
      to the "capture everything" mode;
    - `includeOutboundPorts` ports that `excludeOutboundPorts` also lists, and
      `includeOutboundIPRanges` ranges inside an `excludeOutboundIPRanges` range:
      exclusions are applied first and win;
    - outbound exclusions when nothing is captured (`includeOutboundIPRanges` empty and no
      `includeOutboundPorts`);
    - any interception annotation on a pod that opts out of injection
      (`sidecar.istio.io/inject: "false"`).

    Invalid values are reported by `annotation-invalid-value` and annotations on the
    Deployment's own metadata by `annotation-misplaced`.

    ## Why it matters
    The annotation that loses does nothing, so traffic the author meant to keep out of
    (or send through) the sidecar is handled the other way: a database port still goes
    through Envoy, or an IP range meant to be captured bypasses the mesh's mTLS and
    policies.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
          annotations:
            traffic.sidecar.istio.io/includeInboundPorts: "8080"
            traffic.sidecar.istio.io/excludeInboundPorts: "9090"  # <-
            traffic.sidecar.istio.io/includeOutboundIPRanges: 10.1.0.0/16  # <-
            traffic.sidecar.istio.io/excludeOutboundIPRanges: 10.0.0.0/8
        spec:
          containers:
          - name: api
            image: example/api
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      selector:
        matchLabels: {app: api}
      template:
        metadata:
          labels: {app: api}
          annotations:
            traffic.sidecar.istio.io/includeInboundPorts: "8080"
            traffic.sidecar.istio.io/includeOutboundIPRanges: 10.0.0.0/8
            traffic.sidecar.istio.io/excludeOutboundIPRanges: 10.1.0.0/16
        spec:
          containers:
          - name: api
            image: example/api
    ```
    """

    id = "ML482"
    name = "sidecar-interception-conflict"
    severity = Severity.WARNING
    category = "conflict"
    kinds = WORKLOAD_KINDS
    equivalents = Equivalents()

    def check_resource(self, resource, mesh):
        workload = workload_of(resource)
        if workload is None:
            return
        values = {k: v for k, v in workload.annotations.items() if k.startswith(PREFIX)}
        if not values:
            return
        base = (*workload.template_path, "metadata", "annotations")
        for name, message in self._problems(values, opted_out(workload)):
            yield self.report(resource, (*base, name), message, key=True)

    def _problems(self, values: dict[str, str], opted_out: bool) -> Iterator[tuple[str, str]]:
        if opted_out:
            for name in values:
                yield (
                    name,
                    (
                        "the pod opts out of sidecar injection (sidecar.istio.io/inject: "
                        '"false"): this interception setting has no effect'
                    ),
                )
            return
        get = {**DEFAULTS, **values}.get
        include_in = get(INCLUDE_IN)
        if EXCLUDE_IN in values and include_in != "*":
            listed = f'"{include_in}"' if include_in else "empty (no inbound capture)"
            yield (
                EXCLUDE_IN,
                (
                    f'excludeInboundPorts only applies when includeInboundPorts is "*", and it '
                    f"is {listed}: ports not listed there are already not captured"
                ),
            )
        yield from self._outbound(values, get)

    def _outbound(self, values: dict[str, str], get) -> Iterator[tuple[str, str]]:
        include_ports = ports(get(INCLUDE_OUT_PORTS)) or []
        exclude_ports = ports(get(EXCLUDE_OUT_PORTS) or "") or []
        both = [p for p in include_ports if p in exclude_ports]
        if both:
            yield (
                INCLUDE_OUT_PORTS,
                (
                    f"port {', '.join(both)} is also in excludeOutboundPorts, which is applied "
                    "first: it is not captured"
                ),
            )
        include_ranges = get(INCLUDE_OUT)
        if include_ranges == "" and not include_ports:
            for name in (EXCLUDE_OUT, EXCLUDE_OUT_PORTS):
                if name in values:
                    yield (
                        name,
                        (
                            "no outbound traffic is captured (includeOutboundIPRanges is empty and "
                            "no includeOutboundPorts): this exclusion has no effect"
                        ),
                    )
            return
        if include_ranges == "*" or EXCLUDE_OUT not in values:
            return
        included = networks(include_ranges) or []
        excluded = networks(values[EXCLUDE_OUT]) or []
        hidden = [str(n) for n in included if any(_within(n, x) for x in excluded)]
        if hidden:
            yield (
                INCLUDE_OUT,
                (
                    f"{', '.join(hidden)} lies within excludeOutboundIPRanges, which is applied "
                    "first: it is not captured"
                ),
            )
