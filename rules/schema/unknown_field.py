"""Fields the schema does not know, which the API server drops without a word."""

from meshlint.apiserver.survey import survey_of
from meshlint.core.suggest import distance
from meshlint.engine.finding import Severity
from meshlint.engine.fix import rename_key
from meshlint.engine.rule import Equivalents, Rule
from meshlint.fieldpath import get
from meshlint.mesh.patch_fragments import is_patch_fragment
from meshlint.schemastore import known_kinds


class UnknownField(Rule):
    """A field is not part of the resource's schema, so it is silently dropped.

    ## What it does
    Reports every key that the resource's schema does not define, at the key, with the
    nearest defined field name (`subnet` for `subset`, `hostss` for `hosts`,
    `trafficpolicy` for `trafficPolicy`). Fields under schemas that keep unknown fields
    (`x-kubernetes-preserve-unknown-fields`, free-form maps such as labels or EnvoyFilter
    patches) are not reported. `meshlint fix` renames a key to the field it misspells when
    that is certain: one letter away, or the same letters in another case (other close
    names only with `--unsafe`).

    ## Why it matters
    The API server prunes unknown fields of custom resources; only clients that ask for
    strict field validation (`kubectl apply` by default) are refused, while Helm, GitOps
    controllers and client libraries get a warning at most. A typo then disables the
    setting without an error: a misspelt `subset` routes to every version, a misspelt
    `trafficPolicy` turns off the TLS or outlier detection it configured.

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
        - destination:
            host: reviews
            subnet: v2  # <-
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
      - route:
        - destination:
            host: reviews
            subset: v2
    ```
    """

    id = "ML703"
    name = "unknown-field"
    severity = Severity.WARNING
    category = "schema"
    kinds = known_kinds()
    equivalents = Equivalents(istio="IST0133")

    def check_resource(self, resource, mesh):
        survey = survey_of(resource)
        if survey is None:
            return
        for problem in survey.unknown:
            if str(problem.path[-1]).startswith("$") and is_patch_fragment(resource):
                continue  # a strategic-merge directive ($patch, $setElementOrder/...)
            fixes = []
            parent = get(resource.body, problem.path[:-1])
            if problem.suggestion and problem.suggestion not in parent:
                name, match = str(problem.path[-1]), problem.suggestion
                safe = name.casefold() == match.casefold() or distance(name, match) <= 1
                fixes.append(rename_key(problem.path, match, f'Rename to "{match}"', safe=safe))
            yield self.report(resource, problem.path, problem.message, key=True, fixes=fixes)
