"""Shared checks for resources of ambient namespaces whose L7 parts only a waypoint applies:
policies (AuthorizationPolicy, RequestAuthentication, Telemetry, WasmPlugin) and host
configuration (VirtualService, DestinationRule)."""

from meshlint.engine.rule import Rule, related_to
from meshlint.mesh import waypoints
from meshlint.mesh.selection import has_target_ref, selector_of
from meshlint.model import Resource

NO_WAYPOINT, NOT_CAPTURED, OTHER_NAMESPACE = "no-waypoint", "not-captured", "other-namespace"


def always(_: Resource) -> str | None:
    return "it"


def jwt(_: Resource) -> str | None:
    return "JWT validation"


def targets_key(policy: Resource) -> tuple:
    """What decides a policy's targets: namespace, target refs and selector."""
    refs = policy.spec.get("targetRefs") or [policy.spec.get("targetRef")]
    names = tuple((str(r.get("kind")), str(r.get("name"))) for r in refs if isinstance(r, dict))
    return policy.namespace, names, frozenset((selector_of(policy) or {}).items())


class AmbientPolicyRule(Rule):
    """Shared check for policies of ambient namespaces whose HTTP part (``l7`` says why
    there is one) only a waypoint applies. ``missing_target_refs`` selects the check:
    attached without targetRefs, or reaching workloads that use no waypoint."""

    policy_kind = ""
    missing_target_refs = True
    #: Why the policy needs a waypoint (None when it does not).
    l7 = staticmethod(always)

    def check(self, mesh):
        answers: dict[tuple, bool] = {}  # policies often share their targets
        for policy in mesh.of_kind(self.policy_kind):
            if not policy.linted or not waypoints.ambient_namespace(mesh, policy.namespace):
                continue
            reason = self.l7(policy)
            if reason is None:
                continue
            if self.missing_target_refs:
                if not has_target_ref(policy):
                    yield self._no_target_refs(policy, reason)
                continue
            key = targets_key(policy)
            if key not in answers:
                answers[key] = waypoints.targets_not_enrolled(mesh, policy)
            if answers[key]:
                yield self._not_enrolled(policy, reason)

    def _anchor(self, policy: Resource) -> tuple[tuple, bool]:
        for field in ("targetRefs", "targetRef", "selector"):
            if field in policy.spec:
                return ("spec", field), True
        return ("metadata", "name"), False

    def _no_target_refs(self, policy: Resource, reason: str):
        path, key = self._anchor(policy)
        attached = "with a selector" if selector_of(policy) else "namespace-wide"
        return self.report(
            policy,
            path,
            f"{policy.kind} of ambient namespace {policy.namespace} is attached {attached}, "
            f"but {reason} needs a waypoint, and waypoints only take policies attached with "
            "targetRefs (to a Service or the waypoint Gateway)",
            key=key,
        )

    def _not_enrolled(self, policy: Resource, reason: str):
        path, key = self._anchor(policy)
        return self.report(
            policy,
            path,
            f"{reason} needs a waypoint, but the traffic this {policy.kind} reaches does not "
            f"use one (no istio.io/use-waypoint label on the targets or on namespace "
            f"{policy.namespace}): that part is never applied",
            key=key,
        )


def vs_l7(vs: Resource) -> str | None:
    return "its HTTP/TLS routes" if waypoints.virtual_service_l7(vs) else None


class AmbientHostRule(Rule):
    """Shared check for VirtualServices and DestinationRules whose L7 settings (``l7``
    says which) a waypoint applies for the ambient Services of their hosts; ``problem``
    selects what is reported."""

    config_kind = ""
    problem = NO_WAYPOINT
    l7 = staticmethod(vs_l7)

    def check(self, mesh):
        for resource in mesh.of_kind(self.config_kind):
            if not resource.linted:
                continue
            what = self.l7(resource)
            if what is not None:
                yield from self._check(resource, what, mesh)

    def _path(self, resource: Resource, index: int) -> tuple:
        if resource.kind == "DestinationRule":
            return ("spec", "host")
        return ("spec", "hosts", index)

    def _check(self, resource, what, mesh):
        names = list(waypoints.host_list(resource))
        found = waypoints.ambient_destinations(mesh, names, resource.namespace)
        if self.problem == NO_WAYPOINT:
            own = waypoints.namespace_labels(mesh, resource.namespace)
            if (
                not found
                and names
                and waypoints.ambient_namespace(mesh, resource.namespace)
                and not waypoints.enrolled(None, own)
            ):
                yield self.report(
                    resource,
                    self._path(resource, names[0][0]),
                    f"namespace {resource.namespace} is ambient and uses no waypoint (no "
                    f"istio.io/use-waypoint label): {what} need one and are never applied",
                )
            return
        for dest in found:
            service = dest.service
            related = [related_to(service, ("metadata", "name"), service.ref)]
            path = self._path(resource, dest.index)
            if self.problem == NOT_CAPTURED and not dest.enrolled:
                yield self.report(
                    resource,
                    path,
                    f"{service.ref} is ambient but uses no waypoint (no istio.io/use-waypoint "
                    f"label on it or its namespace): {what} are never applied to its traffic",
                    related=related,
                )
            elif self.problem == OTHER_NAMESPACE and service.namespace != resource.namespace:
                yield self.report(
                    resource,
                    path,
                    f"{service.ref} is ambient: its waypoint applies {what} only from a "
                    f"{resource.kind} of namespace {service.namespace}, not {resource.namespace}",
                    related=related,
                )
