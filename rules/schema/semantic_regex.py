"""Regexes Envoy cannot compile: Istio requires RE2 syntax."""

from meshlint.engine.finding import Severity
from meshlint.rulebases.semantic import REJECTED, SemanticRule
from meshlint.validation.regex import regex_error
from meshlint.validation.values import mapping
from meshlint.validation.walk import enumerate_maps, http_routes, http_string_matches, spec_items


def _vs_regexes(vs):
    """``(path, pattern)`` of every regex of a VirtualService."""
    for path, route in http_routes(vs):
        for mpath, match in enumerate_maps(route.get("match"), (*path, "match")):
            for spath, field, block in http_string_matches(match, mpath):
                pattern = block.get("regex")
                # withoutHeaders regex "*" means "header absent", not a regex.
                if isinstance(pattern, str) and not (field == "withoutHeaders" and pattern == "*"):
                    yield (*spath, "regex"), pattern
        cors = mapping(route.get("corsPolicy"))
        for opath, origin in enumerate_maps(
            cors.get("allowOrigins"), (*path, "corsPolicy", "allowOrigins")
        ):
            if isinstance(origin.get("regex"), str):
                yield (*opath, "regex"), origin["regex"]
        rewrite = mapping(mapping(route.get("rewrite")).get("uriRegexRewrite"))
        if isinstance(rewrite.get("match"), str) and rewrite["match"]:
            yield (*path, "rewrite", "uriRegexRewrite", "match"), rewrite["match"]


def _envoyfilter_regexes(ef):
    for path, patch in spec_items(ef, "configPatches"):
        version = mapping(mapping(patch.get("match")).get("proxy")).get("proxyVersion")
        if isinstance(version, str) and version:
            yield (*path, "match", "proxy", "proxyVersion"), version


class RegexNotRE2(SemanticRule):
    """A regex is empty, too long, or not valid RE2 syntax.

    ## What it does
    Compiles every regex of a VirtualService (match conditions, CORS origins,
    `uriRegexRewrite.match`) and every EnvoyFilter `proxyVersion` with RE2, the engine
    Envoy and Istio use. RE2 has no lookarounds (`(?=`, `(?!`, `(?<=`), no backreferences
    (`\\1`) and no possessive quantifiers, which Python, PCRE and JavaScript accept. Envoy
    also limits regexes to 1024 characters.

    ## Why it matters
    The webhook rejects the resource; without the webhook, Envoy rejects the whole route
    configuration and keeps serving the previous one.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews
    spec:
      hosts: [reviews]
      http:
      - match:
        - uri:
            regex: "/api/(?!internal).*"  # <-
        route:
        - destination: {host: reviews}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews
    spec:
      hosts: [reviews]
      http:
      - match:
        - uri:
            prefix: /api/internal
        route:
        - destination: {host: internal}
      - match:
        - uri:
            regex: "/api/.*"
        route:
        - destination: {host: reviews}
    ```
    """

    id = "ML732"
    name = "regex-not-re2"
    severity = Severity.ERROR
    kinds = ("VirtualService", "EnvoyFilter")
    equivalents = REJECTED

    def issues(self, resource):
        found = (
            _vs_regexes(resource)
            if resource.kind == "VirtualService"
            else (_envoyfilter_regexes(resource))
        )
        for path, pattern in found:
            error = "regex must not be empty" if pattern == "" else regex_error(pattern)
            if error:
                yield path, error
