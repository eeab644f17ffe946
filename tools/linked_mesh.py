"""A random mesh whose namespaces reference each other, and random edits to it.

Built to exercise every way a finding in one namespace can depend on another: hosts
(``x.ns.svc.cluster.local``, shared external hosts, wildcards), ``ns/name`` gateway
references, a shared ingress Gateway in a namespace that is not the root one and the
workloads its selector picks, ``exportTo``, Sidecar egress hosts, principals and
namespaces in AuthorizationPolicies, and mTLS settings that contradict across
namespaces. Choices are drawn at random (seeded), with mistakes, so that findings exist
to appear and disappear as the edits go.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

TEAMS = 5
SUBSETS = ("v1", "v2", "v3")
EXTERNAL = ("api.partner.com", "pay.partner.com", "*.partner.com", "files.example.org")
PORT_NAMES = ("http", "grpc", "tcp", "http-web", "mongo")


def _team(rng: random.Random, i: int, teams: int) -> dict[str, str]:
    ns = f"team-{i}"
    other = f"team-{rng.randrange(teams)}"
    far = f"app-{rng.choice('ab')}.{other}" + rng.choice([".svc.cluster.local", ""])
    apps = []
    for app in ("app-a", "app-b"):
        for version in rng.sample(SUBSETS, 2):
            apps.append(
                f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: {app}-{version}, namespace: {ns}}}
spec:
  selector: {{matchLabels: {{app: {app}, version: {version}}}}}
  template:
    metadata: {{labels: {{app: {app}, version: {version}}}}}
    spec:
      serviceAccountName: {app}
      containers: [{{name: {app}, image: "{app}:1", ports: [{{containerPort: 8080}}]}}]
"""
            )
        apps.append(
            f"""apiVersion: v1
kind: Service
metadata: {{name: {app}, namespace: {ns}}}
spec:
  selector: {{app: {app}}}
  ports: [{{name: {rng.choice(PORT_NAMES)}, port: 80, targetPort: 8080}}]
"""
        )
    routing = [
        f"""apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: app-a, namespace: {ns}}}
spec:
  host: app-a
  trafficPolicy: {{tls: {{mode: {rng.choice(["ISTIO_MUTUAL", "DISABLE", "SIMPLE"])}}}}}
  subsets:
  - {{name: v1, labels: {{version: v1}}}}
  - {{name: v2, labels: {{version: {rng.choice(SUBSETS)}}}}}
""",
        f"""apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {{name: far, namespace: {ns}}}
spec:
  host: {far}
  exportTo: [{rng.choice(['"."', '"*"', other])}]
  subsets: [{{name: {rng.choice(SUBSETS)}, labels: {{version: {rng.choice(SUBSETS)}}}}}]
""",
        f"""apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: app-a, namespace: {ns}}}
spec:
  hosts: [app-a, {ns}.shop.example.com]
  gateways: [mesh, {rng.choice(["istio-system/public", "ingress/internal", "internal"])}]
  http:
  - match: [{{uri: {{prefix: /far}}}}]
    route:
    - destination: {{host: {far}, subset: {rng.choice(SUBSETS)}}}
    mirror: {{host: app-b.{other}{rng.choice([".svc.cluster.local", ".svc", ""])}}}
  - route:
    - destination: {{host: app-a, subset: {rng.choice(SUBSETS)}}}
      weight: 90
    - destination: {{host: app-b, subset: {rng.choice(SUBSETS)}}}
      weight: 10
""",
        f"""apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {{name: partner, namespace: {ns}}}
spec:
  hosts: [{rng.choice(EXTERNAL)}]
  exportTo: [{rng.choice(['"."', '"*"', other])}]
  http:
  - route: [{{destination: {{host: {rng.choice(EXTERNAL[:2])}}}}}]
""",
    ]
    policy = [
        f"""apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {{name: partner, namespace: {ns}}}
spec:
  hosts: [{rng.choice(EXTERNAL)}]
  exportTo: [{rng.choice(['"."', '"*"', other])}]
  location: MESH_EXTERNAL
  resolution: {rng.choice(["DNS", "NONE"])}
  ports: [{{number: 443, name: {rng.choice(["https", "tls", "http"])}, protocol: TLS}}]
""",
        f"""apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {{name: default, namespace: {ns}}}
spec:
  egress:
  - hosts: ["./*", "istio-system/*", "{other}/*"]
""",
        f"""apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {{name: default, namespace: {ns}}}
spec:
  mtls: {{mode: {rng.choice(["STRICT", "PERMISSIVE", "DISABLE"])}}}
""",
        f"""apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {{name: from-{other}, namespace: {ns}}}
spec:
  selector: {{matchLabels: {{app: {rng.choice(["app-a", "app-b", "app-c"])}}}}}
  rules:
  - from:
    - source:
        principals: ["cluster.local/ns/{other}/sa/{rng.choice(["app-a", "app-b", "nobody"])}"]
    - source: {{namespaces: [{other}]}}
    to: [{{operation: {{hosts: [app-a.{ns}.svc.cluster.local], ports: ["80"]}}}}]
""",
    ]
    return {
        f"{ns}/apps.yaml": "---\n".join(apps),
        f"{ns}/routing.yaml": "---\n".join(routing),
        f"{ns}/policy.yaml": "---\n".join(policy),
    }


SHARED = {
    "istio-system/mesh.yaml": """apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*.shop.example.com"]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec:
  mtls: {mode: STRICT}
""",
    "ingress/gateway.yaml": """apiVersion: apps/v1
kind: Deployment
metadata: {name: internal-gateway, namespace: ingress}
spec:
  selector: {matchLabels: {istio: internal}}
  template:
    metadata: {labels: {istio: internal}}
    spec:
      containers: [{name: istio-proxy, image: auto}]
---
apiVersion: v1
kind: Service
metadata: {name: internal-gateway, namespace: ingress}
spec:
  selector: {istio: internal}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: internal, namespace: ingress}
spec:
  selector: {istio: internal}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["team-0/*", "team-1/*", "*/team-2.shop.example.com", "*.shop.example.com"]
""",
}

#: Words an edit may swap for one another: the names that link resources (and
#: ``team-N`` namespace names).
VOCABULARY = (
    *SUBSETS,
    "app-a",
    "app-b",
    "app-c",
    "internal",
    "ingressgateway",
    "public",
    "partner.com",
    "example.org",
    "STRICT",
    "DISABLE",
    "ISTIO_MUTUAL",
    "http",
    "grpc",
)


def write(folder: Path, seed: int, teams: int = TEAMS) -> list[Path]:
    """Write the mesh for ``seed`` with ``teams`` team namespaces under ``folder``; the
    files written."""
    rng = random.Random(seed)
    files = dict(SHARED)
    for i in range(teams):
        files.update(_team(rng, i, teams))
    paths = []
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        paths.append(path)
    return paths


def random_edits(
    paths: list[Path], seed: int, count: int, teams: int = TEAMS
) -> Iterator[tuple[Path, str, str]]:
    """(file, description, new text) for ``count`` random edits: a linking word swapped
    for another, a document removed or put back, a document moved to another namespace.
    Each edit applies to the text left by the previous ones."""
    rng = random.Random(seed)
    vocabulary = (*VOCABULARY, *(f"team-{i}" for i in range(teams)))
    texts = {p: p.read_text() for p in paths}
    removed: list[tuple[Path, str]] = []
    for _ in range(count):
        path = rng.choice(paths)
        docs = texts[path].split("---\n")
        roll = rng.random()
        if roll < 0.15 and removed:
            path, doc = removed.pop(rng.randrange(len(removed)))
            texts[path] = "---\n".join([*texts[path].split("---\n"), doc])
            description = "put a document back"
        elif roll < 0.3 and len(docs) > 1:
            doc = docs.pop(rng.randrange(len(docs)))
            removed.append((path, doc))
            texts[path] = "---\n".join(docs)
            description = "remove a document"
        elif roll < 0.4:
            i = rng.randrange(len(docs))
            namespace = f"team-{rng.randrange(teams)}"
            docs[i] = _move(docs[i], namespace)
            texts[path] = "---\n".join(docs)
            description = f"move a document to {namespace}"
        else:
            present = [w for w in vocabulary if w in texts[path]]
            old = rng.choice(present)
            new = rng.choice([w for w in vocabulary if w != old])
            text = texts[path]
            places = [i for i in range(len(text)) if text.startswith(old, i)]
            at = rng.choice(places)
            texts[path] = text[:at] + new + text[at + len(old) :]
            description = f"{old} -> {new}"
        yield path, description, texts[path]


def _move(doc: str, namespace: str) -> str:
    """The document with its metadata namespace replaced."""
    head, sep, rest = doc.partition("namespace: ")
    if not sep:
        return doc
    end = min(i for i in (rest.find("}"), rest.find("\n"), rest.find(",")) if i >= 0)
    return f"{head}{sep}{namespace}{rest[end:]}"
