"""Generate a synthetic, correct mesh for benchmarks.

    python benchmarks/generate_mesh.py OUT_DIR --resources 10000 [--files 200 | --single]

Each namespace holds apps (Deployment, Service, VirtualService, DestinationRule with
subsets) and a Gateway, ServiceEntry, Sidecar, PeerAuthentication and AuthorizationPolicy.
With ``--shared-gateway``, every VirtualService is also bound to one ingress Gateway that
all teams share, in a namespace of its own (a hub every namespace links to).
"""

from __future__ import annotations

import argparse
from pathlib import Path

APPS_PER_NAMESPACE = 10

APP = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}-v1
  namespace: {ns}
  labels: {{app: {app}, version: v1}}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: {app}, version: v1}}
  template:
    metadata:
      labels: {{app: {app}, version: v1}}
      annotations:
        sidecar.istio.io/proxyCPU: 100m
    spec:
      serviceAccountName: {app}
      containers:
      - name: {app}
        image: registry.example.com/{app}:1.0.{i}
        ports:
        - containerPort: 8080
        resources:
          requests: {{cpu: 100m, memory: 128Mi}}
---
apiVersion: v1
kind: Service
metadata:
  name: {app}
  namespace: {ns}
  labels: {{app: {app}}}
spec:
  selector: {{app: {app}}}
  ports:
  - name: http
    port: 80
    targetPort: 8080
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {app}
  namespace: {ns}
spec:
  hosts: [{hosts}]{gateways}
  http:
  - match:
    - headers:
        end-user: {{exact: tester}}
    route:
    - destination: {{host: {app}, subset: v1}}
    timeout: 5s
    retries: {{attempts: 3, perTryTimeout: 2s}}
  - route:
    - destination: {{host: {app}, subset: v1}}
      weight: 100
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: {app}
  namespace: {ns}
spec:
  host: {app}
  trafficPolicy:
    connectionPool:
      tcp: {{maxConnections: 100}}
    outlierDetection: {{consecutive5xxErrors: 5, interval: 30s, baseEjectionTime: 30s}}
  subsets:
  - name: v1
    labels: {{version: v1}}
"""

NAMESPACE = """\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: gateway
  namespace: {ns}
spec:
  selector: {{istio: ingressgateway}}
  servers:
  - port: {{number: 80, name: http, protocol: HTTP}}
    hosts: ["{ns}.example.com"]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: external-api
  namespace: {ns}
spec:
  hosts: [api-{ns}.example.org]
  location: MESH_EXTERNAL
  resolution: DNS
  ports:
  - {{number: 443, name: https, protocol: TLS}}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: default
  namespace: {ns}
spec:
  egress:
  - hosts: ["./*", "istio-system/*"]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: {ns}
spec:
  mtls: {{mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow-frontend
  namespace: {ns}
spec:
  selector:
    matchLabels: {{app: app-0}}
  action: ALLOW
  rules:
  - from:
    - source:
        principals: ["cluster.local/ns/{ns}/sa/app-1"]
    to:
    - operation:
        methods: [GET]
"""


SHARED_GATEWAY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: public-gateway
  namespace: ingress
spec:
  selector:
    matchLabels: {istio: public}
  template:
    metadata:
      labels: {istio: public}
    spec:
      containers:
      - name: istio-proxy
        image: auto
---
apiVersion: v1
kind: Service
metadata:
  name: public-gateway
  namespace: ingress
spec:
  selector: {istio: public}
  ports:
  - name: http
    port: 80
    targetPort: 8080
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: public
  namespace: ingress
spec:
  selector: {istio: public}
  servers:
  - port: {number: 8080, name: http, protocol: HTTP}
    hosts: ["*.example.com"]
"""


def documents(resources: int, shared_gateway: bool = False) -> list[str]:
    """About ``resources`` documents (4 per app, 5 per namespace)."""
    docs: list[str] = SHARED_GATEWAY.split("---\n") if shared_gateway else []
    ns_index = 0
    while len(docs) < resources:
        ns = f"team-{ns_index:04d}"
        docs.extend(NAMESPACE.format(ns=ns).split("---\n"))
        for i in range(APPS_PER_NAMESPACE):
            app = f"app-{i}"
            hosts, gateways = app, ""
            if shared_gateway:
                hosts = f"{app}, {app}-{ns}.example.com"
                gateways = "\n  gateways: [mesh, ingress/public]"
            text = APP.format(app=app, ns=ns, i=i, hosts=hosts, gateways=gateways)
            docs.extend(text.split("---\n"))
        ns_index += 1
    return docs[:resources]


def write(out: Path, resources: int, files: int, shared_gateway: bool = False) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    docs = documents(resources, shared_gateway)
    per_file = max(1, -(-len(docs) // files))
    paths = []
    for n in range(0, len(docs), per_file):
        path = out / f"mesh-{n // per_file:04d}.yaml"
        path.write_text("---\n".join(docs[n : n + per_file]))
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--single", action="store_true", help="one file")
    parser.add_argument("--shared-gateway", action="store_true", help="one ingress for all")
    args = parser.parse_args()
    paths = write(args.out, args.resources, 1 if args.single else args.files, args.shared_gateway)
    print(f"wrote {args.resources} resources in {len(paths)} files under {args.out}")


if __name__ == "__main__":
    main()
