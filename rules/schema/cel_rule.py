"""The CEL validation rules (``x-kubernetes-validations``) of the CRDs."""

from meshlint.apiserver.plan import plan_for
from meshlint.apiserver.problems import at
from meshlint.apiserver.rules import rule_violations, with_defaults
from meshlint.cel import Scope
from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.fieldpath import get
from meshlint.schemastore import known_kinds, validate

_SCALARS = (str, int, float, bool)


class CelRuleViolation(Rule):
    """A field breaks one of the CRD's CEL validation rules, so the API server rejects it.

    ## What it does
    Evaluates the CRDs' `x-kubernetes-validations` rules (written in CEL, with the
    Kubernetes extension functions such as `isIP`, `cidr`, `url` and `quantity`) the way
    the API server does on a create: on every field that is present, after defaults are
    applied. Reports each broken rule at the field that holds it (or at its `fieldPath`)
    with the rule's message. A rule that cannot be evaluated on the value (an unparsable
    duration, a port name that is not a number) is reported with the evaluation error, as
    the API server does. Transition rules (those comparing with `oldSelf`) only apply to
    updates and are skipped. Cost is bounded as the API server bounds it: no rule runs on a
    list longer than its `maxItems` (the schema check reports the length), and a rule whose
    estimated cost passes the API server's per-call limit (or the resource's budget) is not
    evaluated but reported as a warning, "validation rule skipped: too costly".

    ## Why it matters
    More than half of what the API server rejects in Istio resources is decided by these
    rules, not by the plain schema: plain JSON Schema validators (kubeconform, IDE plugins)
    accept `timeout: 5 seconds` or a port of 99999, and the apply fails later.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: payments
    spec:
      hosts: [payments.example.com]
      location: MESH_EXTERNAL
      resolution: DNS
      ports:
      - number: 99999  # <-
        name: https
        protocol: TLS
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: payments
    spec:
      hosts: [payments.example.com]
      location: MESH_EXTERNAL
      resolution: DNS
      ports:
      - number: 443
        name: https
        protocol: TLS
    ```
    """

    id = "ML702"
    name = "cel-rule-violation"
    severity = Severity.ERROR
    category = "schema"
    kinds = known_kinds()
    equivalents = Equivalents(istio="IST0106")

    def check_resource(self, resource, mesh):
        plan = plan_for(resource.api_version, resource.kind)
        if plan is None or not plan.rules_below:
            return
        scope = getattr(self, "_scope", None) or Scope()
        self._scope = scope
        problems = list(rule_violations(plan, with_defaults(plan, resource.body), scope))
        if any(problem.failed for problem in problems):
            problems = self._without_cascades(resource, problems)
        for problem in problems:
            if problem.skipped:
                severity = min(Severity.WARNING, self.effective_severity)
                yield self.report(resource, problem.path, problem.message, severity=severity)
                continue
            value = get(resource.body, problem.path)
            shown = f"{value!r}: " if isinstance(value, _SCALARS) else ""
            yield self.report(
                resource, problem.path, at(problem.path, f"Invalid value: {shown}{problem.message}")
            )

    @staticmethod
    def _without_cascades(resource, problems):
        """Drop evaluation failures inside a value the schema already rejects (a rule cannot
        be evaluated on a value of the wrong type; the schema error says why)."""
        broken = [e.path for e in validate(resource.api_version, resource.kind, resource.body)]
        return [
            problem
            for problem in problems
            if not problem.failed
            or not any(path[: len(problem.path)] == problem.path for path in broken)
        ]
