"""Value checks of the annotations istiod's sidecar injector validates before injecting
(istio/istio ``pkg/kube/inject/validate.go``, ``AnnotationValidation``)."""

from __future__ import annotations

from collections.abc import Callable

from meshlint.mesh import goparse
from meshlint.mesh.proxy_config import parse_proxy_config, proxy_config_errors

Check = Callable[[str], "str | None"]
INTERCEPTION_MODES = ("REDIRECT", "TPROXY", "NONE")


def _interception_mode(value: str) -> str | None:
    if value in INTERCEPTION_MODES:
        return None
    return f'"{value}" is not an interception mode (use {", ".join(INTERCEPTION_MODES)})'


def _include_ranges(value: str) -> str | None:
    return None if value == "*" else goparse.check_cidr_list(value)


def _include_ports(value: str) -> str | None:
    return None if value == "*" else goparse.check_port_list(value)


def _uint32(value: str) -> str | None:
    return goparse.check_uint(value, 32)


def _proxy_config(value: str) -> str | None:
    config, error = parse_proxy_config(value)
    if error:
        return f"cannot read the proxy config: {error}"
    errors = proxy_config_errors(config)
    return "; ".join(errors) if errors else None


CHECKS: dict[str, Check] = {
    "sidecar.istio.io/interceptionMode": _interception_mode,
    "status.sidecar.istio.io/port": goparse.check_port,
    "readiness.status.sidecar.istio.io/initialDelaySeconds": _uint32,
    "readiness.status.sidecar.istio.io/periodSeconds": _uint32,
    "readiness.status.sidecar.istio.io/failureThreshold": _uint32,
    "traffic.sidecar.istio.io/includeOutboundIPRanges": _include_ranges,
    "traffic.sidecar.istio.io/excludeOutboundIPRanges": goparse.check_cidr_list,
    "traffic.sidecar.istio.io/includeInboundPorts": _include_ports,
    "traffic.sidecar.istio.io/excludeInboundPorts": goparse.check_port_list,
    "traffic.sidecar.istio.io/excludeOutboundPorts": goparse.check_port_list,
    "prometheus.istio.io/merge-metrics": goparse.check_bool,
    "proxy.istio.io/config": _proxy_config,
}


def value_error(name: str, value: str) -> str | None:
    """Why the injector would reject ``value`` for annotation ``name`` (None if it accepts
    it, or does not check that annotation)."""
    check = CHECKS.get(name)
    return check(value) if check else None
