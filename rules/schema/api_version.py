"""apiVersions and kinds that the API server does not serve, no longer serves, or prefers
to see replaced."""

from meshlint.apiserver.api_versions import Verdict, version_status
from meshlint.engine.finding import Severity
from meshlint.engine.fix import Fix, replace
from meshlint.engine.rule import Equivalents, Rule
from meshlint.schemastore import known_versions


class _VersionRule(Rule):
    """Reports one verdict of :func:`version_status` at the resource's ``apiVersion``."""

    verdict: Verdict

    def check_resource(self, resource, mesh):
        status = version_status(resource.api_version, resource.kind)
        if status is not None and status.verdict is self.verdict:
            path = "kind" if self.verdict is Verdict.UNKNOWN_KIND else "apiVersion"
            yield self.report(resource, path, status.message, fixes=self.fixes(resource))

    def fixes(self, resource) -> list[Fix]:
        return []


class UnknownApiVersion(_VersionRule):
    """The apiVersion is not a version the API group serves for this kind.

    ## What it does
    Reports resources of a known API group (Istio, Gateway API, the core Kubernetes kinds
    meshlint has schemas for) whose version does not exist for their kind, and lists the
    versions that do.

    ## Why it matters
    `kubectl apply` fails with "no matches for kind", and nothing in the file is applied.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v2  # <-
    kind: VirtualService
    metadata:
      name: reviews
    spec:
      hosts: [reviews]
      http:
      - route:
        - destination:
            host: reviews
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews
    spec:
      hosts: [reviews]
      http:
      - route:
        - destination:
            host: reviews
    ```
    """

    id = "ML704"
    name = "unknown-api-version"
    severity = Severity.ERROR
    category = "schema"
    equivalents = Equivalents(istio="IST0106")
    verdict = Verdict.UNKNOWN_VERSION


class RemovedApiVersion(_VersionRule):
    """The apiVersion was removed from Istio or Kubernetes.

    ## What it does
    Reports resources written for APIs that are no longer served: Istio's
    `rbac.istio.io` (ServiceRole, ServiceRoleBinding, ClusterRbacConfig),
    `authentication.istio.io/v1alpha1` (Policy, MeshPolicy) and Mixer's
    `config.istio.io/v1alpha2`, and the Kubernetes beta APIs removed since 1.16
    (`extensions/v1beta1` Deployment, `batch/v1beta1` CronJob,
    `admissionregistration.k8s.io/v1beta1` webhooks, ...). The message names the release
    that removed the API and its replacement.

    ## Why it matters
    The resource cannot be applied to a current cluster; for the Istio APIs the policy it
    describes (mTLS, authorization) has not been in force since the upgrade that removed it.

    ## Example
    ```yaml
    apiVersion: authentication.istio.io/v1alpha1  # <-
    kind: Policy
    metadata:
      name: default
    spec:
      peers:
      - mtls: {}
    ```

    ## Use instead
    ```yaml
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: default
    spec:
      mtls:
        mode: STRICT
    ```
    """

    id = "ML705"
    name = "removed-api-version"
    severity = Severity.ERROR
    category = "schema"
    equivalents = Equivalents(istio="IST0106")
    verdict = Verdict.REMOVED


class DeprecatedApiVersion(_VersionRule):
    """The resource uses an older or deprecated version of its API.

    ## What it does
    Notes resources whose apiVersion is served but is not the preferred one (for example
    `networking.istio.io/v1alpha3` or `v1beta1` where `v1` exists) or is marked
    deprecated by its CRD, and names the version to use. `meshlint fix --unsafe` changes
    the apiVersion to it.

    ## Why it matters
    Older versions are kept for compatibility and are the first to be removed; the
    preferred version is what documentation and tools describe. This is information
    only: clusters running Istio older than 1.22 do not serve `v1` yet.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1alpha3  # <-
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
    ```
    """

    id = "ML706"
    name = "deprecated-api-version"
    severity = Severity.INFO
    category = "schema"
    verdict = Verdict.DEPRECATED

    def fixes(self, resource) -> list[Fix]:
        """Move to the preferred version: the same schema, but not served by older
        clusters, hence unsafe."""
        versions = known_versions(resource.group, resource.kind)
        if not versions or versions[0] == resource.version:
            return []
        preferred = f"{resource.group}/{versions[0]}" if resource.group else versions[0]
        return [replace(("apiVersion",), preferred, f"Change to {preferred}")]


class UnknownKind(_VersionRule):
    """An Istio API group has no such kind.

    ## What it does
    Reports resources of an Istio API group (`networking.istio.io`, `security.istio.io`,
    `telemetry.istio.io`, `extensions.istio.io`) whose kind the group does not define,
    with the nearest kind that it does.

    ## Why it matters
    `kubectl apply` fails with "no matches for kind"; a misspelt kind is easy to miss in
    review.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualServices  # <-
    metadata:
      name: reviews
    spec:
      hosts: [reviews]
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews
    spec:
      hosts: [reviews]
    ```
    """

    id = "ML707"
    name = "unknown-kind"
    severity = Severity.ERROR
    category = "schema"
    equivalents = Equivalents(istio="IST0106")
    verdict = Verdict.UNKNOWN_KIND
