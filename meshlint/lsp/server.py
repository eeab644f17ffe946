"""The language server: index on initialize, re-lint on change (debounced, off the event
loop), publish diagnostics for every open document whose findings changed, offer code
actions and hovers. Documents are parsed off the event loop too, each within a time
budget, and files changed on disk (a checkout, ``meshlint fix``) are read again when the
client reports them.

A change is re-linted in two passes: a fast one over the edit's neighbourhood right
after the debounce, then, once the user pauses, a full one that confirms it (and is
abandoned between two rules as soon as another change arrives)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from lsprotocol import types
from pygls import uris
from pygls.io_ import StdinAsyncReader, StdoutWriter
from pygls.lsp.server import LanguageServer

from meshlint import __version__
from meshlint.engine.finding import Finding
from meshlint.loader.documents import too_slow
from meshlint.lsp.convert import fix_edits, to_diagnostic
from meshlint.lsp.framing import read_messages
from meshlint.lsp.hover import reference_hover, resource_at, rule_hover
from meshlint.lsp.workspace import Workspace
from meshlint.pipeline.lint import LintOptions
from meshlint.pipeline.runner import Cancelled

DEBOUNCE_SECONDS = 0.15
#: Quiet time after a fast re-lint before the full one that confirms it.
CONFIRM_SECONDS = 1.0
#: Time one document may take to parse before it is skipped with a finding.
PARSE_SECONDS = 10.0
#: Parses that may run at once (one that never ends keeps its thread).
PARSERS = 4
#: The files the client is asked to report changes of.
WATCHED = "**/*.{yaml,yml,json}"


class MeshlintServer(LanguageServer):
    """Holds the workspace, the open documents and what was last published for each."""

    def __init__(self, options: LintOptions) -> None:
        super().__init__("meshlint", __version__)
        self.mesh_workspace = Workspace(options)
        self.open_paths: set[str] = set()
        self.published: dict[str, list] = {}
        self.pending: asyncio.Task | None = None
        self.waiting = False
        self.lock = asyncio.Lock()
        #: Set once the workspace is indexed; document events wait for it.
        self.ready = asyncio.Event()
        #: A save re-lints everything at once.
        self.full_relint = False
        self.confirming: asyncio.Task | None = None
        self.confirm_waiting = False
        self.parsers = ThreadPoolExecutor(PARSERS, thread_name_prefix="meshlint-parse")
        #: Updates asked for by path: a parse that finishes after a later one is dropped.
        self.update_counts: dict[str, int] = {}

    async def update(self, path: str, text: str | None) -> None:
        """Parse an editor buffer (or the file on disk when ``text`` is None) in a worker
        thread, within :data:`PARSE_SECONDS`, and put it in the workspace unless a later
        update of the same file was asked for meanwhile."""
        count = self.update_counts[path] = self.update_counts.get(path, 0) + 1
        workspace = self.mesh_workspace
        parsing = asyncio.get_running_loop().run_in_executor(
            self.parsers, workspace.load, path, text
        )
        try:
            loaded = await asyncio.wait_for(asyncio.shield(parsing), PARSE_SECONDS)
        except TimeoutError:
            loaded = too_slow(path, PARSE_SECONDS)
        if self.update_counts[path] == count:
            workspace.replace(path, loaded)

    def start_io(self, stdin=None, stdout=None) -> None:
        """Serve over stdio, reading messages with :func:`read_messages` (which recovers
        from broken framing and answers undecodable requests)."""
        self._stop_event = threading.Event()
        reader = StdinAsyncReader(stdin or sys.stdin.buffer, self.thread_pool)
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        try:
            asyncio.run(read_messages(self._stop_event, reader, self.protocol))
        except (BrokenPipeError, KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()

    def schedule(self, delay: float = DEBOUNCE_SECONDS) -> None:
        """Re-lint after ``delay`` seconds of quiet (each new change restarts the wait).

        Only a re-lint still waiting is cancelled: one already running finishes (a thread
        cannot be interrupted) and the next waits for it; a confirming full re-lint that
        is running stops at its next rule, as the workspace has changed.
        """
        if self.pending is not None and not self.pending.done() and self.waiting:
            self.pending.cancel()
        if self.confirming is not None and self.confirm_waiting:
            self.confirming.cancel()
        self.waiting = True
        self.pending = asyncio.get_running_loop().create_task(self._relint(delay))

    async def _relint(self, delay: float) -> None:
        await asyncio.sleep(delay)
        self.waiting = False
        async with self.lock:
            full, self.full_relint = self.full_relint, False
            await self._lint(full=full)
        if not full:
            self.confirming = asyncio.get_running_loop().create_task(self._confirm())

    async def _confirm(self) -> None:
        """After a pause, re-lint everything, correcting anything the fast re-lint of a
        neighbourhood missed; give up as soon as the workspace changes."""
        self.confirm_waiting = True
        await asyncio.sleep(CONFIRM_SECONDS)
        self.confirm_waiting = False
        workspace = self.mesh_workspace
        generation = workspace.generation
        async with self.lock:
            with contextlib.suppress(Cancelled):
                await self._lint(full=True, should_stop=lambda: workspace.generation != generation)

    async def _lint(self, *, full: bool, should_stop: Callable[[], bool] | None = None) -> None:
        """Re-lint off the event loop and publish. The garbage collector is off (the
        parsed workspace holds no reference cycles): after a full re-lint, once the
        diagnostics are out, it runs once."""
        loop = asyncio.get_running_loop()
        lint = functools.partial(self.mesh_workspace.lint, full=full, should_stop=should_stop)
        await loop.run_in_executor(None, lint)
        self.publish()
        if full:
            await loop.run_in_executor(None, gc.collect)

    def publish(self) -> None:
        grouped = self.mesh_workspace.findings_by_file()
        for path in sorted(self.open_paths):
            diagnostics = [to_diagnostic(f, uris.from_fs_path) for f in grouped.get(path, [])]
            if self.published.get(path) == diagnostics:
                continue
            self.published[path] = diagnostics
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uris.from_fs_path(path), diagnostics=diagnostics)
            )

    def findings_at(self, path: str, line: int) -> list[Finding]:
        findings = self.mesh_workspace.findings_by_file().get(path, [])
        return [f for f in findings if f.location.line - 1 <= line <= f.location.end_line - 1]


def _can_watch(capabilities: types.ClientCapabilities) -> bool:
    """Whether the client lets the server register for file change notifications."""
    workspace = capabilities.workspace
    watched = workspace.did_change_watched_files if workspace else None
    return bool(watched and watched.dynamic_registration)


def _path(uri: str) -> str:
    return os.path.abspath(uris.to_fs_path(uri) or uri)


def create_server(options: LintOptions) -> MeshlintServer:
    server = MeshlintServer(options)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: MeshlintServer, params: types.InitializedParams) -> None:
        folders = [_path(f.uri) for f in ls.workspace.folders.values()]
        if not folders and ls.workspace.root_path:
            folders = [ls.workspace.root_path]
        await asyncio.get_running_loop().run_in_executor(None, ls.mesh_workspace.index, folders)
        ls.ready.set()
        ls.schedule(0)
        if _can_watch(ls.client_capabilities):
            ls.client_register_capability(
                types.RegistrationParams(
                    registrations=[
                        types.Registration(
                            id="meshlint-watched-manifests",
                            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                            register_options=types.DidChangeWatchedFilesRegistrationOptions(
                                watchers=[types.FileSystemWatcher(glob_pattern=WATCHED)]
                            ),
                        )
                    ]
                )
            )

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def did_change_watched_files(
        ls: MeshlintServer, params: types.DidChangeWatchedFilesParams
    ) -> None:
        """Read again the files changed on disk that are not open (an open document's
        buffer stands for it until it is closed)."""
        await ls.ready.wait()
        paths = {_path(change.uri) for change in params.changes}
        changed = sorted(p for p in paths - ls.open_paths if ls.mesh_workspace.watches(p))
        for path in changed:
            await ls.update(path, None)
        if changed:
            ls.full_relint = True
            ls.schedule(0)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: MeshlintServer, params: types.DidOpenTextDocumentParams) -> None:
        await ls.ready.wait()
        path = _path(params.text_document.uri)
        ls.open_paths.add(path)
        await ls.update(path, params.text_document.text)
        ls.schedule(0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: MeshlintServer, params: types.DidChangeTextDocumentParams) -> None:
        await ls.ready.wait()
        document = ls.workspace.get_text_document(params.text_document.uri)
        await ls.update(_path(document.uri), document.source)
        ls.schedule()

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: MeshlintServer, params: types.DidSaveTextDocumentParams) -> None:
        await ls.ready.wait()
        document = ls.workspace.get_text_document(params.text_document.uri)
        await ls.update(_path(document.uri), document.source)
        ls.full_relint = True
        ls.schedule(0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: MeshlintServer, params: types.DidCloseTextDocumentParams) -> None:
        await ls.ready.wait()
        path = _path(params.text_document.uri)
        ls.open_paths.discard(path)
        ls.published.pop(path, None)
        await ls.update(path, None)
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
        )
        ls.schedule()

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.Source]
        ),
    )
    def code_action(ls: MeshlintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        path = _path(uri)
        document = ls.workspace.get_text_document(uri)
        lines = document.lines
        actions = []
        for finding in ls.findings_at(path, params.range.start.line):
            for fix in finding.fixes:
                edits = fix_edits(finding, fix, document.source)
                if edits:
                    actions.append(_action(fix.title, uri, edits, finding, preferred=fix.safe))
            actions.append(_ignore_action(uri, lines, finding))
        trace = _trace_action(ls, path, uri, params.range.start.line)
        return [*actions, trace] if trace else actions

    @server.command(TRACE_COMMAND)
    def trace_rule(ls: MeshlintServer, path: str, index: int, line: int) -> str:
        text = _trace_text(ls, path, index, line)
        ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Info, message=text))
        return text

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: MeshlintServer, params: types.HoverParams) -> types.Hover | None:
        path = _path(params.text_document.uri)
        line, column = params.position.line, params.position.character
        result = ls.mesh_workspace.result
        for finding in ls.findings_at(path, line):
            return types.Hover(
                contents=types.MarkupContent(
                    kind=types.MarkupKind.Markdown, value=rule_hover(finding)
                )
            )
        if result is None:
            return None
        resource = resource_at(result.mesh, path, line)
        text = resource and reference_hover(result.mesh, resource, line, column)
        if not text:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))

    return server


#: The command behind "Trace a request that matches this rule" (arguments: the
#: document's path, the HTTP rule's index, a line of the rule).
TRACE_COMMAND = "meshlint.trace"


def _trace_action(ls: MeshlintServer, path: str, uri: str, line: int):
    """The code action that traces a request matching the HTTP rule under the cursor."""
    from meshlint.trace.from_rule import http_rule_at

    result = ls.mesh_workspace.result
    resource = result and resource_at(result.mesh, path, line)
    if resource is None or resource.kind != "VirtualService":
        return None
    index = http_rule_at(resource, line)
    if index is None:
        return None
    return types.CodeAction(
        title=f"Trace a request that matches http[{index}]",
        kind=types.CodeActionKind.Source,
        command=types.Command(
            title="Trace a request", command=TRACE_COMMAND, arguments=[path, index, line]
        ),
    )


def _trace_text(ls: MeshlintServer, path: str, index: int, line: int) -> str:
    """The trace of the request an HTTP rule matches, as text (or why there is none)."""
    from meshlint.trace.engine import trace
    from meshlint.trace.from_rule import rule_request
    from meshlint.trace.render import render_text
    from meshlint.trace.request import RequestError

    result = ls.mesh_workspace.result
    resource = result and resource_at(result.mesh, path, line)
    wanted = resource and rule_request(result.mesh, resource, index)
    if not wanted:
        return "meshlint: no VirtualService HTTP rule with a concrete host here to trace"
    try:
        traced = trace(result.mesh, wanted.request, wanted.source, wanted.gateway)
    except RequestError as error:
        return f"meshlint: cannot trace {wanted.request.describe()}: {error}"
    return render_text(traced)


def _action(title: str, uri: str, edits, finding: Finding, *, preferred: bool = False):
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[to_diagnostic(finding, uris.from_fs_path)],
        edit=types.WorkspaceEdit(changes={uri: edits}),
        is_preferred=preferred,
    )


def _ignore_action(uri: str, lines: list[str], finding: Finding) -> types.CodeAction:
    """Insert ``# meshlint: ignore[RULE]`` alone on the line above the finding."""
    line = finding.location.line - 1
    text = lines[line] if line < len(lines) else ""
    indent = text[: len(text) - len(text.lstrip())]
    position = types.Position(line=line, character=0)
    edit = types.TextEdit(
        range=types.Range(start=position, end=position),
        new_text=f"{indent}# meshlint: ignore[{finding.rule.id}]\n",
    )
    return _action(f"Ignore {finding.rule.id} ({finding.rule.name}) here", uri, [edit], finding)


def serve(options: LintOptions) -> None:
    """Run the server over stdio until the client exits (with the garbage collector
    run after each re-lint rather than whenever it triggers)."""
    gc.disable()
    create_server(options).start_io()
