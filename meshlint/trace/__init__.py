"""``meshlint trace``: where a request would go and whether it would be allowed, from
the manifests alone. Every step is decided, or unknown with the reason.

request (what is dialed, by whom) -> entry (sidecar or Gateway server) -> VirtualService
and first matching rule (delegates followed) -> destinations, subsets, workloads -> mTLS
-> AuthorizationPolicy (CUSTOM, DENY, ALLOW) -> decision.
"""
