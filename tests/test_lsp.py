"""The language server, driven over stdio by a real LSP client (pytest-lsp)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from conftest import REPO

EXAMPLE = REPO / "examples" / "bookinfo-broken"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    for name in ("destination-rules.yaml", "virtual-services.yaml", "services.yaml"):
        (tmp_path / name).write_text((EXAMPLE / name).read_text())
    (tmp_path / "broken.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: [x\n")
    return tmp_path


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "meshlint", "lsp"]),
)
async def client(lsp_client: LanguageClient, workspace: Path):
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="ws")],
        )
    )
    yield
    await lsp_client.shutdown_session()


def _open(client: LanguageClient, path: Path) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="yaml", version=1, text=path.read_text()
            )
        )
    )
    return uri


async def _diagnostics(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    """The first diagnostics published for ``uri`` (the server lints only once indexed)."""
    while uri not in client.diagnostics:
        await asyncio.wait_for(
            client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), timeout=30
        )
    return client.diagnostics[uri]


@pytest.mark.asyncio
async def test_cross_file_diagnostic_clears_when_the_other_file_is_fixed(client, workspace):
    vs_uri = _open(client, workspace / "virtual-services.yaml")
    diagnostics = await _diagnostics(client, vs_uri)
    assert [d.code for d in diagnostics].count("ML104") == 1, diagnostics
    [subset] = [d for d in diagnostics if d.code == "ML104"]
    assert (subset.range.start.line, subset.range.start.character) == (11, 16)
    assert (subset.range.end.line, subset.range.end.character) == (11, 18)
    assert subset.source == "meshlint" and subset.severity == types.DiagnosticSeverity.Error
    assert subset.code_description.href.endswith("/ML104.md")
    dr_uri = (workspace / "destination-rules.yaml").as_uri()
    assert subset.related_information[0].location.uri == dr_uri

    dr_path = workspace / "destination-rules.yaml"
    dr_uri = _open(client, dr_path)
    fixed = dr_path.read_text() + "  - name: v3\n    labels:\n      version: v3\n"
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=dr_uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)],
        )
    )
    for _ in range(10):
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if not [d for d in client.diagnostics.get(vs_uri, []) if d.code == "ML104"]:
            break
    assert [d for d in client.diagnostics[vs_uri] if d.code == "ML104"] == []


@pytest.mark.asyncio
async def test_code_actions_fix_and_ignore(client, workspace):
    vs_path = workspace / "virtual-services.yaml"
    vs_path.write_text(vs_path.read_text().replace("subset: v3", "subset: v1x"))
    vs_uri = _open(client, vs_path)
    diagnostics = await _diagnostics(client, vs_uri)
    assert [d.code for d in diagnostics].count("ML104") == 1, diagnostics
    [subset] = [d for d in diagnostics if d.code == "ML104"]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=vs_uri),
            range=subset.range,
            context=types.CodeActionContext(diagnostics=[subset]),
        )
    )
    titles = [a.title for a in actions]
    assert titles == [
        'Change to "v1"',
        "Ignore ML104 (vs-subset-not-found) here",
        "Trace a request that matches http[0]",
    ]
    [fix_edit] = actions[0].edit.changes[vs_uri]
    assert fix_edit.new_text == "v1" and fix_edit.range == subset.range
    assert 'did you mean "v1"' in subset.message
    [ignore_edit] = actions[1].edit.changes[vs_uri]
    assert ignore_edit.new_text == "        # meshlint: ignore[ML104]\n"
    assert ignore_edit.range.start.line == 11


@pytest.mark.asyncio
async def test_a_route_rule_offers_to_trace_a_request_that_it_matches(client, workspace):
    """The trace command answers for the rule under the cursor: a request to reviews from
    a sidecar of its namespace, split by the rule's weights (issue 23)."""
    vs_uri = _open(client, workspace / "virtual-services.yaml")
    await _diagnostics(client, vs_uri)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=vs_uri),
            range=types.Range(start=types.Position(9, 4), end=types.Position(9, 4)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert "Trace a request that matches http[0]" in [a.title for a in actions]
    # lsprotocol's client reads back a code action carrying a command as a bare Command
    # and loses its arguments, so the test sends the command the action carries
    arguments = [str(workspace / "virtual-services.yaml"), 0, 9]
    text = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="meshlint.trace", arguments=arguments)
    )
    assert "GET http://reviews:9080/" in text and "VirtualService default/reviews" in text


@pytest.mark.asyncio
async def test_hover_shows_rule_docs_and_resolved_references(client, workspace):
    vs_uri = _open(client, workspace / "virtual-services.yaml")
    await _diagnostics(client, vs_uri)
    on_finding = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=vs_uri),
            position=types.Position(line=11, character=17),
        )
    )
    assert "ML104 vs-subset-not-found" in on_finding.contents.value
    on_host = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=vs_uri),
            position=types.Position(line=10, character=16),
        )
    )
    assert "reviews.default.svc.cluster.local" in on_host.contents.value
    assert "Service default/reviews" in on_host.contents.value
    assert "services.yaml:" in on_host.contents.value


@pytest.mark.asyncio
async def test_a_broken_document_gives_one_diagnostic_and_the_server_survives(client, workspace):
    uri = _open(client, workspace / "broken.yaml")
    diagnostics = await _diagnostics(client, uri)
    assert [(d.code, d.range.start.line) for d in diagnostics] == [("ML003", 3)]
    vs_uri = _open(client, workspace / "virtual-services.yaml")
    assert [d.code for d in await _diagnostics(client, vs_uri)] == ["ML104"]


CROSS_NAMESPACE = REPO / "tests" / "fixtures" / "cross_namespace"
EGRESS = (CROSS_NAMESPACE / "service-entry.yaml").read_text()
ROUTE = (CROSS_NAMESPACE / "route.yaml").read_text()


@pytest.mark.asyncio
async def test_renaming_an_external_host_flags_its_user_in_another_namespace(client, workspace):
    (workspace / "egress.yaml").write_text(EGRESS)
    (workspace / "route.yaml").write_text(ROUTE)
    egress_uri = _open(client, workspace / "egress.yaml")
    route_uri = _open(client, workspace / "route.yaml")
    assert not await _diagnostics(client, route_uri)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=egress_uri, version=2),
            content_changes=[
                types.TextDocumentContentChangeWholeDocument(
                    text=EGRESS.replace("api.example.com", "apx.example.com")
                )
            ],
        )
    )
    for _ in range(10):
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if client.diagnostics.get(route_uri):
            break
    codes = {(d.code, d.range.start.line) for d in client.diagnostics[route_uri]}
    assert codes == {("ML101", 7), ("ML410", 4)}


ROUTE_TO_CATALOG = """\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: shop}
spec:
  parentRefs: [{name: public}]
  rules:
  - backendRefs:
    - {name: catalog, namespace: catalog, port: 8080}
"""
CATALOG_SERVICE = """\
apiVersion: v1
kind: Service
metadata: {name: catalogue, namespace: catalog}
spec:
  selector: {app: catalog}
  ports: [{name: http, port: 8080}]
"""


async def _first_change(client: LanguageClient, uri: str, before: set) -> set:
    """The first diagnostics of ``uri`` published that differ from ``before``, as
    (code, line) pairs (the fast re-lint's, unless it left them unchanged)."""
    for _ in range(10):
        await asyncio.wait_for(
            client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), timeout=30
        )
        codes = {(d.code, d.range.start.line) for d in client.diagnostics.get(uri, [])}
        if codes != before:
            return codes
    return before


@pytest.mark.asyncio
async def test_renaming_a_service_updates_the_grant_check_of_a_route_to_it(client, workspace):
    """ML853 reads the backend Service (a missing grant is certain once the backend is in
    the inputs): the fast re-lint of a Service edit re-checks it, and the diagnostics the
    editor gets first are already right."""
    (workspace / "route.yaml").write_text(ROUTE_TO_CATALOG)
    (workspace / "catalog.yaml").write_text(CATALOG_SERVICE)
    route_uri = _open(client, workspace / "route.yaml")
    catalog_uri = _open(client, workspace / "catalog.yaml")
    misnamed = {("ML852", 7)}  # the backend Service does not exist
    assert await _first_change(client, route_uri, set()) == misnamed
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=catalog_uri, version=2),
            content_changes=[
                types.TextDocumentContentChangeWholeDocument(
                    text=CATALOG_SERVICE.replace("catalogue", "catalog")
                )
            ],
        )
    )
    assert await _first_change(client, route_uri, misnamed) == {("ML853", 7)}
