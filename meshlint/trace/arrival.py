"""Where the request arrives: each destination's host, port, DestinationRule subset and
workloads, the mTLS hop to each workload, and the AuthorizationPolicies there."""

from __future__ import annotations

from meshlint.mesh import hosts
from meshlint.mesh.dataplane import Mode, workload_mode
from meshlint.mesh.index import Mesh
from meshlint.mesh.mtls import MtlsModel
from meshlint.mesh.selection import describes_namespace
from meshlint.mesh.services import as_int
from meshlint.mesh.subsets import backing_workloads, selected_by, subset_labels
from meshlint.mesh.workloads import Workload
from meshlint.model import as_list
from meshlint.trace import authz, tls
from meshlint.trace.entry import Entry
from meshlint.trace.request import Request, Source
from meshlint.trace.result import ALLOW, DENY, UNKNOWN, Arrival, Trace


class Arrivals:
    """The destination steps, for :class:`~meshlint.trace.engine.Tracer`."""

    mesh: Mesh
    request: Request
    source: Source
    mtls: MtlsModel
    result: Trace
    client_sidecar: bool
    trust_domain: str
    path: str
    authority: str

    def _arrive_all(self, entry: Entry, targets: list[tuple]) -> None:
        result = self.result
        for host, subset, port, share, vs, path in targets:
            arrival = self._arrive(entry, host, subset, port, share, vs, path)
            result.arrivals.append(arrival)
        decisions = {a.decision for a in result.arrivals}
        if len(decisions) == 1:
            only = result.arrivals[0]
            decision = only.decision
            reason = (
                only.reason if len(result.arrivals) == 1 else "every destination: " + only.reason
            )
            outcome = {ALLOW: "routed", DENY: "denied"}.get(decision, "")
            if decision == DENY and "503" in only.reason:
                outcome = "503 Service Unavailable"
            elif decision == DENY and only.decided_by:
                outcome = "403 RBAC: access denied"
            result.decide(decision, reason, outcome)
            return
        parts = "; ".join(
            f"{a.weight:g}% to {a.host}{'/' + a.subset if a.subset else ''}: {a.decision}"
            for a in result.arrivals
        )
        result.decide(UNKNOWN, f"the destinations decide differently ({parts})", "split")

    def _arrive(
        self, entry: Entry, host: str, subset: str | None, port: int | None, share: float, vs, path
    ) -> Arrival:
        result = self.result
        client = self.source.namespace
        arrival = Arrival(host, port, subset, share)
        resolution = self.mesh.resolve_host(host, client)
        text = host + (f":{port}" if port else "") + (f" subset {subset}" if subset else "")
        result.step(
            "destination",
            text + ("" if share == 100 else f" ({share:g}%)"),
            vs,
            path,
        )
        if not resolution.targets:
            if resolution.missing:
                return _verdict(arrival, DENY, f"503: no Service or ServiceEntry defines {host}")
            reason = resolution.reason or f"{host} is outside the mesh's registry"
            result.doubt("destination", reason)
            return _verdict(arrival, UNKNOWN, reason)
        services = resolution.targets
        arrival.host_resources = [e.resource for e in services]
        service_port = self._service_port(services, port, entry)
        if port is None and service_port is not None:
            arrival.port = service_port.number
        service_namespace = (
            hosts.cluster_local_namespace(host, self.mesh.settings.cluster_domain)
            or services[0].namespace
        )
        rule = (
            self.mtls.client_rule(host, service_namespace, client) if self.client_sidecar else None
        )
        arrival.rule = rule
        labels: dict[str, str] = {}
        if subset:
            if rule is None:
                places = {client, service_namespace, self.mtls.root}
                if (
                    any(self.mesh.evidence.has("DestinationRule", ns) for ns in places)
                    or self.mesh.settings.assume_complete
                ):
                    return _verdict(
                        arrival, DENY, f"503: no DestinationRule for {host} defines subset {subset}"
                    )
                reason = f"no DestinationRule for {host} among the inputs (subset {subset})"
                result.doubt("subset", reason)
                return _verdict(arrival, UNKNOWN, reason)
            found = subset_labels(rule, subset)
            if found is None:
                result.step(
                    "subset",
                    f"DestinationRule {rule.qualified_name} has no subset {subset}",
                    rule,
                    ("spec", "subsets"),
                )
                return _verdict(
                    arrival,
                    DENY,
                    f"503: DestinationRule {rule.qualified_name} has no subset {subset}",
                )
            labels = found
            index = next(
                i
                for i, s in enumerate(as_list(rule.spec.get("subsets")))
                if isinstance(s, dict) and str(s.get("name")) == subset
            )
            text = ",".join(f"{k}={v}" for k, v in labels.items())
            result.step(
                "subset",
                f"subset {subset} of DestinationRule {rule.qualified_name}: {text}",
                rule,
                ("spec", "subsets", index, "labels"),
            )
        backing = backing_workloads(self.mesh, host, client)
        if backing is None:
            reason = f"{host} does not select workloads by label (external, or Endpoints by hand)"
            result.doubt("workloads", reason)
            return _verdict(arrival, UNKNOWN, reason)
        workloads = selected_by(labels, backing, self.mesh) if labels else list(backing)
        if not workloads:
            namespace = services[0].namespace
            if (
                backing
                or describes_namespace(self.mesh, namespace)
                or self.mesh.settings.assume_complete
            ):
                reason = f"503: no workload behind {host}" + (
                    f" has the labels of subset {subset}" if subset else ""
                )
                result.step("workloads", reason)
                return _verdict(arrival, DENY, reason)
            reason = f"the workloads behind {host} are not among the inputs"
            result.doubt("workloads", reason)
            return _verdict(arrival, UNKNOWN, reason)
        arrival.workloads = [w.resource for w in workloads]
        result.step(
            "workloads",
            ", ".join(w.resource.ref for w in workloads),
            workloads[0].resource,
            workloads[0].template_path,
        )
        verdicts = [
            self._at_workload(w, rule, subset, arrival.port, service_port) for w in workloads
        ]
        kinds = {v.decision for v in verdicts}
        if len(kinds) == 1:
            first = verdicts[0]
            arrival.decided_by = first.decided_by
            return _verdict(arrival, first.decision, first.reason)
        text = "; ".join(
            f"{w.resource.ref}: {v.decision}" for w, v in zip(workloads, verdicts, strict=True)
        )
        return _verdict(arrival, UNKNOWN, f"the workloads decide differently ({text})")

    def _service_port(self, services, port: int | None, entry: Entry):
        ports = [p for e in services for p in e.ports]
        if port is not None:
            return next((p for p in ports if p.number == port), None)
        if entry.gateway is None:
            same = next((p for p in ports if p.number == self.request.port), None)
            if same is not None:
                return same
        return ports[0] if len(ports) == 1 else None

    def _at_workload(self, workload: Workload, rule, subset, port, service_port) -> authz.Verdict:
        result = self.result
        target = None
        if service_port is not None:
            target = as_int(service_port.target_port)
            if target is None and isinstance(service_port.target_port, str):
                target = _container_port(workload, service_port.target_port)
        hop = tls.hop(self.mtls, workload, rule, subset, port, target, self.client_sidecar)
        add = result.doubt if hop.mtls is None else result.step
        if hop.rule_path:
            add("mtls", f"{workload.resource.ref}: {hop.text}", hop.rule, hop.rule_path)
        else:
            add("mtls", f"{workload.resource.ref}: {hop.text}", hop.server, ("spec", "mtls"))
        if hop.failure:
            return authz.Verdict(
                DENY,
                f"503: the TLS handshake fails: {hop.failure}",
                [hop.server] if hop.server else [],
            )
        peer = self._peer(hop.mtls, hop.text)
        attrs = authz.Attributes(
            self.request,
            peer,
            self.result.route is None or self.result.route.section == "http",
            self.authority,
            self.path,
            target,
        )
        if self.request.scheme == "tcp":
            attrs.http = False
        mode = workload_mode(self.mesh, workload)
        policies = authz.policies_for(
            self.mesh, workload.namespace, workload.labels, True, self.mtls.root
        )
        verdict = authz.decide(policies, attrs)
        for text, policy, path, doubtful in verdict.notes:
            (result.doubt if doubtful else result.step)("authorization", text, policy, path)
        if not policies:
            result.step(
                "authorization", f"{workload.resource.ref}: no AuthorizationPolicy applies: allowed"
            )
        if mode is Mode.NONE:
            result.step(
                "authorization",
                f"{workload.resource.ref} runs no sidecar: nothing enforces policies",
            )
            return authz.Verdict(ALLOW, "the workload runs no sidecar to enforce policies")
        if mode is Mode.UNKNOWN and verdict.decision != ALLOW:
            return authz.Verdict(
                UNKNOWN, f"{verdict.reason}, if {workload.resource.ref} runs a sidecar (unknown)"
            )
        return verdict

    def _peer(self, mtls: bool | None, why: str) -> authz.Peer:
        source = self.source
        if mtls is None:
            return authz.Peer(None, None, f"mutual TLS, which is unknown ({why})")
        if not mtls:
            return authz.Peer(None, None)
        if source.service_account is None:
            return authz.Peer(None, source.namespace, "the client's service account (give --from)")
        principal = f"{self.trust_domain}/ns/{source.namespace}/sa/{source.service_account}"
        return authz.Peer(principal, source.namespace)


def _verdict(arrival: Arrival, decision: str, reason: str) -> Arrival:
    arrival.decision, arrival.reason = decision, reason
    return arrival


def _container_port(workload: Workload, name: str) -> int | None:
    for container in workload.containers():
        for port in as_list(container.get("ports")):
            if isinstance(port, dict) and port.get("name") == name:
                return as_int(port.get("containerPort"))
    return None
