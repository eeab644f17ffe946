"""``meshlint fix``: each fix, byte for byte, through the real command; fixing twice changes
nothing; a fix never breaks a file or adds a finding (over every documented example)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from meshlint.cli import cli
from meshlint.engine.docs import examples
from meshlint.engine.fix import Edit, Fix, move, replace, scalar_text
from meshlint.engine.registry import builtin_rules
from meshlint.fixer.apply import ROUNDTRIP, SPLICE, Target, apply_fix
from meshlint.fixer.edits import CannotFix
from meshlint.loader.yaml_reader import parse_text
from meshlint.lsp.convert import fix_edits
from meshlint.pipeline.lint import LintOptions, lint

from conftest import REPO

EXAMPLE = REPO / "examples" / "bookinfo-broken"


def meshlint(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "meshlint", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def yaml(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def findings(path: Path) -> Counter:
    """(rule id, resource) of every finding on the file, linted in-process."""
    result = lint(LintOptions(paths=[str(path)]))
    return Counter((f.rule.id, f.resource.ref if f.resource else "") for f in result.findings)


@dataclass
class Case:
    id: str
    before: str
    after: str
    rules: tuple[str, ...]
    flags: tuple[str, ...] = ()


CASES = [
    Case(
        "unknown-field-renamed",
        yaml("""
            # reviews routing (owned by team-a)
            apiVersion:   networking.istio.io/v1
            kind: VirtualService
            metadata:
                name: reviews      # keep in sync with the Service
            spec:
                hostss: [ reviews ]     # typo: hosts
                http:
                    -   route:
                            -   destination:
                                    host:   reviews
                                    subnet: "v2"    # typo: subset
            """),
        yaml("""
            # reviews routing (owned by team-a)
            apiVersion:   networking.istio.io/v1
            kind: VirtualService
            metadata:
                name: reviews      # keep in sync with the Service
            spec:
                hosts: [ reviews ]     # typo: hosts
                http:
                    -   route:
                            -   destination:
                                    host:   reviews
                                    subset: "v2"    # typo: subset
            """),
        ("ML703",),
    ),
    Case(
        "enum-case",
        yaml("""
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: default, namespace: istio-system}   # mesh-wide
            spec:
              mtls: { mode: strict }   # must be STRICT
            """),
        yaml("""
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: default, namespace: istio-system}   # mesh-wide
            spec:
              mtls: { mode: STRICT }   # must be STRICT
            """),
        ("ML701",),
    ),
    Case(
        "enum-one-letter-unsafe",
        yaml("""
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata:
              name: reviews
            spec:
              host: reviews
              trafficPolicy:
                loadBalancer:
                  simple:    ROUND_ROBBIN   # typo
            """),
        yaml("""
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata:
              name: reviews
            spec:
              host: reviews
              trafficPolicy:
                loadBalancer:
                  simple:    ROUND_ROBIN   # typo
            """),
        ("ML701",),
        ("--unsafe",),
    ),
    Case(
        "legacy-gateway-name",
        yaml("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: shop
            spec:
              hosts: ["shop.example.com"]
              gateways: [ "public.istio-system" , mesh ]   # ingress and mesh
              http:
              - match:
                - gateways:
                  -   'public.istio-system.svc.cluster.local'   # from the ingress only
                route:
                - destination: {host: shop}
            """),
        yaml("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: shop
            spec:
              hosts: ["shop.example.com"]
              gateways: [ "istio-system/public" , mesh ]   # ingress and mesh
              http:
              - match:
                - gateways:
                  -   'istio-system/public'   # from the ingress only
                route:
                - destination: {host: shop}
            """),
        ("ML763",),
    ),
    Case(
        "closest-subset-host-and-gateway",
        yaml("""
            apiVersion: v1
            kind: Service
            metadata: {name: reviews}
            spec:
              selector: {app: reviews}
              ports: [{name: http, port: 9080}]
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews}
            spec:
              host: reviews
              subsets:
              - {name: v1, labels: {version: v1}}
              - {name: v2, labels: {version: v2}}
            ---
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: public, namespace: istio-system}
            spec:
              selector: {istio: ingressgateway}
              servers:
              - port: {number: 80, name: http, protocol: HTTP}
                hosts: ["*"]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews}
            spec:
              hosts: ["*"]
              gateways:
              - istio-system/publik     # the ingress
              http:
              - route:
                - destination:
                    host: review            # short name
                    subset: v1
                - destination:
                    host: reviews
                    subset: "v22"   # canary
            """),
        yaml("""
            apiVersion: v1
            kind: Service
            metadata: {name: reviews}
            spec:
              selector: {app: reviews}
              ports: [{name: http, port: 9080}]
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews}
            spec:
              host: reviews
              subsets:
              - {name: v1, labels: {version: v1}}
              - {name: v2, labels: {version: v2}}
            ---
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: public, namespace: istio-system}
            spec:
              selector: {istio: ingressgateway}
              servers:
              - port: {number: 80, name: http, protocol: HTTP}
                hosts: ["*"]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews}
            spec:
              hosts: ["*"]
              gateways:
              - istio-system/public     # the ingress
              http:
              - route:
                - destination:
                    host: reviews            # short name
                    subset: v1
                - destination:
                    host: reviews
                    subset: "v2"   # canary
            """),
        ("ML101", "ML104", "ML105"),
        ("--unsafe",),
    ),
    Case(
        "deprecated-api-version",
        yaml("""
            apiVersion:    networking.istio.io/v1alpha3   # generated by an old chart
            kind: DestinationRule
            metadata: {name: reviews}
            spec:
              host: reviews
            """),
        yaml("""
            apiVersion:    networking.istio.io/v1   # generated by an old chart
            kind: DestinationRule
            metadata: {name: reviews}
            spec:
              host: reviews
            """),
        ("ML706",),
        ("--unsafe",),
    ),
    Case(
        "deprecated-annotations",
        yaml("""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: ratings
            spec:
              selector:
                matchLabels: {app: ratings}
              template:
                metadata:
                  labels:
                    app: ratings   # matched by the Service
                  annotations:
                    # no sidecar for the batch job
                    sidecar.istio.io/inject: "false"
                    traffic.sidecar.istio.io/kubevirtInterfaces: "net1,net2"   # VM bridge
                    prometheus.io/scrape: "true"
                spec:
                  containers:
                  - name: ratings
                    image: ratings:v1
            """),
        yaml("""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: ratings
            spec:
              selector:
                matchLabels: {app: ratings}
              template:
                metadata:
                  labels:
                    app: ratings   # matched by the Service
                    sidecar.istio.io/inject: "false"
                  annotations:
                    # no sidecar for the batch job
                    istio.io/reroute-virtual-interfaces: "net1,net2"   # VM bridge
                    prometheus.io/scrape: "true"
                spec:
                  containers:
                  - name: ratings
                    image: ratings:v1
            """),
        ("ML604",),
        ("--unsafe",),
    ),
    Case(
        "annotations-moved-to-pod-template",
        yaml("""
            apiVersion: v1
            kind: List
            items:
            - apiVersion: apps/v1
              kind: Deployment
              metadata:
                name: fortio
                annotations:
                  # give the proxy more room
                  sidecar.istio.io/proxyCPU:    "500m"
                  sidecar.istio.io/proxyMemory: 256Mi     # measured under load
              spec:
                selector:
                  matchLabels: {app: fortio}
                template:
                  metadata:
                    labels: {app: fortio}
                    # annotations go here
                  spec:
                    containers:
                    - name: fortio
                      image: fortio/fortio
            """),
        yaml("""
            apiVersion: v1
            kind: List
            items:
            - apiVersion: apps/v1
              kind: Deployment
              metadata:
                name: fortio
              spec:
                selector:
                  matchLabels: {app: fortio}
                template:
                  metadata:
                    labels: {app: fortio}
                    annotations:
                      sidecar.istio.io/proxyCPU: 500m
                      sidecar.istio.io/proxyMemory: 256Mi
                    # annotations go here
                  spec:
                    containers:
                    - name: fortio
                      image: fortio/fortio
            """),
        ("ML602",),
        ("--unsafe",),
    ),
    Case(
        "port-names-from-container-ports",
        yaml("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: ratings}
            spec:
              selector: {matchLabels: {app: ratings}}
              template:
                metadata: {labels: {app: ratings}}
                spec:
                  containers:
                  - name: ratings
                    image: ratings:v1
                    ports:
                    - {name: http-api, containerPort: 9080}
                    - {name: grpc, containerPort: 9090}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: ratings}
            spec:
              selector:
                app: ratings
              ports:
                - name: api          # the REST API
                  port: 80
                  targetPort: http-api
                - port: 9090         # unnamed
                  targetPort:   9090
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: payments}
            spec:
              type: ExternalName
              externalName: payments.example.com
              ports:
              - {name: tcp, port: 443, appProtocol: https}
            """),
        yaml("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: ratings}
            spec:
              selector: {matchLabels: {app: ratings}}
              template:
                metadata: {labels: {app: ratings}}
                spec:
                  containers:
                  - name: ratings
                    image: ratings:v1
                    ports:
                    - {name: http-api, containerPort: 9080}
                    - {name: grpc, containerPort: 9090}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: ratings}
            spec:
              selector:
                app: ratings
              ports:
                - name: http-api          # the REST API
                  port: 80
                  targetPort: http-api
                - port: 9090         # unnamed
                  targetPort:   9090
                  name: grpc
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: payments}
            spec:
              type: ExternalName
              externalName: payments.example.com
              ports:
              - {name: https, port: 443, appProtocol: https}
            """),
        ("ML620", "ML622"),
        ("--unsafe",),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fix_keeps_everything_else_byte_for_byte(tmp_path, case):
    path = tmp_path / "manifests.yaml"
    path.write_bytes(case.before.encode())
    assert set(case.rules) <= {rule for rule, _ in findings(path)}
    run = meshlint("fix", "--no-config", "--format", "json", *case.flags, str(path))
    assert run.returncode in (0, 1), run.stderr
    assert path.read_bytes().decode() == case.after
    remaining = {f["rule"] for f in json.loads(run.stdout)["findings"]}
    assert not remaining & set(case.rules), run.stdout
    again = meshlint("fix", "--no-config", *case.flags, str(path))
    assert "fixed 0 findings in 0 files" in again.stderr
    assert path.read_bytes().decode() == case.after


def test_unsafe_fixes_wait_for_the_flag(tmp_path):
    case = next(c for c in CASES if c.id == "closest-subset-host-and-gateway")
    path = tmp_path / "manifests.yaml"
    path.write_text(case.before)
    run = meshlint("fix", "--no-config", str(path))
    assert path.read_text() == case.before
    assert "fixed 0 findings in 0 files; 3 more with --unsafe" in run.stderr
    assert run.returncode == 1


MULTI_DOCUMENT = yaml("""
    # Source: chart/templates/defaults.yaml
    defaults: &defaults    # not a Kubernetes object
      timeout:   5s
    ...
    ---
    # Source: chart/templates/vs.yaml
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata:
      name: reviews
    spec:
      hosts:   [reviews]
      http:
      - timeout:    5s
        route:
        - destination: {host: reviews, subnet: v1}
    ---
    # Source: chart/templates/dr.yaml
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: reviews}
    spec:
      host: reviews
      trafficPolicy: {tls: {mode: istio_mutual}}
      subsets:
      - name: v1
        labels: &v1 {version: v1}
      - name: v1-canary
        labels: *v1
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: reviews}
    spec:
      selector: {app: reviews}
      ports: [{name: http, port: 9080}]
    """)


def test_multi_document_files_with_anchors_keep_the_other_documents(tmp_path):
    path = tmp_path / "chart.yaml"
    path.write_text(MULTI_DOCUMENT)
    run = meshlint("fix", "--no-config", str(path))
    expected = MULTI_DOCUMENT.replace("subnet: v1", "subset: v1").replace(
        "mode: istio_mutual", "mode: ISTIO_MUTUAL"
    )
    assert path.read_text() == expected
    assert "fixed 2 findings in 1 file" in run.stderr
    assert run.returncode == 0, run.stdout


def test_line_endings_byte_order_mark_and_last_line_are_kept(tmp_path):
    before = (
        "apiVersion: security.istio.io/v1\r\nkind: PeerAuthentication\r\n"
        "metadata:\r\n  name: default\r\nspec:\r\n  mtls:\r\n    mode: permissive"
    )
    path = tmp_path / "pa.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + before.encode())
    meshlint("fix", "--no-config", str(path))
    assert (
        path.read_bytes() == b"\xef\xbb\xbf" + before.replace("permissive", "PERMISSIVE").encode()
    )


def test_an_insert_uses_the_files_line_breaks(tmp_path):
    before = (
        "apiVersion: v1\r\nkind: Service\r\nmetadata:\r\n  name: web\r\nspec:\r\n"
        "  selector:\r\n    app: web\r\n  ports:\r\n  - port: 80\r\n    targetPort: http\r\n"
    )
    path = tmp_path / "svc.yaml"
    path.write_bytes(before.encode())
    meshlint("fix", "--no-config", "--unsafe", str(path))
    assert path.read_bytes() == (before + "    name: http\r\n").encode()


def test_a_fix_may_make_another_possible(tmp_path):
    path = tmp_path / "vs.yaml"
    path.write_text(
        yaml("""
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews}
            spec:
              host: reviews
              subsets: [{name: v1, labels: {version: v1}}]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews}
            spec:
              hosts: [reviews]
              http:
              - route:
                - destination:
                    host: reviews
                    subnet: v1x   # the misspelt key hides the misspelt subset
            """)
    )
    run = meshlint("fix", "--no-config", "--unsafe", "-v", str(path))
    assert "subset: v1   # the misspelt key hides the misspelt subset" in path.read_text()
    assert 'ML703 Rename to "subset"' in run.stderr and 'ML104 Change to "v1"' in run.stderr


def test_fixing_stops_after_a_bounded_number_of_rounds(tmp_path):
    from meshlint.fixer.run import fix

    path = tmp_path / "vs.yaml"
    path.write_text(
        yaml("""
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews}
            spec: {host: reviews, subsets: [{name: v1, labels: {version: v1}}]}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews}
            spec:
              hosts: [reviews]
              http: [{route: [{destination: {host: reviews, subnet: v1x}}]}]
            """)
    )
    outcome = fix(LintOptions(paths=[str(path)]), unsafe=True, max_rounds=1)
    assert (outcome.rounds, outcome.converged) == (1, False)
    assert "subset: v1x" in outcome.texts[str(path)]
    assert path.read_text() == outcome.files[str(path)].text  # nothing is written


def test_diff_prints_the_fixes_and_writes_nothing(tmp_path):
    case = CASES[0]
    path = tmp_path / "vs.yaml"
    path.write_text(case.before)
    run = meshlint("fix", "--no-config", "--diff", "vs.yaml", cwd=tmp_path)
    assert path.read_text() == case.before
    assert run.returncode == 1
    assert run.stdout.startswith("--- a/vs.yaml\n+++ b/vs.yaml\n@@ ")
    assert "-    hostss: [ reviews ]     # typo: hosts\n" in run.stdout
    assert "+    hosts: [ reviews ]     # typo: hosts\n" in run.stdout
    assert "would fix 2 findings in 1 file" in run.stderr
    path.write_text(case.after)
    clean = meshlint("fix", "--no-config", "--diff", "vs.yaml", cwd=tmp_path)
    assert (clean.returncode, clean.stdout) == (0, "")


def test_select_limits_the_rules_that_are_fixed(tmp_path):
    case = CASES[0]
    path = tmp_path / "vs.yaml"
    path.write_text(case.before.replace("http:", "http:  # hosts below"))
    meshlint("fix", "--no-config", "--select", "ML703", str(path))
    assert "subset:" in path.read_text() and "hosts:" in path.read_text()
    path.write_text(MULTI_DOCUMENT)
    meshlint("fix", "--no-config", "--select", "schema-violation", str(path))
    assert "ISTIO_MUTUAL" in path.read_text() and "subnet: v1" in path.read_text()


def test_suppressed_findings_are_not_fixed(tmp_path):
    path = tmp_path / "pa.yaml"
    before = yaml("""
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: default}
        spec:
          mtls:
            mode: strict  # meshlint: ignore[ML701] the CRD on this cluster is patched
        """)
    path.write_text(before)
    meshlint("fix", "--no-config", str(path))
    assert path.read_text() == before


ALIASED = yaml("""
    apiVersion: networking.istio.io/v1
    kind: DestinationRule
    metadata: {name: reviews}
    spec: {host: reviews, subsets: [{name: v1, labels: {version: v1}}]}
    ---
    apiVersion: networking.istio.io/v1
    kind: VirtualService
    metadata: {name: reviews}
    spec:
      hosts: [reviews]
      http:
      - route:
        - destination: &canary
            host: reviews
            subset: v1x
        mirror: *canary
    """)


def test_a_node_shared_through_an_alias_is_fixed_once_for_every_use(tmp_path):
    path = tmp_path / "vs.yaml"
    path.write_text(ALIASED)
    run = meshlint("fix", "--no-config", "--unsafe", str(path))
    assert path.read_text() == ALIASED.replace("subset: v1x", "subset: v1")
    assert "fixed 2 findings in 1 file" in run.stderr


def test_an_edit_that_would_change_another_use_of_an_alias_is_refused():
    route_only = replace(("spec", "http", 0, "route", 0, "destination", "subset"), "v1", "v1")
    with pytest.raises(CannotFix, match="anchor or alias"):
        apply_fix(ALIASED, Target(1), route_only)


def test_files_without_fixes_are_not_rewritten(tmp_path):
    fixed_file, clean = tmp_path / "a.yaml", tmp_path / "b.yaml"
    fixed_file.write_text(CASES[0].before)
    clean.write_text(CLEAN.replace("strict", "STRICT"))
    stamp = clean.stat().st_mtime_ns
    clean.chmod(0o444)
    run = meshlint("fix", "--no-config", str(tmp_path))
    assert "fixed 2 findings in 1 file" in run.stderr
    assert clean.stat().st_mtime_ns == stamp and fixed_file.read_text() == CASES[0].after


def test_standard_input_cannot_be_fixed():
    run = meshlint("fix", "-")
    assert run.returncode == 2 and "cannot fix standard input" in run.stderr


# -- how a fix is made --------------------------------------------------------------------

CLEAN = yaml("""
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata:
      name: default
    spec:
      mtls:
        mode: strict
    """)
STRICT = replace(("spec", "mtls", "mode"), "STRICT", "Change to STRICT")


def test_round_trip_is_used_when_it_keeps_every_other_line():
    applied = apply_fix(CLEAN, Target(0), STRICT)
    assert (applied.method, applied.text) == (ROUNDTRIP, CLEAN.replace("strict", "STRICT"))


def test_a_splice_is_used_where_round_trip_would_reformat_an_untouched_line():
    odd = CLEAN.replace("name: default", "name:     default").replace("mtls:", "mtls:    ")
    applied = apply_fix(odd, Target(0), STRICT)
    assert (applied.method, applied.text) == (SPLICE, odd.replace("strict", "STRICT"))


def test_a_delete_keeps_the_comment_about_the_next_entry():
    text = yaml("""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          annotations:
            sidecar.istio.io/proxyCPU: 500m  # too much
            # owner of the service
            team: payments
        """)
    fix = Fix("Delete", (Edit("delete", ("metadata", "annotations", "sidecar.istio.io/proxyCPU")),))
    applied = apply_fix(text, Target(0), fix)
    assert applied.method == SPLICE
    assert applied.text == text.replace("    sidecar.istio.io/proxyCPU: 500m  # too much\n", "")


def test_deleting_the_last_entry_removes_the_emptied_mapping():
    text = yaml("""
        metadata:
          name: web
          annotations:
            # the only one
            sidecar.istio.io/proxyCPU: 500m
        spec: {}
        """)
    target = ("spec", "template", "metadata", "annotations", "sidecar.istio.io/proxyCPU")
    fix = move(("metadata", "annotations", "sidecar.istio.io/proxyCPU"), target, "500m", "Move")
    applied = apply_fix(text, Target(0), fix)
    assert applied.text == yaml("""
        metadata:
          name: web
        spec:
          template:
            metadata:
              annotations:
                sidecar.istio.io/proxyCPU: 500m
        """)


def test_a_fix_that_no_longer_applies_is_refused():
    gone = replace(("spec", "mtls", "nothing"), "STRICT", "Change")
    with pytest.raises(CannotFix):
        apply_fix(CLEAN, Target(0), gone)


@pytest.mark.parametrize(
    ("value", "like", "text"),
    [
        ("v1", "", "v1"),
        ("true", "", '"true"'),
        ("y", "", '"y"'),
        ("1.0", "", '"1.0"'),
        ("a: b", "", '"a: b"'),
        ("a,b", "", '"a,b"'),
        ("v1", '"v2"', '"v1"'),
        ("it's", "'x'", "'it''s'"),
        (8080, "", "8080"),
        (None, "", "null"),
    ],
)
def test_scalars_are_written_to_read_back_as_themselves(value, like, text):
    assert scalar_text(value, like) == text


# -- a fix never breaks a file or adds a finding ---------------------------------------------

EXAMPLES = [(r, i, ex) for r in builtin_rules() for i, ex in enumerate(examples(r, "Example"))]


def fix_in_process(*args: str):
    return CliRunner().invoke(cli, ["fix", "--no-config", *args], catch_exceptions=False)


def assert_fixing_breaks_nothing(paths: list[Path]) -> dict[Path, str]:
    """Fix the files with every fix; check each still parses, no finding is new, and a
    second run changes nothing. Returns the texts before fixing."""
    before_texts = {p: p.read_text() for p in paths}
    before = sum((findings(p) for p in paths), Counter())
    issues = {p: Counter(i.kind for i in parse_text(t).issues) for p, t in before_texts.items()}
    fix_in_process("--unsafe", *map(str, paths))
    for path in paths:
        text = path.read_text()
        parsed = parse_text(text)
        assert not Counter(i.kind for i in parsed.issues) - issues[path], text
    after = sum((findings(p) for p in paths), Counter())
    assert not after - before, after - before
    fixed = {p: p.read_text() for p in paths}
    result = fix_in_process("--unsafe", *map(str, paths))
    assert "fixed 0 findings in 0 files" in result.output
    assert {p: p.read_text() for p in paths} == fixed
    return before_texts


@pytest.mark.parametrize(
    ("rule", "index", "example"), EXAMPLES, ids=lambda v: getattr(v, "id", None)
)
def test_fixing_a_documented_example_breaks_nothing(tmp_path, rule, index, example):
    path = tmp_path / "example.yaml"
    path.write_text(example.text)
    assert_fixing_breaks_nothing([path])


def test_the_documented_examples_exercise_the_fixes(tmp_path):
    from meshlint.fixer.run import fix

    fixed = set()
    for number, (_, _, example) in enumerate(EXAMPLES):
        path = tmp_path / f"{number}.yaml"
        path.write_text(example.text)
        outcome = fix(LintOptions(paths=[str(path)]), unsafe=True)
        fixed |= {record.finding.rule.id for record in outcome.applied}
    assert {"ML101", "ML104", "ML602", "ML604", "ML701", "ML703", "ML706", "ML763"} <= fixed


def test_fixing_the_shipped_example_breaks_nothing(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "example")
    paths = sorted((tmp_path / "example").glob("*.yaml"))
    before = assert_fixing_breaks_nothing(paths)
    assert all(p.read_text() == before[p] for p in paths)


def test_a_fix_that_would_add_a_finding_is_refused(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "example")
    run = meshlint("fix", "--no-config", "--unsafe", "example", cwd=tmp_path)
    assert (
        'could not fix example/virtual-services.yaml:12:17: ML104 Change to "v1": it would add '
        'a finding: ML151 destination "reviews.default.svc.cluster.local" subset "v1" is '
        "also route[1] of this route"
    ) in run.stderr
    assert "fixed 0 findings in 0 files" in run.stderr


# -- the language server and SARIF offer the same fixes ------------------------------------

MISPLACED = CASES[7]


def test_code_actions_carry_inserts_and_deletes(tmp_path):
    path = tmp_path / "deploy.yaml"
    path.write_text(MISPLACED.before)
    result = lint(LintOptions(paths=[str(path)], select=["ML602"]))
    finding = result.findings[0]
    (fix,) = finding.fixes
    edits = fix_edits(finding, fix, MISPLACED.before)
    lines = MISPLACED.before.splitlines(keepends=True)
    deleted, inserted = sorted(edits, key=lambda e: e.range.start.line)
    assert (deleted.range.start.line, deleted.range.end.line, deleted.new_text) == (9, 10, "")
    assert lines[9] == '      sidecar.istio.io/proxyCPU:    "500m"\n'
    assert inserted.range.start == inserted.range.end
    assert inserted.new_text == (
        "        annotations:\n          sidecar.istio.io/proxyCPU: 500m\n"
    )
    assert fix_edits(finding, fix, "# edited since it was linted\n" + MISPLACED.before) is None


def test_sarif_fixes_apply_to_the_file(tmp_path):
    path = tmp_path / "deploy.yaml"
    path.write_text(MISPLACED.before)
    run = meshlint("lint", "--no-config", "--format", "sarif", "deploy.yaml", cwd=tmp_path)
    results = json.loads(run.stdout)["runs"][0]["results"]
    moves = [r["fixes"][0] for r in results if r["ruleId"] == "ML602"]
    assert len(moves) == 2
    (change,) = moves[0]["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "deploy.yaml"
    text = _apply_sarif(MISPLACED.before, change["replacements"])
    assert "sidecar.istio.io/proxyCPU" not in text.split("spec:")[0]
    assert "annotations:\n          sidecar.istio.io/proxyCPU: 500m\n" in text
    assert not parse_text(text).issues


def _apply_sarif(text: str, replacements: list[dict]) -> str:
    lines = text.splitlines(keepends=True)
    starts = [sum(len(line) for line in lines[:n]) for n in range(len(lines) + 1)]

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column - 1

    for item in sorted(
        replacements,
        key=lambda r: (r["deletedRegion"]["startLine"], r["deletedRegion"]["startColumn"]),
        reverse=True,
    ):
        region = item["deletedRegion"]
        start = offset(region["startLine"], region["startColumn"])
        end = offset(region["endLine"], region["endColumn"])
        text = text[:start] + item.get("insertedContent", {}).get("text", "") + text[end:]
    return text
