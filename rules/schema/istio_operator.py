"""IstioOperator install specs: fields of the IstioOperator API that istioctl reads."""

from collections.abc import Iterator

from meshlint.core.suggest import closest
from meshlint.engine.finding import Severity
from meshlint.engine.rule import Rule
from meshlint.fieldpath import Path

#: The fields of each part of the IstioOperator API (istio/istio ``operator/pkg/apis``).
TOP_FIELDS = frozenset({"apiVersion", "kind", "metadata", "spec", "status"})
SPEC_FIELDS = frozenset(
    {
        "profile",
        "installPackagePath",
        "hub",
        "tag",
        "namespace",
        "revision",
        "compatibilityVersion",
        "meshConfig",
        "components",
        "values",
        "unvalidatedValues",
    }
)
BASE_FIELDS = frozenset({"enabled", "k8s"})
COMPONENT_FIELDS = frozenset({"enabled", "namespace", "hub", "tag", "k8s"})
GATEWAY_FIELDS = COMPONENT_FIELDS | {"name", "label"}
COMPONENTS = {
    "base": BASE_FIELDS,
    "pilot": COMPONENT_FIELDS,
    "cni": COMPONENT_FIELDS,
    "cni-windows": COMPONENT_FIELDS,
    "ztunnel": COMPONENT_FIELDS,
    "ztunnel-windows": COMPONENT_FIELDS,
    "istiodRemote": COMPONENT_FIELDS,
}
GATEWAY_LISTS = ("ingressGateways", "egressGateways")
K8S_FIELDS = frozenset(
    {
        "affinity",
        "env",
        "hpaSpec",
        "imagePullPolicy",
        "nodeSelector",
        "podDisruptionBudget",
        "podAnnotations",
        "priorityClassName",
        "readinessProbe",
        "replicaCount",
        "resources",
        "service",
        "strategy",
        "tolerations",
        "serviceAnnotations",
        "securityContext",
        "volumes",
        "volumeMounts",
        "overlays",
    }
)

Problem = tuple[Path, str]


class IstioOperatorField(Rule):
    """An IstioOperator install spec has a field the IstioOperator API does not define.

    ## What it does
    Checks `IstioOperator` install specs (with or without `metadata`: `istioctl install
    -f` reads them from a file, and Istio's docs write them without) against the
    IstioOperator API: the fields of `spec`, of `spec.components` and of each component
    (`base`, `pilot`, `cni`, `ztunnel`, `istiodRemote`, and each entry of
    `ingressGateways`/`egressGateways`), and of their `k8s` settings. Each unknown field
    is reported with the nearest defined name; `enabled` must be `true` or `false`.
    `meshConfig` and `values` are not checked here. The gateways the spec declares are
    taken as deployed gateways (Pods and Services) when references are resolved.

    ## Why it matters
    Fields that moved or were removed (`addonComponents`, `components.policy`,
    `components.telemetry`) and misspelt ones are refused by `istioctl install`'s
    validation, or leave the setting out of the installation.

    ## Example
    ```yaml
    apiVersion: install.istio.io/v1alpha1
    kind: IstioOperator
    spec:
      profile: default
      components:
        ingressGateways:
        - name: istio-ingressgateway
          enabled: true
          k8s:
            replicas: 2  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: install.istio.io/v1alpha1
    kind: IstioOperator
    spec:
      profile: default
      components:
        ingressGateways:
        - name: istio-ingressgateway
          enabled: true
          k8s:
            replicaCount: 2
    ```
    """

    id = "ML708"
    name = "istio-operator-field"
    severity = Severity.WARNING
    category = "schema"
    kinds = ("IstioOperator",)

    def check_resource(self, resource, mesh):
        if resource.group != "install.istio.io":
            return
        for path, message in problems(resource.body):
            yield self.report(resource, path, message, key=True)


def problems(body: dict) -> Iterator[Problem]:
    """Unknown fields and non-boolean ``enabled`` values of an install spec."""
    yield from _unknown(body, (), TOP_FIELDS)
    spec = body.get("spec")
    if not isinstance(spec, dict):
        return
    yield from _unknown(spec, ("spec",), SPEC_FIELDS)
    components = spec.get("components")
    if not isinstance(components, dict):
        return
    path = ("spec", "components")
    yield from _unknown(components, path, frozenset(COMPONENTS) | frozenset(GATEWAY_LISTS))
    for name, fields in COMPONENTS.items():
        yield from _component(components.get(name), (*path, name), fields)
    for name in GATEWAY_LISTS:
        entries = components.get(name)
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            yield from _component(entry, (*path, name, i), GATEWAY_FIELDS)


def _component(value: object, path: Path, fields: frozenset[str]) -> Iterator[Problem]:
    if not isinstance(value, dict):
        return
    yield from _unknown(value, path, fields)
    enabled = value.get("enabled")
    if enabled is not None and not isinstance(enabled, bool):
        yield (*path, "enabled"), f"enabled must be true or false, not {enabled!r}"
    k8s = value.get("k8s")
    if isinstance(k8s, dict):
        yield from _unknown(k8s, (*path, "k8s"), K8S_FIELDS)


def _unknown(value: dict, path: Path, fields: frozenset[str]) -> Iterator[Problem]:
    for key in value:
        if key in fields:
            continue
        near = closest(str(key), fields)
        hint = f'; did you mean "{near}"?' if near else ""
        where = _text(path) or "the install spec"
        yield (
            (*path, key),
            f'unknown field "{key}" in {where}: not part of the IstioOperator API{hint}',
        )


def _text(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else str(part)
    return out
