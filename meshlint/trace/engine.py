"""Tracing one request through the manifests: entry point, VirtualService, rule,
destinations, subsets, workloads, mTLS and authorization, each step decided or unknown."""

from __future__ import annotations

from dataclasses import replace

from meshlint.mesh import hosts
from meshlint.mesh.dataplane import Mode, workload_mode
from meshlint.mesh.exports import EVERYWHERE, virtual_service_targets
from meshlint.mesh.index import ASSUMED_FILE, ISTIO_NETWORKING, Mesh, gateway_name
from meshlint.mesh.istio_install import effective_mesh_config
from meshlint.mesh.mtls import MtlsModel, model
from meshlint.mesh.resolve import Resolution, Status
from meshlint.mesh.resource_graph import resolve_delegate
from meshlint.mesh.services import as_int
from meshlint.mesh.workloads import Workload
from meshlint.model import Resource, as_list
from meshlint.trace.actions import RouteActions
from meshlint.trace.arrival import Arrivals
from meshlint.trace.entry import (
    Entry,
    Refusal,
    find_gateway,
    gateway_entry,
    gateway_workloads,
    listener_port,
    sidecar_entry,
    specificity,
)
from meshlint.trace.matching import MESH, Context, rule_answer
from meshlint.trace.request import Request, Source
from meshlint.trace.result import DENY, UNKNOWN, RouteChoice, Trace
from meshlint.validation.walk import ROUTE_SECTIONS

#: How deep delegate chains are followed (Istio allows one level; cycles end here).
MAX_DELEGATION = 4


def service_account(workload: Workload) -> str:
    """The service account a workload's pods run as (Kubernetes' ``default`` when unset;
    ``<name>-service-account`` for a gateway meshlint assumes, as Istio installs it)."""
    if workload.resource.file == ASSUMED_FILE:
        return f"{workload.resource.name}-service-account"
    for key in ("serviceAccountName", "serviceAccount"):
        value = workload.pod_spec.get(key)
        if isinstance(value, str) and value:
            return value
    return "default"


def source_of_account(mesh: Mesh, namespace: str, account: str) -> Source:
    workloads = [w for w in mesh.workloads.matching({}, namespace) if service_account(w) == account]
    return Source(namespace, account, workloads)


def source_of_workload(workload: Workload) -> Source:
    return Source(workload.namespace, service_account(workload), [workload], exact=True)


def trace(mesh: Mesh, request: Request, source: Source, gateway: str | None = None) -> Trace:
    """Where ``request`` from ``source`` goes and whether it is allowed (through the
    Gateway ``gateway``, ``namespace/name``, when given; else from the client's sidecar).
    Raises :class:`~meshlint.trace.request.RequestError` when the Gateway is not among
    the inputs."""
    return Tracer(mesh, request, source).run(gateway)


class Tracer(RouteActions, Arrivals):
    """One trace: walks the request hop by hop and records each step."""

    def __init__(self, mesh: Mesh, request: Request, source: Source) -> None:
        self.mesh = mesh
        self.request = request
        self.source = source
        self.mtls: MtlsModel = model(mesh)
        config = effective_mesh_config(mesh)
        self.trust_domain = str(config.get("trustDomain") or "cluster.local")
        self.result = Trace(request.describe(), source.describe())
        self.client_sidecar = True
        self.path = request.uri
        self.authority = request.authority
        #: How the dialed host resolved (None through a gateway).
        self._host_status: Resolution | None = None

    # -- entry -------------------------------------------------------------------------

    def run(self, gateway: str | None) -> Trace:
        entry = self._gateway(gateway) if gateway else self._sidecar()
        self.result.clients = [w.resource for w in self.source.workloads]
        if entry is None:
            return self.result
        candidates = self._virtual_services(entry) if self.client_sidecar else []
        if not candidates:
            return self._without_virtual_service(entry)
        return self._route(entry, candidates)

    def _sidecar(self) -> Entry | None:
        source = self.source
        known = [workload_mode(self.mesh, w) for w in source.workloads]
        if known and all(m is Mode.NONE for m in known):
            self.client_sidecar = False
        if self.client_sidecar:
            where = f"the sidecar of {source.describe()}"
            if source.exact:
                where = f"the sidecar of {source.workloads[0].resource.ref}"
            self.result.step("entry", f"{where} (namespace {source.namespace})")
        else:
            self.result.step(
                "entry",
                f"{source.workloads[0].resource.ref} runs no sidecar: VirtualServices and "
                "DestinationRules do not apply, the request goes to the Service",
                source.workloads[0].resource,
            )
        entry = sidecar_entry(self.mesh, self.request, source.namespace)
        resolution = self.mesh.resolve_host(entry.host, source.namespace)
        services = resolution.targets
        if services:
            entry_host = services[0]
            self.result.step(
                "host",
                f"{entry.host}: {entry_host.resource.ref}",
                entry_host.resource,
                entry_host.path,
            )
            ports = [p.number for e in services for p in e.ports if p.number is not None]
            if ports and self.request.port not in ports:
                listed = ", ".join(map(str, sorted(set(ports))))
                reason = f"{entry_host.resource.ref} has no port {self.request.port} ({listed})"
                where = (entry_host.resource, ("spec", "ports"))
                if all(e.resource.kind == "Service" for e in services):
                    self.result.step("host", reason, *where)
                    self.result.decide(DENY, reason, "connection refused")
                    return None
                self.result.doubt("host", reason, *where)
                self.result.decide(UNKNOWN, reason + ": the outbound traffic policy decides")
                return None
        elif resolution.missing:
            self.result.step("host", f"{entry.host}: no Service or ServiceEntry defines it")
        else:
            self.result.doubt("host", f"{entry.host}: {resolution.reason}")
        self._host_status = resolution
        return entry

    def _gateway(self, reference: str) -> Entry | None:
        gateway = find_gateway(self.mesh, reference)
        workloads = gateway_workloads(self.mesh, gateway)
        result = self.result
        self.result.entry = gateway
        if workloads:
            first = workloads[0]
            self.source = Source(
                first.namespace, service_account(first), workloads, exact=True, gateway=True
            )
            result.source = f"{first.resource.ref} ({self.source.describe()})"
        else:
            self.source = Source(gateway.namespace, None, [], gateway=True)
            result.doubt(
                "entry",
                f"Gateway {gateway.qualified_name}: its selector matches no gateway workload "
                "among the inputs",
                gateway,
                ("spec", "selector"),
            )
            result.decide(UNKNOWN, "the gateway's workloads are unknown")
            return None
        target, service, why, decided = listener_port(self.mesh, workloads, self.request.port)
        if target is None:
            add = result.step if decided else result.doubt
            add("entry", f"Gateway {gateway.qualified_name}: {why}", service, ("spec", "ports"))
            if decided:
                result.decide(DENY, why, "connection refused")
            else:
                result.decide(UNKNOWN, why)
            return None
        if service is not None:
            result.step(
                "entry",
                f"{service.ref}: port {self.request.port} -> targetPort {target}",
                service,
                ("spec", "ports"),
            )
        found = gateway_entry(self.mesh, self.request, gateway, target)
        if isinstance(found, Refusal):
            result.step("entry", found.reason, found.resource, found.path)
            result.decide(DENY, found.reason, found.outcome)
            return None
        found.namespace = self.source.namespace
        result.step(
            "entry",
            f"Gateway {gateway.qualified_name} server on port {target} takes host "
            f"{self.request.host}",
            gateway,
            (*found.server_path, "hosts"),
        )
        self._host_status = None
        return found

    # -- VirtualServices ----------------------------------------------------------------

    def _virtual_services(self, entry: Entry) -> list[Resource]:
        """The VirtualServices for the host at this entry point, in the order Istio uses
        them: the most specific host wins; a gateway merges every VirtualService with that
        host, a sidecar takes the first (files carry no creation time: the first read)."""
        ranked: list[tuple[tuple[int, int], Resource]] = []
        for vs in self.mesh.of_kind("VirtualService", group=ISTIO_NETWORKING):
            if not self._visible(vs, entry.namespace) or not self._bound(vs, entry):
                continue
            best = None
            for raw in as_list(vs.spec.get("hosts")):
                host = self.mesh.fqdn(str(raw), vs.namespace)
                if hosts.matches(host, entry.host) and entry.admits(vs, host):
                    rank = specificity(host, entry.host)
                    best = rank if best is None or rank > best else best
            if best is not None:
                ranked.append((best, vs))
        if not ranked:
            return []
        top = max(rank for rank, _ in ranked)
        chosen = [vs for rank, vs in ranked if rank == top]
        if entry.gateway is None and len(chosen) > 1:
            ignored = ", ".join(vs.qualified_name for vs in chosen[1:])
            self.result.step(
                "virtualservice",
                f"VirtualServices {ignored} name the same host: a sidecar takes only the oldest "
                f"(here the first read, {chosen[0].qualified_name})",
                chosen[1],
                ("spec", "hosts"),
            )
            chosen = chosen[:1]
        return chosen

    def _visible(self, vs: Resource, namespace: str) -> bool:
        targets = virtual_service_targets(vs, self.mesh)
        return EVERYWHERE in targets or namespace in targets

    def _bound(self, vs: Resource, entry: Entry) -> bool:
        listed = [str(g) for g in as_list(vs.spec.get("gateways"))]
        if entry.gateway is None:
            return not listed or MESH in listed
        wanted = (entry.gateway.namespace, entry.gateway.name)
        return any(g != MESH and gateway_name(g, vs.namespace) == wanted for g in listed)

    def _context(self, entry: Entry) -> Context:
        gateway = None if entry.gateway is None else (entry.gateway.namespace, entry.gateway.name)
        return Context(self.request, entry.port, gateway, self.source)

    # -- routing -----------------------------------------------------------------------

    def _without_virtual_service(self, entry: Entry) -> Trace:
        result = self.result
        if entry.gateway is not None:
            reason = (
                f"no VirtualService bound to Gateway {entry.gateway.qualified_name} "
                f"has host {entry.host}"
            )
            result.step("virtualservice", reason, entry.gateway, entry.server_path)
            return result.decide(DENY, reason, "404 Not Found")
        status = self._host_status
        if self.client_sidecar:
            result.step("virtualservice", f"no VirtualService for {entry.host}: the default route")
        if status is not None and not status.targets:
            if status.missing:
                reason = f"{entry.host} is not a host of the mesh"
                return result.decide(DENY, reason, "no such host")
            return result.decide(UNKNOWN, status.reason or f"{entry.host} is outside the inputs")
        self._arrive_all(entry, [(entry.host, None, None, 100.0, None, ())])
        return result

    def _route(self, entry: Entry, candidates: list[Resource]) -> Trace:
        result = self.result
        section = entry.section
        context = self._context(entry)
        rules = [
            (vs, i, rule)
            for vs in candidates
            for i, rule in enumerate(as_list(vs.spec.get(section)))
            if isinstance(rule, dict)
        ]
        names = ", ".join(vs.qualified_name for vs in candidates)
        result.virtual_services.extend(candidates)
        if not rules:
            other = [s for s in ROUTE_SECTIONS if s != section and candidates[0].spec.get(s)]
            reason = f"VirtualService {names} has no {section} rules"
            if other:
                reason += f" (only {', '.join(other)})"
            result.step("virtualservice", reason, candidates[0], ("spec",))
            if entry.gateway is not None:
                return result.decide(DENY, reason, "no route")
            return self._without_virtual_service(entry)
        result.step(
            "virtualservice",
            f"VirtualService {names} for {entry.host}",
            candidates[0],
            ("spec", "hosts"),
        )
        chosen = self._first_match(rules, section, context, depth=0)
        if chosen is None:
            return result
        return self._act(entry, *chosen)

    def _first_match(
        self, rules: list[tuple[Resource, int, dict]], section: str, context: Context, depth: int
    ) -> tuple[RouteChoice, Resource, dict] | None:
        """The first rule that takes the request (following delegates), or None after
        deciding the trace (no route, or unknown)."""
        result = self.result
        nearest = None
        for vs, i, rule in rules:
            answer = rule_answer(rule, section, replace(context, namespace=vs.namespace))
            path = ("spec", section, i)
            if answer.answer.value is None:
                result.doubt(
                    "rule",
                    f"{_rule_name(vs, section, i)} may take it: {answer.answer.reason}",
                    vs,
                    (*path, "match"),
                )
                result.decide(UNKNOWN, f"{_rule_name(vs, section, i)}: {answer.answer.reason}")
                return None
            if answer.answer.value is False:
                if nearest is None or answer.failures < nearest[0]:
                    nearest = (answer.failures, vs, i, answer)
                continue
            where = (*path, "match", answer.match) if answer.match is not None else path
            how = f"match #{answer.match}" if answer.match is not None else "no match: takes all"
            result.step("rule", f"{_rule_name(vs, section, i)} ({how})", vs, where)
            choice = RouteChoice(vs, section, i, answer.match)
            delegate = rule.get("delegate")
            if isinstance(delegate, dict) and section == "http":
                return self._delegate(choice, vs, delegate, context, depth)
            return choice, vs, rule
        reason = "no rule matches"
        if nearest is not None:
            _, vs, i, answer = nearest
            reason += f"; the closest, {_rule_name(vs, section, i)}: {answer.nearest.reason}"
            result.step("rule", reason, vs, ("spec", section, i, "match"))
        else:
            result.step("rule", reason)
        outcome = "404 Not Found" if section == "http" else "connection closed"
        result.decide(DENY, reason, outcome)
        return None

    def _delegate(
        self, choice: RouteChoice, parent: Resource, delegate: dict, context: Context, depth: int
    ) -> tuple[RouteChoice, Resource, dict] | None:
        result = self.result
        name = str(delegate.get("name", ""))
        namespace = str(delegate.get("namespace") or parent.namespace)
        path = ("spec", "http", choice.rule, "delegate")
        resolution = resolve_delegate(self.mesh, namespace, name)
        if not resolution.found or depth >= MAX_DELEGATION:
            reason = f"delegate VirtualService {namespace}/{name} is not among the inputs"
            if resolution.status is Status.UNKNOWN:
                result.doubt("delegate", reason, parent, path)
                result.decide(UNKNOWN, reason)
            else:
                result.step("delegate", reason, parent, path)
                result.decide(DENY, reason + " (Istio drops the route)", "404 Not Found")
            return None
        child = resolution.targets[0]
        result.step("delegate", f"delegates to VirtualService {child.qualified_name}", parent, path)
        result.virtual_services.append(child)
        rules = [
            (child, i, r)
            for i, r in enumerate(as_list(child.spec.get("http")))
            if isinstance(r, dict)
        ]
        found = self._first_match(rules, "http", context, depth + 1)
        if found is None:
            return None
        inner, vs, rule = found
        choice.delegate = inner
        return choice, vs, rule

    def _act(self, entry: Entry, choice: RouteChoice, vs: Resource, rule: dict) -> Trace:
        result = self.result
        result.route = choice
        base = ("spec", choice.section, choice.innermost.rule)
        if choice.section == "http":
            answered = self._http_actions(vs, rule, base)
            if answered:
                return result
        routes = as_list(rule.get("route"))
        weights = [as_int(r.get("weight")) or 0 if isinstance(r, dict) else 0 for r in routes]
        total = sum(weights)
        targets = []
        for j, route in enumerate(routes):
            if not isinstance(route, dict) or not isinstance(route.get("destination"), dict):
                continue
            dest = route["destination"]
            share = (100.0 * weights[j] / total) if total else 100.0 / len(routes)
            if total and not weights[j]:
                continue
            host = self.mesh.fqdn(str(dest.get("host", "")), vs.namespace)
            subset = dest.get("subset")
            port = (
                as_int((dest.get("port") or {}).get("number"))
                if isinstance(dest.get("port"), dict)
                else None
            )
            path = (*base, "route", j, "destination")
            targets.append((host, str(subset) if subset else None, port, share, vs, path))
        self._mirrors(vs, rule, base)
        if not targets:
            result.step("destination", "the rule routes nowhere", vs, base)
            return result.decide(DENY, "the rule has no destination", "503")
        self._arrive_all(entry, targets)
        return result


def _rule_name(vs: Resource, section: str, index: int) -> str:
    rule = as_list(vs.spec.get(section))[index]
    name = rule.get("name") if isinstance(rule, dict) else None
    label = f'"{name}"' if isinstance(name, str) and name else f"#{index}"
    return f"VirtualService {vs.qualified_name} {section} rule {label}"
