"""DestinationRule subsets and traffic policies: what Istio rejects or warns about."""

from meshlint.engine.finding import Severity
from meshlint.rulebases.semantic import REJECTED, WARNED, SemanticRule, below
from meshlint.validation.client_tls import client_tls_errors
from meshlint.validation.destination_rule import maglev_error, subset_name_error
from meshlint.validation.locality import locality_lb_issues
from meshlint.validation.percentages import percent_error
from meshlint.validation.values import is_int, is_number, mapping
from meshlint.validation.walk import spec_items, traffic_policies

_POLICY_FIELDS = ("outlierDetection", "connectionPool", "loadBalancer", "tls")


class DRSubsetInvalid(SemanticRule):
    """A DestinationRule subset name is duplicated or not a DNS-1123 label.

    ## What it does
    Checks `spec.subsets`: names are unique and DNS labels (at most 63 letters, digits
    and `-`, no dots or underscores), since they become part of Envoy cluster names.

    ## Why it matters
    The webhook rejects the resource, so none of its subsets exist and routes to them
    fail.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      subsets:
      - name: v1.0  # <-
        labels: {version: v1}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      subsets:
      - name: v1-0
        labels: {version: v1}
    ```
    """

    id = "ML753"
    name = "dr-subset-invalid"
    severity = Severity.ERROR
    kinds = ("DestinationRule",)
    equivalents = REJECTED

    def issues(self, resource):
        names: set[str] = set()
        for path, subset in spec_items(resource, "subsets"):
            name = subset.get("name")
            error = subset_name_error(name)
            if error is None and name in names:
                error = f'duplicate subset name "{name}"'
            if error:
                yield (*path, "name"), error
            if isinstance(name, str):
                names.add(name)


def _is_port_level(path) -> bool:
    return "portLevelSettings" in path


class DRTrafficPolicyInvalid(SemanticRule):
    """A DestinationRule traffic policy is empty, or combines settings Istio rejects.

    ## What it does
    Checks every traffic policy (top level, per subset, per port): it sets at least one
    field; `tunnel` and `proxyProtocol` are not both set; a tunnel's `protocol` is
    `CONNECT` or `POST`; each `portLevelSettings` entry has a `port` and at least one of
    `outlierDetection`, `connectionPool`, `loadBalancer` and `tls`.

    ## Why it matters
    The webhook rejects the resource, so the change is not applied.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      trafficPolicy:
        portLevelSettings:
        - loadBalancer: {simple: LEAST_REQUEST}  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      trafficPolicy:
        portLevelSettings:
        - port: {number: 9080}
          loadBalancer: {simple: LEAST_REQUEST}
    ```
    """

    id = "ML754"
    name = "dr-traffic-policy-invalid"
    severity = Severity.ERROR
    kinds = ("DestinationRule",)
    equivalents = REJECTED

    def issues(self, resource):
        for path, policy in traffic_policies(resource):
            if _is_port_level(path):
                if policy.get("port") is None:
                    yield path, "a port traffic policy needs a port"
                if not any(policy.get(f) is not None for f in _POLICY_FIELDS):
                    yield (
                        path,
                        "a port traffic policy must set outlierDetection, "
                        "connectionPool, loadBalancer or tls",
                    )
                continue
            if not any(value is not None for value in policy.values()):
                yield path, "a traffic policy must set at least one field", True
                continue
            tunnel = policy.get("tunnel")
            if tunnel is not None and policy.get("proxyProtocol") is not None:
                yield (*path, "proxyProtocol"), "tunnel and proxyProtocol cannot be set together"
            tunnel_protocol = mapping(tunnel).get("protocol")
            if isinstance(tunnel_protocol, str) and tunnel_protocol not in ("", "CONNECT", "POST"):
                yield (*path, "tunnel", "protocol"), 'tunnel protocol must be "CONNECT" or "POST"'


class DROutlierDetectionInvalid(SemanticRule):
    """Outlier detection counts local-origin failures unsplit, or a percentage is over 100.

    ## What it does
    Checks `outlierDetection` in every traffic policy: `consecutiveLocalOriginFailures`
    needs `splitExternalLocalOriginErrors: true`, and `maxEjectionPercent` and
    `minHealthPercent` are within 0..100.

    ## Why it matters
    The webhook rejects the resource, so the change is not applied.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      trafficPolicy:
        outlierDetection:
          consecutiveLocalOriginFailures: 5  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      trafficPolicy:
        outlierDetection:
          splitExternalLocalOriginErrors: true
          consecutiveLocalOriginFailures: 5
    ```
    """

    id = "ML755"
    name = "dr-outlier-detection-invalid"
    severity = Severity.ERROR
    kinds = ("DestinationRule",)
    equivalents = REJECTED

    def issues(self, resource):
        for path, policy in traffic_policies(resource):
            outlier = policy.get("outlierDetection")
            if not isinstance(outlier, dict):
                continue
            base = (*path, "outlierDetection")
            failures = outlier.get("consecutiveLocalOriginFailures")
            failures = mapping(failures).get("value") if isinstance(failures, dict) else failures
            split = outlier.get("splitExternalLocalOriginErrors") is True
            if is_int(failures) and failures > 0 and not split:
                yield (
                    (*base, "consecutiveLocalOriginFailures"),
                    ("consecutiveLocalOriginFailures needs splitExternalLocalOriginErrors: true"),
                )
            for field in ("maxEjectionPercent", "minHealthPercent"):
                error = percent_error(outlier.get(field))
                if error:
                    yield (*base, field), error


class DRLoadBalancerInvalid(SemanticRule):
    """A load balancer setting is contradictory or out of range.

    ## What it does
    Checks `loadBalancer` in every traffic policy: a consistent-hash `httpCookie` has a
    name; the deprecated `minimumRingSize` is not combined with `ringHash` or `maglev`; a
    maglev `tableSize` is a prime below 5000011; `localityLbSetting` and
    `zoneAwareLbSetting` are not both set; a warmup `aggression` is above 0.

    ## Why it matters
    The webhook rejects the resource, so the change is not applied.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      trafficPolicy:
        loadBalancer:
          consistentHash:
            httpHeaderName: x-user
            maglev:
              tableSize: 65536  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      trafficPolicy:
        loadBalancer:
          consistentHash:
            httpHeaderName: x-user
            maglev:
              tableSize: 65537
    ```
    """

    id = "ML756"
    name = "dr-load-balancer-invalid"
    severity = Severity.ERROR
    kinds = ("DestinationRule",)
    equivalents = REJECTED

    def issues(self, resource):
        for path, policy in traffic_policies(resource):
            balancer = policy.get("loadBalancer")
            if isinstance(balancer, dict):
                yield from below((*path, "loadBalancer"), self._balancer(balancer))

    def _balancer(self, balancer):
        hashing = mapping(balancer.get("consistentHash"))
        cookie = hashing.get("httpCookie")
        if isinstance(cookie, dict) and cookie.get("name") == "":
            yield ("consistentHash", "httpCookie", "name"), "httpCookie needs a name"
        ring = hashing.get("minimumRingSize")
        if is_int(ring) and ring and (hashing.get("ringHash") or hashing.get("maglev")):
            yield (
                ("consistentHash", "minimumRingSize"),
                ("minimumRingSize cannot be combined with ringHash or maglev"),
            )
        maglev = hashing.get("maglev")
        if isinstance(maglev, dict):
            error = maglev_error(maglev.get("tableSize", 0))
            if error:
                path = ("tableSize",) if "tableSize" in maglev else ()
                yield ("consistentHash", "maglev", *path), error
        if balancer.get("localityLbSetting") and balancer.get("zoneAwareLbSetting"):
            yield (
                ("zoneAwareLbSetting",),
                ("localityLbSetting and zoneAwareLbSetting cannot be set together"),
            )
        aggression = mapping(balancer.get("warmup")).get("aggression")
        if is_number(aggression) and aggression == 0:
            yield ("warmup", "aggression"), "warmup aggression must be greater than 0"


class DRLocalityLBInvalid(SemanticRule):
    """Locality load balancing weights do not add up to 100, or failover is malformed.

    ## What it does
    Checks `loadBalancer.localityLbSetting` in every traffic policy: `distribute` and
    `failover` are not both set; each `distribute` rule gives weights in 1..100 that add
    up to exactly 100; localities have no empty parts, at most one trailing `*`, and do
    not overlap; `failover` goes between two different regions (no zone, no wildcard);
    `failoverPriority` does not repeat the topology labels `failover` already uses.

    ## Why it matters
    The webhook rejects the resource, so the change is not applied.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      trafficPolicy:
        loadBalancer:
          localityLbSetting:
            distribute:
            - from: us-west/zone1/*
              to:  # <-
                "us-west/zone1/*": 80
                "us-west/zone2/*": 10
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      trafficPolicy:
        loadBalancer:
          localityLbSetting:
            distribute:
            - from: us-west/zone1/*
              to:
                "us-west/zone1/*": 80
                "us-west/zone2/*": 20
    ```
    """

    id = "ML757"
    name = "dr-locality-lb-invalid"
    severity = Severity.ERROR
    kinds = ("DestinationRule",)
    equivalents = REJECTED

    def issues(self, resource):
        for path, policy in traffic_policies(resource):
            setting = mapping(policy.get("loadBalancer")).get("localityLbSetting")
            if isinstance(setting, dict):
                base = (*path, "loadBalancer", "localityLbSetting")
                yield from below(base, locality_lb_issues(setting))


class DRFailoverWithoutOutlierDetection(SemanticRule):
    """Locality failover is configured without outlier detection.

    ## What it does
    Reports a traffic policy whose `localityLbSetting` sets `failover` or
    `failoverPriority` while the same policy has no `outlierDetection`.

    ## Why it matters
    Envoy only fails over when it ejects unhealthy endpoints, which outlier detection
    does: without it, traffic never leaves the local locality.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      trafficPolicy:
        loadBalancer:
          localityLbSetting:
            failover:  # <-
            - from: us-east
              to: us-west
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: reviews
    spec:
      host: reviews
      trafficPolicy:
        loadBalancer:
          localityLbSetting:
            failover:
            - from: us-east
              to: us-west
        outlierDetection:
          consecutive5xxErrors: 5
    ```
    """

    id = "ML758"
    name = "dr-failover-without-outlier-detection"
    severity = Severity.WARNING
    kinds = ("DestinationRule",)
    equivalents = WARNED

    def issues(self, resource):
        for path, policy in traffic_policies(resource):
            setting = mapping(mapping(policy.get("loadBalancer")).get("localityLbSetting"))
            field = next((f for f in ("failover", "failoverPriority") if setting.get(f)), None)
            if field and policy.get("outlierDetection") is None:
                yield (
                    (*path, "loadBalancer", "localityLbSetting", field),
                    (f"{field} needs outlierDetection in the same traffic policy to take effect"),
                )


class DRClientTLSInvalid(SemanticRule):
    """A DestinationRule's client TLS settings contradict each other or lack a certificate.

    ## What it does
    Checks `tls` in every traffic policy: with `insecureSkipVerify: true`, no CA
    certificates or subject alternative names (nor, for `SIMPLE`, a credentialName);
    with a `credentialName`, no certificate, key, CA or CRL files; `MUTUAL` without a
    credentialName needs `clientCertificate` and `privateKey`.

    ## Why it matters
    The webhook rejects the resource, so the change is not applied.

    ## Example
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: payments
    spec:
      host: api.payments.example.com
      trafficPolicy:
        tls:
          mode: MUTUAL  # <-
          caCertificates: /etc/certs/ca.pem
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata:
      name: payments
    spec:
      host: api.payments.example.com
      trafficPolicy:
        tls:
          mode: MUTUAL
          credentialName: payments-client-cert
    ```
    """

    id = "ML759"
    name = "dr-client-tls-invalid"
    severity = Severity.ERROR
    kinds = ("DestinationRule",)
    equivalents = REJECTED

    def issues(self, resource):
        for path, policy in traffic_policies(resource):
            if isinstance(policy.get("tls"), dict):
                yield from below((*path, "tls"), client_tls_errors(policy["tls"]))
