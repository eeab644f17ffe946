"""The language server against what a repository or a broken client can throw at it:
files changed on disk behind its back, messages without framing, requests with invalid
parameters, driven over stdio like tests/test_lsp.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, make_test_lsp_client

from conftest import REPO

pytestmark = pytest.mark.timeout(120)
EXAMPLE = REPO / "examples" / "bookinfo-broken"
#: The workspace is the whole mesh: once the DestinationRules are deleted from disk, the
#: subsets are missing rather than unknown.
SERVER = [sys.executable, "-m", "meshlint", "lsp", "--assume-complete"]


def _client() -> LanguageClient:
    """A test client that accepts the server's registrations and keeps them."""
    client = make_test_lsp_client()
    client.registrations = []

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(client: LanguageClient, params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)

    return client


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    for name in ("destination-rules.yaml", "virtual-services.yaml", "services.yaml"):
        (tmp_path / name).write_text((EXAMPLE / name).read_text())
    return tmp_path


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, client_factory=_client))
async def client(lsp_client: LanguageClient, workspace: Path):
    watching = types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True)
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                workspace=types.WorkspaceClientCapabilities(did_change_watched_files=watching)
            ),
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="ws")],
        )
    )
    yield
    await lsp_client.shutdown_session()


async def _codes_once(client: LanguageClient, uri: str, done) -> list:
    """The codes of ``uri``'s diagnostics, once ``done`` says they are as expected (the
    test's timeout bounds the wait)."""
    while not (uri in client.diagnostics and done([d.code for d in client.diagnostics[uri]])):
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return [d.code for d in client.diagnostics[uri]]


def _open(client: LanguageClient, path: Path) -> str:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=path.as_uri(), language_id="yaml", version=1, text=path.read_text()
            )
        )
    )
    return path.as_uri()


@pytest.mark.asyncio
async def test_a_file_changed_on_disk_refreshes_the_diagnostics_that_depend_on_it(
    client, workspace
):
    vs_uri = _open(client, workspace / "virtual-services.yaml")
    assert "ML104" in await _codes_once(client, vs_uri, lambda codes: "ML104" in codes)
    (registration,) = client.registrations
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    assert [w["globPattern"] for w in registration.register_options["watchers"]] == [
        "**/*.{yaml,yml,json}"
    ]

    rules = workspace / "destination-rules.yaml"  # not open: as a checkout leaves it
    rules.write_text(rules.read_text() + "  - name: v3\n    labels:\n      version: v3\n")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=rules.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    assert "ML104" not in await _codes_once(client, vs_uri, lambda codes: "ML104" not in codes)

    rules.unlink()
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=rules.as_uri(), type=types.FileChangeType.Deleted)]
        )
    )
    await _codes_once(client, vs_uri, lambda codes: "ML104" in codes or "ML102" in codes)


def _frame(message: dict, *, header: bool = True) -> bytes:
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    return (f"Content-Length: {len(body)}\r\n\r\n".encode() if header else b"") + body


def test_broken_framing_and_invalid_params_are_answered_and_the_stream_recovers(tmp_path):
    hover = {
        "textDocument": {"uri": (tmp_path / "a.yaml").as_uri()},
        "position": {"line": 0, "character": 0},
    }
    stream = b"".join(
        [
            _frame({"id": 1, "method": "initialize", "params": {"capabilities": {}}}),
            b"Content-Type: application/json\r\n\r\n",
            _frame({"id": 2, "method": "textDocument/hover", "params": hover}, header=False),
            _frame({"id": 3, "method": "textDocument/hover", "params": hover}),
            _frame({"id": 4, "method": "textDocument/hover", "params": {"textDocument": 5}}),
            b"Content-Length: 4\r\n\r\nnope",
            _frame({"id": 5, "method": "shutdown"}),
            _frame({"method": "exit"}),
        ]
    )
    run = subprocess.run(SERVER, input=stream, capture_output=True, timeout=60, cwd=tmp_path)
    bodies = [json.loads(part.split(b"\r\n\r\n", 1)[1]) for part in _responses(run.stdout)]
    answers = {b.get("id"): b.get("error", {}).get("code") for b in bodies if "method" not in b}
    assert answers == {1: None, 3: None, 4: -32602, None: -32700, 5: None}
    assert b"Traceback" not in run.stderr


def _responses(output: bytes) -> list[bytes]:
    """The framed messages of ``output``, each with its headers."""
    parts, rest = [], output
    while rest:
        head, _, tail = rest.partition(b"\r\n\r\n")
        length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        parts.append(head + b"\r\n\r\n" + tail[:length])
        rest = tail[length:]
    return parts


@pytest.mark.asyncio
async def test_an_alias_bomb_opened_in_the_editor_is_a_diagnostic(client, workspace):
    anchors = "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}' if i else 'x'] * 10)}]\n" for i in range(9)
    )
    bomb = workspace / "bomb.yaml"
    bomb.write_text(anchors + "? *a8\n: boom\n")
    uri = _open(client, bomb)
    assert await _codes_once(client, uri, bool) == ["ML005"]
    vs_uri = _open(client, workspace / "virtual-services.yaml")
    assert "ML104" in await _codes_once(client, vs_uri, lambda codes: "ML104" in codes)
