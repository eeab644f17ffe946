"""AuthorizationPolicy source namespaces must name namespaces that exist."""

from meshlint.core.suggest import hint
from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh.selection import resolve_namespace_pattern


def source_namespaces(policy):
    """(path, pattern) of every ``rules[].from[].source.namespaces/notNamespaces`` entry."""
    rules = policy.spec.get("rules")
    for i, rule in enumerate(rules if isinstance(rules, list) else ()):
        sources = rule.get("from") if isinstance(rule, dict) else None
        for j, entry in enumerate(sources if isinstance(sources, list) else ()):
            source = entry.get("source") if isinstance(entry, dict) else None
            if not isinstance(source, dict):
                continue
            for field in ("namespaces", "notNamespaces"):
                values = source.get(field)
                for k, value in enumerate(values if isinstance(values, list) else ()):
                    if isinstance(value, str):
                        yield ("spec", "rules", i, "from", j, "source", field, k), value


class AuthorizationPolicySourceNamespaceNotFound(Rule):
    """An AuthorizationPolicy source names a namespace that does not exist.

    ## What it does
    Checks every `rules[].from[].source.namespaces` and `notNamespaces` entry, with
    Istio's patterns (`prefix*`, `*suffix`, `*`). A namespace exists if a Namespace object
    names it or any analyzed manifest lives in it. An entry that can never be a namespace
    name (uppercase letters, `_`, dots: namespaces are lowercase DNS labels) is always
    reported. Any other name that meshlint has no evidence of is only reported with
    `--assume-complete`, since the namespace may be created elsewhere.

    ## Why it matters
    Istio matches the caller's namespace exactly. A misspelled entry never matches: an
    ALLOW rule silently lets nobody in, a DENY rule silently blocks nobody, and a
    `notNamespaces` exclusion excludes nothing.

    ## Example
    ```yaml
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: allow-frontend
      namespace: backend
    spec:
      rules:
      - from:
        - source:
            namespaces:
            - Frontend  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: frontend
    ---
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: allow-frontend
      namespace: backend
    spec:
      rules:
      - from:
        - source:
            namespaces:
            - frontend
    ```
    """

    id = "ML502"
    name = "authz-source-namespace-not-found"
    severity = Severity.ERROR
    category = "reference"
    kinds = ("AuthorizationPolicy", "Namespace")
    targets = ("AuthorizationPolicy",)
    equivalents = Equivalents(
        istio="IST0101", analyzers=("authz.AuthorizationPoliciesAnalyzer",), kiali="KIA0101"
    )

    def check(self, mesh):
        known = mesh.namespaces_seen | {mesh.settings.root_namespace}
        hints: dict[str, str] = {}  # once per pattern: many policies name the same one
        for policy in mesh.of_kind("AuthorizationPolicy"):
            if policy.linted:
                yield from self._check_policy(policy, known, hints, mesh)

    def _check_policy(self, resource, known, hints, mesh):
        for path, pattern in source_namespaces(resource):
            resolution = resolve_namespace_pattern(mesh, pattern)
            message = f'source namespace "{pattern}" matches no namespace'
            if "*" not in pattern and not resolution.found:
                if pattern not in hints:
                    hints[pattern] = hint(pattern, known)
                message += hints[pattern]
            yield from self.unresolved(resource, path, resolution, message)
