"""A ReferenceGrant's `from` namespaces must exist."""

from meshlint.core.suggest import hint
from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule
from meshlint.mesh.gatewayapi import GATEWAY_API
from meshlint.mesh.resolve import not_found
from meshlint.mesh.selection import resolve_namespace_pattern


class ReferenceGrantNamespaceNotFound(Rule):
    """A ReferenceGrant trusts a namespace that does not exist.

    ## What it does
    Checks the `namespace` of each `spec.from` entry of a ReferenceGrant. A namespace
    exists if a Namespace object names it, any analyzed manifest lives in it, or it is
    the root namespace; since namespaces may be created elsewhere, one meshlint has no
    evidence of is only reported with `--assume-complete` (and shown as information with
    `--report-unknown`). A name that cannot be a namespace (namespaces are lower-case
    DNS labels) is always reported; the CRD's schema rejects it too.

    ## Why it matters
    The grant lets nothing in: the routes of the intended namespace (typically a typo
    away) are refused (`RefNotPermitted`). It is also a latent hole: whoever later
    creates a namespace of that name gets access to the granted Services and Secrets.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
    ---
    apiVersion: gateway.networking.k8s.io/v1beta1
    kind: ReferenceGrant
    metadata:
      name: shop-routes
      namespace: catalog
    spec:
      from:
      - group: gateway.networking.k8s.io
        kind: HTTPRoute
        namespace: Shop  # <-
      to:
      - {group: "", kind: Service}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Namespace
    metadata:
      name: shop
    ---
    apiVersion: gateway.networking.k8s.io/v1beta1
    kind: ReferenceGrant
    metadata:
      name: shop-routes
      namespace: catalog
    spec:
      from:
      - group: gateway.networking.k8s.io
        kind: HTTPRoute
        namespace: shop
      to:
      - {group: "", kind: Service}
    ```
    """

    id = "ML864"
    name = "referencegrant-namespace-not-found"
    severity = Severity.ERROR
    category = "reference"
    kinds = ("ReferenceGrant", "Namespace")
    targets = ("ReferenceGrant",)
    equivalents = Equivalents(kiali="KIA1601")

    def check(self, mesh):
        known = mesh.namespaces_seen | {mesh.settings.root_namespace}
        answers: dict[str, tuple] = {}  # grants repeat their namespaces
        for grant in mesh.of_kind("ReferenceGrant", group=GATEWAY_API):
            if not grant.linted:
                continue
            sources = grant.spec.get("from")
            for i, source in enumerate(sources if isinstance(sources, list) else ()):
                namespace = source.get("namespace") if isinstance(source, dict) else None
                if not isinstance(namespace, str) or not namespace:
                    continue
                if namespace not in answers:
                    answers[namespace] = self._answer(namespace, known, mesh)
                resolution, message = answers[namespace]
                path = ("spec", "from", i, "namespace")
                yield from self.unresolved(grant, path, resolution, message)

    @staticmethod
    def _answer(namespace: str, known, mesh):
        if "*" in namespace:
            resolution = not_found("wildcards are not supported here")
        else:
            resolution = resolve_namespace_pattern(mesh, namespace)
        message = f'namespace "{namespace}" does not exist'
        if resolution.missing or mesh.settings.report_unknown:
            message += hint(namespace.lower(), known)
        return resolution, message
