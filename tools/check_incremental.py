"""Check the language server's fast re-lint against full lints, edit by edit.

    python tools/check_incremental.py [--shared ../shared] [--every N] [--seeds N]
        [--edits N] [-v]

For every case of Istio's analyzer test grid (its files, with the harness's settings),
and for Istio's bookinfo sample: remove each document of each file in turn, then put it
back. For random meshes whose namespaces reference each other (``linked_mesh.py``):
make random edits. After each edit, compare the findings of the fast re-lint of the edit's
neighbourhood with those of a full lint of the same files. Prints each disagreement and
how many edits agreed; exits 1 when any disagreed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from meshlint.lsp.workspace import Workspace
from meshlint.mesh.neighbourhood import HUB_SIZE
from meshlint.pipeline.lint import LintOptions, LoadedInputs, analyze

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))

import linked_mesh  # noqa: E402

from istio_conformance import _settings  # noqa: E402


@dataclass
class Disagreement:
    where: str
    edit: str
    missing: list[tuple]
    extra: list[tuple]


def summary(findings) -> set[tuple]:
    return {
        (f.rule.id, _short(f.location.file), f.location.line, f.location.column, f.message)
        for f in findings
        if f.location is not None
    }


def _short(file: str) -> str:
    """The file's name and folder (the linked mesh has a folder per namespace)."""
    return "/".join(Path(file).parts[-2:])


def documents(text: str) -> list[str]:
    """The file's documents, each with the separator that ends it."""
    parts = text.split("\n---")
    return [p + ("\n---" if i < len(parts) - 1 else "") for i, p in enumerate(parts)]


def edits(folder: Path) -> Iterator[tuple[Path, str, str]]:
    """(file, description, new text) for removing each document, then restoring it."""
    for path in sorted(folder.glob("*.y*ml")):
        text = path.read_text()
        docs = documents(text)
        if len(docs) < 2 and not text.strip():
            continue
        for i in range(len(docs)):
            yield path, f"remove document {i + 1}", "".join(docs[:i] + docs[i + 1 :])
            yield path, f"restore document {i + 1}", text


def check_edits(
    folder: Path,
    options: LintOptions,
    where: str,
    changes: Iterable[tuple[Path, str, str]],
    hub_size: int = HUB_SIZE,
) -> tuple[int, list[Disagreement]]:
    """Index ``folder`` in a workspace and apply ``changes`` to it one by one, comparing
    each fast re-lint with a full lint; (edits made, disagreements)."""
    workspace = Workspace(options, hub_size=hub_size)
    workspace.index([str(folder)])
    workspace.lint()
    made, found = 0, []
    for path, edit, text in changes:
        workspace.update(str(path), text)
        fast = summary(workspace.lint().findings)
        paths = sorted(workspace.files)
        inputs = LoadedInputs(paths, [workspace.files[p] for p in paths])
        full = summary(analyze(inputs, options).findings)
        made += 1
        if fast != full:
            found.append(
                Disagreement(
                    where, f"{path.name}: {edit}", sorted(full - fast), sorted(fast - full)
                )
            )
    return made, found


def conformance_cases(shared: Path, every: int) -> Iterator[tuple[str, Path, LintOptions]]:
    root = shared / "conformance" / "istio"
    cases = json.loads((root / "cases.json").read_text())
    for case in cases[::every]:
        if case.get("cluster_input_files"):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            for n, name in enumerate(case["input_files"]):
                shutil.copy(root / name, Path(tmp) / f"{n:02d}-{Path(name).name}")
            # Resources without a namespace go to "default" (the harness leaves them in
            # none), so that cases spanning namespaces have neighbourhoods smaller than
            # the whole mesh.
            settings = replace(_settings(case, root), default_namespace="default")
            yield case["go_subtest"], Path(tmp), LintOptions(paths=[], settings=settings)


def run(
    shared: Path, every: int = 1, seeds: int = 10, edit_count: int = 100
) -> tuple[int, list[Disagreement]]:
    made, found = 0, []
    for name, folder, options in conformance_cases(shared, every):
        n, bad = check_edits(folder, options, name, edits(folder))
        made, found = made + n, found + bad
    bookinfo = shared / "reference" / "samples" / "bookinfo"
    with tempfile.TemporaryDirectory() as tmp:
        for path in bookinfo.iterdir():
            shutil.copy(path, Path(tmp) / path.name)
        shutil.copy(REPO / "examples" / "bookinfo-broken" / "virtual-services.yaml", tmp)
        n, bad = check_edits(Path(tmp), LintOptions(paths=[]), "bookinfo", edits(Path(tmp)))
    made, found = made + n, found + bad
    for seed in range(seeds):
        # Few teams: every namespace is linked to every other; many: sparsely linked.
        # Small hubs: namespaces named by a few routes count as hubs.
        teams = 5 if seed % 2 else 20
        n, bad = check_linked(seed, edit_count, teams, 2 if seed % 4 > 1 else HUB_SIZE)
        made, found = made + n, found + bad
    return made, found


def check_linked(
    seed: int, count: int, teams: int, hub_size: int = HUB_SIZE
) -> tuple[int, list[Disagreement]]:
    """``count`` random edits to the linked mesh of ``seed`` with ``teams`` team
    namespaces (see ``linked_mesh.py``); namespaces more than ``hub_size`` resources
    elsewhere name are hubs."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = linked_mesh.write(Path(tmp), seed, teams)
        changes = linked_mesh.random_edits(paths, seed, count, teams)
        where = f"linked mesh {seed} ({teams} teams, hubs over {hub_size})"
        return check_edits(Path(tmp), LintOptions(paths=[]), where, changes, hub_size)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--every", type=int, default=1, help="check every Nth case only")
    parser.add_argument("--seeds", type=int, default=10, help="random linked meshes")
    parser.add_argument("--edits", type=int, default=100, help="edits per linked mesh")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    made, found = run(args.shared, args.every, args.seeds, args.edits)
    for bad in found:
        print(f"{bad.where}: {bad.edit}")
        if args.verbose:
            for item in bad.missing:
                print(f"    missing {item}")
            for item in bad.extra:
                print(f"    extra   {item}")
    print(f"{made - len(found)} of {made} edits: fast re-lint agrees with a full lint")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
