"""istiod should restrict where it fetches JWKS from when JWTs are validated."""

from meshlint.engine.finding import Severity
from meshlint.engine.rule import Equivalents, Rule, related_to
from meshlint.mesh.workloads import workload_of
from meshlint.model import as_list

ENV = "BLOCKED_CIDRS_IN_JWKS_URIS"
MAX_LISTED = 5


def fetching_policies(mesh) -> list:
    """RequestAuthentications with a JWT rule whose keys istiod fetches (no inline
    ``jwks``)."""
    out = []
    for policy in mesh.of_kind("RequestAuthentication"):
        rules = policy.spec.get("jwtRules")
        if any(isinstance(r, dict) and not r.get("jwks") for r in rules or []):
            out.append(policy)
    return out


def _configured(containers: list[dict]) -> bool:
    for container in containers:
        for env in as_list(container.get("env")):
            if isinstance(env, dict) and env.get("name") == ENV and env.get("value"):
                return True
    return False


def _env_path(workload) -> tuple:
    """istiod's ``discovery`` container's env (or the container, or the containers list)."""
    base = (*workload.template_path, "spec", "containers")
    containers = as_list(workload.pod_spec.get("containers"))
    for index, container in enumerate(containers):
        if isinstance(container, dict) and container.get("name") == "discovery":
            return (*base, index, "env") if "env" in container else (*base, index, "name")
    return base


class JwksFetchUnrestricted(Rule):
    """istiod fetches JWKS for RequestAuthentications without `BLOCKED_CIDRS_IN_JWKS_URIS`.

    ## What it does
    When the analyzed files hold RequestAuthentications whose JWT rules make istiod fetch
    keys (a `jwksUri`, or OpenID discovery from the issuer; inline `jwks` fetch nothing),
    checks every istiod Deployment (label `app: istiod`) for a non-empty
    `BLOCKED_CIDRS_IN_JWKS_URIS` environment variable, pointing at the `discovery`
    container's `env`.

    ## Why it matters
    Whoever may create a RequestAuthentication can make istiod fetch any URL from inside
    the cluster network (server-side request forgery). The variable lists the networks
    istiod refuses to fetch from.

    ## Example
    ```yaml
    apiVersion: security.istio.io/v1
    kind: RequestAuthentication
    metadata:
      name: jwt
    spec:
      jwtRules:
      - issuer: https://example.com
        jwksUri: https://example.com/.well-known/jwks.json
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: istiod
      namespace: istio-system
      labels: {app: istiod}
    spec:
      selector:
        matchLabels: {app: istiod}
      template:
        metadata:
          labels: {app: istiod}
        spec:
          containers:
          - name: discovery
            image: docker.io/istio/pilot:1.24.0
            env:  # <-
            - name: PILOT_ENABLE_ANALYSIS
              value: "true"
    ```

    ## Use instead
    ```yaml
    apiVersion: security.istio.io/v1
    kind: RequestAuthentication
    metadata:
      name: jwt
    spec:
      jwtRules:
      - issuer: https://example.com
        jwksUri: https://example.com/.well-known/jwks.json
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: istiod
      namespace: istio-system
      labels: {app: istiod}
    spec:
      selector:
        matchLabels: {app: istiod}
      template:
        metadata:
          labels: {app: istiod}
        spec:
          containers:
          - name: discovery
            image: docker.io/istio/pilot:1.24.0
            env:
            - name: BLOCKED_CIDRS_IN_JWKS_URIS
              value: 10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,169.254.0.0/16
    ```
    """

    id = "ML613"
    name = "istiod-jwks-fetch-unrestricted"
    severity = Severity.WARNING
    category = "security"
    kinds = ("RequestAuthentication", "Deployment")
    targets = ("Deployment",)
    equivalents = Equivalents(istio="IST0175", analyzers=("authn.BlockedCIDRsAnalyzer",))

    def check(self, mesh):
        policies = fetching_policies(mesh)
        if not policies:
            return
        names = ", ".join(p.qualified_name for p in policies[:MAX_LISTED])
        if len(policies) > MAX_LISTED:
            names += f" and {len(policies) - MAX_LISTED} more"
        for deployment in mesh.of_kind("Deployment"):
            if not deployment.linted or deployment.labels.get("app") != "istiod":
                continue
            workload = workload_of(deployment)
            if workload is None or _configured(workload.containers()):
                continue
            yield self.report(
                deployment,
                _env_path(workload),
                f"{ENV} is not set on istiod, but {len(policies)} RequestAuthentication(s) "
                f"make it fetch JWKS ({names}): set it to the networks istiod must not reach",
                key=True,
                related=[related_to(p, ("spec", "jwtRules")) for p in policies[:MAX_LISTED]],
            )
