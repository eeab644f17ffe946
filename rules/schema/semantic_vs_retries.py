"""Retry policies of VirtualService routes that Istio rejects."""

from http import HTTPStatus

from meshlint.engine.finding import Severity
from meshlint.rulebases.semantic import REJECTED, SemanticRule
from meshlint.validation.values import decimal, is_int
from meshlint.validation.walk import http_routes

#: Envoy's x-envoy-retry-on and x-envoy-retry-grpc-on conditions.
RETRY_ON = frozenset(
    {
        "5xx",
        "gateway-error",
        "reset",
        "reset-before-request",
        "connect-failure",
        "retriable-4xx",
        "refused-stream",
        "retriable-status-codes",
        "retriable-headers",
        "envoy-ratelimited",
        "http3-post-connect-failure",
        "cancelled",
        "deadline-exceeded",
        "internal",
        "resource-exhausted",
        "unavailable",
    }
)
_STATUS_CODES = frozenset(int(s) for s in HTTPStatus)


def _valid_condition(condition: str) -> bool:
    if condition in RETRY_ON:
        return True
    return decimal(condition) in _STATUS_CODES


class VSRetriesInvalid(SemanticRule):
    """A retry policy has negative attempts, settings while disabled, or an unknown retryOn.

    ## What it does
    Checks `retries` of HTTP routes: `attempts` is not negative; with `attempts: 0`
    (retries disabled) no `perTryTimeout`, `retryOn` or `retryRemoteLocalities` is set;
    each comma-separated `retryOn` entry is an Envoy retry condition (`5xx`,
    `gateway-error`, `connect-failure`, `retriable-4xx`, `reset`, gRPC `unavailable`,
    ...) or an HTTP status code.

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
      - retries:
          attempts: 3
          retryOn: 5xx,connection-failure  # <-
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
      - retries:
          attempts: 3
          retryOn: 5xx,connect-failure
        route:
        - destination: {host: ratings}
    ```
    """

    id = "ML776"
    name = "vs-retries-invalid"
    severity = Severity.ERROR
    kinds = ("VirtualService",)
    equivalents = REJECTED

    def issues(self, resource):
        for path, route in http_routes(resource):
            retries = route.get("retries")
            if not isinstance(retries, dict):
                continue
            base = (*path, "retries")
            attempts = retries.get("attempts", 0)
            if is_int(attempts) and attempts < 0:
                yield (*base, "attempts"), "attempts cannot be negative"
            if attempts == 0:
                for field in ("perTryTimeout", "retryOn", "retryRemoteLocalities"):
                    if retries.get(field) not in (None, ""):
                        yield (
                            (*base, field),
                            (f"{field} is set while attempts is 0 (retries disabled)"),
                        )
            retry_on = retries.get("retryOn")
            if isinstance(retry_on, str) and retry_on:
                bad = [c for c in retry_on.split(",") if not _valid_condition(c)]
                if bad:
                    yield (
                        (*base, "retryOn"),
                        (f"unknown retryOn condition {', '.join(repr(c) for c in bad)}"),
                    )
