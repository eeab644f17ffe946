"""WorkloadGroups of one namespace should be told apart by their labels."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.fieldpath import get
from meshlint.mesh.groups import Group, describe
from meshlint.model import string_map

LABELS = ("spec", "metadata", "labels")


class WorkloadGroupDuplicateLabels(Rule):
    """Two WorkloadGroups of one namespace give their workloads the same labels.

    ## What it does
    Groups the WorkloadGroups by namespace and by the labels of `spec.metadata.labels`
    (ignoring order) and reports each one of a group of two or more. WorkloadGroups
    without labels are not compared.

    ## Why it matters
    The WorkloadEntries Istio creates for the VMs of each group carry these labels, and
    Services, DestinationRule subsets and policies select them by label. With identical
    labels, the VMs of the two groups cannot be told apart: a Service meant for one group
    also load-balances to the other.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: WorkloadGroup
    metadata:
      name: billing-vms
    spec:
      metadata:
        labels:  # <-
          app: billing
      template:
        serviceAccount: billing
    ---
    apiVersion: networking.istio.io/v1
    kind: WorkloadGroup
    metadata:
      name: reports-vms
    spec:
      metadata:
        labels:  # <-
          app: billing
      template:
        serviceAccount: reports
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: WorkloadGroup
    metadata:
      name: billing-vms
    spec:
      metadata:
        labels:
          app: billing
      template:
        serviceAccount: billing
    ---
    apiVersion: networking.istio.io/v1
    kind: WorkloadGroup
    metadata:
      name: reports-vms
    spec:
      metadata:
        labels:
          app: reports
      template:
        serviceAccount: reports
    ```
    """

    id = "ML670"
    name = "workloadgroup-duplicate-labels"
    severity = Severity.WARNING
    category = "conflict"
    kinds = ("WorkloadGroup",)
    equivalents = Equivalents(kiali="KIA1702")

    def check(self, mesh):
        groups: dict[tuple, Group] = {}
        for group in mesh.of_kind("WorkloadGroup"):
            labels = string_map(get(group.body, LABELS))
            if labels:
                key = (group.namespace, frozenset(labels.items()))
                groups.setdefault(key, Group()).add(group)
        for (namespace, _), same in groups.items():
            if len(same) < 2:
                continue
            for group in same.members:
                if group.linted:
                    named, total = same.others(group)
                    yield self.report(
                        group,
                        LABELS,
                        f"{describe(named, total)} of namespace {namespace} give their "
                        "workloads the same labels: Services cannot tell the groups apart",
                        key=True,
                        related=[related_to(o, LABELS) for o in named],
                    )
