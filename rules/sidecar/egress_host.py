"""Sidecar egress hosts should name services that exist."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh import hosts
from meshlint.mesh.evidence import no_service_entries, no_services
from meshlint.mesh.groups import MAX_NAMED, Group, describe
from meshlint.mesh.memo import per_mesh
from meshlint.mesh.resolve import Resolution, Status, found, not_found, unknown

ANY = "*"


def egress_hosts(sidecar):
    """(path, namespace part, DNS part) of each ``egress[].hosts`` entry."""
    egress = sidecar.spec.get("egress")
    for i, listener in enumerate(egress if isinstance(egress, list) else ()):
        entries = listener.get("hosts") if isinstance(listener, dict) else None
        for j, entry in enumerate(entries if isinstance(entries, list) else ()):
            if isinstance(entry, str) and "/" in entry:
                namespace, _, name = entry.partition("/")
                yield ("spec", "egress", i, "hosts", j), namespace, name


def resolve_egress_host(mesh, owner: str, host: str, from_namespace: str) -> Resolution:
    """Whether a Service or ServiceEntry of namespace ``owner`` (any with ``*``) defines
    ``host`` and is exported to ``from_namespace``."""
    if owner == ANY:
        entries = mesh.services.lookup(host)
        visible = bool(mesh.services.lookup(host, from_namespace))
    else:
        entries = _by_owner(mesh, host).get(owner, [])
        visible = any(hosts.visible(e.export_to, e.namespace, from_namespace) for e in entries)
    if visible:
        return found([])
    if any(hosts.matches(p, host) for p in mesh.settings.external_hosts):
        return found([])
    if entries:
        refs = _owners(mesh, owner, host)
        return not_found(f"{refs} defines it but does not export it to {from_namespace}")
    if mesh.settings.assume_complete:
        return not_found()
    domain = mesh.settings.cluster_domain
    places = {owner, hosts.cluster_local_namespace(host, domain)} - {None, ANY}
    for namespace in sorted(places):
        if not mesh.evidence.has("Service", namespace):
            return unknown(no_services(namespace))
    if not places and not mesh.evidence.has("ServiceEntry", from_namespace):
        return unknown(no_service_entries(from_namespace))
    return not_found()


@per_mesh
def _by_owner(mesh, host: str) -> dict[str, list]:
    """The registry entries for ``host`` by the namespace that defines them."""
    out: dict[str, list] = {}
    for entry in mesh.services.lookup(host):
        out.setdefault(entry.namespace, []).append(entry)
    return out


@per_mesh
def _owners(mesh, owner: str, host: str) -> str:
    """The resources of namespace ``owner`` (any with ``*``) that define ``host``."""
    entries = mesh.services.lookup(host) if owner == ANY else _by_owner(mesh, host)[owner]
    owners = Group(e.resource for e in entries)
    return describe(owners.members[:MAX_NAMED], len(owners))


class SidecarEgressHostNotFound(Rule):
    """A Sidecar imports an egress host that no Service or ServiceEntry defines.

    ## What it does
    Looks up each `egress[].hosts` entry (`namespace/dnsName`) in the service registry:
    a Service or ServiceEntry host of that namespace (any namespace for `*/`, the
    Sidecar's own for `./`) that is exported to the Sidecar's namespace. Short names are
    expanded with the namespace. Entries that import whole namespaces (`ns/*`), `~/`
    entries and wildcard names are not checked. A host is reported only when the inputs
    hold a Service of the namespace it would be defined in (a ServiceEntry of the
    Sidecar's namespace for an external host), unless `--assume-complete` is given.

    ## Why it matters
    A Sidecar's egress hosts are the only services its workloads can reach (with
    `REGISTRY_ONLY`, everything else is blocked; with `ALLOW_ANY`, it bypasses routing
    and policy). A misspelled host imports nothing, so calls to the intended service
    fail or skip the mesh's traffic rules.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: ratings
    spec:
      selector: {app: ratings}
      ports:
      - {name: http, port: 9080}
    ---
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: default
    spec:
      egress:
      - hosts:
        - ./ratngs.default.svc.cluster.local  # <-
        - istio-system/*
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: ratings
    spec:
      selector: {app: ratings}
      ports:
      - {name: http, port: 9080}
    ---
    apiVersion: networking.istio.io/v1
    kind: Sidecar
    metadata:
      name: default
    spec:
      egress:
      - hosts:
        - ./ratings.default.svc.cluster.local
        - istio-system/*
    ```

    ## Compared with Istio and Kiali
    - Kiali accepts `ns/host` when a ServiceEntry of any namespace defines the host.
      istiod imports it only from the namespace named (the Sidecar's own for `./`), so
      meshlint reports it, naming the namespace that does define it.
    """

    id = "ML470"
    name = "sidecar-egress-host-not-found"
    severity = Severity.WARNING
    category = "reference"
    kinds = ("Sidecar", "Service", "ServiceEntry")
    targets = ("Sidecar",)
    equivalents = Equivalents(kiali="KIA1004")
    hints_from_whole_mesh = True

    def check(self, mesh):
        answers: dict[tuple[str, str, str], Resolution] = {}  # Sidecars repeat their hosts
        for sidecar in mesh.of_kind("Sidecar"):
            if sidecar.linted:
                yield from self._check_sidecar(sidecar, mesh, answers)

    def _check_sidecar(self, sidecar, mesh, answers):
        domain = mesh.settings.cluster_domain
        for path, namespace, name in egress_hosts(sidecar):
            if namespace == "~" or not name or hosts.is_wildcard(name):
                continue
            owner = sidecar.namespace if namespace == "." else namespace
            host = name if owner == ANY else hosts.fqdn(name, owner, domain)
            key = (owner, host, sidecar.namespace)
            if key not in answers:
                answers[key] = resolve_egress_host(mesh, owner, host, sidecar.namespace)
            where = "any namespace" if owner == ANY else f"namespace {owner}"
            message = f'egress host "{name}" matches no Service or ServiceEntry of {where}'
            if owner != ANY and answers[key].status is Status.NOT_FOUND:
                message += _elsewhere(mesh, host, owner, sidecar.namespace)
            yield from self.unresolved(sidecar, path, answers[key], message)


def _elsewhere(mesh, host: str, owner: str, from_namespace: str) -> str:
    """Where else ``host`` is defined and visible: a hint for the namespace part."""
    others = sorted({e.namespace for e in mesh.services.lookup(host, from_namespace)} - {owner})
    if not others:
        return ""
    return f"; namespace {others[0]} defines it: import it as {others[0]}/{host} or */{host}"
