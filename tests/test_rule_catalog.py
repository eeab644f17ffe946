"""The rules' catalogue: runs select rules and skip absent kinds without importing rule
modules, and that is only sound while every rule reports on the kinds it declares."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from meshlint.config.pack_catalog import lazy_pack_rules
from meshlint.config.policy_files import pack_rules
from meshlint.engine.catalog import lazy_rules, reads_any
from meshlint.engine.docs import examples
from meshlint.engine.registry import builtin_rules, discover_builtin_rules
from meshlint.pipeline.lint import LintOptions, lint

REPO = Path(__file__).resolve().parents[1]


def test_catalogue_is_up_to_date():
    run = subprocess.run(
        [sys.executable, str(REPO / "tools" / "gen_rule_catalog.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr + "\nregenerate with: python tools/gen_rule_catalog.py"


def test_catalogue_lists_every_rule_class_of_the_package():
    assert builtin_rules() == discover_builtin_rules()


def test_catalogue_entry_selects_and_filters_like_its_class():
    for lazy, rule in zip(lazy_rules(), builtin_rules(), strict=True):
        assert (lazy.id, lazy.name, lazy.names()) == (rule.id, rule.name, rule.names())
        assert (lazy.kinds, lazy.checked_kinds()) == (rule.kinds, rule.checked_kinds())
        assert (lazy.opt_in, lazy.input_rule) == (rule.opt_in, rule.input_rule)
        assert lazy.load() is rule and lazy.severity is rule.severity


def test_linting_a_virtual_service_imports_only_the_rules_that_read_it(tmp_path):
    (tmp_path / "vs.yaml").write_text(
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\n"
        "metadata: {name: reviews, namespace: default}\n"
        "spec:\n  hosts: [reviews]\n  http:\n  - route:\n    - destination: {host: reviews}\n"
    )
    script = (
        "import sys\nfrom meshlint.pipeline.lint import LintOptions, lint\n"
        f"lint(LintOptions(paths=[{str(tmp_path / 'vs.yaml')!r}]))\n"
        "print('\\n'.join(m for m in sys.modules if m.startswith('meshlint.rules.')))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    imported = set(run.stdout.split())
    needed = {
        r.module for r in lazy_rules() if not r.input_rule and reads_any(r, {"VirtualService"})
    }
    assert needed <= imported
    skipped = {r.module for r in lazy_rules()} - imported
    assert {
        "meshlint.rules.sidecar.namespace_default",
        "meshlint.rules.authz.workload_selector",
    } <= skipped


def test_a_rule_that_reads_every_kind_runs_whatever_it_reports_on():
    """ML961 reports on MeshNetworks, which the istio ConfigMap only implies: reading every
    kind, it is loaded for any input."""
    [rule] = [r for r in lazy_rules() if r.id == "ML961"]
    assert (rule.kinds, rule.checked_kinds()) == ((), ("MeshNetworks",))
    assert reads_any(rule, {"ConfigMap"}) and reads_any(rule, {"VirtualService"})


def _bad_examples() -> list[tuple[str, str]]:
    return [
        (f"{rule.id}-{i}.yaml", example.text)
        for rule in builtin_rules()
        for i, example in enumerate(examples(rule, "Example"))
        if "# cluster:" not in example.text
    ]


@pytest.mark.parametrize(("name", "text"), _bad_examples(), ids=lambda v: v[:12])
def test_rules_report_only_on_the_kinds_they_read(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    result = lint(LintOptions(paths=[str(tmp_path / name)]))
    for finding in result.findings:
        rule, resource = finding.rule, finding.resource
        checked = rule.checked_kinds()  # its targets when it declares them, else its kinds
        if rule.input_rule or resource is None or not checked:
            continue
        assert resource.kind in checked, f"{rule.id} reported on a {resource.kind}"


def test_pack_entries_select_and_filter_like_the_compiled_policies():
    for lazy, rule in zip(lazy_pack_rules(), pack_rules(), strict=True):
        assert (lazy.id, lazy.name, lazy.names()) == (rule.id, rule.name, rule.names())
        assert (lazy.kinds, lazy.checked_kinds()) == (rule.kinds, rule.checked_kinds())
        assert (lazy.opt_in, lazy.input_rule, lazy.pack) == (True, False, rule.pack)
        assert lazy.load() is rule and lazy.source == rule.source
