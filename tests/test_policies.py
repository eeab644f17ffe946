"""Declarative policies (config, policy files) and the shipped production pack."""

from __future__ import annotations

import json

import pytest
from test_config import Project, findings

from meshlint.config.policy_files import pack_names, pack_rules
from meshlint.engine.docs import examples

from conftest import REPO

ROUTES = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
  labels: {tier: public}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
    timeout: 2s
  - route:
    - destination: {host: reviews}
"""
#: Line of the second route, the one without a timeout.
UNTIMED = 13
POLICY = """\
- id: require-route-timeout
  severity: error
  kinds: [VirtualService]
  message: every HTTP route needs a timeout
  schema:
    properties:
      spec:
        properties:
          http:
            items:
              required: [timeout]
"""


@pytest.fixture
def project(tmp_path, monkeypatch) -> Project:
    project = Project(tmp_path, monkeypatch)
    project.write("k8s/vs.yaml", ROUTES)
    return project


def config(project: Project, policy: str = POLICY, extra: str = "") -> None:
    indented = "".join(f"  {line}\n" for line in policy.splitlines())
    project.write(
        ".meshlint.yaml", f"select: [require-route-timeout]\n{extra}policies:\n{indented}"
    )


def lint(project: Project, *args: str):
    return project.run("lint", "--format", "json", *args, "k8s")


def test_policy_reports_each_failure_at_the_failing_field(project):
    config(project)
    result = lint(project)
    assert result.exit_code == 1
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["rule"], finding["location"]["line"]) == ("require-route-timeout", UNTIMED)
    assert finding["severity"] == "error"
    assert finding["category"] == "policy"
    assert finding["field"] == "spec.http[1]"
    assert finding["message"].startswith("every HTTP route needs a timeout (")
    assert "timeout" in finding["message"].removeprefix("every HTTP route needs a timeout")


@pytest.mark.parametrize(
    ("selector", "reported"),
    [
        ("namespaces: [shop]", True),
        ("namespaces: [prod-*]", False),
        ("labels: {tier: public}", True),
        ("labels: {tier: internal}", False),
    ],
)
def test_policy_selectors(project, selector, reported):
    config(project, POLICY.replace("  kinds:", f"  {selector}\n  kinds:"))
    assert lint(project).exit_code == (1 if reported else 0)


def test_policies_are_suppressed_like_rules(project):
    lines = ROUTES.splitlines()
    lines[UNTIMED - 1] += "  # meshlint: ignore[require-route-timeout] a stream"
    project.write("k8s/vs.yaml", "\n".join(lines) + "\n")
    config(project)
    result = lint(project, "--show-suppressed")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["findings"][0]["suppressed"] == "a stream"


def test_policy_files_in_both_shapes_relative_to_the_config(project):
    project.write("policies/list.yaml", POLICY)
    indented = "".join(f"  {line}\n" for line in POLICY.replace("require-", "must-").splitlines())
    project.write("policies/mapping.yaml", f"policies:\n{indented}")
    project.write(
        ".meshlint.yaml",
        "select: [require-route-timeout, must-route-timeout]\npolicy-files: [policies/list.yaml]\n",
    )
    result = lint(project, "--policy-file", "policies/mapping.yaml")
    assert sorted(f[0] for f in findings(result)) == ["must-route-timeout", "require-route-timeout"]


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (POLICY.replace("required: [timeout]", "required: timeout"),
         ".meshlint.yaml:13:27: policies[0].schema.properties.spec.properties.http.items"
         ".required: invalid JSON Schema: 'timeout' is not of type 'array'"),
        (POLICY.replace("require-route-timeout", "vs-subset-not-found"),
         "policies: 'vs-subset-not-found' is already built-in rule name"),
        (POLICY.replace("  message: every HTTP route needs a timeout\n", ""),
         ".meshlint.yaml:3:5: policies[0]: missing required key 'message'"),
        (POLICY + POLICY,
         ".meshlint.yaml:14:9: policies[1].id: 'require-route-timeout' is used twice"),
    ],
    ids=["bad-schema", "taken-name", "missing-key", "twice"],
)  # fmt: skip
def test_invalid_policies_are_config_errors(project, policy, expected):
    config(project, policy)
    result = lint(project)
    assert result.exit_code == 2
    assert expected in result.stderr


def test_rules_lists_policies_and_packs_beside_the_builtins(project):
    config(project)
    listed = {r["id"]: r for r in json.loads(project.run("rules", "--format", "json").stdout)}
    assert listed["ML104"]["source"] == "builtin"
    assert listed["require-route-timeout"]["source"] == "policy in .meshlint.yaml"
    assert listed["require-route-timeout"]["category"] == "policy"
    assert listed["MP001"]["source"] == "pack production" and listed["MP001"]["opt_in"]
    text = project.run("rules").stdout
    assert "require-route-timeout" in text and "[pack production, opt-in]" in text
    docs = project.run("explain", "require-route-timeout").stdout
    assert "every HTTP route needs a timeout" in docs and '"required"' in docs


# -- the production pack -----------------------------------------------------------------


def test_production_pack_is_opt_in(project):
    assert "MP001" not in [f[0] for f in findings(lint(project))]
    assert ("MP001", "vs.yaml", UNTIMED) in findings(lint(project, "--profile", "production"))
    assert {f[0] for f in findings(lint(project, "--select", "production"))} == {"MP001"}
    assert {f[0] for f in findings(lint(project, "--select", "route-without-timeout"))} == {"MP001"}
    project.write(".meshlint.yaml", "profile: production\nignore: [MP001]\n")
    assert "MP001" not in [f[0] for f in findings(lint(project))]


def test_unknown_profile_is_a_usage_error(project):
    result = lint(project, "--profile", "prod")
    assert result.exit_code == 2
    assert "unknown profile 'prod'; known: production" in result.stderr


def test_the_pack_covers_what_production_users_ask_for():
    assert "production" in pack_names()
    kinds = {k for rule in pack_rules() for k in rule.kinds}
    assert kinds == {
        "VirtualService",
        "DestinationRule",
        "Gateway",
        "PeerAuthentication",
        "AuthorizationPolicy",
        "EnvoyFilter",
    }


def test_shipped_packs_are_valid_policy_files():
    from meshlint.config.schema import schema_problems
    from meshlint.config.source import read_yaml
    from meshlint.policy.rule import check_policy_schema

    folder = REPO / "meshlint" / "data" / "policies"
    for file in folder.glob("*.yaml"):
        source = read_yaml(str(file), file.read_text())
        assert schema_problems(source.data, source, ref="policyFile") == []
    for rule in pack_rules():
        check_policy_schema(rule.schema)


PACK = pack_rules()


@pytest.mark.parametrize("rule", PACK, ids=lambda r: r.id)
def test_pack_policy_examples(lint_yaml, rule):
    (bad,) = examples(rule, "Example")
    (good,) = examples(rule, "Use instead")
    result = lint_yaml("bad.yaml", bad.text, select=[rule.id])
    assert sorted({f.location.line for f in result.findings if f.rule is rule}) == (
        bad.expected_lines
    )
    result = lint_yaml("good.yaml", good.text, select=[rule.id])
    assert [f.message for f in result.findings if f.rule is rule] == []
