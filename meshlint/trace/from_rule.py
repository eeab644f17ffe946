"""A request that a VirtualService's HTTP rule matches, to trace from an editor.

The request is built from the rule's first match: its exact or prefix URI, exact
headers, method and port (else the host's first Service port). It is sent to the
VirtualService's first host from a sidecar in the VirtualService's namespace (its
``default`` service account, or the match's ``sourceNamespace``), or through the first
Gateway it is bound to when it is not bound to the mesh. Regex matches have no one
request that matches them: the request then leaves that part at its default, and the
trace says whether the rule still applies.

A delegate VirtualService (no hosts) is reached through the first root VirtualService
that delegates to it (a question for the resource graph): the request goes to the root's
host, through the root's Gateway, and matches the root's rule narrowed by the delegate's.
"""

from __future__ import annotations

from dataclasses import dataclass

from meshlint.core.nodes import PList
from meshlint.fieldpath import get
from meshlint.mesh.index import Mesh
from meshlint.mesh.resource_graph import resource_graph
from meshlint.mesh.routes import is_delegate
from meshlint.model import Resource
from meshlint.trace.request import Request, Source

MESH = "mesh"


@dataclass(slots=True)
class RuleRequest:
    """What to trace for one rule: the request, its client, and the entry Gateway."""

    request: Request
    source: Source
    gateway: str | None


def http_rule_at(vs: Resource, line: int) -> int | None:
    """The index of the ``spec.http`` rule whose lines hold ``line`` (0-based)."""
    rules = vs.spec.get("http")
    if not isinstance(rules, PList):
        return None
    for index, span in enumerate(rules.item_spans):
        if span[0] <= line <= span[2]:
            return index
    return None


def rule_request(mesh: Mesh, vs: Resource, index: int) -> RuleRequest | None:
    """The request the ``spec.http[index]`` rule matches; None when the VirtualService
    names no concrete host (for a delegate: when no root that delegates to it does)."""
    rules = vs.spec.get("http")
    if not isinstance(rules, list) or not 0 <= index < len(rules):
        return None
    match = _first_match(rules[index])
    root = vs
    if is_delegate(vs):
        delegation = _root(mesh, vs)
        if delegation is None:
            return None
        root, root_rule = delegation
        match = {**_first_match(root_rule), **match}
    hosts = [h for h in root.spec.get("hosts") or () if isinstance(h, str) and "*" not in h]
    if not hosts:
        return None
    port = _port(match) or _service_port(mesh, hosts[0], root.namespace)
    request = Request(host=hosts[0], port=port, path=_path(match.get("uri")))
    method = _exact(match.get("method"))
    if method:
        request.method = method
    headers = match.get("headers")
    for name, value in headers.items() if isinstance(headers, dict) else ():
        exact = _exact(value)
        if exact is not None:
            request.headers[str(name).lower()] = exact
    namespace = match.get("sourceNamespace")
    source = Source(namespace if isinstance(namespace, str) else root.namespace, "default")
    return RuleRequest(request, source, _gateway(root, match))


def _first_match(rule: object) -> dict:
    matches = rule.get("match") if isinstance(rule, dict) else None
    match = matches[0] if isinstance(matches, list) and matches else {}
    return match if isinstance(match, dict) else {}


def _root(mesh: Mesh, delegate: Resource) -> tuple[Resource, dict] | None:
    """The first root VirtualService with a concrete host whose rule delegates to
    ``delegate``, and that rule. The delegate's match conditions narrow the root's."""
    for root, path in resource_graph(mesh).delegating(delegate):
        hosts = root.spec.get("hosts") or ()
        if any(isinstance(h, str) and "*" not in h for h in hosts):
            rule = get(root.body, path[:3])
            return root, rule if isinstance(rule, dict) else {}
    return None


def _exact(value: object) -> str | None:
    if isinstance(value, dict):
        for kind in ("exact", "prefix"):
            if isinstance(value.get(kind), str):
                return value[kind]
    return None


def _path(uri: object) -> str:
    path = _exact(uri)
    return path if path and path.startswith("/") else "/"


def _port(match: dict) -> int | None:
    port = match.get("port")
    return port if isinstance(port, int) and not isinstance(port, bool) else None


def _service_port(mesh: Mesh, host: str, namespace: str) -> int:
    """The first port of the host's Service or ServiceEntry (80 when it has none known)."""
    entries = mesh.resolve_host(mesh.fqdn(host, namespace), namespace).targets
    numbers = [p.number for e in entries for p in e.ports if p.number]
    return numbers[0] if numbers else 80


def _gateway(vs: Resource, match: dict) -> str | None:
    """The Gateway to enter through: none when the rule applies to sidecars."""
    names = match.get("gateways") or vs.spec.get("gateways") or [MESH]
    names = [n for n in names if isinstance(n, str)] if isinstance(names, list) else [MESH]
    if not names or MESH in names:
        return None
    name = names[0]
    return name if "/" in name else f"{vs.namespace}/{name}"
