"""AuthorizationPolicy operation methods must be HTTP methods as they appear on the wire."""

import re

from meshlint.core.suggest import hint
from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh.authz import operation_values, pattern_matches

#: RFC 9110 and 5789 methods, and the registered extension methods seen in practice.
KNOWN_METHODS = frozenset(
    {
        "GET",
        "HEAD",
        "POST",
        "PUT",
        "DELETE",
        "CONNECT",
        "OPTIONS",
        "TRACE",
        "PATCH",
        "PROPFIND",
        "PROPPATCH",
        "MKCOL",
        "COPY",
        "MOVE",
        "LOCK",
        "UNLOCK",
        "SEARCH",
        "REPORT",
        "MKCALENDAR",
        "ACL",
        "BIND",
        "UNBIND",
        "REBIND",
        "LINK",
        "UNLINK",
        "MERGE",
        "CHECKOUT",
        "CHECKIN",
        "UNCHECKOUT",
        "MKACTIVITY",
        "MKWORKSPACE",
        "UPDATE",
        "LABEL",
        "VERSION-CONTROL",
        "BASELINE-CONTROL",
        "ORDERPATCH",
        "PRI",
        "QUERY",
        "PURGE",
    }
)
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def method_problem(value: str) -> str | None:
    """Why ``value`` never matches a request's method (None when it can)."""
    if value == "*":
        return None
    if value.startswith("/"):
        return "a gRPC method name: gRPC calls are always POST; match it in paths instead"
    if "*" in value.strip("*") or value.count("*") > 1:
        return "only one leading or trailing * is supported"
    if "*" in value:
        if any(pattern_matches(value, m) for m in KNOWN_METHODS):
            return None
        if any(pattern_matches(value.upper(), m) for m in KNOWN_METHODS):
            return "methods are case-sensitive and written in upper case"
        return "the pattern matches no HTTP method"
    if value in KNOWN_METHODS:
        return None
    if value.upper() in KNOWN_METHODS:
        return f'methods are case-sensitive: "{value}" never matches {value.upper()}'
    if not _TOKEN.fullmatch(value):
        return "not an HTTP method (spaces or separators)"
    return "not an HTTP method" + hint(value.upper(), KNOWN_METHODS)


class AuthorizationPolicyInvalidMethod(Rule):
    """An AuthorizationPolicy operation names something that is not an HTTP method.

    ## What it does
    Checks every `rules[].to[].operation.methods` and `notMethods` entry: it must be an
    HTTP method as sent on the wire (`GET`, `POST`, ..., WebDAV and other registered
    extension methods included), `*`, or a `prefix*`/`*suffix` pattern that matches one.
    Lower-case methods and gRPC method names (`/pkg.Service/Method`) are reported too:
    Kiali accepts both, but Istio compares methods case-sensitively and a gRPC call's
    method is always `POST`.

    ## Why it matters
    Istio compares the request's method exactly. An entry that is never a method never
    matches: an ALLOW rule silently admits nobody, a DENY rule silently blocks nothing,
    and a `notMethods` exclusion excludes nothing.

    ## Example
    ```yaml
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: read-only
    spec:
      selector:
        matchLabels: {app: catalog}
      rules:
      - to:
        - operation:
            methods:
            - get  # <-
            - /catalog.Catalog/List  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: read-only
    spec:
      selector:
        matchLabels: {app: catalog}
      rules:
      - to:
        - operation:
            methods: [GET]
      - to:
        - operation:
            paths: [/catalog.Catalog/List]
    ```
    """

    id = "ML521"
    name = "authz-invalid-method"
    severity = Severity.WARNING
    category = "reference"
    kinds = ("AuthorizationPolicy",)
    equivalents = Equivalents(kiali="KIA0102")

    def check_resource(self, policy, mesh):
        for field in ("methods", "notMethods"):
            for path, value in operation_values(policy, field):
                problem = method_problem(value)
                if problem:
                    yield self.report(
                        policy, path, f'method "{value}" never matches a request: {problem}'
                    )
