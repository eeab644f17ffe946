"""DestinationRule subsets should select some of the host's workloads."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh import hosts
from meshlint.mesh.memo import per_list
from meshlint.mesh.resolve import unknown
from meshlint.mesh.routes import destinations
from meshlint.mesh.subsets import backing_workloads, selected_by
from meshlint.mesh.workloads import WORKLOAD_KINDS, selects
from meshlint.model import Resource, string_map


def routed_subsets(mesh) -> dict[int, set[str]]:
    """By id of DestinationRule, the names of its subsets a VirtualService routes or
    mirrors to. VirtualServices routing to one host share the list of its
    DestinationRules, which is walked once."""
    by_rules: dict[int, tuple[list, set[str]]] = {}
    for vs in mesh.of_kind("VirtualService"):
        for dest in destinations(vs):
            if dest.subset:
                host = mesh.fqdn(dest.host, vs.namespace)
                rules = mesh.destination_rules_for(host, vs.namespace)
                by_rules.setdefault(id(rules), (rules, set()))[1].add(dest.subset)
    out: dict[int, set[str]] = {}
    for rules, names in by_rules.values():
        for dr in rules:
            out.setdefault(id(dr), set()).update(names)
    return out


class SubsetSelectsNoWorkload(Rule):
    """A DestinationRule subset selects none of the workloads behind its host.

    ## What it does
    Finds the workloads behind the DestinationRule's host (Pods and pod templates that
    its Services select in their namespace, or that its ServiceEntries'
    `workloadSelector` selects) and matches each subset's `labels` against their labels
    plus locality labels: the region, zone and subzone of the Node a Pod runs on
    (`nodeName`), or of a pod template's `nodeSelector`, as Istio adds them to endpoints.
    Empty locality labels are ignored.

    For a ServiceEntry host with a `workloadSelector`, the WorkloadEntries it selects back
    the host too.

    A subset some VirtualService routes (or mirrors) to is reported as an error; one no
    VirtualService uses yet is only info, since its workloads may be deployed later or
    from elsewhere. Hosts without label selectors (external ServiceEntries, Services with
    manual Endpoints) and wildcard hosts are skipped, and so is a host none of whose
    workloads is in the analyzed files, unless `--assume-complete` is given.

    ## Why it matters
    Requests routed to the subset find no endpoint and fail with 503 (`UH`, no healthy
    upstream).

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: reviews
    spec:
      selector: {app: reviews}
      ports: [{name: http, port: 9080}]
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: reviews-v1
    spec:
      selector:
        matchLabels: {app: reviews, version: v1}
      template:
        metadata:
          labels: {app: reviews, version: v1}
        spec:
          containers: [{name: reviews, image: reviews:v1}]
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      subsets:
      - name: v2
        labels:
          version: v2  # <-
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews
    spec:
      hosts: [reviews]
      http:
      - route:
        - destination: {host: reviews, subset: v2}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: reviews
    spec:
      selector: {app: reviews}
      ports: [{name: http, port: 9080}]
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: reviews-v1
    spec:
      selector:
        matchLabels: {app: reviews, version: v1}
      template:
        metadata:
          labels: {app: reviews, version: v1}
        spec:
          containers: [{name: reviews, image: reviews:v1}]
    ---
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      subsets:
      - name: v1
        labels:
          version: v1
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews
    spec:
      hosts: [reviews]
      http:
      - route:
        - destination: {host: reviews, subset: v1}
    ```

    ## Compared with Istio and Kiali
    - istioctl also reports a subset no VirtualService routes to, as an error (IST0173);
      meshlint, like Kiali (KIA0203 `unknown`), reports it as info until traffic is
      routed to it, since its workloads may be deployed later or from elsewhere.
    - istioctl also reports a subset that only WorkloadEntries back: its analyzer reads
      Pods only. meshlint counts the WorkloadEntries a ServiceEntry's `workloadSelector`
      selects, as istiod does when it builds the endpoints.
    """

    id = "ML312"
    name = "dr-subset-no-workload"
    severity = Severity.ERROR
    category = "reference"
    kinds = (
        "DestinationRule",
        "VirtualService",
        "Service",
        "ServiceEntry",
        "WorkloadEntry",
        "Node",
        *WORKLOAD_KINDS,
    )
    targets = ("DestinationRule",)
    equivalents = Equivalents(
        istio="IST0173", analyzers=("destinationrule.PodNotSelectedAnalyzer",), kiali="KIA0203"
    )

    def check(self, mesh):
        routed: dict[int, set[str]] | None = None
        for dr in mesh.of_kind("DestinationRule"):
            subsets = dr.spec.get("subsets")
            host = dr.spec.get("host")
            if not dr.linted or not isinstance(subsets, list) or not isinstance(host, str):
                continue
            if not host or hosts.is_wildcard(host):
                continue
            fqdn = mesh.fqdn(host, dr.namespace)
            workloads = backing_workloads(mesh, fqdn, dr.namespace)
            if workloads is None:
                continue
            if routed is None:
                routed = routed_subsets(mesh)
            entries = _workload_entries(mesh, fqdn, dr.namespace)
            yield from self._check_subsets(dr, subsets, workloads, entries, routed, mesh)

    def _check_subsets(self, dr: Resource, subsets: list, workloads, entries, routed, mesh):
        for i, subset in enumerate(subsets):
            if not isinstance(subset, dict) or not subset.get("name"):
                continue
            labels = string_map(subset.get("labels"))
            if workloads and _selects_some(mesh, workloads, tuple(labels.items())):
                continue
            if any(selects(labels, entry) for entry in entries):
                continue
            name = str(subset["name"])
            used = name in routed.get(id(dr), ())
            path = ("spec", "subsets", i, "labels") if labels else ("spec", "subsets", i)
            wanted = ",".join(f"{k}={v}" for k, v in labels.items()) or "(no labels)"
            host = dr.spec["host"]
            if workloads or entries:
                refs = _first_refs(mesh, workloads) if workloads else "WorkloadEntries"
                detail = f'none of the workloads of "{host}" ({refs})'
            else:
                detail = f'no workload: nothing in the analyzed files backs "{host}"'
            effect = (
                "a VirtualService routes to it, so those requests fail with 503"
                if used
                else "no VirtualService routes to it yet"
            )
            message = f'subset "{name}" ({wanted}) selects {detail}; {effect}'
            related = [
                related_to(w.resource, (*w.template_path, "metadata", "labels"), w.resource.ref)
                for w in workloads[:3]
            ]
            if workloads or mesh.settings.assume_complete:
                severity = None if used else Severity.INFO
                yield self.report(dr, path, message, related=related, severity=severity)
            else:
                reason = unknown("the host's workloads are not in the analyzed files")
                yield from self.unresolved(dr, path, reason, message)


def _workload_entries(mesh, host: str, from_namespace: str) -> list[dict[str, str]]:
    """The labels of the WorkloadEntries that the host's ServiceEntries select with their
    ``workloadSelector`` (in the ServiceEntry's namespace)."""
    out = []
    for entry in mesh.resolve_host(host, from_namespace).targets:
        if entry.resource.kind != "ServiceEntry" or not entry.selector:
            continue
        for we in mesh.of_kind("WorkloadEntry"):
            labels = string_map(we.spec.get("labels"))
            if we.namespace == entry.namespace and selects(entry.selector, labels):
                out.append(labels)
    return out


@per_list
def _selects_some(mesh, workloads: list, labels: tuple) -> bool:
    """Whether subset labels select some of a host's workloads (once per host)."""
    return bool(selected_by(dict(labels), workloads, mesh))


@per_list
def _first_refs(mesh, workloads: list) -> str:
    """The first workloads by name, as listed in messages."""
    refs = ", ".join(sorted(w.resource.ref for w in workloads)[:3])
    return refs + (", ..." if len(workloads) > 3 else "")
