"""WorkloadEntry addresses and WorkloadGroup probes."""

from meshlint.engine.finding import Severity
from meshlint.rulebases.semantic import REJECTED, WARNED, SemanticRule
from meshlint.validation.addresses import UNIX_PREFIX, is_ip
from meshlint.validation.hosts import fqdn_error
from meshlint.validation.values import items, mapping, text

PROBE_METHODS = ("httpGet", "tcpSocket", "exec", "grpc")


class WorkloadEntryAddressInvalid(SemanticRule):
    """A WorkloadEntry address is not an IP address, a DNS name or a `unix://` socket.

    ## What it does
    Checks `spec.address` of a WorkloadEntry: an IPv4 or IPv6 address, a DNS name (for
    ServiceEntries with DNS resolution), or a `unix://` socket path (checked by the CRD).

    ## Why it matters
    The webhook rejects the resource, so the workload gets no traffic.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: WorkloadEntry
    metadata:
      name: vm-1
    spec:
      address: 10.0.0.12:8080  # <-
      labels: {app: vm-app}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: WorkloadEntry
    metadata:
      name: vm-1
    spec:
      address: 10.0.0.12
      labels: {app: vm-app}
    ```
    """

    id = "ML790"
    name = "workloadentry-address-invalid"
    severity = Severity.ERROR
    kinds = ("WorkloadEntry",)
    equivalents = REJECTED

    def issues(self, resource):
        address = resource.spec.get("address")
        if not isinstance(address, str) or not address or address.startswith(UNIX_PREFIX):
            return
        if not is_ip(address) and fqdn_error(address):
            yield (
                ("spec", "address"),
                (f'address "{address}" is not an IP address, a DNS name or a unix:// path'),
            )


class WorkloadEntryNetworkOnly(SemanticRule):
    """A WorkloadEntry has a network but no address.

    ## What it does
    Reports a WorkloadEntry that sets `network` without `address`. Istio accepts it with
    a warning: the workload is then only reachable through the network's gateway.
    meshlint reports it as info, because Istio's own CRD tests use it as valid
    configuration.

    ## Why it matters
    If the network has no gateway configured in `meshNetworks`, the workload gets no
    traffic at all.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: WorkloadEntry
    metadata:
      name: vm-1
    spec:
      network: vm-network  # <-
      labels: {app: vm-app}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: WorkloadEntry
    metadata:
      name: vm-1
    spec:
      address: 10.0.0.12
      network: vm-network
      labels: {app: vm-app}
    ```
    """

    id = "ML791"
    name = "workloadentry-network-only"
    severity = Severity.INFO
    kinds = ("WorkloadEntry",)
    equivalents = WARNED

    def issues(self, resource):
        spec = resource.spec
        if not text(spec.get("address")) and text(spec.get("network")):
            yield (
                ("spec", "network"),
                (
                    f"no address: the workload is only reachable through network "
                    f'"{spec["network"]}"\'s gateway'
                ),
            )


class WorkloadGroupProbeInvalid(SemanticRule):
    """A WorkloadGroup readiness probe has no check, or an exec probe without a command.

    ## What it does
    Checks `spec.probe`: it sets one of `httpGet`, `tcpSocket`, `exec` and `grpc`, and an
    `exec` probe has a non-empty `command`.

    ## Why it matters
    The webhook rejects the resource, so VMs joining the group get no template.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: WorkloadGroup
    metadata:
      name: vm-app
    spec:
      template:
        serviceAccount: vm-app
      probe:
        periodSeconds: 5
        exec:
          command: []  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: WorkloadGroup
    metadata:
      name: vm-app
    spec:
      template:
        serviceAccount: vm-app
      probe:
        periodSeconds: 5
        exec:
          command: [/bin/check-ready]
    ```
    """

    id = "ML792"
    name = "workloadgroup-probe-invalid"
    severity = Severity.ERROR
    kinds = ("WorkloadGroup",)
    equivalents = REJECTED

    def issues(self, resource):
        probe = resource.spec.get("probe")
        if not isinstance(probe, dict):
            return
        if not any(probe.get(m) is not None for m in PROBE_METHODS):
            yield ("spec", "probe"), "a probe needs httpGet, tcpSocket, exec or grpc"
        exec_probe = probe.get("exec")
        if isinstance(exec_probe, dict) and not items(mapping(exec_probe).get("command")):
            path = ("spec", "probe", "exec")
            yield (
                (*path, "command") if "command" in exec_probe else path,
                ("an exec probe needs a command"),
            )
