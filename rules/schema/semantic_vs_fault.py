"""Fault injection of VirtualService routes: what Istio rejects or warns about."""

from meshlint.engine.finding import Severity
from meshlint.rulebases.semantic import REJECTED, WARNED, SemanticRule
from meshlint.validation.percentages import fraction_error
from meshlint.validation.values import mapping
from meshlint.validation.virtual_service import http_status_error
from meshlint.validation.walk import http_routes

GRPC_STATUSES = frozenset(
    {
        "OK",
        "CANCELLED",
        "UNKNOWN",
        "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION",
        "ABORTED",
        "OUT_OF_RANGE",
        "UNIMPLEMENTED",
        "INTERNAL",
        "UNAVAILABLE",
        "DATA_LOSS",
        "UNAUTHENTICATED",
    }
)
ERROR_TYPES = ("httpStatus", "grpcStatus", "http2Error")


def faults(vs):
    for path, route in http_routes(vs):
        if isinstance(route.get("fault"), dict):
            yield (*path, "fault"), route["fault"]


class VSFaultInvalid(SemanticRule):
    """A fault injection is empty, unsupported, or has an invalid status or percentage.

    ## What it does
    Checks `fault` of HTTP routes: it sets `abort` and/or `delay`; an abort's
    `httpStatus` is within 200..599 and `grpcStatus` a gRPC code name (`UNAVAILABLE`,
    `NOT_FOUND`, ...); `http2Error` aborts and `exponentialDelay` delays are not
    supported; `percentage.value` is 0 or within 0.0001..100.

    ## Why it matters
    The webhook rejects the resource, so its routes are not applied.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: ratings
    spec:
      hosts: [ratings]
      http:
      - fault:
          abort:
            grpcStatus: "14"  # <-
            percentage: {value: 10}
        route:
        - destination: {host: ratings}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: ratings
    spec:
      hosts: [ratings]
      http:
      - fault:
          abort:
            grpcStatus: UNAVAILABLE
            percentage: {value: 10}
        route:
        - destination: {host: ratings}
    ```
    """

    id = "ML772"
    name = "vs-fault-invalid"
    severity = Severity.ERROR
    kinds = ("VirtualService",)
    equivalents = REJECTED

    def issues(self, resource):
        for path, fault in faults(resource):
            abort, delay = fault.get("abort"), fault.get("delay")
            if abort is None and delay is None:
                yield path, "a fault needs an abort and/or a delay"
            for name, block in (("abort", abort), ("delay", delay)):
                value = mapping(mapping(block).get("percentage")).get("value")
                error = fraction_error(value)
                if error:
                    yield (*path, name, "percentage", "value"), error
            abort = mapping(abort)
            error = http_status_error(abort.get("httpStatus"))
            if error:
                yield (*path, "abort", "httpStatus"), error
            status = abort.get("grpcStatus")
            if isinstance(status, str) and status not in GRPC_STATUSES:
                yield (
                    (*path, "abort", "grpcStatus"),
                    (f'gRPC status "{status}" is not a gRPC code name such as UNAVAILABLE'),
                )
            if abort.get("http2Error") is not None:
                yield (*path, "abort", "http2Error"), "http2Error aborts are not supported"
            if mapping(delay).get("exponentialDelay") is not None:
                yield (*path, "delay", "exponentialDelay"), "exponentialDelay is not supported"


class VSFaultAbortWithoutType(SemanticRule):
    """A fault `abort` sets no error type.

    ## What it does
    Reports an `abort` block with none of `httpStatus`, `grpcStatus` and `http2Error`.

    ## Why it matters
    Istio accepts it with a warning, and no request is aborted.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: ratings
    spec:
      hosts: [ratings]
      http:
      - fault:
          abort:  # <-
            percentage: {value: 10}
        route:
        - destination: {host: ratings}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: ratings
    spec:
      hosts: [ratings]
      http:
      - fault:
          abort:
            httpStatus: 503
            percentage: {value: 10}
        route:
        - destination: {host: ratings}
    ```
    """

    id = "ML773"
    name = "vs-fault-abort-without-type"
    severity = Severity.WARNING
    kinds = ("VirtualService",)
    equivalents = WARNED

    def issues(self, resource):
        for path, fault in faults(resource):
            abort = fault.get("abort")
            if isinstance(abort, dict) and not any(abort.get(t) is not None for t in ERROR_TYPES):
                yield (*path, "abort"), "abort sets no httpStatus or grpcStatus: nothing is aborted"
