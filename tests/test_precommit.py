"""The pre-commit hooks, through the real ``pre-commit try-repo`` on a throwaway repository.

pre-commit installs meshlint from a copy of this working tree into its own environment,
which needs the package index: these tests are marked ``network``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO

DR = """\
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  subsets:
  - name: v1
    labels: {version: v1}
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: reviews
spec:
  ports:
  - port: 9080
    name: http
  selector: {app: reviews}
"""
VS = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
  http:
  - route:
    - destination:
        host: reviews
        subset: {subset}
"""
GIT_ENV = {
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}
_IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.egg-info", ".pytest_cache", ".ruff_cache", "build"
)


def copy_repository(destination: Path) -> Path:
    """Copy this working tree (uncommitted changes included) without touching its git."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        check=False,
    )
    if listed.returncode != 0:
        shutil.copytree(REPO, destination, ignore=_IGNORED)
        return destination
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = REPO / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


def git(*args: str, cwd: Path) -> None:
    env = {**os.environ, **GIT_ENV, "HOME": str(cwd)}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def commit_all(repo: Path) -> None:
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "--no-gpg-sign", "-m", "snapshot", cwd=repo)


def test_hooks_file_declares_both_hooks():
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"meshlint", "meshlint-all"}
    single = hooks["meshlint"]
    assert single["language"] == "python" and single["require_serial"] is True
    assert single["args"] == ["--project", "."] and set(single["types_or"]) == {"yaml", "json"}
    assert hooks["meshlint-all"]["pass_filenames"] is False


# -- the real tool ---------------------------------------------------------------------------
# ``try-repo`` installs the hook environment afresh on every call (about a minute), so it
# runs once; the other cases use ``pre-commit run`` with a config naming the same copy, whose
# environment pre-commit installs once and reuses.


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    """A committed copy of this working tree, and a pre-commit home shared by the tests."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    pytest.importorskip("pre_commit")
    repo = copy_repository(tmp_path_factory.mktemp("hook-repo"))
    commit_all(repo)
    return repo, tmp_path_factory.mktemp("pre-commit-home")


def write_project(directory: Path, subset: str, config: str = "") -> Path:
    (directory / "k8s").mkdir(exist_ok=True)
    (directory / "dr.yaml").write_text(DR)
    (directory / "svc.yaml").write_text(SERVICE)
    (directory / "k8s" / "vs.yaml").write_text(VS.format(subset=subset))
    if config:
        (directory / ".pre-commit-config.yaml").write_text(config)
    commit_all(directory)
    return directory


def pre_commit(hook_repo, project: Path, *args: str):
    _, home = hook_repo
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)  # text output, not annotations, whatever runs the tests
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args, "--color", "never"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def hook_config(hook_repo) -> str:
    repo, _ = hook_repo
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    hooks = [{"id": "meshlint"}, {"id": "meshlint-all"}]
    return yaml.safe_dump({"repos": [{"repo": str(repo), "rev": rev, "hooks": hooks}]})


def outcome(run) -> dict[str, str]:
    """Hook name -> Passed/Failed, from pre-commit's report."""
    out = {}
    for line in run.stdout.splitlines():
        for name in ("meshlint (all files)", "meshlint"):
            if line.startswith(name + ".") and line.endswith(("Passed", "Failed")):
                out.setdefault(name, line.rsplit(".", 1)[1])
    return out


@pytest.mark.network
def test_try_repo_fails_both_hooks_on_a_broken_manifest(hook_repo, tmp_path):
    project = write_project(tmp_path, subset="v3")
    repo, _ = hook_repo
    run = pre_commit(hook_repo, project, "try-repo", str(repo), "--all-files")
    assert run.returncode == 1, run.stdout + run.stderr
    assert outcome(run) == {"meshlint": "Failed", "meshlint (all files)": "Failed"}
    assert "k8s/vs.yaml:11:17: error ML104" in run.stdout


@pytest.mark.network
def test_hooks_pass_on_a_clean_project(hook_repo, tmp_path):
    project = write_project(tmp_path, subset="v1", config=hook_config(hook_repo))
    run = pre_commit(hook_repo, project, "run", "--all-files")
    assert run.returncode == 0, run.stdout + run.stderr
    assert outcome(run) == {"meshlint": "Passed", "meshlint (all files)": "Passed"}


@pytest.mark.network
def test_meshlint_hook_reports_on_the_files_given_with_the_whole_project_resolved(
    hook_repo, tmp_path
):
    project = write_project(tmp_path, subset="v3", config=hook_config(hook_repo))
    # Only the DestinationRule changed: the VirtualService it no longer satisfies is reported.
    changed_dr = pre_commit(hook_repo, project, "run", "meshlint", "--files", "dr.yaml")
    assert changed_dr.returncode == 1, changed_dr.stdout + changed_dr.stderr
    assert "k8s/vs.yaml:11:17: error ML104" in changed_dr.stdout
    # Nothing in or pointing into the Service is wrong: the single-file hook passes,
    # the whole-project hook does not.
    changed_svc = pre_commit(hook_repo, project, "run", "--files", "svc.yaml")
    assert outcome(changed_svc) == {"meshlint": "Passed", "meshlint (all files)": "Failed"}
