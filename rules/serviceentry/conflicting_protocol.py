"""ServiceEntries visible together must agree on each host and port's protocol."""

import heapq

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh import hosts
from meshlint.mesh.groups import MAX_NAMED, UnionSizes


def _scopes(entry, default_export) -> frozenset[str]:
    """The namespaces an entry is exported to (``*`` for all); hidden entries have none."""
    raw = entry.spec.get("exportTo")
    scope = hosts.export_scope(raw if isinstance(raw, list) else None, default_export)
    if "*" in scope:
        return frozenset({"*"})
    return frozenset(entry.namespace if s == "." else s for s in scope if s != "~")


def _ports(entry):
    """(index, number, protocol) of each port with a number."""
    ports = entry.spec.get("ports")
    for i, port in enumerate(ports if isinstance(ports, list) else ()):
        if isinstance(port, dict) and isinstance(port.get("number"), int):
            yield i, port["number"], str(port.get("protocol") or "").upper()


class ServiceEntryConflictingProtocol(Rule):
    """ServiceEntries define the same host and port with different protocols.

    ## What it does
    Indexes every ServiceEntry host and port by the namespaces it is exported to
    (`exportTo`, or the mesh's `defaultServiceExportTo`), and reports each port whose host
    and number another ServiceEntry, visible in an overlapping set of namespaces, declares
    with another protocol (compared case-insensitively). Entries exported to disjoint
    namespaces do not conflict.

    ## Why it matters
    Istio merges ServiceEntries for the same host and port into one service and keeps one
    protocol: the other entry's traffic is handled as the wrong protocol (HTTPS sniffed as
    HTTP, or TLS origination skipped), depending on which entry is older.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: api-https
    spec:
      hosts: [api.example.com]
      location: MESH_EXTERNAL
      resolution: DNS
      ports:
      - {number: 8443, name: https, protocol: HTTPS}  # <-
    ---
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: api-http
    spec:
      hosts: [api.example.com]
      location: MESH_EXTERNAL
      resolution: DNS
      ports:
      - {number: 8443, name: http, protocol: HTTP}  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: api-https
    spec:
      hosts: [api.example.com]
      location: MESH_EXTERNAL
      resolution: DNS
      ports:
      - {number: 8443, name: https, protocol: HTTPS}
    ```
    """

    id = "ML401"
    name = "se-conflicting-protocol"
    severity = Severity.WARNING
    category = "conflict"
    kinds = ("ServiceEntry",)
    equivalents = Equivalents(
        istio="IST0177",
        analyzers=("serviceentry.ConflictingServiceEntryProtocolAnalyzer",),
        kiali="KIA1212",
    )

    def check(self, mesh):
        default_export = mesh.settings.mesh_config.get("defaultServiceExportTo") or ["*"]
        index: dict[tuple[str, int], list] = {}
        for entry in mesh.of_kind("ServiceEntry"):
            scopes = _scopes(entry, default_export)
            hostnames = entry.spec.get("hosts")
            for host in hostnames if isinstance(hostnames, list) else ():
                for i, number, protocol in _ports(entry):
                    index.setdefault((str(host), number), []).append((entry, i, protocol, scopes))
        reported = set()
        for (host, number), defs in index.items():
            conflicts = Conflicts(defs)
            for entry, i, protocol, scopes in defs:
                if not entry.linted or (entry, i) in reported:
                    continue
                named, total = conflicts.others(entry, protocol, scopes)
                if not total:
                    continue
                reported.add((entry, i))
                names = ", ".join(f"{o[0].ref} ({o[2] or 'no protocol'})" for o in named)
                if total > len(named):
                    names += f" and {total - len(named)} more"
                yield self.report(
                    entry,
                    ("spec", "ports", i, "protocol"),
                    f"{host}:{number} is {protocol or 'without protocol'} here but {names}: "
                    "Istio keeps one protocol for the host and port",
                    related=[related_to(o[0], ("spec", "ports", o[1], "protocol")) for o in named],
                )


class Conflicts:
    """The definitions of one host and port, grouped by protocol and by where they are
    visible (all of them, those exported everywhere, those visible in each namespace), so
    that each definition is compared with a few groups, never with each other one."""

    def __init__(self, defs: list[tuple]) -> None:
        self.parts: dict[tuple[str, str], tuple[list[tuple[int, tuple]], set[int]]] = {}
        self.positions: dict[int, list[int]] = {}  # of each entry's definitions
        for position, definition in enumerate(defs):
            entry, _, protocol, scopes = definition
            self.positions.setdefault(id(entry), []).append(position)
            for key in ("", *scopes) if scopes else ():  # "": all; "*": everywhere
                entries, ids = self.parts.setdefault((protocol, key), ([], set()))
                entries.append((position, definition))
                ids.add(position)
        self.protocols = list(dict.fromkeys(protocol for protocol, _ in self.parts))
        self.sizes = UnionSizes()

    def others(self, entry, protocol: str, scopes: frozenset):
        """The first definitions of other ServiceEntries with another protocol, visible
        together with this one, and how many there are."""
        keys = [""] if "*" in scopes else ["*", *sorted(scopes)]
        groups = [
            self.parts[(other, key)]
            for other in self.protocols
            if other != protocol and scopes
            for key in keys
            if (other, key) in self.parts
        ]
        if not groups:
            return [], 0
        own = sum(1 for p in self.positions[id(entry)] if any(p in ids for _, ids in groups))
        total = self.sizes.size(ids for _, ids in groups) - own
        named: dict[int, tuple] = {}
        for position, definition in heapq.merge(*(e for e, _ in groups), key=lambda e: e[0]):
            if len(named) >= min(total, MAX_NAMED):
                break
            if definition[0] is not entry:
                named.setdefault(position, definition)
        return list(named.values()), total
