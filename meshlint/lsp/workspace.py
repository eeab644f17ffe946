"""The workspace as the language server sees it: every manifest parsed once, editor
buffers in place of files on disk, and after a change the neighbourhood of the edit
re-linted against the whole mesh in memory, so that cross-file references resolve as the
user types."""

from __future__ import annotations

import gc
import os
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from meshlint.engine.finding import Finding
from meshlint.gc_pause import gc_paused
from meshlint.loader.documents import LoadedFile, load_source
from meshlint.loader.sources import MANIFEST_SUFFIXES, SourceText, discover
from meshlint.mesh.index import Mesh
from meshlint.mesh.names import NamesIndex
from meshlint.mesh.neighbourhood import HUB_SIZE, Neighbourhood, neighbourhood
from meshlint.model import Resource
from meshlint.pipeline.lint import (
    Increment,
    LintOptions,
    LintResult,
    LoadedInputs,
    analyze,
    load_files,
    open_cache,
)

if TYPE_CHECKING:
    from meshlint.cache.run import RunCache


@dataclass
class Workspace:
    """Parsed files by absolute path, and the last lint of all of them."""

    options: LintOptions
    files: dict[str, LoadedFile] = field(default_factory=dict)
    result: LintResult | None = None
    #: Resources an edit replaced or added (both versions) since the last lint.
    changed: list[Resource] = field(default_factory=list)
    #: Resources an edit replaced since the last lint (named until it is done).
    retired: list[Resource] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    #: Counts updates: a lint can tell whether the workspace changed while it ran.
    generation: int = 0
    #: What each resource names, and who names what: the neighbourhood of an edit.
    names: NamesIndex = field(default_factory=NamesIndex, repr=False)
    #: See :func:`meshlint.mesh.neighbourhood.neighbourhood`.
    hub_size: int = HUB_SIZE
    #: The folders indexed, where files created later are picked up.
    folders: list[str] = field(default_factory=list)
    #: The persistent cache files are read through (when the options ask for it).
    cache: RunCache | None = None
    #: Why the cache is not used, when it cannot be.
    warnings: list[str] = field(default_factory=list)

    def index(self, folders: list[str]) -> None:
        """Parse every manifest under the workspace folders (same discovery as the CLI)."""
        self.folders = [f for f in folders if os.path.isdir(f)]
        paths = discover(self.folders, self.options.exclude)
        if self.options.cache and self.folders:
            self.cache = open_cache(self.folders, self.warnings)
        with gc_paused():
            for loaded in load_files(paths, self.options, cache=self.cache):
                self.files[loaded.path] = loaded
                for resource in loaded.resources:
                    self.names(resource)
        # The parsed workspace lives as long as the server: keep the collector from
        # scanning its millions of objects at every re-lint (they are still freed when
        # their file is replaced, as they hold no reference cycles).
        gc.collect()
        gc.freeze()

    def update(self, path: str, text: str | None) -> None:
        """Replace one file by an editor buffer (or re-read it from disk when ``text`` is
        None and the file exists; forget it when it does not)."""
        self.replace(path, self.load(path, text))

    def load(self, path: str, text: str | None) -> LoadedFile | None:
        """Parse an editor buffer, or the file on disk when ``text`` is None (None when
        there is no such file). Touches nothing shared: safe in any thread."""
        if text is None:
            if not os.path.isfile(path):
                return None
            return load_files([path], self.options, cache=self.cache)[0]
        source = SourceText(path, text)
        namespace = self.options.settings.default_namespace
        return load_source(source, namespace, self.options.limits)

    def replace(self, path: str, loaded: LoadedFile | None) -> None:
        """Put ``loaded`` in place of the file at ``path`` (forget the file when None)."""
        with self.lock:
            self.generation += 1
            old = self.files.pop(path, None)
            if old is not None:
                self.changed.extend(old.resources)
                self.retired.extend(old.resources)
            if loaded is not None:
                self.files[path] = loaded
                self.changed.extend(loaded.resources)
                for resource in loaded.resources:
                    self.names(resource)

    def lint(
        self, *, full: bool = False, should_stop: Callable[[], bool] | None = None
    ) -> LintResult:
        """Re-lint; after edits, only their neighbourhood unless ``full`` is asked.

        Safe to run in a worker thread while updates arrive: it works on a snapshot, and
        changes made meanwhile are left for the next re-lint. ``should_stop`` is asked
        between rules; when it answers true the lint raises ``Cancelled`` and the previous
        result stands.
        """
        with self.lock:
            files = dict(self.files)
            changed = list(self.changed)
            retired = len(self.retired)
        paths = sorted(files)
        inputs = LoadedInputs(paths, [files[p] for p in paths], cache=self.cache)
        with gc_paused():
            if full or self.result is None:
                result = analyze(inputs, self.options, should_stop=should_stop)
            else:
                result = analyze(
                    inputs,
                    self.options,
                    increment=self._increment(self.result, changed),
                    should_stop=should_stop,
                )
        with self.lock:
            del self.changed[: len(changed)]
            self.names.forget(self.retired[:retired])
            del self.retired[:retired]
            self.result = result
        return result

    def _increment(self, previous: LintResult, changed: list[Resource]) -> Increment:
        root = self.options.settings.root_namespace
        # Findings whose did-you-mean draws on the whole mesh may change with any edit.
        hinted = [
            f.resource
            for f in previous.findings
            if f.rule.hints_from_whole_mesh and f.resource is not None
        ]

        def near(mesh: Mesh, regenerated: list[Resource]) -> Neighbourhood | None:
            # What the inputs are evidence of decides not-found versus unknown everywhere.
            moved = (
                mesh.namespaces_seen != previous.mesh.namespaces_seen
                or mesh.evidence != previous.mesh.evidence
            )
            return neighbourhood(
                mesh,
                changed,
                root,
                self.names,
                namespaces_changed=moved,
                regenerated=regenerated,
                also=hinted,
                hub_size=self.hub_size,
            )

        return Increment(previous, frozenset(r.kind for r in changed), near)

    def watches(self, path: str) -> bool:
        """Whether ``path`` is a file the workspace lints or would lint if it existed: a
        manifest in a workspace folder, in no hidden folder, not excluded."""
        if path in self.files:
            return True
        if not path.endswith(MANIFEST_SUFFIXES) or not os.path.isfile(path):
            return False
        for folder in self.folders:
            inside = os.path.relpath(path, folder)
            parts = inside.split(os.sep)
            if not inside.startswith(os.pardir) and not any(p.startswith(".") for p in parts[:-1]):
                return discover([path], self.options.exclude) == [path]
        return False

    def findings_by_file(self) -> dict[str, list[Finding]]:
        grouped: dict[str, list[Finding]] = defaultdict(list)
        for finding in self.result.findings if self.result else ():
            if finding.location is not None and not finding.suppressed_by:
                grouped[finding.location.file].append(finding)
        return grouped
