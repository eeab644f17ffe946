"""Each command as a newcomer meets it: its own options in its help, suggestions for a
mistyped command or rule, and one rule count everywhere."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from meshlint.cli import cli

LINT_ONLY = ("--write-baseline", "--show-suppressed", "--failure-threshold", "--statistics")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("command", ["graph", "lsp"])
def test_help_lists_only_the_commands_own_options(command):
    text = run(command, "--help").output
    assert "--select" in text
    for option in LINT_ONLY:
        assert option not in text


def test_lint_help_lists_its_reporting_options():
    text = run("lint", "--help").output
    for option in (*LINT_ONLY, "--quiet", "--show-info", "--helm"):
        assert option in text


def test_a_mistyped_command_suggests_the_right_one():
    result = run("lnt")
    assert result.exit_code == 2
    assert "no such command 'lnt'; did you mean \"lint\"?" in result.output


@pytest.mark.parametrize(
    ("name", "suggested"), [("vs-subset-not-foud", "vs-subset-not-found"), ("ML1O4", "ML104")]
)
def test_explain_suggests_the_rule_meant(name, suggested):
    result = run("explain", name)
    assert result.exit_code == 2
    assert f'did you mean "{suggested}"?' in result.output


def test_rule_counts_agree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "svc.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n")
    listed = run("rules", "--no-config")
    on = int(re.search(r"(\d+) on by default", listed.stderr).group(1))
    assert len(listed.stdout.splitlines()) == int(listed.stderr.split()[0])
    verbose = run("lint", "--no-config", "-v", "svc.yaml")
    assert f"checked with {on} rules" in verbose.stderr


def test_an_exclude_that_matches_nothing_warns(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "svc.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n")
    result = run("lint", "--no-config", "--exclude", "vendr", "--exclude", "svc.yaml", ".")
    assert "meshlint: warning: --exclude / exclude: 'vendr' matches no file" in result.stderr
    assert "'svc.yaml'" not in result.stderr
