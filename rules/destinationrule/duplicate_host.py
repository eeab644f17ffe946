"""DestinationRules Istio merges must not define the same subset or top-level policy."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.exports import export_targets
from meshlint.mesh.groups import Group, describe
from meshlint.model import Resource, string_map


def merge_key(dr: Resource, mesh) -> tuple | None:
    """What Istio merges DestinationRules by: namespace, host, exportTo and selector."""
    host = dr.spec.get("host")
    if not isinstance(host, str) or not host:
        return None
    default = mesh.settings.mesh_config.get("defaultDestinationRuleExportTo") or ["*"]
    scope = export_targets(dr.spec.get("exportTo"), dr.namespace, default)
    selector = dr.spec.get("workloadSelector")
    labels = string_map(selector.get("matchLabels")) if isinstance(selector, dict) else {}
    return dr.namespace, mesh.fqdn(host, dr.namespace).lower(), scope, frozenset(labels.items())


def subset_indexes(dr: Resource) -> dict[str, int]:
    """Subset name -> index of its first definition."""
    subsets = dr.spec.get("subsets")
    out: dict[str, int] = {}
    for i, subset in enumerate(subsets if isinstance(subsets, list) else ()):
        name = subset.get("name") if isinstance(subset, dict) else None
        if isinstance(name, str) and name:
            out.setdefault(name, i)
    return out


class DuplicateDestinationRule(Rule):
    """Several DestinationRules for one host define the same subset or top-level policy.

    ## What it does
    Groups the DestinationRules Istio merges into one: same namespace, same host (fully
    qualified), same `exportTo` and same `workloadSelector`. Within a group, reports each
    DestinationRule that defines a subset another one also defines, at the subset's name,
    and each one with a top-level `trafficPolicy` when another one has one too.
    DestinationRules in different namespaces are not merged (a client's own namespace
    wins) and are not compared.

    ## Why it matters
    Istio keeps the oldest definition of a subset and the oldest top-level traffic policy
    and silently drops the others. Which settings a client gets then depends on the
    creation order of the DestinationRules, and changes when one is re-created.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      subsets:
      - name: v1  # <-
        labels: {version: v1}
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews-canary
    spec:
      host: reviews.default.svc.cluster.local
      subsets:
      - name: v1  # <-
        labels: {version: v1, track: canary}
      - name: v2
        labels: {version: v2}
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
    kind: DestinationRule
    metadata:
      name: reviews-canary
    spec:
      host: reviews.default.svc.cluster.local
      subsets:
      - name: v2
        labels: {version: v2}
    ```

    ## Compared with Istio and Kiali
    - Kiali reports any two DestinationRules for a host when one has no subsets; istiod
      merges them, and meshlint reports only what the merge drops.
    - Kiali compares a catch-all rule (`*`, `*.<ns>.svc.<domain>`, unless it sends
      ISTIO_MUTUAL) with every host it covers, and rules of different namespaces; istiod
      merges neither (the most specific host, then the client's namespace, wins).
    - Kiali reads `reviews.bookinfo` as the Service reviews of namespace bookinfo;
      istiod expands only names without a dot, so it is another host (ML301 reports it).
    """

    id = "ML350"
    name = "dr-duplicate-definition"
    severity = Severity.WARNING
    category = "conflict"
    kinds = ("DestinationRule",)
    equivalents = Equivalents(kiali="KIA0201")

    def check(self, mesh):
        groups: dict[tuple, list[Resource]] = {}
        for dr in mesh.of_kind("DestinationRule"):
            key = merge_key(dr, mesh)
            if key is not None:
                groups.setdefault(key, []).append(dr)
        for (_, host, _, _), rules in groups.items():
            if len(rules) > 1:
                yield from self._check_group(host, rules)

    def _check_group(self, host, rules):
        by_subset: dict[str, Group] = {}
        indexes = {id(dr): subset_indexes(dr) for dr in rules}
        for dr in rules:
            for name in indexes[id(dr)]:
                by_subset.setdefault(name, Group()).add(dr)
        for name, group in by_subset.items():
            if len(group) < 2:
                continue
            for dr in group.members:
                if dr.linted:
                    named, total = group.others(dr)
                    yield self.report(
                        dr,
                        ("spec", "subsets", indexes[id(dr)][name], "name"),
                        f'subset "{name}" of host "{host}" is also defined by '
                        f"{describe(named, total)}: Istio keeps only the oldest definition",
                        related=[
                            related_to(o, ("spec", "subsets", indexes[id(o)][name], "name"))
                            for o in named
                        ],
                    )
        policies = Group(dr for dr in rules if isinstance(dr.spec.get("trafficPolicy"), dict))
        if len(policies) < 2:
            return
        for dr in policies.members:
            if dr.linted:
                named, total = policies.others(dr)
                yield self.report(
                    dr,
                    ("spec", "trafficPolicy"),
                    f'top-level trafficPolicy for host "{host}" is also set by '
                    f"{describe(named, total)}: Istio keeps only the oldest one",
                    key=True,
                    related=[related_to(o, ("spec", "trafficPolicy")) for o in named],
                )
