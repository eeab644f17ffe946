"""Input built to hang or blow up meshlint: each attack is reproduced and contained, a
finding at its location instead. The time bound is the test's timeout, not an assertion."""

from __future__ import annotations

import json

import pytest
from test_config import meshlint_process
from test_robustness import findings, lint_dir, with_neighbour

from meshlint.apiserver.plan import plan_for
from meshlint.apiserver.rules import Budget, rule_violations
from meshlint.cel import Scope

pytestmark = pytest.mark.timeout(120)

#: Ten lists of ten, each made of the one before: 10^9 nodes once expanded (524 bytes).
BOMB_ANCHORS = "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}' if i else 'x'] * 10)}]\n" for i in range(9)
)


def test_alias_bomb_used_as_a_key_is_caught_before_it_is_turned_into_text(tmp_path):
    bomb = BOMB_ANCHORS + "? *a8\n: boom\n"
    run, report = lint_dir(with_neighbour(tmp_path, "bomb.yaml", bomb.encode()))
    assert run.returncode in (1, 3)
    assert [f[:3] for f in findings(report) if f[1] == "bomb.yaml"] == [
        ("input-limit", "bomb.yaml", 9)
    ]
    assert ("vs-subset-not-found", "vs.yaml", 12, 17) in findings(report)


def test_alias_bombs_spread_over_many_keys_share_one_budget(tmp_path):
    keys = "".join(f"? [{i}, *a5]\n: boom\n" for i in range(20))
    _, report = lint_dir(with_neighbour(tmp_path, "bomb.yaml", (BOMB_ANCHORS + keys).encode()))
    bad = [f for f in findings(report) if f[1] == "bomb.yaml"]
    assert [f[0] for f in bad] == ["input-limit"]


def test_a_key_that_contains_itself_is_a_finding(tmp_path):
    _, report = lint_dir(with_neighbour(tmp_path, "loop.yaml", b"? &k [1, *k]\n: x\n"))
    assert ("input-limit", "loop.yaml", 1, 3) in findings(report)


@pytest.mark.parametrize(
    "number",
    ["0x" + "f" * 5000, "9" * 5000, "0b" + "1" * 5000, '"' + "9" * 5000 + '"'],
    ids=["hex", "decimal", "binary", "quoted"],
)
def test_a_huge_port_is_a_schema_finding(tmp_path, number):
    service = (
        "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n"
        f"spec:\n  ports:\n  - name: http\n    port: {number}\n"
    )
    _, report = lint_dir(with_neighbour(tmp_path, "svc.yaml", service.encode()))
    assert "internal-error" not in {f[0] for f in findings(report)}
    assert ("schema-violation", "svc.yaml", 7, 11) in findings(report)


NAMED_ROUTE = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
  http:
  - name: {name}
    route:
    - destination: {{host: reviews}}
"""


def pattern_policy(pattern: str, where: str = "pattern") -> str:
    """A policy on route names: ``pattern`` as their pattern, or as the one key a
    mapping-valued name may have."""
    schema = (
        f"pattern: '{pattern}'"
        if where == "pattern"
        else f"patternProperties: {{'{pattern}': {{}}}}\n"
        + " " * 20
        + "additionalProperties: false"
    )
    return f"""\
select: [route-names]
policies:
- id: route-names
  kinds: [VirtualService]
  message: route names are lowercase words
  schema:
    properties:
      spec:
        properties:
          http:
            items:
              properties:
                name:
                    {schema}
"""


@pytest.mark.parametrize("where", ["pattern", "patternProperties"])
def test_a_backtracking_policy_pattern_runs_in_linear_time(tmp_path, where):
    name = '"' + "a" * 5000 + '!"' if where == "pattern" else "{? " + "a" * 5000 + "! : 1}"
    (tmp_path / ".git").mkdir()
    (tmp_path / ".meshlint.yaml").write_text(pattern_policy("^(a+)+$", where))
    (tmp_path / "vs.yaml").write_text(NAMED_ROUTE.format(name=name))
    run = meshlint_process("lint", "--format", "json", "vs.yaml", cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    assert [f[:3] for f in findings(json.loads(run.stdout))] == [("route-names", "vs.yaml", 8)]


def test_a_pattern_re2_rejects_is_a_config_error_naming_the_policy(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".meshlint.yaml").write_text(pattern_policy("^(a)\\1$"))
    (tmp_path / "vs.yaml").write_text(NAMED_ROUTE.format(name="aa"))
    run = meshlint_process("lint", "vs.yaml", cwd=tmp_path)
    assert run.returncode == 2
    assert "policy route-names: invalid RE2 regex '^(a)\\\\1$'" in run.stderr


def test_a_quadratic_rule_is_not_evaluated_on_a_list_past_its_max_items(tmp_path):
    """``self.all(l1, self.exists_one(l2, ...))`` over 10,000 ports: 10^8 steps. The API
    server evaluates no rule on a list longer than its maxItems; the schema says why."""
    ports = "".join(f"  - {{number: {1000 + i}, name: tcp-{i}}}\n" for i in range(10_000))
    entry = (
        "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: many}\n"
        f"spec:\n  hosts: [many.example.com]\n  resolution: DNS\n  ports:\n{ports}"
    )
    _, report = lint_dir(with_neighbour(tmp_path, "se.yaml", entry.encode()))
    schema = [
        f for f in report["findings"] if f["name"] in ("schema-violation", "cel-rule-violation")
    ]
    assert [(f["name"], f["location"]["line"]) for f in schema] == [("schema-violation", 8)]
    assert schema[0]["message"].endswith("may have at most 256 items (has 10000)")


def test_a_rule_over_its_cost_limit_is_a_finding_not_a_hang(tmp_path):
    """A rule on each HTTPRoute rule nests comprehensions over its backendRefs; with 2,000
    of them its cost passes the API server's per-call limit."""
    refs = "".join(f"    - {{name: b{i}, port: 80}}\n" for i in range(2000))
    route = (
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: many}\n"
        f"spec:\n  rules:\n  - backendRefs:\n{refs}"
    )
    _, report = lint_dir(with_neighbour(tmp_path, "route.yaml", route.encode()))
    skipped = [f for f in report["findings"] if f["name"] == "cel-rule-violation"]
    assert skipped and all(f["severity"] == "warning" for f in skipped)
    assert {f["location"]["line"] for f in skipped} == {6}
    assert all(f["message"].startswith("validation rule skipped: too costly") for f in skipped)


def test_rules_stop_once_the_resources_cost_budget_is_spent():
    plan = plan_for("networking.istio.io/v1", "ServiceEntry")
    ports = [{"number": 1000 + i, "name": f"tcp-{i}"} for i in range(10)]
    body = {"spec": {"hosts": ["a.example.com"], "ports": ports}}
    problems = list(rule_violations(plan, body, Scope(), budget=Budget(remaining=100)))
    assert [(p.path, p.skipped) for p in problems] == [(("spec", "ports"), True)]
    assert "no further rules were evaluated" in problems[0].message
