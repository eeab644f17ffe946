"""Values the API server rejects against the resource's schema."""

from meshlint.apiserver.fields import nearest_field
from meshlint.apiserver.problems import at
from meshlint.apiserver.survey import survey_of
from meshlint.core.suggest import closest, distance
from meshlint.engine.finding import Severity
from meshlint.engine.fix import replace
from meshlint.engine.rule import Equivalents, Rule
from meshlint.fieldpath import get
from meshlint.mesh.patch_fragments import is_patch_fragment
from meshlint.schemastore import SchemaError, known_kinds, validate


class SchemaViolation(Rule):
    """A field breaks the resource's schema, so the API server rejects the resource.

    ## What it does
    Validates every resource whose kind meshlint has a schema for (the Istio and Gateway
    API CRDs at each served version, and the core Kubernetes kinds) and reports each
    violation at the offending field: a wrong type, a value outside an enum (with the
    allowed values and the nearest one), a missing required field (at the object that
    lacks it), a number out of range, a string too short, too long or not matching its
    pattern, two members of a proto `oneof`, and repeated items of an
    `x-kubernetes-list-type` `set` or `map` list (`Duplicate value`).
    CEL rules are checked by `cel-rule-violation`, unknown fields by `unknown-field`.
    Required fields are not asked of kustomize patches: files a kustomization among the
    inputs lists under `patches`/`patchesStrategicMerge`, and, linted alone, objects that
    can only be patch fragments (a `$patch` directive, or a Deployment-like controller
    with no selector, no pod labels and no container image).
    `meshlint fix` corrects an enum value written in the wrong case (with `--unsafe`, one
    that is one letter away from an allowed value).

    ## Why it matters
    `kubectl apply`, Helm and GitOps controllers fail on the whole resource (and a GitOps
    sync stalls), while `istioctl analyze` does not check CRD schemas at all.

    ## Example
    ```yaml
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: default
    spec:
      mtls:
        mode: strict  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: default
    spec:
      mtls:
        mode: STRICT
    ```
    """

    id = "ML701"
    name = "schema-violation"
    severity = Severity.ERROR
    category = "schema"
    kinds = known_kinds()
    equivalents = Equivalents(istio="IST0106")

    def check_resource(self, resource, mesh):
        reported = set()
        for error in validate(resource.api_version, resource.kind, resource.body):
            if error.validator == "uniqueItems":
                continue  # reported item by item below
            if error.validator == "required" and is_patch_fragment(resource):
                continue  # a patch supplies only what it changes
            finding = self._report(resource, error)
            if (error.path, finding.message) not in reported:
                reported.add((error.path, finding.message))
                yield finding
        survey = survey_of(resource)
        if survey is not None and survey.duplicates and not is_patch_fragment(resource):
            for problem in survey.duplicates:
                yield self.report(resource, problem.path, at(problem.path, problem.message))

    def _report(self, resource, error: SchemaError):
        path = error.path
        if error.validator == "required" and error.field:
            present = get(resource.body, path)
            keys = [k for k in present if k != error.field] if isinstance(present, dict) else []
            near = nearest_field(error.field, keys)
            typo = f'; is "{near}" a misspelling of it?' if near else ""
            message = at((*path, error.field), "Required value") + typo
            return self.report(resource, path, message, key=bool(path))
        message = at(path, error.message)
        value = get(resource.body, path)
        if not (error.allowed and isinstance(value, str)):
            return self.report(resource, path, message)
        choices = [str(choice) for choice in error.allowed]
        same = [choice for choice in choices if choice.casefold() == value.casefold()]
        match = same[0] if same else closest(value, choices)
        if match is None:
            return self.report(resource, path, message)
        fixes = []
        if same or distance(value.casefold(), match.casefold()) <= 1:
            fixes.append(replace(path, match, f'Change to "{match}"', safe=bool(same)))
        return self.report(resource, path, f'{message}; did you mean "{match}"?', fixes=fixes)
