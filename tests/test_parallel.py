"""Checking rules in several processes gives exactly the findings of one process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
from click.testing import CliRunner

from meshlint.cli import cli
from meshlint.engine.docs import examples
from meshlint.engine.registry import builtin_rules
from meshlint.loader.yaml_reader import Limits
from meshlint.pipeline import lint as lint_module
from meshlint.pipeline import parallel
from meshlint.pipeline.lint import LintOptions, lint, load_inputs

from conftest import REPO

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


@pytest.fixture
def examples_dir(tmp_path):
    """Every rule's bad examples, one file each: findings of nearly every rule, with
    related locations and fixes."""
    for rule in builtin_rules():
        for i, example in enumerate(examples(rule, "Example")):
            if "# cluster:" not in example.text:
                (tmp_path / f"{rule.id}-{i}.yaml").write_text(example.text)
    return tmp_path


def _summary(result) -> list[tuple]:
    return [
        (
            f.rule.id,
            f.message,
            f.severity,
            str(f.location),
            f.resource.key if f.resource else None,
            [(str(r.location), r.message) for r in f.related],
            [(x.title, x.edits) for x in f.fixes],
        )
        for f in result.findings
    ]


def test_three_processes_find_what_one_finds(examples_dir, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_RESOURCES", 0)
    one = lint(LintOptions(paths=[str(examples_dir)], jobs=1))
    three = lint(LintOptions(paths=[str(examples_dir)], jobs=3))
    assert len({f.rule.id for f in one.findings}) > 100
    assert _summary(three) == _summary(one)


def test_findings_of_a_failed_child_are_checked_again_in_the_parent(examples_dir, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_RESOURCES", 0)

    def fail(finding, by_id):
        raise RuntimeError("the child cannot send its findings")

    one = lint(LintOptions(paths=[str(examples_dir)], jobs=1))
    monkeypatch.setattr(parallel, "_encode", fail)
    two = lint(LintOptions(paths=[str(examples_dir)], jobs=2))
    assert _summary(two) == _summary(one)


def test_small_meshes_stay_in_one_process(examples_dir, monkeypatch):
    monkeypatch.setattr(parallel, "_fork", None)  # a fork would fail loudly
    result = lint(LintOptions(paths=[str(examples_dir / "ML104-0.yaml")], jobs=4))
    assert {f.rule.id for f in result.findings} >= {"ML104"}


def test_shares_of_work_are_balanced_and_cover_every_rule(examples_dir):
    result = lint(LintOptions(paths=[str(examples_dir)]))
    rules = [rule() for rule in builtin_rules() if not rule.input_rule]
    shares = parallel.split(result.mesh, rules, 3)
    assert sorted(r.id for share in shares for r in share) == sorted(r.id for r in rules)
    assert min(len(s) for s in shares) > len(rules) / 6


def test_jobs_flag_on_the_command_line(examples_dir, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_RESOURCES", 0)
    outputs = []
    for jobs in ("1", "2"):
        run = CliRunner().invoke(
            cli, ["lint", "--no-config", "-j", jobs, "--format", "json", str(examples_dir)]
        )
        assert run.exit_code == 1, run.output
        outputs.append(json.loads(run.stdout)["findings"])
    assert outputs[0] == outputs[1]


def test_output_does_not_depend_on_hash_seeds_or_addresses(examples_dir):
    command = [sys.executable, "-m", "meshlint", "lint", "--no-config", "--format", "json"]
    outputs = []
    for seed in ("1", "2"):
        run = subprocess.run(
            [*command, str(examples_dir)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.append(run.stdout)
    assert outputs[0] == outputs[1]


def test_files_parsed_in_three_processes_are_those_parsed_in_one(examples_dir, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    monkeypatch.setenv("MESHLINT_PURE_YAML", "1")  # only the Python path parses in processes
    (examples_dir / "broken.yaml").write_text("kind: [\n")
    one = load_inputs(LintOptions(paths=[str(examples_dir)], jobs=1)).loaded
    three = load_inputs(LintOptions(paths=[str(examples_dir)], jobs=3)).loaded
    assert [f.path for f in three] == [f.path for f in one]
    assert [f.problems for f in three] == [f.problems for f in one]
    for a, b in zip(one, three, strict=True):
        assert [(r.key, r.body) for r in a.resources] == [(r.key, r.body) for r in b.resources]
        spans = [(r.body.span, r.body.key_spans, r.body.value_spans) for r in a.resources]
        assert [(r.body.span, r.body.key_spans, r.body.value_spans) for r in b.resources] == spans


def test_work_is_shared_in_contiguous_shares_of_about_equal_size():
    items = list(range(10))
    shares = parallel._contiguous(items, [1] * 10, [1.0, 1.0, 1.0])
    assert [x for share in shares for x in share] == items
    assert [len(s) for s in shares] == [4, 3, 3]
    assert [len(s) for s in parallel._contiguous(items, [1] * 10, [1.5, 1.0])] == [6, 4]


def _die_in_children(function):
    """``function``, except that in a forked child it kills its own process."""
    parent = os.getpid()

    def dying(*args, **kwargs):
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return function(*args, **kwargs)

    return dying


def test_a_worker_killed_while_checking_rules_is_a_warning_on_stderr(examples_dir, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_RESOURCES", 0)
    # without the cache: the second run must check the rules again
    command = ["lint", "--no-config", "--no-cache", "--format", "json", str(examples_dir)]
    one = CliRunner().invoke(cli, command)
    monkeypatch.setattr(parallel, "_encode", _die_in_children(parallel._encode))
    two = CliRunner().invoke(cli, ["lint", "-j", "2", *command[1:]])
    assert json.loads(two.stdout)["findings"] == json.loads(one.stdout)["findings"]
    [warning] = [line for line in two.stderr.splitlines() if "worker" in line]
    assert warning.startswith("meshlint: warning: a worker process was killed by signal 9 with ")
    assert " rules (ML" in warning and warning.endswith("; done again in the main process")


def test_a_worker_killed_while_parsing_is_a_warning(examples_dir, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    monkeypatch.setenv("MESHLINT_PURE_YAML", "1")
    one = lint(LintOptions(paths=[str(examples_dir)], jobs=1))
    monkeypatch.setattr(lint_module, "load_source", _die_in_children(lint_module.load_source))
    two = lint(LintOptions(paths=[str(examples_dir)], jobs=2))
    assert _summary(two) == _summary(one)
    [warning] = two.warnings
    assert warning.startswith("a worker process was killed by signal 9 with ")
    assert " files (" in warning


def test_the_native_reader_parses_in_the_main_process(examples_dir, monkeypatch):
    pytest.importorskip("meshlint.loader.native", reason="the extension was not compiled")
    monkeypatch.delenv("MESHLINT_PURE_YAML", raising=False)
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(lint_module, "load_source", _die_in_children(lint_module.load_source))
    assert lint(LintOptions(paths=[str(examples_dir)], jobs=2)).warnings == []


@pytest.mark.timeout(120, method="thread")
def test_a_file_that_never_ends_is_bounded_by_the_time_budget(examples_dir, monkeypatch):
    """A FIFO named like a manifest blocks whoever opens it: within the per-file budget it
    is given up as a finding, in a worker process or in the main one."""
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    os.mkfifo(examples_dir / "fifo.yaml")
    limits = Limits(max_seconds_per_file=1)
    result = lint(LintOptions(paths=[str(examples_dir)], jobs=2, limits=limits))
    stuck = [f for f in result.findings if f.location.file.endswith("fifo.yaml")]
    assert [f.rule.input_rule for f in stuck] == [True]
    assert len({f.rule.id for f in result.findings}) > 100


def test_parsing_within_the_time_budget_or_a_finding(tmp_path):
    """A megabyte of manifests cannot be parsed in a millisecond: past the budget the file
    is skipped with a finding at its first line."""
    route = (REPO / "examples" / "bookinfo-broken" / "virtual-services.yaml").read_text()
    (tmp_path / "big.yaml").write_text("---\n".join([route] * 2000))
    result = lint(LintOptions(paths=[str(tmp_path)], limits=Limits(max_seconds_per_file=0.001)))
    assert [(f.rule.name, f.location.line) for f in result.findings] == [("input-limit", 1)]
    assert "took longer than 0.001 s" in result.findings[0].message
