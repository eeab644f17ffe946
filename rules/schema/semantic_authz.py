"""AuthorizationPolicy actions and rules: what Istio rejects or warns about."""

from meshlint.engine.finding import Severity
from meshlint.mesh.index import ASSUMED_FILE
from meshlint.mesh.istio_install import effective_mesh_config
from meshlint.mesh.protocols import service_port_protocol
from meshlint.mesh.selection import has_target_ref, selector_of
from meshlint.mesh.workloads import WORKLOAD_KINDS
from meshlint.rulebases.semantic import ISTIO_GROUPS, REJECTED, WARNED, SemanticRule
from meshlint.validation.authorization_policy import (
    CUSTOM_UNSUPPORTED_SOURCES,
    IP_FIELDS,
    NON_HTTP_PROTOCOLS,
    OPERATION_FIELDS,
    SOURCE_FIELDS,
    TCP_SOURCE_FIELDS,
    condition_key_error,
    condition_value_error,
    ip_error,
    port_text_error,
    unsupported_template,
    with_negated,
)
from meshlint.validation.values import items, mapping, text
from meshlint.validation.walk import enumerate_maps, spec_items


class AuthzActionInvalid(SemanticRule):
    """An AuthorizationPolicy's action does not fit its rules or provider.

    ## What it does
    Checks `action` against the rest of the policy: `DENY` and `CUSTOM` need `rules`
    (add an empty rule `{}` to match every request); `CUSTOM` needs `provider.name`, and
    `provider` is only allowed with `CUSTOM`; `CUSTOM` rules cannot use namespaces,
    principals or request principals, in `from` or in `when` conditions
    (`source.namespace`, `source.principal`, `request.auth.*`).

    ## Why it matters
    The webhook rejects the policy, so the access control it describes is not enforced.

    ## Example
    ```yaml
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: deny-all
    spec:  # <-
      action: DENY
    ```

    ## Use instead
    ```yaml
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: deny-all
    spec:
      action: DENY
      rules:
      - {}
    ```
    """

    id = "ML785"
    name = "authz-action-invalid"
    severity = Severity.ERROR
    kinds = ("AuthorizationPolicy",)
    equivalents = REJECTED

    def issues(self, resource):
        spec = resource.spec
        action = text(spec.get("action")) or "ALLOW"
        has_rules = spec.get("rules") is not None
        if action in ("DENY", "CUSTOM") and not has_rules:
            yield (
                ("spec",),
                f"{action} without rules never applies: add rules (an empty "
                "rule {} matches every request)",
                True,
            )
        if action == "CUSTOM":
            provider = spec.get("provider")
            if has_rules and not text(mapping(provider).get("name")):
                yield (
                    ("spec", "provider") if provider is not None else ("spec", "action"),
                    ("CUSTOM needs provider.name"),
                )
            yield from self._custom_rules(spec)
        elif spec.get("provider") is not None:
            yield ("spec", "provider"), f"provider is only allowed with action CUSTOM, not {action}"

    def _custom_rules(self, spec):
        for path, rule in enumerate_maps(spec.get("rules"), ("spec", "rules")):
            for fpath, entry in enumerate_maps(rule.get("from"), (*path, "from")):
                source = mapping(entry.get("source"))
                for field in CUSTOM_UNSUPPORTED_SOURCES:
                    if items(source.get(field)):
                        yield (*fpath, "source", field), f"{field} is not supported with CUSTOM"
            for wpath, condition in enumerate_maps(rule.get("when"), (*path, "when")):
                key = text(condition.get("key"))
                if key in ("source.namespace", "source.principal") or key.startswith(
                    "request.auth."
                ):
                    yield (*wpath, "key"), f'condition "{key}" is not supported with CUSTOM'


class AuthzRuleInvalid(SemanticRule):
    """An AuthorizationPolicy rule has an empty part, an invalid value, or an unknown key.

    ## What it does
    Checks each rule: `from` and `to` lists are not empty; each entry has a `source` or
    `operation` with at least one field; no list holds an empty string; IP blocks are IP
    addresses or CIDR blocks; ports are numbers up to 65535; path templates use only
    `{*}` and `{**}` as whole segments; `when` conditions have a known key (such as
    `request.headers[x-user]`, `source.ip`, `request.auth.claims[groups]`) and at least
    one value or notValue, valid for that key.

    ## Why it matters
    The webhook rejects the policy, so the access control it describes is not enforced.

    ## Example
    ```yaml
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: allow-office
    spec:
      rules:
      - from:
        - source:
            ipBlocks: ["10.1.0.0/33"]  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: allow-office
    spec:
      rules:
      - from:
        - source:
            ipBlocks: ["10.1.0.0/16"]
    ```
    """

    id = "ML786"
    name = "authz-rule-invalid"
    severity = Severity.ERROR
    kinds = ("AuthorizationPolicy",)
    equivalents = REJECTED

    def issues(self, resource):
        for i, rule in enumerate(items(resource.spec.get("rules"))):
            path = ("spec", "rules", i)
            if rule is None:
                yield path, "a rule must not be null"
                continue
            if not isinstance(rule, dict):
                continue
            for section in ("from", "to"):
                if isinstance(rule.get(section), list) and not rule[section]:
                    yield (*path, section), f"{section} must not be empty"
            yield from self._sources(rule, path)
            yield from self._operations(rule, path)
            yield from self._conditions(rule, path)

    def _lists(self, block, base, fields):
        """``(path, value)`` of each string in the fields and their ``not`` forms."""
        for field in fields:
            for name in with_negated(field):
                for i, value in enumerate(items(block.get(name))):
                    if isinstance(value, str):
                        yield (*base, name, i), value

    def _sources(self, rule, path):
        for fpath, entry in enumerate_maps(rule.get("from"), (*path, "from")):
            source = entry.get("source")
            if not isinstance(source, dict):
                yield fpath, "a from entry needs a source"
                continue
            base = (*fpath, "source")
            if not any(items(source.get(n)) for f in SOURCE_FIELDS for n in with_negated(f)):
                yield base, "source must not be empty"
            for vpath, value in self._lists(source, base, SOURCE_FIELDS):
                if value == "":
                    yield vpath, f"empty value not allowed in {vpath[-2]}"
                elif vpath[-2] in IP_FIELDS:
                    error = ip_error(value)
                    if error:
                        yield vpath, error

    def _operations(self, rule, path):
        for tpath, entry in enumerate_maps(rule.get("to"), (*path, "to")):
            operation = entry.get("operation")
            if not isinstance(operation, dict):
                yield tpath, "a to entry needs an operation"
                continue
            base = (*tpath, "operation")
            if not any(items(operation.get(n)) for f in OPERATION_FIELDS for n in with_negated(f)):
                yield base, "operation must not be empty"
            for vpath, value in self._lists(operation, base, OPERATION_FIELDS):
                field = vpath[-2]
                if value == "":
                    yield vpath, f"empty value not allowed in {field}"
                elif field in ("ports", "notPorts"):
                    error = port_text_error(value)
                    if error:
                        yield vpath, error
                elif field in ("paths", "notPaths") and unsupported_template(value):
                    yield (
                        vpath,
                        (
                            f'unsupported path template "{value}": only whole {{*}} and {{**}} '
                            "segments are allowed"
                        ),
                    )

    def _conditions(self, rule, path):
        for wpath, condition in enumerate_maps(rule.get("when"), (*path, "when")):
            key = condition.get("key")
            if not isinstance(key, str):
                continue
            if key == "":
                yield (*wpath, "key"), "condition key must not be empty"
                continue
            values, not_values = items(condition.get("values")), items(condition.get("notValues"))
            if not values and not not_values:
                yield wpath, f'condition "{key}" needs values or notValues'
                continue
            error = condition_key_error(key)
            if error:
                yield (*wpath, "key"), error
                continue
            for field, entries in (("values", values), ("notValues", not_values)):
                for i, value in enumerate(entries):
                    error = condition_value_error(key, value) if isinstance(value, str) else None
                    if error:
                        yield (*wpath, field, i), error


class AuthzDenyHTTPOnly(SemanticRule):
    """A DENY rule uses only HTTP attributes, so it denies all TCP traffic.

    ## What it does
    Reports DENY rules whose `to` operations have no `ports`/`notPorts`, or whose `from`
    sources (without `to`) only use request principals. Such attributes cannot be
    evaluated on plain TCP connections, so Istio denies every TCP connection in the
    policy's scope. On workloads that serve only HTTP this is Istio's documented pattern,
    so the rule warns only when a workload the policy selects is behind a Service port
    that is not HTTP (by its `appProtocol` or name: `tcp-`, `tls-`, `mongo-`, `redis-`,
    `mysql-`); otherwise it reports at info, as Istio's webhook warning does.

    ## Why it matters
    Databases, message brokers and other TCP services behind the same workload stop
    working. State the HTTP ports in the rule.

    ## Example
    ```yaml
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: deny-admin
    spec:
      action: DENY
      rules:
      - to:  # <-
        - operation:
            paths: [/admin/*]
    ```

    ## Use instead
    ```yaml
    apiVersion: security.istio.io/v1
    kind: AuthorizationPolicy
    metadata:
      name: deny-admin
    spec:
      action: DENY
      rules:
      - to:
        - operation:
            ports: ["8080"]
            paths: [/admin/*]
    ```
    """

    id = "ML787"
    name = "authz-deny-http-only"
    severity = Severity.WARNING
    kinds = ("AuthorizationPolicy", "Service", *WORKLOAD_KINDS, "ConfigMap")
    targets = ("AuthorizationPolicy",)
    equivalents = WARNED

    def check_resource(self, resource, mesh):
        if resource.group not in ISTIO_GROUPS:
            return
        issues = list(self.issues(resource))
        if not issues:
            return
        tcp = tcp_port_served(resource, mesh)
        for path, message in issues:
            if tcp is None:
                note = f"{message}; no workload it selects is known to serve a TCP port"
                yield self.report(resource, path, note, key=True, severity=Severity.INFO)
            else:
                yield self.report(resource, path, f"{message}: {tcp}", key=True)

    def issues(self, resource):
        if resource.spec.get("action") != "DENY":
            return
        for path, rule in spec_items(resource, "rules"):
            sources = [mapping(e.get("source")) for e in items(rule.get("from"))]
            sources = [s for s in sources if s]
            operations = [mapping(e.get("operation")) for e in items(rule.get("to"))]
            operations = [o for o in operations if o]
            tcp_from = any(
                s.get(n) is not None
                for s in sources
                for f in TCP_SOURCE_FIELDS
                for n in with_negated(f)
            )
            tcp_to = any(o.get(n) is not None for o in operations for n in ("ports", "notPorts"))
            if operations and not tcp_to:
                yield (*path, "to"), "without ports, this DENY rule also denies all TCP traffic"
            elif sources and not operations and not tcp_from:
                yield (
                    (*path, "from"),
                    ("request principals alone make this DENY rule deny all TCP traffic"),
                )


def tcp_port_served(policy, mesh) -> str | None:
    """A non-HTTP Service port of a workload the policy selects (as text), or None when
    no such port is known."""
    if has_target_ref(policy):
        return None
    selector = selector_of(policy) or {}
    root = policy.namespace == effective_mesh_config(mesh).get("rootNamespace", "istio-system")
    namespace = None if root and not selector else policy.namespace
    for workload in mesh.workloads.matching(selector, namespace):
        if workload.resource.file == ASSUMED_FILE or workload.proxy_only:
            continue  # a gateway serves what its Gateway servers say, not its Service
        for service in mesh.services_selecting(workload.labels, workload.namespace):
            for port in service.ports:
                protocol = service_port_protocol(
                    port.number, port.name, port.protocol, port.app_protocol
                )
                if protocol in NON_HTTP_PROTOCOLS:
                    return (
                        f"{workload.resource.ref} serves {protocol} port {port.number} "
                        f"of Service {service.resource.qualified_name}"
                    )
    return None
