"""Redirects and direct responses of VirtualService routes."""

import base64
import binascii

from meshlint.engine.finding import Severity
from meshlint.rulebases.semantic import REJECTED, SemanticRule
from meshlint.validation.values import is_int, mapping
from meshlint.validation.virtual_service import http_status_error
from meshlint.validation.walk import http_routes

KB = 1024
MB = 1024 * KB


class VSRedirectInvalid(SemanticRule):
    """A redirect changes nothing, or uses a non-3xx code or a scheme other than http/https.

    ## What it does
    Checks `redirect` of HTTP routes: it sets at least one of `uri`, `authority`,
    `scheme`, `port` and `derivePort`; `redirectCode` is a 3xx code; `scheme` is `http`
    or `https`.

    ## Why it matters
    The webhook rejects the resource, so its routes are not applied.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: shop
    spec:
      hosts: [shop.example.com]
      gateways: [public]
      http:
      - redirect:
          uri: /new
          redirectCode: 200  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: shop
    spec:
      hosts: [shop.example.com]
      gateways: [public]
      http:
      - redirect:
          uri: /new
          redirectCode: 308
    ```
    """

    id = "ML774"
    name = "vs-redirect-invalid"
    severity = Severity.ERROR
    kinds = ("VirtualService",)
    equivalents = REJECTED

    def issues(self, resource):
        for path, route in http_routes(resource):
            redirect = route.get("redirect")
            if not isinstance(redirect, dict):
                continue
            base = (*path, "redirect")
            targets = ("uri", "authority", "scheme", "port", "derivePort")
            if not any(redirect.get(f) not in (None, "") for f in targets):
                yield base, "a redirect must set uri, authority, scheme or port"
            code = redirect.get("redirectCode")
            if is_int(code) and code != 0 and not 300 <= code <= 399:
                yield (*base, "redirectCode"), f"redirectCode {code} is not a 3xx code"
            scheme = redirect.get("scheme")
            if isinstance(scheme, str) and scheme not in ("", "http", "https"):
                yield (*base, "scheme"), f'redirect scheme "{scheme}" must be "http" or "https"'


def body_size(body: object) -> int:
    """The size in bytes of a direct response body (``string`` or base64 ``bytes``)."""
    block = mapping(body)
    if isinstance(block.get("string"), str):
        return len(block["string"].encode("utf-8"))
    if isinstance(block.get("bytes"), str):
        try:
            return len(base64.b64decode(block["bytes"], validate=False))
        except (binascii.Error, ValueError):
            return len(block["bytes"]) * 3 // 4
    return 0


class VSDirectResponseInvalid(SemanticRule):
    """A direct response has a status outside 200..599 or a body over 1 MB.

    ## What it does
    Checks `directResponse` of HTTP routes: `status` is within 200..599 and the body
    (`string`, or `bytes` once decoded) is at most 1 MB.

    ## Why it matters
    The webhook rejects the resource; large bodies are copied into every proxy's
    configuration.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: maintenance
    spec:
      hosts: [shop.example.com]
      gateways: [public]
      http:
      - directResponse:
          status: 1503  # <-
          body: {string: "down for maintenance"}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: maintenance
    spec:
      hosts: [shop.example.com]
      gateways: [public]
      http:
      - directResponse:
          status: 503
          body: {string: "down for maintenance"}
    ```
    """

    id = "ML775"
    name = "vs-direct-response-invalid"
    severity = Severity.ERROR
    kinds = ("VirtualService",)
    equivalents = REJECTED

    def issues(self, resource):
        for path, route in http_routes(resource):
            response = route.get("directResponse")
            if not isinstance(response, dict):
                continue
            error = http_status_error(response.get("status"))
            if error:
                yield (*path, "directResponse", "status"), error
            if body_size(response.get("body")) > MB:
                yield (
                    (*path, "directResponse", "body"),
                    "a direct response body must be less than 1MB",
                )
