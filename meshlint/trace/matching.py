"""Does a VirtualService match entry take the request? Istio's HTTPMatchRequest,
TCPRoute's L4MatchAttributes and TLSRoute's TLSMatchAttributes: every field given must
match (``withoutHeaders`` must not); a rule's match entries are alternatives; a rule
without matches takes everything (https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest).
"""

from __future__ import annotations

from dataclasses import dataclass

from meshlint.mesh.hosts import matches as host_matches
from meshlint.mesh.index import gateway_name
from meshlint.mesh.workloads import selects
from meshlint.model import string_map
from meshlint.trace.request import Request, Source
from meshlint.trace.strings import describe, string_match
from meshlint.trace.tri import YES, Answer, all_of, any_of, no, unknown

MESH = "mesh"


@dataclass(slots=True)
class Context:
    """What a match may look at besides the request: the listener port, the gateway
    (``mesh`` for a sidecar) and the client."""

    request: Request
    port: int
    #: (namespace, name) of the Gateway, or None for a sidecar (the ``mesh`` gateway).
    gateway: tuple[str, str] | None
    source: Source
    #: The namespace of the VirtualService whose matches are read (gateway references
    #: in them are relative to it).
    namespace: str = ""

    def binds(self, reference: str) -> bool:
        """Whether a ``gateways`` entry names this entry point."""
        if self.gateway is None:
            return reference == MESH
        return reference != MESH and gateway_name(reference, self.namespace) == self.gateway

    @property
    def gateway_text(self) -> str:
        return MESH if self.gateway is None else "/".join(self.gateway)


def http_checks(match: dict, ctx: Context) -> list[Answer]:
    request = ctx.request
    checks: list[Answer] = []
    ignore = match.get("ignoreUriCase") is True
    if "uri" in match:
        checks.append(_named("uri", string_match(match["uri"], request.uri, ignore_case=ignore)))
    if "method" in match:
        checks.append(_named("method", string_match(match["method"], request.method)))
    if "scheme" in match:
        checks.append(_named("scheme", string_match(match["scheme"], request.scheme)))
    if "authority" in match:
        checks.append(_named("authority", string_match(match["authority"], request.authority)))
    headers = match.get("headers")
    for name, wanted in headers.items() if isinstance(headers, dict) else ():
        value = request.headers.get(str(name).lower())
        checks.append(_named(f"header {name}", string_match(wanted, value)))
    without = match.get("withoutHeaders")
    for name, wanted in without.items() if isinstance(without, dict) else ():
        value = request.headers.get(str(name).lower())
        found = string_match(wanted, value)
        if found.value is True:
            checks.append(no(f"withoutHeaders {name}: {describe(wanted)} matches"))
        elif found.value is None:
            checks.append(found)
    params = match.get("queryParams")
    query = request.query
    for name, wanted in params.items() if isinstance(params, dict) else ():
        checks.append(_named(f"query {name}", string_match(wanted, query.get(str(name)))))
    checks += common(match, ctx)
    return checks


def l4_checks(match: dict, ctx: Context, section: str) -> list[Answer]:
    checks = common(match, ctx)
    if section == "tls" and isinstance(match.get("sniHosts"), list):
        sni = ctx.request.host
        hosts = [str(h) for h in match["sniHosts"]]
        if not any(host_matches(h, sni) for h in hosts):
            checks.append(no(f"sniHosts {hosts} do not include {sni}"))
    if match.get("destinationSubnets"):
        checks.append(unknown("destinationSubnets need the destination IP address"))
    return checks


def common(match: dict, ctx: Context) -> list[Answer]:
    """port, sourceLabels, sourceNamespace and gateways: fields every section has."""
    checks = []
    port = match.get("port")
    if isinstance(port, int) and port != ctx.port:
        checks.append(no(f"port {port} is not {ctx.port}"))
    namespace = match.get("sourceNamespace")
    if isinstance(namespace, str) and namespace and namespace != ctx.source.namespace:
        checks.append(no(f"sourceNamespace {namespace} is not {ctx.source.namespace}"))
    labels = string_map(match.get("sourceLabels"))
    if labels:
        checks.append(_source_labels(labels, ctx.source))
    gateways = match.get("gateways")
    if isinstance(gateways, list) and gateways and not any(ctx.binds(str(g)) for g in gateways):
        names = [str(g) for g in gateways]
        checks.append(no(f"gateways {names} do not include {ctx.gateway_text}"))
    return checks


def _source_labels(labels: dict[str, str], source: Source) -> Answer:
    text = ",".join(f"{k}={v}" for k, v in labels.items())
    if not source.workloads:
        return unknown(f"sourceLabels {text}: the client's workloads are not among the inputs")
    hits = [selects(labels, w.labels) for w in source.workloads]
    if all(hits):
        return YES
    if not any(hits):
        return no(f"sourceLabels {text} do not select the client")
    return unknown(f"sourceLabels {text} select some of the client's workloads, not all")


def _named(field: str, answer: Answer) -> Answer:
    if answer.value is True:
        return answer
    return Answer(answer.value, f"{field}: {answer.reason}")


@dataclass(slots=True)
class RuleAnswer:
    """Whether a rule takes the request, through which match (None: a rule without
    matches, or none matched), and how close its nearest match came (failed checks)."""

    answer: Answer
    match: int | None
    failures: int
    nearest: Answer


def rule_answer(rule: dict, section: str, ctx: Context) -> RuleAnswer:
    matches = rule.get("match")
    if not isinstance(matches, list) or not matches:
        return RuleAnswer(YES, None, 0, YES)
    answers = []
    nearest = RuleAnswer(no("no match entry"), None, 1 << 30, no("no match entry"))
    for m, match in enumerate(matches):
        if not isinstance(match, dict):
            answers.append(no("not a mapping"))
            continue
        checks = http_checks(match, ctx) if section == "http" else l4_checks(match, ctx, section)
        answer = all_of(checks)
        if answer.value is True:
            return RuleAnswer(answer, m, 0, answer)
        answers.append(answer)
        failures = sum(1 for c in checks if c.value is False)
        if answer.value is False and failures < nearest.failures:
            nearest = RuleAnswer(answer, m, failures, answer)
    overall = any_of(answers)
    return RuleAnswer(
        overall, nearest.match if overall.value is False else None, nearest.failures, nearest.answer
    )
