"""Two ServiceEntries visible together should not both define a host and port."""

from itertools import chain

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.exports import EVERYWHERE, export_targets
from meshlint.mesh.groups import MAX_NAMED, Group, describe
from meshlint.model import Resource


def host_ports(entry: Resource):
    """(host index, host, port number, protocol) of each host and numbered port."""
    hosts = entry.spec.get("hosts")
    ports = entry.spec.get("ports")
    numbered = [
        (p["number"], str(p.get("protocol") or "").upper())
        for p in (ports if isinstance(ports, list) else ())
        if isinstance(p, dict) and isinstance(p.get("number"), int)
    ]
    seen = set()
    for i, host in enumerate(hosts if isinstance(hosts, list) else ()):
        if isinstance(host, str) and host and host.lower() not in seen:
            seen.add(host.lower())
            for number, protocol in numbered:
                yield i, host.lower(), number, protocol


class Visibility:
    """The ServiceEntries defining one host and port, by the namespaces they reach."""

    def __init__(self) -> None:
        self.everywhere = Group()
        self.by_namespace: dict[str, Group] = {}
        self.all = Group()

    def add(self, entry: Resource, scope: frozenset) -> None:
        self.all.add(entry)
        if EVERYWHERE in scope:
            self.everywhere.add(entry)
        for namespace in scope - {EVERYWHERE}:
            self.by_namespace.setdefault(namespace, Group()).add(entry)

    def sharing(self, entry: Resource, scope: frozenset) -> tuple[list[Resource], bool]:
        """Up to MAX_NAMED other entries visible where ``entry`` is, and whether there
        are more."""
        if EVERYWHERE in scope:
            groups = [self.all]
        else:
            groups = [self.everywhere, *(self.by_namespace.get(n, Group()) for n in scope)]
        found = Group()
        for other in chain.from_iterable(g.members for g in groups):
            if other is not entry:
                found.add(other)
                if len(found) > MAX_NAMED:
                    break
        return found.members[:MAX_NAMED], len(found) > MAX_NAMED


class DuplicateServiceEntryHost(Rule):
    """Several ServiceEntries define the same host and port with the same protocol.

    ## What it does
    Indexes every ServiceEntry host and numbered port by the namespaces the entry is
    exported to (`exportTo`, or the mesh's `defaultServiceExportTo`) and reports each host
    of an entry that another entry, visible in some common namespace, also defines with
    the same port number and protocol (compared case-insensitively), naming up to five of
    them. Different protocols are left to `se-conflicting-protocol`.

    ## Why it matters
    A client sees one service per host: the entry of its own namespace if there is one,
    else the oldest. The settings of the others (resolution, location, addresses,
    endpoints) are silently ignored there, so an edit to the "wrong" copy has no effect.
    Two teams declaring the same external API is the usual cause; one shared entry
    (exported where it is needed) is the fix.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: payments-api
    spec:
      hosts:
      - api.payments.example  # <-
      location: MESH_EXTERNAL
      resolution: DNS
      ports:
      - {number: 443, name: tls, protocol: TLS}
    ---
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: payments
    spec:
      hosts:
      - api.payments.example  # <-
      location: MESH_EXTERNAL
      resolution: NONE
      ports:
      - {number: 443, name: tls, protocol: tls}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: payments-api
    spec:
      hosts: [api.payments.example]
      location: MESH_EXTERNAL
      resolution: DNS
      ports:
      - {number: 443, name: tls, protocol: TLS}
    ```
    """

    id = "ML430"
    name = "se-duplicate-host"
    severity = Severity.WARNING
    category = "conflict"
    kinds = ("ServiceEntry",)
    equivalents = Equivalents(kiali="KIA1211")

    def check(self, mesh):
        default = mesh.settings.mesh_config.get("defaultServiceExportTo") or [EVERYWHERE]
        index: dict[tuple, Visibility] = {}
        uses: list[tuple[Resource, frozenset, int, tuple]] = []
        for entry in mesh.of_kind("ServiceEntry"):
            scope = export_targets(entry.spec.get("exportTo"), entry.namespace, default)
            for i, host, number, protocol in host_ports(entry):
                key = (host, number, protocol)
                index.setdefault(key, Visibility()).add(entry, scope)
                uses.append((entry, scope, i, key))
        reported: set[tuple[int, int]] = set()
        for entry, scope, i, key in uses:
            if not entry.linted or (id(entry), i) in reported or len(index[key].all) < 2:
                continue
            named, more = index[key].sharing(entry, scope)
            if not named:
                continue
            reported.add((id(entry), i))
            host, number, protocol = key
            others = describe(named, len(named)) + (" and more" if more else "")
            yield self.report(
                entry,
                ("spec", "hosts", i),
                f"{host}:{number} ({protocol or 'no protocol'}) is also defined by {others}: "
                "a client uses only one of them (one in its own namespace, else the oldest)",
                related=[related_to(o, ("spec", "hosts")) for o in named],
            )
