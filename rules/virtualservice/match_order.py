"""VirtualService rules and matches that earlier ones always take first."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh.matches import (
    IneffectiveMatch,
    UnreachableRule,
    analyze,
    match_label,
    rule_label,
)
from meshlint.model import Resource
from meshlint.validation.walk import ROUTE_SECTIONS

ANALYZER = "schema.ValidationAnalyzer"


def sections(vs: Resource):
    """(section, its rules, unreachable rules, ineffective matches) for each route section."""
    for section in ROUTE_SECTIONS:
        rules = vs.spec.get(section)
        if isinstance(rules, list) and rules:
            yield (section, rules, *_analyze(vs, section))


def _analyze(vs: Resource, section: str) -> tuple[list[UnreachableRule], list[IneffectiveMatch]]:
    return analyze(vs.spec[section], section)


class UnreachableRouteRule(Rule):
    """A VirtualService rule can never be used.

    ## What it does
    Walks the `http`, `tcp` and `tls` rules in order. A rule is unreachable when an
    earlier rule has no `match` (it takes every request; only the last rule may omit
    `match`), or when each of its matches repeats one of an earlier rule (match names
    aside). A rule whose matches are only *covered* by earlier, broader matches (such as
    a longer URI prefix after a shorter one) is reported by `vs-ineffective-match`, at
    warning level.

    ## Why it matters
    The first matching rule wins, so the destinations, retries and rewrites of the
    unreachable rule never apply; usually the rules are in the wrong order.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews
    spec:
      hosts: [reviews]
      http:
      - route:
        - destination: {host: reviews, subset: v1}
      - match:  # <-
        - headers:
            end-user: {exact: jason}
        route:
        - destination: {host: reviews, subset: v2}
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
        - headers:
            end-user: {exact: jason}
        route:
        - destination: {host: reviews, subset: v2}
      - route:
        - destination: {host: reviews, subset: v1}
    ```
    """

    id = "ML116"
    name = "vs-unreachable-rule"
    severity = Severity.WARNING
    category = "conflict"
    kinds = ("VirtualService",)
    equivalents = Equivalents(istio="IST0130", analyzers=(ANALYZER,))

    def check_resource(self, vs, mesh):
        for section, rules, unreachable, _ in sections(vs):
            for found in unreachable:
                rule = rules[found.rule]
                path = ("spec", section, found.rule)
                if isinstance(rule, dict) and "match" in rule:
                    path = (*path, "match")
                yield self.report(
                    vs,
                    path,
                    f"{section} rule {rule_label(rules, found.rule)} is never used: {found.reason}",
                    key=len(path) == 4,
                )


class IneffectiveRouteMatch(Rule):
    """A VirtualService match is always taken by an earlier match.

    ## What it does
    Reports match entries identical to an earlier one (names aside), and HTTP matches on
    a URI prefix that an earlier match covers: a shorter prefix, with the same or fewer
    conditions on the method, authority, headers, query parameters and port. Exact and
    regex URIs are not analyzed, as in Istio. A match without a method covers every
    method (Istio assumes GET). When the covered matches make the whole rule unreachable
    the finding is a warning, otherwise info.

    ## Why it matters
    The match never selects its rule, so the condition it was written for is handled by
    the earlier rule instead: a redundant entry at best, a misordered rule at worst.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: shop
    spec:
      hosts: [shop]
      http:
      - match:
        - uri: {prefix: /api}
        route:
        - destination: {host: shop-api}
      - match:
        - uri: {prefix: /api/v2}  # <-
        route:
        - destination: {host: shop-api-v2}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: shop
    spec:
      hosts: [shop]
      http:
      - match:
        - uri: {prefix: /api/v2}
        route:
        - destination: {host: shop-api-v2}
      - match:
        - uri: {prefix: /api}
        route:
        - destination: {host: shop-api}
    ```
    """

    id = "ML117"
    name = "vs-ineffective-match"
    severity = Severity.INFO
    category = "conflict"
    kinds = ("VirtualService",)
    equivalents = Equivalents(istio="IST0131", analyzers=(ANALYZER,))

    def check_resource(self, vs, mesh):
        for section, rules, _, ineffective in sections(vs):
            for found in ineffective:
                match = rules[found.rule]["match"][found.match]
                by = rules[found.by_rule]["match"][found.by_match]
                where = (
                    f"match {match_label(by, found.by_match)} of rule "
                    f"{rule_label(rules, found.by_rule)}"
                )
                what = "repeats" if found.duplicate else "is covered by"
                message = (
                    f"{section} rule {rule_label(rules, found.rule)} match "
                    f"{match_label(match, found.match)} {what} {where}, which is tried first"
                )
                severity = None
                if found.shadows_rule:
                    message += ": the rule is never used"
                    severity = Severity.WARNING
                yield self.report(
                    vs,
                    ("spec", section, found.rule, "match", found.match),
                    message,
                    severity=severity,
                )
