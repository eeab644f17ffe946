"""VirtualService subsets must be defined by a DestinationRule for the host."""

from meshlint.core.suggest import closest
from meshlint.engine.finding import Severity
from meshlint.engine.fix import suggestion
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.groups import MAX_NAMED, describe
from meshlint.mesh.memo import per_list
from meshlint.mesh.resolve import Resolution, Status, not_found, unknown
from meshlint.mesh.routes import destinations


def subset_names(dr) -> list[str]:
    subsets = dr.spec.get("subsets")
    if not isinstance(subsets, list):
        return []
    return [str(s.get("name")) for s in subsets if isinstance(s, dict) and s.get("name")]


class SubsetNotFound(Rule):
    """A VirtualService routes to a subset that no DestinationRule for the host defines.

    ## What it does
    For every route and mirror destination naming a `subset`, looks for a DestinationRule
    visible from the VirtualService's namespace whose `host` covers the destination host
    (wildcards included) and that defines a subset of that name. When the host itself
    does not exist, only `vs-destination-host-not-found` is reported. When no
    DestinationRule among the inputs covers the host, the subset cannot be checked and
    is not reported, unless `--assume-complete` is given. A subset any copy of a duplicated
    DestinationRule defines is found. When exactly one defined subset has a close name,
    `meshlint fix --unsafe` routes to it.

    ## Why it matters
    Istio accepts the route, then fails every request on it with a 503
    (`NR`/no cluster found): the subset's cluster does not exist.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      subsets:
      - name: v1
        labels: {version: v1}
    ---
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
            subset: v4  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      subsets:
      - name: v1
        labels: {version: v1}
    ---
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
            subset: v1
    ```
    """

    id = "ML104"
    name = "vs-subset-not-found"
    severity = Severity.ERROR
    category = "reference"
    kinds = ("VirtualService", "DestinationRule", "Service", "ServiceEntry")
    equivalents = Equivalents(
        istio="IST0101", analyzers=("virtualservice.DestinationRuleAnalyzer",), kiali="KIA1107"
    )

    targets = ("VirtualService",)

    def check_resource(self, vs, mesh):
        for dest in destinations(vs):
            if dest.subset is None:
                continue
            fqdn = mesh.fqdn(dest.host, vs.namespace)
            rules = mesh.destination_rules_for(fqdn, vs.namespace)
            names = _subsets(mesh, rules)
            if dest.subset in names:
                continue
            path = (*dest.path, "subset")
            if rules:
                match = _closest(mesh, rules, dest.subset)
                text, fixes = suggestion(dest.subset, [match] if match else [], path)
                named = rules[:MAX_NAMED]
                yield self.report(
                    vs,
                    path,
                    f'subset "{dest.subset}" is not defined by {describe(named, len(rules))}'
                    + text,
                    fixes=fixes,
                    related=[
                        related_to(dr, ("spec", "subsets"), f"subsets of {dr.ref}") for dr in named
                    ],
                )
                continue
            host = mesh.resolve_host(fqdn, vs.namespace)
            if host.missing:
                continue  # the host itself is missing: vs-destination-host-not-found says so
            resolution = host if host.status is Status.UNKNOWN else _no_rule(mesh, fqdn)
            message = f'subset "{dest.subset}" of host "{dest.host}": no DestinationRule for {fqdn}'
            yield from self.unresolved(vs, path, resolution, message)


def _no_rule(mesh, fqdn: str) -> Resolution:
    """No DestinationRule covers the host: the place the subset would be defined is not
    among the inputs, so it cannot be checked unless they are declared complete."""
    if mesh.settings.assume_complete:
        return not_found()
    return unknown(f"no DestinationRule for {fqdn} among the inputs")


@per_list
def _subsets(mesh, rules: list) -> dict[str, None]:
    """The subset names the DestinationRules define, in order (once per shared list);
    a subset any copy of a DestinationRule defines counts."""
    return dict.fromkeys(n for dr in rules for copy in mesh.copies(dr) for n in subset_names(copy))


@per_list
def _closest(mesh, rules: list, subset: str) -> str | None:
    return closest(subset, _subsets(mesh, rules))
