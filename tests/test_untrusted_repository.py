"""A pull request's files and its ``.meshlint.yaml`` are an attacker's input: each attack of
issue 18's filesystem half, reproduced in a temporary git repository through the real
command, and shown contained."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from meshlint.cli import cli
from meshlint.fs import write as fs_write
from meshlint.fs.write import RefusedWrite, write_file

SECRET = "hunter2-do-not-print"
#: A manifest with one finding (ML701, mode must be upper case) that ``fix`` corrects.
FIXABLE = textwrap.dedent("""\
    apiVersion: security.istio.io/v1
    kind: PeerAuthentication
    metadata: {name: default, namespace: istio-system}
    spec:
      mtls: {mode: strict}
    """)
FIXED = FIXABLE.replace("strict", "STRICT")


@pytest.fixture
def repo(tmp_path) -> Path:
    """A git work tree with one clean manifest, beside an ``outside`` folder holding a
    secret manifest and a file an attacker would like overwritten."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text(
        f"apiVersion: v1\nkind: Secret\nmetadata: {{name: {SECRET}}}\n"
    )
    (outside / "victim.txt").write_text("precious\n")
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "ok.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n")
    return root


def meshlint(
    repo: Path, *args: str, env: dict | None = None, stdin=None
) -> subprocess.CompletedProcess:
    ours = ("MESHLINT_CONFIG_FILE", "MESHLINT_TRUST_CONFIG")
    environment = {k: v for k, v in os.environ.items() if k not in ours}
    environment.update({"XDG_CONFIG_HOME": str(repo.parent / "xdg"), **(env or {})})
    run = subprocess.run(
        [sys.executable, "-m", "meshlint", *args],
        capture_output=True,
        text=True,
        cwd=repo,
        env=environment,
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
        timeout=120,
    )
    assert "Traceback" not in run.stderr, run.stderr
    return run


def findings(run: subprocess.CompletedProcess) -> list[tuple[str, str, int, int, str]]:
    return [
        (
            f["name"],
            os.path.normpath(f["location"]["file"]),
            f["location"]["line"],
            f["location"]["column"],
            f["message"],
        )
        for f in json.loads(run.stdout)["findings"]
    ]


def temporary_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(fs_write.TEMPORARY_SUFFIX)]


# -- writes never follow a link ------------------------------------------------------------

WRITERS = {
    "lint --output": ("lint", "--format", "sarif", "-o", "meshlint.sarif", "."),
    "graph -o": ("graph", "-o", "meshlint.sarif", "."),
    "--write-baseline": ("lint", "--write-baseline", "meshlint.sarif", "."),
}


@pytest.mark.parametrize("command", WRITERS.values(), ids=WRITERS.keys())
def test_a_committed_link_at_the_output_path_is_not_written_through(repo, command):
    (repo / "meshlint.sarif").symlink_to(repo.parent / "outside" / "victim.txt")
    run = meshlint(repo, *command)
    assert run.returncode == 2 and run.stdout == ""  # refused before linting
    assert "meshlint.sarif: is a symbolic link" in run.stderr
    assert (repo.parent / "outside" / "victim.txt").read_text() == "precious\n"
    assert (repo / "meshlint.sarif").is_symlink() and not temporary_files(repo)


def test_a_fifo_at_the_output_path_does_not_block(repo):
    os.mkfifo(repo / "meshlint.sarif")
    run = meshlint(repo, "lint", "--format", "sarif", "-o", "meshlint.sarif", ".")
    assert run.returncode == 2 and "is a FIFO, not a regular file" in run.stderr


def test_an_output_folder_that_links_out_of_the_tree_is_refused(repo):
    (repo / "reports").symlink_to(repo.parent / "outside")
    run = meshlint(repo, "lint", "--format", "sarif", "-o", "reports/meshlint.sarif", ".")
    assert run.returncode == 2 and "symbolic link leading out" in run.stderr
    assert not (repo.parent / "outside" / "meshlint.sarif").exists()


def test_a_report_replaces_a_regular_file_and_keeps_its_mode(repo):
    report = repo / "meshlint.sarif"
    report.write_text("old")
    report.chmod(0o640)
    run = meshlint(repo, "lint", "--format", "sarif", "-o", "meshlint.sarif", ".")
    assert run.returncode == 0, run.stderr
    assert json.loads(report.read_text())["version"] == "2.1.0"
    assert stat.S_IMODE(report.stat().st_mode) == 0o640 and not temporary_files(repo)


def test_a_new_report_gets_the_usual_mode(repo):
    meshlint(repo, "lint", "--format", "sarif", "-o", "new.sarif", ".")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE((repo / "new.sarif").stat().st_mode) == 0o666 & ~mask


def test_schemas_are_not_exported_through_a_link(repo):
    (repo / "schemas").mkdir()
    (repo / "schemas" / "all.json").symlink_to(repo.parent / "outside" / "victim.txt")
    run = meshlint(repo, "schemas", "export", "schemas")
    assert run.returncode == 2 and "all.json: is a symbolic link" in run.stderr
    assert (repo.parent / "outside" / "victim.txt").read_text() == "precious\n"


# -- reads stay inside the project -------------------------------------------------------


def test_a_link_leaving_the_project_is_reported_not_read(repo):
    (repo / "leak.yaml").symlink_to(repo.parent / "outside" / "secret.yaml")
    (repo / "shared").mkdir()
    (repo / "shared" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n")
    (repo / "inside.yaml").symlink_to(repo / "shared" / "cm.yaml")
    run = meshlint(repo, "lint", "--format", "json", ".")
    assert SECRET not in run.stdout + run.stderr
    leak = [f for f in findings(run) if f[1] == "leak.yaml"]
    assert [f[:4] for f in leak] == [("unreadable-file", "leak.yaml", 1, 1)]
    assert "leads outside the project" in leak[0][4]
    assert not [f for f in findings(run) if f[1] == "inside.yaml" and f[0] == "unreadable-file"]


def test_a_glob_does_not_reach_out_of_the_project_either(repo):
    (repo / "leak.yaml").symlink_to(repo.parent / "outside" / "secret.yaml")
    run = meshlint(repo, "lint", "--format", "json", "*.yaml")
    assert SECRET not in run.stdout + run.stderr
    assert ("unreadable-file", "leak.yaml", 1, 1) in [f[:4] for f in findings(run)]


def test_a_glob_matching_a_linked_folder_does_not_walk_out(repo):
    (repo / "evil").symlink_to(repo.parent / "outside")
    run = meshlint(repo, "lint", "--format", "json", "*")
    assert SECRET not in run.stdout + run.stderr
    assert ("unreadable-file", "evil", 1, 1) in [f[:4] for f in findings(run)]


def test_a_fifo_and_a_link_to_standard_input_do_not_block(repo):
    os.mkfifo(repo / "pipe.yaml")
    (repo / "stdin.yaml").symlink_to("/dev/stdin")
    read_end, write_end = os.pipe()  # standard input that never ends: reading it would hang
    try:
        run = meshlint(repo, "lint", "--format", "json", ".", stdin=read_end)
    finally:
        os.close(read_end)
        os.close(write_end)
    got = {f[1]: f[4] for f in findings(run) if f[0] == "unreadable-file"}
    assert got["pipe.yaml"] == "a FIFO, not a regular file; not read"
    assert "leads outside the project" in got["stdin.yaml"]


def test_paths_named_on_the_command_line_are_the_users_choice(repo):
    (repo / "leak.yaml").symlink_to(repo.parent / "outside" / "secret.yaml")
    for named in ("leak.yaml", "../outside/secret.yaml"):
        run = meshlint(repo, "lint", "--format", "json", named)
        assert not [f for f in findings(run) if f[0] == "unreadable-file"], run.stdout


CONFIG_PATHS = {
    "policy-files": "policy-files: [{path}]",
    "context": "context: [{path}]",
    "paths": "paths: [{path}]",
    "baseline": "baseline: {path}",
    "mesh.config-file": "mesh:\n  config-file: {path}",
    "mesh.networks-file": "mesh:\n  networks-file: {path}",
}


@pytest.mark.parametrize("key", CONFIG_PATHS, ids=CONFIG_PATHS.keys())
@pytest.mark.parametrize("how", ["dot-dot", "absolute", "link"])
def test_a_config_path_leaving_the_project_is_a_config_error(repo, key, how):
    secret = repo.parent / "outside" / "secret.yaml"
    path = {"dot-dot": "../outside/secret.yaml", "absolute": str(secret), "link": "p.yaml"}[how]
    if how == "link":
        (repo / "p.yaml").symlink_to(secret)
    (repo / ".meshlint.yaml").write_text(CONFIG_PATHS[key].format(path=path) + "\n")
    run = meshlint(repo, "lint", ".")
    assert run.returncode == 2
    assert SECRET not in run.stdout + run.stderr
    assert "config error: .meshlint.yaml:" in run.stderr
    assert key in run.stderr and "leads outside the project" in run.stderr


def test_a_config_that_is_itself_a_link_out_is_not_read(repo):
    (repo / ".meshlint.yaml").symlink_to(repo.parent / "outside" / "secret.yaml")
    run = meshlint(repo, "lint", ".")
    assert run.returncode == 2 and "leads outside the project" in run.stderr
    assert SECRET not in run.stdout + run.stderr


def test_a_config_naming_a_fifo_is_a_config_error(repo):
    os.mkfifo(repo / "policies.yaml")
    (repo / ".meshlint.yaml").write_text("policy-files: [policies.yaml]\n")
    run = meshlint(repo, "lint", ".")
    assert run.returncode == 2 and "a FIFO, not a regular file" in run.stderr


def test_a_config_cannot_make_meshlint_wait_for_standard_input(repo):
    (repo / ".meshlint.yaml").write_text("paths: ['-']\n")
    run = meshlint(repo, "lint")
    assert run.returncode == 2
    assert "paths[0]: standard input can only be named on the command line" in run.stderr


def test_config_paths_inside_the_repository_stay_allowed(repo):
    (repo / "sub").mkdir()
    (repo / "policies").mkdir()
    (repo / "policies" / "p.yaml").write_text("[]\n")
    (repo / "sub" / ".meshlint.yaml").write_text("policy-files: [../policies/p.yaml]\n")
    run = meshlint(repo / "sub", "lint", "../ok.yaml")
    assert run.returncode == 0, run.stderr


# -- trust: a repository's config neither runs programs nor raises limits ---------------------


@pytest.fixture
def fake_kustomize(repo) -> tuple[dict, Path]:
    """A ``kustomize`` on PATH that records its arguments and renders one ConfigMap."""
    bin_dir = repo.parent / "bin"
    bin_dir.mkdir()
    record = repo.parent / "kustomize-ran"
    script = bin_dir / "kustomize"
    script.write_text(
        f"#!/bin/sh\nprintf '%s\\n' \"$@\" > '{record}'\n"
        "printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: rendered}\\n'\n"
    )
    script.chmod(0o755)
    (repo / "overlay").mkdir()
    (repo / "overlay" / "kustomization.yaml").write_text("resources: []\n")
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}"}, record


def test_a_repository_config_cannot_run_kustomize(repo, fake_kustomize):
    env, record = fake_kustomize
    (repo / ".meshlint.yaml").write_text("kustomize: true\n")
    run = meshlint(repo, "lint", ".", env=env)
    assert not record.exists()
    assert "meshlint: warning: .meshlint.yaml:1: kustomize: ignored" in run.stderr
    assert "--trust-config" in run.stderr


@pytest.mark.parametrize(
    ("flag", "env"),
    [("--trust-config", {}), (None, {"MESHLINT_TRUST_CONFIG": "1"}), ("--kustomize", {})],
)
def test_kustomize_runs_when_the_user_says_so(repo, fake_kustomize, flag, env):
    path_env, record = fake_kustomize
    (repo / ".meshlint.yaml").write_text("kustomize: true\n")
    run = meshlint(repo, "lint", *([flag] if flag else []), ".", env={**path_env, **env})
    assert record.exists(), run.stderr
    assert ("ignored" in run.stderr) == (flag == "--kustomize")


def test_the_users_own_config_may_run_kustomize(repo, fake_kustomize):
    env, record = fake_kustomize
    user = repo.parent / "user.yaml"
    user.write_text("kustomize: true\n")
    run = meshlint(repo, "lint", ".", env={**env, "MESHLINT_CONFIG_FILE": str(user)})
    assert record.exists() and "meshlint: warning" not in run.stderr


def test_a_folder_named_like_a_flag_stays_a_folder(repo, fake_kustomize):
    env, record = fake_kustomize
    (repo / "--enable-helm").mkdir()
    (repo / "--enable-helm" / "kustomization.yaml").write_text("resources: []\n")
    meshlint(repo, "lint", "--kustomize", "--", "--enable-helm", env=env)
    assert record.read_text().splitlines() == ["build", "--", "--enable-helm"]


DEEP = "a:\n" + "".join("  " * i + "b:\n" for i in range(1, 30))


def test_a_repository_config_cannot_raise_a_limit(repo):
    (repo / "deep.yaml").write_text(DEEP)
    (repo / ".meshlint.yaml").write_text(
        "max-depth: 10\nmax-expanded-nodes: 1000000000000\nmax-file-size: 1000000000000\n"
    )
    run = meshlint(repo, "lint", "--format", "json", ".")
    warnings = [line for line in run.stderr.splitlines() if "ignored" in line]
    assert [w.split(": ")[3] for w in warnings] == ["max-file-size", "max-expanded-nodes"]
    assert "may lower a safety limit, not raise it (1000000 to 1000000000000)" in run.stderr
    assert ("input-limit", "deep.yaml") in [f[:2] for f in findings(run)]  # lowered: honoured


def test_a_trusted_config_may_raise_a_limit(repo):
    (repo / "deep.yaml").write_text(DEEP)
    (repo / ".meshlint.yaml").write_text("max-depth: 10\n")
    lowered = meshlint(repo, "lint", "--format", "json", ".")
    (repo / ".meshlint.yaml").write_text("max-depth: 1000\n")
    raised = meshlint(repo, "lint", "--trust-config", "--format", "json", ".")
    assert ("input-limit", "deep.yaml") in [f[:2] for f in findings(lowered)]
    assert ("input-limit", "deep.yaml") not in [f[:2] for f in findings(raised)]
    assert "ignored" not in raised.stderr


# -- fix never loses an edit nor ignores a file's protection ---------------------------------


def test_fix_refuses_a_read_only_file(repo):
    path = repo / "pa.yaml"
    path.write_text(FIXABLE)
    path.chmod(0o444)
    run = meshlint(repo, "fix", ".")
    assert run.returncode == 2
    assert "not fixed pa.yaml: is read-only" in run.stderr.replace("./", "")
    assert path.read_text() == FIXABLE and not temporary_files(repo)


def test_fix_refuses_to_turn_a_link_into_a_file(repo):
    (repo / "real").mkdir()
    (repo / "real" / "pa.yaml").write_text(FIXABLE)
    (repo / "pa.yaml").symlink_to(repo / "real" / "pa.yaml")
    run = meshlint(repo, "fix", "pa.yaml")
    assert run.returncode == 2 and "is a symbolic link" in run.stderr
    assert (repo / "pa.yaml").is_symlink() and (repo / "real" / "pa.yaml").read_text() == FIXABLE


def test_fix_refuses_to_break_a_hard_link(repo):
    (repo / "pa.yaml").write_text(FIXABLE)
    os.link(repo / "pa.yaml", repo.parent / "outside" / "twin.yaml")
    run = meshlint(repo, "fix", "pa.yaml")
    assert run.returncode == 2 and "has 2 hard links" in run.stderr
    assert (repo / "pa.yaml").read_text() == FIXABLE


def test_fix_keeps_the_mode_and_leaves_no_temporary_file(repo):
    path = repo / "pa.yaml"
    path.write_text(FIXABLE)
    path.chmod(0o640)
    run = meshlint(repo, "fix", ".")
    assert run.returncode == 0, run.stderr
    assert path.read_text() == FIXED
    assert stat.S_IMODE(path.stat().st_mode) == 0o640 and not temporary_files(repo)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_fix_keeps_the_owner(repo):
    path = repo / "pa.yaml"
    path.write_text(FIXABLE)
    os.chown(path, 4321, 8765)
    run = meshlint(repo, "fix", ".")
    assert run.returncode == 0, run.stderr
    assert path.read_text() == FIXED
    assert (path.stat().st_uid, path.stat().st_gid) == (4321, 8765)


def test_fix_keeps_an_edit_made_while_it_ran(repo, monkeypatch):
    """The user saves the file after meshlint read it and before it writes it back."""
    import meshlint.fixer.run as fixer

    path = repo / "pa.yaml"
    path.write_text(FIXABLE)
    edited = FIXABLE + "# the user's edit\n"
    real_fix = fixer.fix

    def fix_then_user_saves(*args, **kwargs):
        outcome = real_fix(*args, **kwargs)
        path.write_text(edited)
        return outcome

    monkeypatch.setattr(fixer, "fix", fix_then_user_saves)
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(cli, ["fix", "--no-config", "pa.yaml"])
    assert result.exit_code == 2
    assert "not fixed pa.yaml: changed on disk since meshlint read it; run again" in result.output
    assert path.read_text() == edited and not temporary_files(repo)


def test_a_snapshot_catches_an_edit_of_the_same_size_and_time(tmp_path):
    from meshlint.fixer.files import FileText

    path = tmp_path / "pa.yaml"
    path.write_text(FIXABLE)
    read = FileText.read(str(path))
    stamp = path.stat().st_mtime_ns
    path.write_text(FIXABLE.replace("default", "DEFAULT"))
    os.utime(path, ns=(stamp, stamp))
    with pytest.raises(RefusedWrite, match="changed on disk"):
        read.write(FIXED)


def test_sigterm_while_writing_removes_the_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "pa.yaml"
    path.write_text(FIXABLE)

    def fsync_then_terminated(descriptor: int) -> None:
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(fs_write.os, "fsync", fsync_then_terminated)
    with pytest.raises(SystemExit) as ended:
        write_file(str(path), FIXED.encode())
    assert ended.value.code == 128 + signal.SIGTERM
    assert path.read_text() == FIXABLE and not temporary_files(tmp_path)
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_ctrl_c_while_writing_removes_the_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "pa.yaml"
    path.write_text(FIXABLE)

    def interrupted(descriptor: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(fs_write.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_file(str(path), FIXED.encode())
    assert path.read_text() == FIXABLE and not temporary_files(tmp_path)
