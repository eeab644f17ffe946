"""TCP ServiceEntries need addresses unless the mesh allocates them."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh.istio_install import effective_mesh_config, proxy_metadata

AUTO_ALLOCATE = ("ISTIO_META_DNS_AUTO_ALLOCATE", "PILOT_ENABLE_IP_AUTOALLOCATE")


def auto_allocates(config: dict) -> bool:
    """Whether the mesh config turns on DNS capture with address auto-allocation."""
    metadata = proxy_metadata(config)
    return metadata.get("ISTIO_META_DNS_CAPTURE") == "true" and any(
        metadata.get(flag) == "true" for flag in AUTO_ALLOCATE
    )


def has_addresses(entry) -> bool:
    """``spec.addresses``, or addresses istiod allocated into ``status.addresses``."""
    status = entry.body.get("status")
    allocated = status.get("addresses") if isinstance(status, dict) else None
    return bool(entry.spec.get("addresses")) or bool(allocated)


class ServiceEntryAddressesRequired(Rule):
    """A ServiceEntry with a TCP port has no addresses.

    ## What it does
    Reports each port of a ServiceEntry whose protocol is `TCP` (any case) or unset when
    the ServiceEntry has no `spec.addresses` and no allocated `status.addresses`. Nothing
    is reported when the mesh config (`--mesh-config`, or the `istio` ConfigMap in the
    analyzed files) sets `defaultConfig.proxyMetadata.ISTIO_META_DNS_CAPTURE: "true"` with
    `ISTIO_META_DNS_AUTO_ALLOCATE` or `PILOT_ENABLE_IP_AUTOALLOCATE` `"true"`.

    ## Why it matters
    Plain TCP carries no host name, so without an address the sidecar can only match the
    port: it listens on `0.0.0.0:<port>` for this host, and every other TCP service on
    that port, in or out of the mesh, is sent here (or this entry is ignored).

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: external-db
    spec:
      hosts: [db.example.com]
      location: MESH_EXTERNAL
      resolution: DNS
      ports:
      - number: 5432
        name: tcp-postgres
        protocol: TCP  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: ServiceEntry
    metadata:
      name: external-db
    spec:
      hosts: [db.example.com]
      addresses: [192.0.2.10]
      location: MESH_EXTERNAL
      resolution: DNS
      ports:
      - number: 5432
        name: tcp-postgres
        protocol: TCP
    ```
    """

    id = "ML402"
    name = "se-addresses-required"
    severity = Severity.WARNING
    category = "best-practice"
    kinds = ("ServiceEntry", "ConfigMap")
    targets = ("ServiceEntry",)
    equivalents = Equivalents(
        istio="IST0134", analyzers=("serviceentry.ProtocolAddressesAnalyzer",)
    )

    def check(self, mesh):
        if auto_allocates(effective_mesh_config(mesh)):
            return
        for entry in mesh.of_kind("ServiceEntry"):
            if entry.linted and not has_addresses(entry):
                yield from self._check_ports(entry)

    def _check_ports(self, entry):
        ports = entry.spec.get("ports")
        for i, port in enumerate(ports if isinstance(ports, list) else ()):
            if not isinstance(port, dict):
                continue
            protocol = str(port.get("protocol") or "")
            if protocol.upper() not in ("", "TCP"):
                continue
            path = ("spec", "ports", i, "protocol" if protocol else "number")
            yield self.report(
                entry,
                path,
                f"port {port.get('number')} is {protocol or 'TCP (no protocol set)'} and the "
                "ServiceEntry has no addresses: the sidecar matches it by port alone, on "
                "0.0.0.0; set spec.addresses or enable DNS auto-allocation",
            )
