"""The language server's fast re-lint of an edit's neighbourhood gives exactly what a
full lint gives, and what the neighbourhood of an edit is."""

from __future__ import annotations

import re
import shutil
import sys
import textwrap
from pathlib import Path

import pytest

from meshlint.engine.registry import builtin_rules
from meshlint.lsp.workspace import Workspace
from meshlint.mesh.generated import GENERATED_KINDS, regenerated
from meshlint.mesh.settings import MeshSettings
from meshlint.pipeline.lint import LintOptions
from meshlint.pipeline.runner import Cancelled

from conftest import REPO, SHARED, needs_shared

sys.path.insert(0, str(REPO / "tools"))

import check_incremental

BOOKINFO = SHARED / "reference" / "samples" / "bookinfo"
CROSS_NAMESPACE = REPO / "tests" / "fixtures" / "cross_namespace"
SERVICE_ENTRY = (CROSS_NAMESPACE / "service-entry.yaml").read_text()
VIRTUAL_SERVICE = (CROSS_NAMESPACE / "route.yaml").read_text()
EDITS = [
    ("virtual-services.yaml", "subset: v1", "subset: v9"),
    ("destination-rules.yaml", "name: v2\n", "name: v2x\n"),
    ("app.yaml", "app: reviews\n", "app: reviewz\n"),
    ("gateway.yaml", "istio: ingressgateway", "istio: ingresgateway"),
    ("virtual-services.yaml", "host: ratings", "host: ratingz"),
    # a namespace nothing else lives in: host resolutions cached before must not be reused
    ("virtual-services.yaml", "  name: reviews\n", "  name: reviews\n  namespace: elsewhere\n"),
    ("app.yaml", "app: reviewz\n", "app: reviews\n"),
    ("destination-rules.yaml", "name: v2x\n", "name: v2\n"),
]


def _summary(result) -> list[tuple]:
    return sorted(
        (f.rule.id, f.location.file, f.location.line, f.location.column, f.message)
        for f in result.findings
    )


def _fresh(folder: Path, options: LintOptions | None = None) -> list[tuple]:
    workspace = Workspace(options or LintOptions(paths=[]))
    workspace.index([str(folder)])
    return _summary(workspace.lint())


@needs_shared()
def test_incremental_relint_matches_a_full_lint_after_each_edit(tmp_path):
    for path in BOOKINFO.iterdir():
        shutil.copy(path, tmp_path / path.name)
    shutil.copy(
        REPO / "examples" / "bookinfo-broken" / "virtual-services.yaml", tmp_path / "broken-vs.yaml"
    )
    incremental = Workspace(LintOptions(paths=[]))
    incremental.index([str(tmp_path)])
    incremental.lint()
    for name, old, new in EDITS:
        path = tmp_path / name
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new, 1))
        incremental.update(str(path), path.read_text())
        assert _summary(incremental.lint()) == _fresh(tmp_path), name


def test_an_edit_to_an_external_host_re_checks_its_users_in_other_namespaces(tmp_path):
    (tmp_path / "se.yaml").write_text(SERVICE_ENTRY)
    (tmp_path / "vs.yaml").write_text(VIRTUAL_SERVICE)
    workspace = Workspace(LintOptions(paths=[]))
    workspace.index([str(tmp_path)])
    assert workspace.lint().findings == []

    renamed = SERVICE_ENTRY.replace("api.example.com", "apx.example.com")
    (tmp_path / "se.yaml").write_text(renamed)
    workspace.update(str(tmp_path / "se.yaml"), renamed)
    after = _summary(workspace.lint())
    assert {(rule, Path(file).name, line) for rule, file, line, _, _ in after} == {
        ("ML101", "vs.yaml", 8),
        ("ML410", "vs.yaml", 5),
    }
    assert after == _fresh(tmp_path)


@pytest.mark.parametrize("teams", [5, 20])
def test_random_edits_to_linked_namespaces_re_lint_as_a_full_lint_does(teams):
    made, disagreements = check_incremental.check_linked(seed=teams, count=40, teams=teams)
    assert made == 40
    assert disagreements == []


@needs_shared()
def test_removing_and_restoring_each_document_of_istio_cases_re_lints_as_a_full_lint():
    made, disagreements = check_incremental.run(SHARED, every=4, seeds=0)
    assert made > 300
    assert disagreements == []


def _neighbourhood_of(tmp_path: Path, files: dict[str, str], edit: tuple[str, str, str]):
    """Index ``files``, apply ``edit`` (file, old, new) and return the workspace and the
    neighbourhood the fast re-lint used."""
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    workspace = Workspace(LintOptions(paths=[]))
    workspace.index([str(tmp_path)])
    previous = workspace.lint()
    name, old, new = edit
    path = tmp_path / name
    path.write_text(path.read_text().replace(old, new))
    workspace.update(str(path), path.read_text())
    increment = workspace._increment(previous, list(workspace.changed))
    mesh = workspace.lint().mesh
    made = regenerated(previous.mesh.of_kind(*GENERATED_KINDS), mesh.of_kind(*GENERATED_KINDS))
    return increment.neighbourhood(mesh, made)


TEAMS = {
    "a.yaml": """\
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: web, namespace: a}
        spec:
          hosts: [web]
          http: [{route: [{destination: {host: web.b.svc.cluster.local, subset: v1}}]}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: a}
        spec: {selector: {app: web}, ports: [{name: http, port: 80}]}
        """,
    "b.yaml": """\
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: web, namespace: b}
        spec:
          host: web
          subsets: [{name: v1, labels: {version: v1}}]
        """,
    "c.yaml": """\
        apiVersion: v1
        kind: Service
        metadata: {name: other, namespace: c}
        spec: {selector: {app: other}, ports: [{name: http, port: 80}]}
        """,
    "root.yaml": """\
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: default, namespace: istio-system}
        spec: {mtls: {mode: STRICT}}
        """,
}


def _names(keys) -> set[str]:
    return {f"{kind} {namespace}/{name}" for _, kind, namespace, name, _ in keys}


def test_the_neighbourhood_of_an_edit_is_where_it_is_and_what_points_there(tmp_path):
    near = _neighbourhood_of(tmp_path, TEAMS, ("b.yaml", "name: v1", "name: v2"))
    assert _names(near.scope.keys) == {"DestinationRule b/web", "VirtualService a/web"}
    # Mesh-wide policy is re-checked against the whole mesh.
    assert _names(near.wide.keys) == {"PeerAuthentication istio-system/default"}
    # The rules see what the scope depends on (the VirtualService's own namespace),
    # and not what it does not.
    seen = _names(r.key for r in near.scope.resources)
    assert "Service a/web" in seen
    assert "Service c/other" not in seen


def test_an_edit_that_adds_a_namespace_re_checks_everything(tmp_path):
    near = _neighbourhood_of(tmp_path, TEAMS, ("c.yaml", "namespace: c", "namespace: d"))
    assert near is None


def test_an_edit_in_the_root_namespace_re_checks_everything(tmp_path):
    near = _neighbourhood_of(tmp_path, TEAMS, ("root.yaml", "STRICT", "PERMISSIVE"))
    assert near is None


NAMESPACE_WIDE_POLICY = """\
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-nothing, namespace: shop}
spec: {}
"""
#: Istio deploys a gateway for each: the only workload of namespace shop.
DECLARING = {
    "Gateway API Gateway": """\
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: edge, namespace: shop}
        spec:
          gatewayClassName: istio
          listeners: [{name: http, port: 80, protocol: HTTP}]
        """,
    "GatewayClass": """\
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: shared}
        spec: {controllerName: istio.io/gateway-controller}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: edge, namespace: shop}
        spec:
          gatewayClassName: shared
          listeners: [{name: http, port: 80, protocol: HTTP}]
        """,
    "IstioOperator": """\
        apiVersion: install.istio.io/v1alpha1
        kind: IstioOperator
        metadata: {name: gateways, namespace: ops}
        spec:
          components:
            ingressGateways:
            - name: edge
              namespace: shop
              enabled: true
        """,
}
#: (in the declaring file) an edit that takes the gateway away.
UNDECLARE = {
    "Gateway API Gateway": ("gatewayClassName: istio", "gatewayClassName: other"),
    "GatewayClass": ("istio.io/gateway-controller", "example.com/gateway-controller"),
    "IstioOperator": ("enabled: true", "enabled: false"),
}


@pytest.mark.parametrize("declaring", sorted(DECLARING))
def test_an_edit_to_what_istio_deploys_a_gateway_for_re_lints_as_a_full_lint(tmp_path, declaring):
    """The gateway's Deployment is a workload of its namespace: taking it away leaves a
    namespace-wide policy there applying to nothing, and a policy edited beside it is
    re-checked with it."""
    declared = textwrap.dedent(DECLARING[declaring])
    (tmp_path / "policy.yaml").write_text(NAMESPACE_WIDE_POLICY)
    (tmp_path / "gateway.yaml").write_text(declared)
    options = LintOptions(paths=[], settings=MeshSettings(assume_complete=True))
    workspace = Workspace(options)
    workspace.index([str(tmp_path)])
    assert "ML501" not in {f.rule.id for f in workspace.lint().findings}
    old, new = UNDECLARE[declaring]
    edits = [
        ("gateway.yaml", declared.replace(old, new)),
        ("gateway.yaml", declared),
        ("policy.yaml", NAMESPACE_WIDE_POLICY.replace("allow-nothing", "allow-none")),
        ("policy.yaml", ""),
        ("policy.yaml", NAMESPACE_WIDE_POLICY),
    ]
    reported = []
    for name, text in edits:
        (tmp_path / name).write_text(text)
        workspace.update(str(tmp_path / name), text)
        after = _summary(workspace.lint())
        assert after == _fresh(tmp_path, options), (name, text)
        reported.append("ML501" in {rule for rule, *_ in after})
    assert reported == [True, False, False, False, False]


OPERATOR = """\
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: {name: gateways, namespace: ops}
spec:
  components:
    ingressGateways:
    - {name: edge, namespace: shop, label: {istio: edge}}
"""
SELECTING_GATEWAY = """\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: web}
spec:
  selector: {istio: edge}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
"""


def test_a_gateway_selecting_pods_an_install_spec_relabels_elsewhere_is_re_checked(tmp_path):
    """The pods of the deployment an IstioOperator in namespace ops declares live in
    namespace shop: a Gateway in web that selected them selects nothing after the edit."""
    (tmp_path / "operator.yaml").write_text(OPERATOR)
    (tmp_path / "gateway.yaml").write_text(SELECTING_GATEWAY)
    options = LintOptions(paths=[], settings=MeshSettings(assume_complete=True))
    workspace = Workspace(options)
    workspace.index([str(tmp_path)])
    assert "ML201" not in {f.rule.id for f in workspace.lint().findings}
    relabelled = OPERATOR.replace("istio: edge", "istio: edgy")
    (tmp_path / "operator.yaml").write_text(relabelled)
    workspace.update(str(tmp_path / "operator.yaml"), relabelled)
    after = _summary(workspace.lint())
    assert "ML201" in {rule for rule, *_ in after}
    assert after == _fresh(tmp_path, options)


MESH_NETWORKS = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  meshNetworks: |
    networks:
      network1:
        endpoints:
        - fromRegistry: kubernetes
        gateways:
        - address: 192.0.2.1
          port: 15443
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: a}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "web:1"}]}
"""


def test_findings_on_mesh_networks_from_a_config_map_survive_an_edit_elsewhere(tmp_path):
    (tmp_path / "istio.yaml").write_text(MESH_NETWORKS)
    (tmp_path / "web.yaml").write_text(DEPLOYMENT)
    workspace = Workspace(LintOptions(paths=[]))
    workspace.index([str(tmp_path)])
    assert "ML961" in {f.rule.id for f in workspace.lint().findings}
    edited = DEPLOYMENT.replace("web:1", "web:2")
    (tmp_path / "web.yaml").write_text(edited)
    workspace.update(str(tmp_path / "web.yaml"), edited)
    after = _summary(workspace.lint())
    assert "ML961" in {rule for rule, *_ in after}
    assert after == _fresh(tmp_path)


def test_a_full_lint_asked_to_stop_keeps_the_previous_result_and_the_pending_edit(tmp_path):
    (tmp_path / "se.yaml").write_text(SERVICE_ENTRY)
    (tmp_path / "vs.yaml").write_text(VIRTUAL_SERVICE)
    workspace = Workspace(LintOptions(paths=[]))
    workspace.index([str(tmp_path)])
    before = workspace.lint()
    renamed = SERVICE_ENTRY.replace("api.example.com", "apx.example.com")
    workspace.update(str(tmp_path / "se.yaml"), renamed)
    with pytest.raises(Cancelled):
        workspace.lint(full=True, should_stop=lambda: True)
    assert workspace.result is before and workspace.changed
    assert {f.rule.id for f in workspace.lint().findings} == {"ML101", "ML410"}


def test_rules_that_suggest_names_from_the_whole_mesh_say_so():
    """Their findings may change with an edit anywhere, so the fast re-lint re-checks
    them; a rule that reads ``mesh.whole`` without the flag would go stale."""
    for rule in builtin_rules():
        source = Path(sys.modules[rule.__module__].__file__).read_text()
        reads_whole = re.search(r"mesh\.whole\b|selection\.(no_match|selector_answer)\(", source)
        assert bool(reads_whole) <= rule.hints_from_whole_mesh, rule.id
