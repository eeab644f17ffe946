"""Mesh networks must name service registries istiod knows."""

from meshlint.core.suggest import hint
from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh.istio_install import mesh_networks
from meshlint.mesh.resolve import not_found, unknown
from meshlint.mesh.settings import MESH_NETWORKS_KIND

BUILTIN_REGISTRIES = ("Kubernetes", "External", "Mock")
REMOTE_SECRET_LABEL = "istio/multiCluster"


def known_registries(mesh) -> set[str]:
    """Built-in registries, the cluster IDs of remote secrets (their data keys), the
    clusters given on the command line, and istiod's ``CLUSTER_ID``."""
    known = set(BUILTIN_REGISTRIES)
    for secret in mesh.of_kind("Secret"):
        if secret.labels.get(REMOTE_SECRET_LABEL) == "true":
            for field in ("data", "stringData"):
                values = secret.body.get(field)
                known.update(str(k) for k in (values if isinstance(values, dict) else ()))
    known.update(r.cluster for r in mesh.resources if r.cluster)
    for deployment in mesh.of_kind("Deployment"):
        if deployment.name.startswith("istiod"):
            known.update(_cluster_ids(deployment))
    return known


def _cluster_ids(deployment) -> list[str]:
    template = deployment.spec.get("template")
    spec = template.get("spec") if isinstance(template, dict) else None
    containers = spec.get("containers") if isinstance(spec, dict) else None
    return [
        str(env["value"])
        for container in (containers if isinstance(containers, list) else ())
        if isinstance(container, dict) and isinstance(container.get("env"), list)
        for env in container["env"]
        if isinstance(env, dict) and env.get("name") == "CLUSTER_ID" and env.get("value")
    ]


def registries(networks):
    """(path, network name, fromRegistry) of every network endpoint that names a registry."""
    entries = networks.body.get("networks")
    for name, network in entries.items() if isinstance(entries, dict) else ():
        endpoints = network.get("endpoints") if isinstance(network, dict) else None
        for j, endpoint in enumerate(endpoints if isinstance(endpoints, list) else ()):
            if isinstance(endpoint, dict) and "fromRegistry" in endpoint:
                path = ("networks", name, "endpoints", j, "fromRegistry")
                yield path, str(name), str(endpoint["fromRegistry"])


class MeshNetworksUnknownRegistry(Rule):
    """A mesh network's endpoints come from a service registry istiod does not know.

    ## What it does
    Checks every `networks.<name>.endpoints[].fromRegistry` of the mesh networks
    (`--mesh-networks`, or `meshNetworks` in the `istio` ConfigMap of the analyzed files).
    A registry is `Kubernetes`, `External`, `Mock`, or a cluster ID: a key of a remote
    secret (labelled `istio/multiCluster: "true"`), a cluster given to meshlint, or
    istiod's `CLUSTER_ID`. Cluster IDs are case-sensitive, so a different spelling of a
    known one is always reported; other names are reported only with
    `--assume-complete`, since remote secrets are rarely in the analyzed files.

    ## Why it matters
    istiod assigns a network to the endpoints of the registry named here. An unknown
    name matches no cluster: its endpoints get no network, and cross-network traffic to
    them is sent directly instead of through the network's gateway, and fails.

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: istio
      namespace: istio-system
    data:
      meshNetworks: |
        networks:
          network1:
            endpoints:
            - fromRegistry: kubernetes  # <-
            gateways:
            - address: 192.0.2.1
              port: 15443
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: istio
      namespace: istio-system
    data:
      meshNetworks: |
        networks:
          network1:
            endpoints:
            - fromRegistry: Kubernetes
            gateways:
            - address: 192.0.2.1
              port: 15443
    ```
    """

    id = "ML961"
    name = "mesh-networks-unknown-registry"
    severity = Severity.ERROR
    category = "reference"
    #: Every kind: remote Secrets, the istio ConfigMap and istiod's Deployment, and the
    #: cluster of every resource.
    kinds = ()
    targets = (MESH_NETWORKS_KIND,)
    equivalents = Equivalents(istio="IST0126", analyzers=("multicluster.MeshNetworksAnalyzer",))

    def check(self, mesh):
        known = known_registries(mesh)
        folded = {k.lower(): k for k in known}
        hints: dict[str, str] = {}  # once per registry: many networks name the same one
        for networks in mesh_networks(mesh):
            if not networks.linted:
                continue
            for path, network, registry in registries(networks):
                if registry in known:
                    continue
                if registry.lower() in folded or mesh.settings.assume_complete:
                    resolution = not_found()
                else:
                    resolution = unknown("cluster IDs of remote clusters are not all known")
                if registry not in hints:
                    hints[registry] = hint(registry, known)
                message = (
                    f'network {network}: fromRegistry "{registry}" names no known service '
                    "registry (Kubernetes, External, Mock or a cluster ID)" + hints[registry]
                )
                yield from self.unresolved(networks, path, resolution, message)
