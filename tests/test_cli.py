"""The real ``meshlint`` command: output formats, exit codes, and the bookinfo sample."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, SHARED, needs_shared

BOOKINFO = SHARED / "reference" / "samples" / "bookinfo"
EXAMPLE = REPO / "examples" / "bookinfo-broken"
NEXT_VS_RATINGS = (
    "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: ratings"
)


def meshlint(*args: str, stdin: str | None = None, cwd: Path | None = None):
    return subprocess.run(
        [sys.executable, "-m", "meshlint", *args],
        capture_output=True,
        text=True,
        input=stdin,
        cwd=cwd,
        timeout=120,
    )


@needs_shared()
def test_bookinfo_is_clean():
    run = meshlint("lint", "--format", "json", str(BOOKINFO))
    assert run.returncode == 0, run.stdout
    severe = [f for f in json.loads(run.stdout)["findings"] if f["severity"] != "info"]
    assert severe == []


@pytest.fixture
def broken_bookinfo(tmp_path):
    if not BOOKINFO.is_dir():
        pytest.skip("../shared is not present")
    for name in ("app.yaml", "gateway.yaml", "destination-rules.yaml", "virtual-services.yaml"):
        shutil.copy(BOOKINFO / name, tmp_path / name)

    def edit(name: str, old: str, new: str) -> None:
        path = tmp_path / name
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new, 1))

    return tmp_path, edit


def _json(run) -> list[tuple[str, str, str, int]]:
    data = json.loads(run.stdout)
    return [
        (
            f["name"],
            f"{f['resource']['kind']} {f['resource']['namespace']}/{f['resource']['name']}",
            Path(f["location"]["file"]).name,
            f["location"]["line"],
        )
        for f in data["findings"]
        if f["severity"] != "info"
    ]


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "virtual-services.yaml",
            "subset: v1\n---\n" + NEXT_VS_RATINGS,
            "subset: v4\n---\n" + NEXT_VS_RATINGS,
            ("vs-subset-not-found", "VirtualService default/reviews", "virtual-services.yaml", 25),
        ),
        (
            "virtual-services.yaml",
            "host: ratings\n",
            "host: ratingz\n",
            (
                "vs-destination-host-not-found",
                "VirtualService default/ratings",
                "virtual-services.yaml",
                37,
            ),
        ),
        (
            "gateway.yaml",
            "  - bookinfo-gateway",
            "  - bookinfo-gatewy",
            [  # istioctl reports IST0101 and IST0132 (a Warning) for a missing gateway
                ("vs-gateway-not-found", "VirtualService default/bookinfo", "gateway.yaml", 26),
                ("vs-host-not-in-gateway", "VirtualService default/bookinfo", "gateway.yaml", 26),
            ],
        ),
        (
            "gateway.yaml",
            "istio: ingressgateway",
            "istio: ingresgateway",
            ("gateway-selector-no-workload", "Gateway default/bookinfo-gateway", "gateway.yaml", 9),
        ),
        (
            "gateway.yaml",
            "number: 8080",
            "number: 8081",
            ("gateway-port-not-on-service", "Gateway default/bookinfo-gateway", "gateway.yaml", 12),
        ),
    ],
    ids=["subset", "destination-host", "gateway-ref", "gateway-selector", "gateway-port"],
)
def test_bookinfo_mistakes_are_reported_on_the_right_line(
    broken_bookinfo, file, old, new, expected
):
    directory, edit = broken_bookinfo
    edit(file, old, new)
    run = meshlint("lint", "--format", "json", str(directory))
    assert run.returncode == 1, run.stderr
    assert _json(run) == (expected if isinstance(expected, list) else [expected])


def test_text_output_names_file_line_rule_and_resource():
    run = meshlint("lint", "--no-color", str(EXAMPLE))
    assert run.returncode == 1
    first = run.stdout.splitlines()[0]
    assert first.startswith(f"{EXAMPLE / 'virtual-services.yaml'}:")
    assert "ML104 [vs-subset-not-found]" in first and "[VirtualService default/reviews]" in first
    related = run.stdout.splitlines()[3]
    assert related.startswith("    = " + str(EXAMPLE / "destination-rules.yaml") + ":")


def test_json_contract():
    run = meshlint("lint", "--format", "json", str(EXAMPLE))
    data = json.loads(run.stdout)
    assert data["version"] == 1
    finding = data["findings"][0]
    assert set(finding) >= {
        "rule",
        "name",
        "severity",
        "category",
        "message",
        "resource",
        "location",
        "field",
        "equivalents",
        "related",
    }
    assert set(finding["location"]) == {"file", "line", "column", "end_line", "end_column"}
    assert finding["equivalents"] == {"istio": "IST0101", "kiali": "KIA1107"}
    assert finding["related"][0]["resource"]["kind"] == "DestinationRule"
    assert run.stderr == ""


def test_stdin_is_read_with_dash():
    text = (EXAMPLE / "virtual-services.yaml").read_text()
    text += "---\n" + (EXAMPLE / "destination-rules.yaml").read_text()
    run = meshlint("lint", "--format", "json", "-", stdin=text, cwd=REPO)
    assert run.returncode == 1
    assert {f["location"]["file"] for f in json.loads(run.stdout)["findings"]} == {"-"}


def test_exit_codes():
    assert meshlint("lint", "does/not/exist.yaml").returncode == 2
    assert meshlint("lint", "--bogus-flag", str(EXAMPLE)).returncode == 2
    assert meshlint("lint", "--failure-threshold", "none", str(EXAMPLE)).returncode == 0


def test_unparsable_input_alone_exits_3(tmp_path):
    (tmp_path / "bad.yaml").write_text("a: [\n")
    run = meshlint("lint", str(tmp_path))
    assert run.returncode == 3
    assert "bad.yaml:2:1: error ML003" in run.stdout
    assert "Traceback" not in run.stderr


def test_rules_and_explain():
    listed = json.loads(meshlint("rules", "--format", "json").stdout)
    subset = next(r for r in listed if r["name"] == "vs-subset-not-found")
    assert subset["equivalents"]["analyzer"] == "virtualservice.DestinationRuleAnalyzer"
    for name in ("ML104", "vs-subset-not-found"):
        docs = meshlint("explain", name).stdout
        assert docs.startswith("ML104 vs-subset-not-found") and "## Why it matters" in docs
    assert meshlint("explain", "nope").returncode == 2


def test_verbose_says_what_was_assumed():
    run = meshlint("lint", "-v", str(EXAMPLE))
    assert "assumed gateway istio-system/istio-ingressgateway" in run.stderr
