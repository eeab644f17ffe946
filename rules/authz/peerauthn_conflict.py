"""At most one PeerAuthentication may apply at each level: namespace and workload."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh import selection
from meshlint.mesh.groups import Group, describe
from meshlint.mesh.workloads import WORKLOAD_KINDS

KIND = "PeerAuthentication"


class PeerAuthenticationMultipleNamespaceWide(Rule):
    """Several PeerAuthentications in one namespace have no selector.

    ## What it does
    Groups the PeerAuthentications without `spec.selector` (or with an empty one) by
    namespace and reports each one of a group of two or more. In the root namespace
    these are the mesh-wide policies.

    ## Why it matters
    Istio applies one namespace-wide (or mesh-wide) PeerAuthentication, the oldest, and
    ignores the others. Whether the namespace accepts plain text then depends on which
    object was created first, and changes when it is re-created.

    ## Example
    ```yaml
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: default  # <-
    spec:
      mtls: {mode: STRICT}
    ---
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: allow-legacy  # <-
    spec:
      mtls: {mode: PERMISSIVE}
    ```

    ## Use instead
    ```yaml
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: default
    spec:
      mtls: {mode: STRICT}
    ```
    """

    id = "ML523"
    name = "peerauthn-multiple-namespace-wide"
    severity = Severity.ERROR
    category = "conflict"
    kinds = (KIND,)
    equivalents = Equivalents(kiali="KIA0002")

    def check(self, mesh):
        by_namespace: dict[str, Group] = {}
        for policy in mesh.of_kind(KIND):
            if selection.selector_of(policy) is None:
                by_namespace.setdefault(policy.namespace, Group()).add(policy)
        for namespace, group in by_namespace.items():
            if len(group) < 2:
                continue
            for policy in group.members:
                if policy.linted:
                    named, total = group.others(policy)
                    yield self.report(
                        policy,
                        ("metadata", "name"),
                        f"namespace {namespace} has other PeerAuthentications without a "
                        f"selector ({describe(named, total)}): Istio applies only the oldest",
                        related=[related_to(o) for o in named],
                    )


class PeerAuthenticationSelectorConflict(Rule):
    """Several PeerAuthentications select the same workload.

    ## What it does
    Matches each PeerAuthentication's `spec.selector.matchLabels` against the Pods and
    pod templates of its namespace and reports every policy that shares a selected
    workload with another one of the same namespace, naming the others and the workload.

    ## Why it matters
    Istio applies one workload-level PeerAuthentication to a workload, the oldest, and
    ignores the others, including their `portLevelMtls` exceptions. Which mTLS mode the
    workload gets depends on creation order.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: ratings
      labels: {app: ratings, version: v1}
    spec:
      containers:
      - name: ratings
        image: istio/examples-bookinfo-ratings-v1
    ---
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: ratings-strict
    spec:
      selector:
        matchLabels:  # <-
          app: ratings
      mtls: {mode: STRICT}
    ---
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: v1-permissive
    spec:
      selector:
        matchLabels:  # <-
          version: v1
      mtls: {mode: PERMISSIVE}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: ratings
      labels: {app: ratings, version: v1}
    spec:
      containers:
      - name: ratings
        image: istio/examples-bookinfo-ratings-v1
    ---
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: ratings-strict
    spec:
      selector:
        matchLabels:
          app: ratings
      mtls: {mode: STRICT}
      portLevelMtls:
        9080: {mode: PERMISSIVE}
    ```
    """

    id = "ML524"
    name = "peerauthn-selector-conflict"
    severity = Severity.ERROR
    category = "conflict"
    kinds = (KIND, *WORKLOAD_KINDS)
    targets = (KIND,)
    equivalents = Equivalents(kiali="KIA0003")

    def check(self, mesh):
        by_selector: dict[tuple[str, frozenset], list] = {}
        for policy in mesh.of_kind(KIND):
            selector = selection.selector_of(policy)
            if selector is not None:
                key = (policy.namespace, frozenset(selector.items()))
                by_selector.setdefault(key, []).append(policy)
        # the selectors that select each workload: workloads selected by the same ones
        # have the same policies, and are looked at once
        by_workload: dict[int, tuple[object, list[tuple]]] = {}
        for key in by_selector:
            namespace, labels = key
            for workload in mesh.workloads.matching(dict(labels), namespace):
                by_workload.setdefault(id(workload), (workload, []))[1].append(key)
        reported: set[int] = set()
        seen: set[tuple] = set()
        for workload, keys in by_workload.values():
            if tuple(keys) in seen:
                continue
            seen.add(tuple(keys))
            group = Group(p for key in keys for p in by_selector[key])
            if len(group) < 2:
                continue
            for policy in group.members:
                if not policy.linted or id(policy) in reported:
                    continue
                reported.add(id(policy))
                named, total = group.others(policy)
                yield self.report(
                    policy,
                    ("spec", "selector", "matchLabels"),
                    f"{workload.resource.ref} is also selected by {describe(named, total)}: "
                    "Istio applies only the oldest workload-level PeerAuthentication",
                    key=True,
                    related=[related_to(o, ("spec", "selector")) for o in named]
                    + [related_to(workload.resource, ("metadata", "name"), "selected workload")],
                )
