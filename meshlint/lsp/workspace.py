"""The workspace as the language server sees it: every manifest parsed once, editor
buffers in place of files on disk, and the whole mesh re-linted after a change so that
cross-file references resolve as the user types."""

from __future__ import annotations

import gc
import os
import threading
from collections import defaultdict
from dataclasses import dataclass, field

from meshlint.engine.finding import Finding
from meshlint.engine.lint import LintOptions, LintResult, LoadedInputs, analyze, load_files
from meshlint.gc_pause import gc_paused
from meshlint.loader.documents import LoadedFile, load_source
from meshlint.loader.sources import SourceText, discover
from meshlint.lsp.scope import affected


@dataclass
class Workspace:
    """Parsed files by absolute path, and the last lint of all of them."""

    options: LintOptions
    files: dict[str, LoadedFile] = field(default_factory=dict)
    result: LintResult | None = None
    changed: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def index(self, folders: list[str]) -> None:
        """Parse every manifest under the workspace folders (same discovery as the CLI)."""
        paths = discover([f for f in folders if os.path.isdir(f)], self.options.exclude)
        with gc_paused():
            for loaded in load_files(paths, self.options):
                self.files[loaded.path] = loaded
        # The parsed workspace lives as long as the server: keep the collector from
        # scanning its millions of objects at every re-lint (they are still freed when
        # their file is replaced, as they hold no reference cycles).
        gc.collect()
        gc.freeze()

    def update(self, path: str, text: str | None) -> None:
        """Replace one file by an editor buffer (or re-read it from disk when ``text`` is
        None and the file exists; forget it when it does not)."""
        if text is None:
            loaded = load_files([path], self.options)[0] if os.path.isfile(path) else None
        else:
            source = SourceText(path, text)
            namespace = self.options.settings.default_namespace
            loaded = load_source(source, namespace, self.options.limits)
        with self.lock:
            old = self.files.pop(path, None)
            if old is not None:
                self.changed.extend(old.resources)
            if loaded is not None:
                self.files[path] = loaded
                self.changed.extend(loaded.resources)

    def lint(self, *, full: bool = False) -> LintResult:
        """Re-lint; after edits, only what they can affect unless ``full`` is asked.

        Safe to run in a worker thread while updates arrive: it works on a snapshot, and
        changes made meanwhile are left for the next re-lint.
        """
        with self.lock:
            files = dict(self.files)
            changed, self.changed = self.changed, []
        paths = sorted(files)
        inputs = LoadedInputs(paths, [files[p] for p in paths])
        with gc_paused():
            if full or self.result is None:
                self.result = analyze(inputs, self.options)
                return self.result
            resources = [r for f in inputs.loaded for r in f.resources]
            scope = affected(resources, changed, self.options.settings.root_namespace)
            kinds = frozenset(r.kind for r in changed) if scope is not None else None
            self.result = analyze(
                inputs, self.options, scope=scope, changed_kinds=kinds, previous=self.result
            )
        return self.result

    def findings_by_file(self) -> dict[str, list[Finding]]:
        grouped: dict[str, list[Finding]] = defaultdict(list)
        for finding in self.result.findings if self.result else ():
            if finding.location is not None and not finding.suppressed_by:
                grouped[finding.location.file].append(finding)
        return grouped
