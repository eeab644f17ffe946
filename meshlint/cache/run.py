"""The cache as one lint run uses it: open it, read files through it, plan the rules."""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable

from meshlint.cache.files import FileEntries, file_key
from meshlint.cache.location import cache_root, check_outside, project_folder, root_of
from meshlint.cache.rules import RuleEntries
from meshlint.cache.store import Store, load_key, make_folder
from meshlint.loader.documents import LoadedFile, is_kustomization
from meshlint.loader.sources import STDIN, SourceText, read
from meshlint.loader.yaml_reader import Limits
from meshlint.model import Resource


class Placed:
    """Where resources were read from (file entry and place), for as long as each lives
    (a long-running server reads many files; an identity may be reused)."""

    def __init__(self) -> None:
        self._by_id: dict[int, tuple[weakref.ref, bytes]] = {}

    def add(self, resource: Resource, name: bytes) -> None:
        resource_id = id(resource)
        self._by_id[resource_id] = (
            weakref.ref(resource, lambda _: self._forget(resource_id)),
            name,
        )

    def _forget(self, resource_id: int) -> None:
        found = self._by_id.get(resource_id)
        if found is not None and found[0]() is None:
            del self._by_id[resource_id]

    def get(self, resource: Resource) -> bytes | None:
        found = self._by_id.get(id(resource))
        return found[1] if found is not None and found[0]() is resource else None


class RunCache:
    """File and rule entries of one project, and where this run's resources came from."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.files = FileEntries(store)
        #: Each resource read through a file entry: the digest of its content and place.
        self.placed = Placed()

    def load(
        self,
        paths: list[str],
        settings: tuple[str, Limits, int, bool],
        sources: dict[str, SourceText],
        load_many: Callable[[list[str]], list[LoadedFile]],
    ) -> list[LoadedFile]:
        """The files at ``paths``, from their entries where they have one; the others
        by ``load_many`` (which finds the text already read in ``sources``), stored.
        ``settings``: default namespace, limits, file size limit, whether kustomization
        files are rendered (then they are not cached)."""
        namespace, limits, max_size, kustomize = settings
        keys: dict[str, str] = {}
        done: dict[str, LoadedFile] = {}
        for path in paths:
            if path == STDIN or (kustomize and is_kustomization(path)):
                continue
            source = read(path, max_size, regular_only=True)
            if source.text is None:
                continue
            key = keys[path] = file_key(source, namespace, limits)
            found = self.files.get(key)
            if found is None:
                sources[path] = source
            else:
                done[path] = found
        contents = {p: [r.content for r in found.resources] for p, found in done.items()}
        todo = [p for p in paths if p not in done]
        for path, loaded in zip(todo, load_many(todo), strict=True):
            done[path] = loaded
            if path in keys and not any(p.rule == "input-limit" for p in loaded.problems):
                stored = self.files.put(keys[path], loaded)
                if stored is not None:
                    contents[path] = stored
        for path, names in contents.items():
            for resource, name in zip(done[path].resources, names, strict=True):
                self.placed.add(resource, name)
        return [done[p] for p in paths]

    def rules(self) -> RuleEntries:
        return RuleEntries(self.store, self.placed)


def open_cache(paths: list[str]) -> RunCache:
    """The cache of the project that holds ``paths``; raises CacheRefused (or OSError)
    when it cannot be used."""
    root = cache_root()
    project = root_of(paths)
    check_outside(root, project)
    key = load_key(root)
    folder = project_folder(root, project)
    make_folder(folder)
    _name_project(folder, project)
    return RunCache(Store(folder, key))


def _name_project(folder: str, project: str) -> None:
    """Note which project a folder is for (for people looking at the cache)."""
    note = os.path.join(folder, "project")
    if not os.path.lexists(note):
        from meshlint.fs.write import write_file

        write_file(note, project.encode("utf-8", "surrogateescape") + b"\n", durable=False)
