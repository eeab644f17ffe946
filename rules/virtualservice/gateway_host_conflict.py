"""VirtualServices bound to one Gateway for the same host are merged in creation order."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.exports import EVERYWHERE, virtual_service_targets
from meshlint.mesh.groups import Group, describe
from meshlint.mesh.index import gateway_name
from meshlint.model import Resource

MESH = "mesh"


def has_catch_all(vs: Resource) -> bool:
    """Whether an http rule matches every request (no ``match``)."""
    rules = vs.spec.get("http")
    return any(
        isinstance(rule, dict) and not rule.get("match")
        for rule in (rules if isinstance(rules, list) else ())
    )


def gateway_hosts(vs: Resource, mesh):
    """((gateway namespace, name), host, host index) for each named gateway and host."""
    gateways = vs.spec.get("gateways")
    hosts = vs.spec.get("hosts")
    if not isinstance(gateways, list) or not isinstance(hosts, list):
        return
    scope = virtual_service_targets(vs, mesh)
    for ref in dict.fromkeys(g for g in gateways if isinstance(g, str) and g != MESH):
        gateway = gateway_name(ref, vs.namespace)
        if EVERYWHERE not in scope and gateway[0] not in scope:
            continue  # not visible where the gateway is: Istio does not bind it
        for i, host in enumerate(hosts):
            if isinstance(host, str) and host:
                yield gateway, mesh.fqdn(host, vs.namespace).lower(), i


class GatewayHostConflict(Rule):
    """Several VirtualServices bind the same host to the same Gateway.

    ## What it does
    Groups the VirtualServices by the named Gateways of `spec.gateways` (`mesh` is left to
    `vs-mesh-host-conflict`) and their hosts, fully qualified with each VirtualService's
    namespace. A VirtualService whose `exportTo` hides it from the Gateway's namespace is
    not bound and not counted. Reports each VirtualService of a group of two or more, at
    its first shared host. It is a warning when one of them has an HTTP rule without
    `match` (a catch-all), otherwise information.

    ## Why it matters
    For a gateway, Istio merges the routes of every VirtualService for a host into one
    list, ordered by the creation time of the VirtualServices. A catch-all rule of the
    oldest one then hides every route of the others, and re-creating a VirtualService
    (a redeploy) changes which routes win.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: shop
    spec:
      hosts:
      - shop.example.com  # <-
      gateways: [istio-system/public]
      http:
      - route:
        - destination: {host: shop}
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: shop-api
    spec:
      hosts:
      - shop.example.com  # <-
      gateways: [istio-system/public]
      http:
      - match:
        - uri: {prefix: /api}
        route:
        - destination: {host: shop-api}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: shop
    spec:
      hosts: [shop.example.com]
      gateways: [istio-system/public]
      http:
      - match:
        - uri: {prefix: /api}
        route:
        - destination: {host: shop-api}
      - route:
        - destination: {host: shop}
    ```
    """

    id = "ML152"
    name = "vs-gateway-host-conflict"
    severity = Severity.WARNING
    category = "conflict"
    kinds = ("VirtualService",)
    equivalents = Equivalents(kiali="KIA1106")

    def check(self, mesh):
        groups: dict[tuple, Group] = {}
        first_host: dict[tuple, int] = {}
        for vs in mesh.of_kind("VirtualService"):
            for gateway, host, i in gateway_hosts(vs, mesh):
                groups.setdefault((gateway, host), Group()).add(vs)
                first_host.setdefault((id(vs), gateway, host), i)
        catch_all = {
            key: any(has_catch_all(vs) for vs in group.members)
            for key, group in groups.items()
            if len(group) > 1
        }
        reported: set[int] = set()
        for (gateway, host), group in groups.items():
            if len(group) < 2:
                continue
            for vs in group.members:
                if not vs.linted or id(vs) in reported:
                    continue
                reported.add(id(vs))
                yield self._report(vs, gateway, host, group, catch_all[(gateway, host)], first_host)

    def _report(self, vs, gateway, host, group, catch_all, first_host):
        named, total = group.others(vs)
        index = first_host[(id(vs), gateway, host)]
        where = f"{gateway[0]}/{gateway[1]}"
        outcome = (
            "routes are merged in creation order, and a catch-all route hides the routes of "
            "every VirtualService created after its own"
            if catch_all
            else "their routes are merged in creation order"
        )
        return self.report(
            vs,
            ("spec", "hosts", index),
            f'host "{host}" on gateway {where} is also bound by {describe(named, total)}: '
            f"{outcome}; merge them into one VirtualService",
            related=[related_to(o, ("spec", "hosts"), o.ref) for o in named],
            severity=None if catch_all else Severity.INFO,
        )
