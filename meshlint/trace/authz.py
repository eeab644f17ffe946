"""AuthorizationPolicy at a workload, in Istio's order: CUSTOM, then DENY, then ALLOW.

From https://istio.io/latest/docs/concepts/security/#implicit-enablement: a request that
a CUSTOM policy matches goes to the external authorizer (offline: unknown what it says);
a request a DENY policy matches is denied; with no ALLOW policy on the workload it is
allowed; else it is allowed only when an ALLOW policy matches. A rule matches when its
``from``, ``to`` and ``when`` all do; the entries of a list are alternatives; the fields
of an entry must all match; ``notX`` fields must not. ``principals``, ``namespaces`` and
``source.principal``/``source.namespace`` come from the peer certificate, so they only
match under mutual TLS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from meshlint.fieldpath import Path
from meshlint.mesh.index import Mesh
from meshlint.mesh.selection import has_target_ref, selector_of
from meshlint.model import Resource, as_list
from meshlint.trace.request import Request
from meshlint.trace.result import ALLOW, DENY, UNKNOWN
from meshlint.trace.strings import authz_path, authz_value
from meshlint.trace.tri import YES, Answer, all_of, any_of, no, unknown

#: Operation and condition fields only an HTTP request carries.
HTTP_OPERATION_FIELDS = ("hosts", "notHosts", "methods", "notMethods", "paths", "notPaths")
HTTP_SOURCE_FIELDS = ("requestPrincipals", "notRequestPrincipals")


@dataclass(slots=True)
class Peer:
    """What the server sees of the client: its mTLS identity (``principal`` and
    ``namespace`` None without mutual TLS) or, when it cannot be told, why."""

    principal: str | None
    namespace: str | None
    doubt: str = ""


@dataclass(slots=True)
class Attributes:
    """The request as the destination workload sees it."""

    request: Request
    peer: Peer
    http: bool
    authority: str
    path: str
    port: int | None


@dataclass(slots=True)
class Verdict:
    """The decision at one workload, the policies that made it, and how."""

    decision: str
    reason: str
    decided_by: list[Resource] = field(default_factory=list)
    notes: list[tuple[str, Resource, Path, bool]] = field(default_factory=list)


def applies(
    policy: Resource, namespace: str, labels: dict[str, str], exact: bool, root: str
) -> Answer:
    """Whether a policy applies to a workload of ``namespace`` with ``labels`` (when not
    ``exact``, only part of its labels are known): namespace-wide without a selector,
    mesh-wide in the root namespace, else by selector. Policies attached by
    ``targetRefs`` apply to gateways and waypoints, not to sidecars."""
    if has_target_ref(policy):
        return no("attached by targetRef (gateways and waypoints only)")
    if policy.namespace not in (namespace, root):
        return no("in another namespace")
    selector = selector_of(policy)
    if not selector:
        return YES
    conflicts = [k for k, v in selector.items() if k in labels and labels[k] != v]
    if conflicts:
        return no(f"selector {conflicts[0]}={selector[conflicts[0]]} does not match")
    if all(k in labels for k in selector):
        return YES
    if exact:
        missing = next(k for k in selector if k not in labels)
        return no(f"the workload has no label {missing}")
    return unknown(f"whether the workloads carry the labels {selector} (none among the inputs)")


def policies_for(
    mesh: Mesh, namespace: str, labels: dict[str, str], exact: bool, root: str
) -> list[tuple[Resource, Answer]]:
    """The AuthorizationPolicies that apply (or may apply) to the workload."""
    out = []
    for policy in mesh.of_kind("AuthorizationPolicy"):
        answer = applies(policy, namespace, labels, exact, root)
        if answer.value is not False:
            out.append((policy, answer))
    return out


def action(policy: Resource) -> str:
    value = policy.spec.get("action")
    return value if isinstance(value, str) and value else "ALLOW"


def decide(policies: list[tuple[Resource, Answer]], attrs: Attributes) -> Verdict:
    """The decision of Istio's authorization filter chain at one workload."""
    by_action: dict[str, list[tuple[Resource, Answer]]] = {}
    for policy, applicable in policies:
        by_action.setdefault(action(policy), []).append((policy, applicable))
    notes: list[tuple[str, Resource, Path, bool]] = []

    def matching(kind: str) -> tuple[list[Resource], list[tuple[Resource, str]]]:
        matched, doubtful = [], []
        for policy, applicable in by_action.get(kind, ()):
            result, path = policy_matches(policy, attrs, kind)
            answer = all_of([applicable, result])
            if answer.value is True:
                matched.append(policy)
                notes.append((f"{kind} {policy.qualified_name} matches", policy, path, False))
            elif answer.value is None:
                doubtful.append((policy, answer.reason))
                notes.append(
                    (
                        f"{kind} {policy.qualified_name} may match: {answer.reason}",
                        policy,
                        path,
                        True,
                    )
                )
            else:
                notes.append(
                    (
                        f"{kind} {policy.qualified_name} does not match: {answer.reason}",
                        policy,
                        path,
                        False,
                    )
                )
        return matched, doubtful

    custom, custom_doubt = matching("CUSTOM")
    denied, deny_doubt = matching("DENY")
    allow_policies = by_action.get("ALLOW", [])
    allowed, allow_doubt = matching("ALLOW")
    if denied:
        return Verdict(DENY, f"DENY policy {denied[0].qualified_name} matches", denied[:1], notes)
    # What ALLOW policies say, CUSTOM and DENY aside.
    if not allow_policies:
        rest = Verdict(ALLOW, "no ALLOW policy applies to the workload", [], notes)
    elif allowed:
        rest = Verdict(
            ALLOW, f"ALLOW policy {allowed[0].qualified_name} matches", allowed[:1], notes
        )
    elif allow_doubt:
        policy, reason = allow_doubt[0]
        rest = Verdict(
            UNKNOWN, f"ALLOW policy {policy.qualified_name} may match: {reason}", [], notes
        )
    elif all(a.value is True for _, a in allow_policies):
        names = ", ".join(p.qualified_name for p, _ in allow_policies)
        rest = Verdict(
            DENY, f"no ALLOW policy matches ({names})", [p for p, _ in allow_policies], notes
        )
    else:
        policy, answer = next((p, a) for p, a in allow_policies if a.value is None)
        rest = Verdict(UNKNOWN, f"ALLOW policy {policy.qualified_name}: {answer.reason}", [], notes)
    if rest.decision == DENY:
        return rest  # whatever CUSTOM or a doubtful DENY says, the request is denied
    if deny_doubt:
        policy, reason = deny_doubt[0]
        return Verdict(
            UNKNOWN, f"DENY policy {policy.qualified_name} may match: {reason}", [], notes
        )
    if custom or custom_doubt:
        policy = custom[0] if custom else custom_doubt[0][0]
        return Verdict(
            UNKNOWN,
            f"CUSTOM policy {policy.qualified_name} sends it to an external authorizer",
            [],
            notes,
        )
    return rest


def policy_matches(policy: Resource, attrs: Attributes, kind: str) -> tuple[Answer, Path]:
    """Whether any rule of the policy matches, and the path of the deciding rule."""
    rules = policy.spec.get("rules")
    if not isinstance(rules, list) or not rules:
        return no("it has no rules (matches nothing)"), ("spec",)
    answers = []
    for i, rule in enumerate(rules):
        answer = rule_matches(rule, attrs, kind)
        if answer.value is True:
            return answer, ("spec", "rules", i)
        answers.append(answer)
    return any_of(answers), ("spec", "rules")


def rule_matches(rule: object, attrs: Attributes, kind: str) -> Answer:
    if not isinstance(rule, dict):
        return no("a rule that is not a mapping")
    if not attrs.http and kind == "ALLOW" and _has_http_fields(rule):
        return no("it uses HTTP-only fields on a TCP connection (Istio drops the rule)")
    sources = rule.get("from")
    targets = rule.get("to")
    conditions = rule.get("when")
    return all_of(
        [
            _any_entry(sources, "source", lambda s: source_matches(s, attrs)),
            _any_entry(targets, "operation", lambda o: operation_matches(o, attrs)),
            all_of(condition_matches(c, attrs) for c in as_list(conditions)),
        ]
    )


def _any_entry(entries: object, key: str, check: Callable[[dict], Answer]) -> Answer:
    if not isinstance(entries, list) or not entries:
        return YES
    items = [e.get(key) for e in entries if isinstance(e, dict)]
    return any_of(check(i if isinstance(i, dict) else {}) for i in items)


def _has_http_fields(rule: dict) -> bool:
    for entry in as_list(rule.get("to")):
        operation = entry.get("operation") if isinstance(entry, dict) else None
        if isinstance(operation, dict) and any(operation.get(f) for f in HTTP_OPERATION_FIELDS):
            return True
    for entry in as_list(rule.get("from")):
        source = entry.get("source") if isinstance(entry, dict) else None
        if isinstance(source, dict) and any(source.get(f) for f in HTTP_SOURCE_FIELDS):
            return True
    return any(
        isinstance(c, dict) and str(c.get("key", "")).startswith("request.")
        for c in as_list(rule.get("when"))
    )


def _strings(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _field(
    spec: dict,
    name: str,
    value: str | None,
    doubt: str = "",
    match: Callable[[str, str], bool] = authz_value,
) -> Answer:
    """``name`` and ``notName`` of a source or operation against the request's value
    (None: absent; ``doubt``: unknown, and why)."""
    answers = []
    negative = "not" + name[0].upper() + name[1:]
    for key, positive in ((name, True), (negative, False)):
        patterns = _strings(spec.get(key))
        if not patterns:
            continue
        if doubt:
            answers.append(unknown(f"{key} needs {doubt}"))
            continue
        hit = value is not None and any(match(p, value) for p in patterns)
        if positive and not hit:
            if value is None:
                answers.append(no(f"{key} {patterns}: the request has none"))
            else:
                answers.append(no(f'{key} {patterns} does not match "{value}"'))
        elif not positive and hit:
            answers.append(no(f'{key} {patterns} matches "{value}"'))
    return all_of(answers)


def source_matches(source: dict, attrs: Attributes) -> Answer:
    peer = attrs.peer
    ip = "the client's IP address, which the manifests do not give"
    return all_of(
        [
            _field(source, "principals", peer.principal, peer.doubt),
            _field(source, "namespaces", peer.namespace, peer.doubt),
            _field(source, "requestPrincipals", attrs.request.request_principal),
            _field(source, "ipBlocks", None, ip),
            _field(source, "remoteIpBlocks", None, ip),
        ]
    )


def operation_matches(operation: dict, attrs: Attributes) -> Answer:
    port = None if attrs.port is None else str(attrs.port)
    port_doubt = "" if port is not None else "the workload's port, which is unknown"
    answers = [_field(operation, "ports", port, port_doubt)]
    if attrs.http:
        answers += [
            _field(
                operation,
                "hosts",
                attrs.authority,
                match=lambda p, v: authz_value(p, v, ignore_case=True),
            ),
            _field(operation, "methods", attrs.request.method),
            _field(operation, "paths", attrs.path, match=authz_path),
        ]
    return all_of(answers)


def condition_matches(condition: object, attrs: Attributes) -> Answer:
    """A ``when`` condition: the key's value must match one of ``values`` (if any) and
    none of ``notValues``. Keys meshlint cannot know offline make it unknown."""
    if not isinstance(condition, dict):
        return no("a condition that is not a mapping")
    key = str(condition.get("key", ""))
    value, doubt = _condition_value(key, attrs)
    values, forbidden = _strings(condition.get("values")), _strings(condition.get("notValues"))
    if doubt:
        return unknown(f"condition {key} needs {doubt}")
    if values and (value is None or not any(authz_value(p, value) for p in values)):
        return no(f"{key} {values} does not match {value!r}")
    if forbidden and value is not None and any(authz_value(p, value) for p in forbidden):
        return no(f"{key} notValues {forbidden} matches {value!r}")
    return YES


def _condition_value(key: str, attrs: Attributes) -> tuple[str | None, str]:
    request = attrs.request
    if key.startswith("request.headers[") and key.endswith("]"):
        return request.headers.get(key[16:-1].lower()), ""
    if key in ("source.principal", "source.namespace"):
        peer = attrs.peer
        return (peer.principal if key == "source.principal" else peer.namespace), peer.doubt
    if key == "destination.port":
        return (None, "the workload's port") if attrs.port is None else (str(attrs.port), "")
    if key == "request.auth.principal":
        return request.request_principal, ""
    if key.startswith("request.auth."):
        if request.request_principal is None:
            return None, ""  # a request without a token has no claims
        if key.startswith("request.auth.claims[") and key.endswith("]"):
            name = key[20:-1]
            if name in request.claims:
                return request.claims[name], ""
            return None, f"the token's claim {name} (give it with --claim {name}=VALUE)"
        return None, f"{key} of the token"
    if key in ("source.ip", "remote.ip", "destination.ip"):
        return None, "an IP address, which the manifests do not give"
    return None, "a value meshlint cannot know offline"
