"""The GitHub Action (action.yml): valid metadata, no script injection, and its ``run:``
steps executed locally with the environment the Actions runner gives them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from conftest import REPO, SHARED, needs_shared

ACTION = REPO / "action.yml"
EXAMPLE = REPO / "examples" / "bookinfo-broken"
CLEAN_VS = """\
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
        subset: v1
"""
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
# What the runner sets for every step, and what bash itself provides.
RUNNER_VARIABLES = {
    "GITHUB_ACTION_PATH",
    "GITHUB_OUTPUT",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_WORKSPACE",
    "RUNNER_TEMP",
    "RUNNER_OS",
    "GITHUB_EVENT_PATH",
    "PWD",
}


def action() -> dict:
    return yaml.safe_load(ACTION.read_text())


def steps() -> list[dict]:
    return action()["runs"]["steps"]


# -- the metadata ------------------------------------------------------------------------------


@needs_shared()
def test_action_validates_against_the_schemastore_schema():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((SHARED / "reference" / "schemastore" / "github-action.json").read_text())
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(action())]
    assert errors == []


def test_inputs_reach_scripts_only_through_env():
    for step in steps():
        if "run" in step:
            assert "${{" not in step["run"], step["name"]


def test_every_variable_a_script_reads_is_declared_or_given_by_the_runner():
    for step in steps():
        if "run" not in step:
            continue
        used = set(re.findall(r"\$\{?([A-Z][A-Z0-9_]*)", step["run"]))
        assert used <= set(step.get("env", {})) | RUNNER_VARIABLES, step["name"]


def test_by_default_the_action_installs_its_own_checkout():
    assert action()["inputs"]["version"]["default"] == ""
    install = next(s for s in steps() if s.get("id") == "install")["run"]
    assert 'spec="$GITHUB_ACTION_PATH"' in install
    assert 'spec="meshlint==$MESHLINT_VERSION"' in install


def test_pip_downloads_are_cached_by_the_actions_pyproject():
    key = next(s for s in steps() if s.get("id") == "pip-cache")["run"]
    assert '"$GITHUB_ACTION_PATH/pyproject.toml"' in key
    cache = next(s for s in steps() if s.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["key"] == "${{ steps.pip-cache.outputs.key }}"


def test_third_party_actions_are_pinned_to_commits():
    for step in steps():
        if "uses" in step:
            assert re.fullmatch(r"[\w./-]+@[0-9a-f]{40}", step["uses"]), step["uses"]


def test_sarif_upload_runs_even_when_the_lint_failed():
    upload = next(s for s in steps() if "upload-sarif" in s.get("uses", ""))
    assert "always()" in upload["if"] and "inputs.upload-sarif == 'true'" in upload["if"]
    assert set(upload["with"]) == {"sarif_file", "category"}


def test_the_permission_code_scanning_needs_is_documented():
    assert "security-events: write" in ACTION.read_text()
    assert "security-events: write" in (REPO / "README.md").read_text()


# -- running the steps -------------------------------------------------------------------------


@dataclass
class StepRun:
    name: str
    ran: bool
    returncode: int = 0
    stdout: str = ""
    stderr: str = ""
    summary: str = ""
    uses: str | None = None
    with_: dict = field(default_factory=dict)


@dataclass
class ActionRun:
    steps: list[StepRun]
    outputs: dict[str, dict[str, str]]

    @property
    def exit_code(self) -> int:
        """The composite action's result: the code of the first step that failed."""
        return next((s.returncode for s in self.steps if s.ran and s.returncode), 0)

    def step(self, name: str) -> StepRun:
        return next(s for s in self.steps if s.name == name)

    @property
    def summary(self) -> str:
        return "".join(s.summary for s in self.steps)


class Runner:
    """Runs the action's steps as the Actions runner would: each ``run:`` script with
    ``bash --noprofile --norc -eo pipefail``, its ``env:`` evaluated, fresh
    ``GITHUB_OUTPUT``/``GITHUB_STEP_SUMMARY`` files per step, outputs read back for
    ``steps.<id>.outputs``. ``uses:`` steps are recorded, not run."""

    def __init__(
        self,
        workspace: Path,
        temp: Path,
        inputs: dict[str, str],
        action_path: Path,
        event: dict | None = None,
    ):
        defaults = {k: str(v.get("default", "")) for k, v in action()["inputs"].items()}
        unknown = set(inputs) - set(defaults)
        assert not unknown, f"not inputs of the action: {unknown}"
        self.inputs = {**defaults, **inputs}
        self.workspace, self.temp, self.action_path = workspace, temp, action_path
        self.outputs: dict[str, dict[str, str]] = {}
        self.event = temp / "event.json"
        self.event.write_text(json.dumps(event or {}))

    def value(self, expression: str) -> str:
        parts = expression.split(".")
        if parts[0] == "inputs":
            return self.inputs[parts[1]]
        if parts[0] == "steps" and parts[2] == "outputs":
            return self.outputs.get(parts[1], {}).get(parts[3], "")
        if expression == "github.action_path":
            return str(self.action_path)
        raise AssertionError(f"the test runner does not know {expression!r}")

    def evaluate(self, text: str) -> str:
        return EXPRESSION.sub(lambda m: self.value(m.group(1)), str(text))

    def condition(self, text: str | None, failed: bool) -> bool:
        """``always()``, ``a == 'x'`` and ``a != 'x'`` joined by ``&&``: all that the
        action uses. No condition means success()."""
        if text is None:
            return not failed
        body = EXPRESSION.fullmatch(text.strip())
        terms = [t.strip() for t in (body.group(1) if body else text).split("&&")]
        result = "always()" in terms or not failed
        for term in terms:
            if term == "always()":
                continue
            match = re.fullmatch(r"([\w.-]+)\s*(==|!=)\s*'([^']*)'", term)
            assert match, f"the test runner cannot evaluate {term!r}"
            left, op, right = match.groups()
            result = result and ((self.value(left) == right) == (op == "=="))
        return result

    def environment(self, step: dict, index: int) -> dict[str, str]:
        output = self.temp / f"output-{index}"
        summary = self.temp / f"summary-{index}"
        output.touch()
        summary.touch()
        base = {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "HOME": os.environ.get("HOME", str(self.temp)),
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_ACTION_PATH": str(self.action_path),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REPOSITORY": "example/mesh",
            "GITHUB_SHA": "0123abc",
            "RUNNER_TEMP": str(self.temp),
            "RUNNER_OS": "Linux",
            "GITHUB_EVENT_PATH": str(self.event),
        }
        declared = {k: self.evaluate(v) for k, v in (step.get("env") or {}).items()}
        return {**base, **declared}

    def run(self, *, preinstalled: str | None = None) -> ActionRun:
        """Run every step; with ``preinstalled``, skip the install step and use that
        meshlint executable as its output (no package index needed)."""
        results: list[StepRun] = []
        failed = False
        for index, step in enumerate(steps()):
            name = step["name"]
            if not self.condition(step.get("if"), failed):
                results.append(StepRun(name, ran=False))
                continue
            if "uses" in step:
                with_ = {k: self.evaluate(v) for k, v in (step.get("with") or {}).items()}
                results.append(StepRun(name, ran=True, uses=step["uses"], with_=with_))
                continue
            if preinstalled and step.get("id") == "install":
                self.outputs["install"] = {"meshlint": preinstalled}
                results.append(StepRun(name, ran=True))
                continue
            results.append(self.run_script(step, index))
            failed = failed or results[-1].returncode != 0
        return ActionRun(results, self.outputs)

    def run_script(self, step: dict, index: int) -> StepRun:
        script = self.temp / f"step-{index}.sh"
        script.write_text(step["run"])
        env = self.environment(step, index)
        cwd = self.workspace / self.evaluate(step.get("working-directory", "."))
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        outputs = dict(
            line.split("=", 1)
            for line in Path(env["GITHUB_OUTPUT"]).read_text().splitlines()
            if "=" in line
        )
        if step.get("id"):
            self.outputs[step["id"]] = outputs
        summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
        return StepRun(step["name"], True, done.returncode, done.stdout, done.stderr, summary)


MESHLINT = shutil.which("meshlint", path=str(Path(sys.executable).parent))


@pytest.fixture
def workspace(tmp_path):
    """A checked-out repository with the broken bookinfo example under k8s/."""
    root = tmp_path / "workspace"
    shutil.copytree(EXAMPLE, root / "k8s")
    (tmp_path / "runner-temp").mkdir()
    return root


def run_action(workspace: Path, event: dict | None = None, **inputs: str) -> ActionRun:
    inputs = {k.replace("_", "-"): v for k, v in inputs.items()}
    runner = Runner(workspace, workspace.parent / "runner-temp", inputs, REPO, event)
    return runner.run(preinstalled=MESHLINT)


pytestmark = pytest.mark.skipif(
    shutil.which("bash") is None or MESHLINT is None, reason="needs bash and meshlint"
)


def test_broken_manifests_annotate_upload_summarise_and_fail(workspace):
    run = run_action(workspace, upload_sarif="true")
    assert run.exit_code == 1
    lint = run.step("Lint")
    assert lint.stdout.startswith("::error file=k8s/virtual-services.yaml,line=12,col=17,")
    sarif_file = run.outputs["lint"]["sarif-file"]
    assert sarif_file == str(workspace / "meshlint.sarif")
    log = json.loads(Path(sarif_file).read_text())
    (result,) = log["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "k8s/virtual-services.yaml", "uriBaseId": "%SRCROOT%"}
    assert log["runs"][0]["automationDetails"]["id"] == "meshlint/"
    upload = run.step("Upload SARIF to code scanning")
    assert upload.ran and upload.with_ == {"sarif_file": sarif_file, "category": "meshlint"}
    assert run.outputs["lint"]["exit-code"] == "1"
    assert run.step("Exit with meshlint's exit code").returncode == 1
    assert run.summary.startswith("### meshlint: 1 error, 0 warnings")
    assert (
        "[k8s/virtual\\-services.yaml:12:17]" not in run.summary
        and "(https://github.com/example/mesh/blob/0123abc/k8s/virtual-services.yaml#L12)"
        in run.summary
    )


def test_clean_manifests_pass_and_nothing_is_uploaded_unless_asked(workspace):
    (workspace / "k8s" / "virtual-services.yaml").write_text(CLEAN_VS)
    run = run_action(workspace)
    assert run.exit_code == 0
    assert run.step("Lint").stdout == ""
    assert not run.step("Upload SARIF to code scanning").ran
    assert json.loads((workspace / "meshlint.sarif").read_text())["runs"][0]["results"] == []
    assert run.summary.startswith("### meshlint: no findings")


def test_working_directory_threshold_format_and_category(workspace):
    run = run_action(
        workspace,
        working_directory="k8s",
        paths="virtual-services.yaml destination-rules.yaml services.yaml",
        failure_threshold="none",
        format="text",
        sarif_file="reports.sarif",
        category="meshlint/k8s",
    )
    assert run.exit_code == 0
    assert "virtual-services.yaml:12:17: error ML104" in run.step("Lint").stdout
    log = json.loads((workspace / "k8s" / "reports.sarif").read_text())
    assert log["runs"][0]["automationDetails"]["id"] == "meshlint/k8s/"
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"] == "k8s/virtual-services.yaml"


@pytest.mark.parametrize(
    "inputs",
    [
        {"paths": "k8s $(touch pwned1) `touch pwned2`; touch pwned3 * "},
        {"args": "--no-color; touch pwned4 $(touch pwned5)"},
    ],
    ids=["paths", "args"],
)
def test_inputs_are_data_never_shell(workspace, inputs):
    run = run_action(workspace, **inputs)
    assert not any(workspace.rglob("pwned*")) and not any(Path.cwd().glob("pwned*"))
    assert run.exit_code == 2  # meshlint was handed the words as arguments and refused them
    assert "Error:" in run.step("Lint").stderr


def test_no_sarif_file_means_no_upload(workspace):
    run = run_action(workspace, sarif_file="", upload_sarif="true")
    assert run.exit_code == 1
    assert "sarif-file" not in run.outputs["lint"]
    assert not run.step("Upload SARIF to code scanning").ran


@pytest.mark.network
def test_the_install_step_installs_the_actions_own_checkout(workspace, tmp_path):
    """The whole action, install step included, from a copy of this working tree."""
    from test_precommit import copy_repository

    action_path = copy_repository(tmp_path / "action")
    runner = Runner(workspace, workspace.parent / "runner-temp", {}, action_path)
    run = runner.run()
    install = run.step("Install meshlint")
    assert install.returncode == 0, install.stderr
    assert run.outputs["install"]["meshlint"].startswith(str(workspace.parent / "runner-temp"))
    (direct_url,) = (workspace.parent / "runner-temp" / "meshlint-venv").rglob(
        "meshlint-*.dist-info/direct_url.json"
    )
    assert json.loads(direct_url.read_text())["url"] == action_path.as_uri()
    assert run.exit_code == 1
    assert run.step("Lint").stdout.startswith("::error file=k8s/virtual-services.yaml,line=12,")


def pull_request(head: str, base: str = "example/mesh") -> dict:
    return {
        "pull_request": {"head": {"repo": {"full_name": head}}},
        "repository": {"full_name": base},
    }


def test_a_pull_request_from_a_fork_skips_the_upload_with_a_notice(workspace):
    run = run_action(workspace, pull_request("someone/mesh"), upload_sarif="true")
    check = run.step("Check that the token may upload SARIF")
    assert check.stdout.startswith("::notice title=meshlint::SARIF not uploaded: a pull request")
    assert not run.step("Upload SARIF to code scanning").ran
    assert run.exit_code == 1  # the lint's own result still decides


def test_a_pull_request_from_the_same_repository_uploads(workspace):
    run = run_action(workspace, pull_request("example/mesh"), upload_sarif="true")
    assert run.step("Upload SARIF to code scanning").ran


def test_args_are_one_argument_per_line(workspace):
    run = run_action(workspace, args="--ignore\nML104\n\n--external-host=*.example.com\n")
    assert run.exit_code == 0, run.step("Lint").stderr
    spaced = run_action(workspace, args="--ignore ML104")
    assert spaced.exit_code == 2  # one argument, "--ignore ML104": not an option
