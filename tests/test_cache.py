"""The persistent cache: a rerun answers from it, and it never changes a result.

Every run of the suite uses its own cache directory (conftest sets MESHLINT_CACHE_DIR);
tests here point it at a folder of their own.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from meshlint.cache import store as store_module
from meshlint.cache.location import cache_root, project_folder
from meshlint.cache.store import KEY_FILE, Store, load_key
from meshlint.cli import cli
from meshlint.fs.bounds import project_root
from meshlint.loader import documents
from meshlint.pipeline.lint import LintOptions

from conftest import REPO, SHARED, needs_shared


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("MESHLINT_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def project(tmp_path) -> Path:
    """The repository's examples and fixtures (their manifests) as one project."""
    root = tmp_path / "project"
    for folder in ("examples", "tests/fixtures"):
        for path in (REPO / folder).rglob("*.yaml"):
            target = root / path.relative_to(REPO)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return root


def lint_json(project: Path, *flags: str) -> tuple[int, str]:
    run = CliRunner().invoke(cli, ["lint", "--format", "json", *flags, str(project)])
    assert run.exit_code in (0, 1), run.output
    return run.exit_code, run.stdout


def folder_of(project: Path) -> Path:
    return Path(project_folder(cache_root(), project_root(str(project))))


def entries(project: Path) -> list[Path]:
    return sorted(p for kind in ("files", "rules") for p in (folder_of(project) / kind).iterdir())


def authentic(project: Path, entry: Path) -> bool:
    store = Store(str(folder_of(project)), load_key(cache_root()))
    return store.get(entry.parent.name, entry.name) is not None


def test_a_rerun_gives_the_same_json_and_fills_the_cache(cache_dir, project):
    uncached = lint_json(project, "--no-cache")
    assert not cache_dir.exists()
    assert lint_json(project) == uncached  # cold: fills the cache
    assert {p.parent.name for p in entries(project)} == {"files", "rules"}
    assert lint_json(project) == uncached  # warm


def test_the_key_is_private_and_the_cache_is_outside_the_project(cache_dir, project):
    lint_json(project)
    assert (cache_dir / KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert not any(p.name.startswith("files") for p in project.rglob("*"))
    assert (folder_of(project) / "project").read_text().strip() == str(project_root(str(project)))


def _edit(rng: random.Random, project: Path, step: int) -> str:
    files = sorted(project.rglob("*.yaml"))
    target = rng.choice(files)
    text = target.read_text()
    action = rng.choice(["modify", "add", "remove", "service", "config", "append"])
    if action == "modify":
        numbers = list(re.finditer(r"\b\d{2,4}\b", text))
        if numbers:
            match = rng.choice(numbers)
            text = text[: match.start()] + str(int(match.group()) + 1) + text[match.end() :]
        target.write_text(text)
    elif action == "add":
        copy = target.with_name(f"copy-{step}-{target.name}")
        copy.write_text(re.sub(r"name: (\S+)", rf"name: \1-c{step}", text))
    elif action == "remove" and len(files) > 3:
        target.unlink()
    elif action == "service":
        services = [f for f in files if "kind: Service\n" in f.read_text()]
        if services:
            chosen = rng.choice(services)
            changed = re.sub(
                r"port: (\d+)",
                lambda m: f"port: {int(m.group(1)) + 1}",
                chosen.read_text(),
                count=1,
            )
            chosen.write_text(changed)
    elif action == "config":
        choices = [
            "mesh:\n  cluster-domain: example.org\n",
            "ignore: [ML101]\n",
            "rules:\n  ML104: info\n",
            "",
        ]
        (project / ".meshlint.yaml").write_text(rng.choice(choices))
    else:
        target.write_text(
            text + f"\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: added-{step}\n"
        )
    return f"{action} {target.name}"


@pytest.mark.parametrize("seed", [1, 2])
def test_random_edits_never_make_the_cache_change_a_result(cache_dir, project, seed, monkeypatch):
    monkeypatch.chdir(project)
    rng = random.Random(seed)
    lint_json(project)
    for step in range(8):
        what = _edit(rng, project, step)
        assert lint_json(project) == lint_json(project, "--no-cache"), what


@needs_shared()
def test_the_realworld_corpus_reads_the_same_from_the_cache(cache_dir, tmp_path):
    corpus = tmp_path / "realworld"
    shutil.copytree(SHARED / "realworld", corpus, symlinks=True)
    uncached = lint_json(corpus, "--no-config", "--no-cache")
    assert lint_json(corpus, "--no-config") == uncached
    assert lint_json(corpus, "--no-config") == uncached
    rng = random.Random(3)
    for step in range(3):
        what = _edit(rng, corpus, step)
        assert lint_json(corpus, "--no-config") == lint_json(corpus, "--no-config", "--no-cache"), (
            what
        )


# -- entries that must not be trusted ------------------------------------------------


def _poison(project: Path, store: Store) -> None:
    """Rewrite every entry, authenticated by ``store``, as if its file held nothing and
    its rule found nothing."""
    for entry in entries(project):
        if entry.parent.name == "files":
            store.put("files", entry.name, ("x.yaml", True, (), (), None))
        else:
            store.put("rules", entry.name, ())


def test_a_poisoned_entry_with_the_right_key_would_change_the_result(cache_dir, project):
    """(What the tests below rely on: their poison is visible when it is trusted.)"""
    clean = lint_json(project)
    _poison(project, Store(str(folder_of(project)), load_key(cache_root())))
    assert lint_json(project) != clean


def test_entries_under_another_key_are_ignored_and_rewritten(cache_dir, project):
    clean = lint_json(project)
    _poison(project, Store(str(folder_of(project)), os.urandom(32)))
    assert lint_json(project) == clean
    assert all(authentic(project, e) for e in entries(project))


def test_entries_of_another_meshlint_version_are_ignored(cache_dir, project, monkeypatch):
    clean = lint_json(project)
    with monkeypatch.context() as patch:
        patch.setattr(store_module, "FORMAT", b"meshlint 0.0.1")
        _poison(project, Store(str(folder_of(project)), load_key(cache_root())))
    assert lint_json(project) == clean
    assert all(authentic(project, e) for e in entries(project))


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "garbage"])
def test_damaged_entries_are_ignored_and_rewritten(cache_dir, project, damage):
    clean = lint_json(project)
    rng = random.Random(damage)
    for entry in entries(project):
        data = bytearray(entry.read_bytes())
        if damage == "truncate":
            data = data[: rng.randrange(len(data))]
        elif damage == "flip":
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif damage == "empty":
            data = bytearray()
        else:
            data = bytearray(rng.randbytes(len(data)))
        entry.write_bytes(bytes(data))
    assert lint_json(project) == clean
    assert all(authentic(project, e) for e in entries(project))


def test_an_entry_replaced_by_a_link_is_never_followed(cache_dir, project, tmp_path):
    clean = lint_json(project)
    outside = tmp_path / "outside.txt"
    for entry in entries(project):
        copy = entry.read_bytes()
        outside.write_bytes(copy)
        entry.unlink()
        entry.symlink_to(outside)
    before = outside.read_bytes()
    assert lint_json(project) == clean
    assert outside.read_bytes() == before
    assert not any(e.is_symlink() for e in entries(project))


def test_a_replaced_key_makes_every_entry_be_written_again(cache_dir, project):
    clean = lint_json(project)
    (cache_dir / KEY_FILE).write_bytes(b"short")
    assert lint_json(project) == clean
    assert len((cache_dir / KEY_FILE).read_bytes()) == 32
    assert all(authentic(project, e) for e in entries(project))


def test_a_cache_directory_inside_the_project_is_refused(project, monkeypatch):
    inside = project / ".cache"
    monkeypatch.setenv("MESHLINT_CACHE_DIR", str(inside))
    run = CliRunner().invoke(cli, ["lint", "--format", "json", str(project)])
    assert "cache not used: cache directory" in run.stderr
    assert "is inside the project" in run.stderr
    assert not inside.exists()
    assert run.stdout == lint_json(project, "--no-cache")[1]


# -- processes, commands -------------------------------------------------------------


DAMAGED = b"MLC1 damaged"


def _meshlint(*args: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "meshlint", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )


def test_two_runs_at_once_share_a_new_cache_without_corrupting_it(cache_dir, project):
    env = {**os.environ, "MESHLINT_CACHE_DIR": str(cache_dir)}
    args = ("lint", "--no-config", "--format", "json", str(project))
    expected = lint_json(project, "--no-config", "--no-cache")[1]
    for _ in range(2):  # a new cache, then one both read and rewrite
        runs = [_meshlint(*args, env=env) for _ in range(2)]
        outputs = [run.communicate(timeout=300) for run in runs]
        assert [out for out, _ in outputs] == [expected, expected], [err for _, err in outputs]
        # every entry whole: authentic, or damaged below and not needed since
        for entry in entries(project):
            assert authentic(project, entry) or entry.read_bytes() == DAMAGED
        assert not list(cache_dir.rglob("*.meshlint-tmp")) and not list(cache_dir.glob(".key.*"))
        for entry in entries(project)[::2]:
            entry.write_bytes(DAMAGED)


def test_clean_removes_the_project_entries_and_says_so(cache_dir, project):
    lint_json(project)
    count = len(entries(project))
    run = CliRunner().invoke(cli, ["clean", str(project)])
    assert run.exit_code == 0
    assert f"removed {count + 1} cache entries" in run.stdout
    assert not folder_of(project).exists()
    assert "no cache entries" in CliRunner().invoke(cli, ["clean", str(project)]).stdout


def test_no_cache_imports_nothing_of_the_cache(cache_dir, project):
    code = (
        "import sys\n"
        "from meshlint.cli import cli\n"
        "try:\n"
        f"    cli.main(['lint', '--no-cache', '--no-config', {str(project)!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('meshlint.cache')))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.stdout.strip().splitlines()[-1] == "[]"
    assert not cache_dir.exists()


# -- the language server -------------------------------------------------------------


def _report(result) -> list[tuple]:
    return [(f.rule.id, str(f.location), f.message) for f in result.findings]


def test_the_language_server_starts_warm_and_confirms_from_the_cache(
    cache_dir, project, monkeypatch
):
    from meshlint.lsp.workspace import Workspace
    from meshlint.pipeline import lint as pipeline

    first = Workspace(LintOptions(paths=[], cache=True))
    first.index([str(project)])
    expected = _report(first.lint(full=True))

    parsed: list[str] = []
    checked: list[str] = []
    real_load, real_run = documents.load_source, pipeline.run_rules_in_processes
    monkeypatch.setattr(
        pipeline, "load_source", lambda s, *a: parsed.append(s.path) or real_load(s, *a)
    )
    monkeypatch.setattr(
        pipeline,
        "run_rules_in_processes",
        lambda mesh, rules, scope, *a, **k: (
            checked.extend(r.id for r in rules if scope is None)
            or real_run(mesh, rules, scope, *a, **k)
        ),
    )
    warm = Workspace(LintOptions(paths=[], cache=True))
    warm.index([str(project)])
    assert parsed == []  # every file from the cache
    assert _report(warm.lint(full=True)) == expected
    assert checked == []  # every rule's findings from the cache (copies aside)

    service = next(p for p in project.rglob("*.yaml") if "kind: Service\n" in p.read_text())
    warm.update(str(service), service.read_text().replace("port: 9080", "port: 9081"))
    confirmed = _report(warm.lint(full=True))
    assert parsed == []  # the edited buffer is parsed by the workspace, not the pipeline
    assert 0 < len(set(checked)) < len(first.result.rules)  # only rules that read Services
    cold = Workspace(LintOptions(paths=[]))
    cold.index([str(project)])
    cold.update(str(service), service.read_text().replace("port: 9080", "port: 9081"))
    assert confirmed == _report(cold.lint(full=True))


def test_a_config_policy_is_checked_again_when_it_changes(cache_dir, project, monkeypatch):
    monkeypatch.chdir(project)
    policy = (
        "policies:\n"
        "  - id: route-timeout\n"
        "    kinds: [VirtualService]\n"
        "    message: every HTTP route needs a timeout\n"
        "    schema:\n"
        "      properties: {spec: {properties: {http: {items: {required: [%s]}}}}}\n"
    )
    config = project / ".meshlint.yaml"
    config.write_text(policy % "timeout")
    before = lint_json(project)
    config.write_text(policy % "retries")
    after = lint_json(project)
    assert after == lint_json(project, "--no-cache")
    assert after != before
