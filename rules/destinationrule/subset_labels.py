"""A DestinationRule subset should select a part of the host's endpoints."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh.egress import EGRESS_LABELS, egress_service_hosts
from meshlint.mesh.workloads import WORKLOAD_KINDS


def has_labels(subset: dict) -> bool:
    labels = subset.get("labels")
    return isinstance(labels, dict) and bool(labels)


def for_egress_gateway(dr, mesh) -> bool:
    """Whether a DestinationRule's host is an egress gateway's Service: one in front of a
    workload labelled ``istio: egressgateway`` (Istio's default one is assumed), or a
    Service whose name says it is one."""
    host = dr.spec.get("host")
    if not isinstance(host, str) or not host:
        return False
    if mesh.fqdn(host, dr.namespace) in egress_service_hosts(mesh, EGRESS_LABELS):
        return True
    name = host.split(".", 1)[0]
    return "egressgateway" in name or "egress-gateway" in name


class SubsetWithoutLabels(Rule):
    """A DestinationRule subset has no labels.

    ## What it does
    Reports each subset without `labels` (or with empty ones). It is a warning when no
    other subset of the DestinationRule has labels and the subset has no `trafficPolicy`
    of its own: the subset is then the host itself under another name. It is information
    when a sibling subset has labels (an "all versions" subset may be deliberate) or when
    the subset carries its own traffic policy. Subsets of a DestinationRule for an egress
    gateway's Service are not reported: Istio's egress gateway pattern names a label-less
    subset per external host, to give each its own route through the gateway.

    ## Why it matters
    A subset without labels selects every endpoint of the host. Routing to it does not
    pin a version: a route meant for `v1` also reaches `v2` and `v3`. It is most often a
    `labels` block lost in an edit.

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
    ```
    """

    id = "ML351"
    name = "dr-subset-without-labels"
    severity = Severity.WARNING
    category = "best-practice"
    kinds = ("DestinationRule", "Service", *WORKLOAD_KINDS)
    targets = ("DestinationRule",)
    equivalents = Equivalents(kiali="KIA0209")

    def check_resource(self, dr, mesh):
        subsets = dr.spec.get("subsets")
        if not isinstance(subsets, list) or for_egress_gateway(dr, mesh):
            return
        entries = [(i, s) for i, s in enumerate(subsets) if isinstance(s, dict)]
        labelled = any(has_labels(s) for _, s in entries)
        for i, subset in entries:
            if has_labels(subset):
                continue
            own_policy = isinstance(subset.get("trafficPolicy"), dict)
            path = ("spec", "subsets", i, "name") if "name" in subset else ("spec", "subsets", i)
            name = subset.get("name", i)
            if labelled or own_policy:
                why = "another subset has labels" if labelled else "it has its own policy"
                yield self.report(
                    dr,
                    path,
                    f'subset "{name}" has no labels and selects every endpoint of the host '
                    f"(deliberate? {why})",
                    severity=Severity.INFO,
                )
            else:
                yield self.report(
                    dr,
                    path,
                    f'subset "{name}" has no labels: it selects every endpoint of the host, '
                    "so routing to it pins no version; add the labels of its pods",
                )
