"""Hostile and broken input: each class gives a clear finding at its location, exit 1 or 3,
no traceback, and a known finding in a neighbouring file still appears."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

NEIGHBOUR = (REPO / "examples" / "bookinfo-broken" / "virtual-services.yaml").read_text()
DR = (REPO / "examples" / "bookinfo-broken" / "destination-rules.yaml").read_text()


def lint_dir(directory: Path, *extra: str, stdin: str | None = None):
    run = subprocess.run(
        [sys.executable, "-m", "meshlint", "lint", "--format", "json", *extra, str(directory)],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
    )
    assert "Traceback" not in run.stderr, run.stderr
    return run, json.loads(run.stdout) if run.stdout else None


def with_neighbour(tmp_path: Path, name: str, content: bytes) -> Path:
    (tmp_path / "vs.yaml").write_text(NEIGHBOUR)
    (tmp_path / "dr.yaml").write_text(DR)
    (tmp_path / name).write_bytes(content)
    return tmp_path


def findings(report: dict) -> list[tuple[str, str, int, int]]:
    return [
        (
            f["name"],
            Path(f["location"]["file"]).name,
            f["location"]["line"],
            f["location"]["column"],
        )
        for f in report["findings"]
    ]


CASES = {
    "unclosed-bracket": (b"apiVersion: v1\nkind: Service\nmetadata: {name: [a\n", "yaml-syntax", 4),
    "bad-indentation": (
        b"apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n   x: 1\n",
        "yaml-syntax",
        5,
    ),
    "tab-indentation": (b"apiVersion: v1\nkind: Service\nmetadata:\n\tname: a\n", "yaml-syntax", 4),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "unreadable-file", 3),
    "latin-1": (
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caf\xe9}\n",
        "unreadable-file",
        3,
    ),
    "scalar-document": (b"just a string\n", "not-kubernetes", 1),
    "list-document": (b"- a\n- b\n", "not-kubernetes", 1),
    "metadata-wrong-type": (b"apiVersion: v1\nkind: Service\nmetadata: [a]\n", "invalid-object", 3),
    "missing-name": (
        b"apiVersion: v1\nkind: Service\nmetadata:\n  namespace: x\n",
        "invalid-object",
        3,
    ),
    "duplicate-keys": (
        b"apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  name: b\n",
        "duplicate-key",
        5,
    ),
    "helm-template": (
        b"apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Values.name }}\n",
        "helm-template",
        4,
    ),
    "deep-nesting": (
        b"a:\n" + b"".join(b"  " * i + b"b:\n" for i in range(1, 600)),
        "input-limit",
        402,
    ),
    "alias-bomb": (
        b"a: &a [x,x,x,x,x,x,x,x,x,x]\n"
        + b"".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 10)}]\n".encode()
            for i in range(9)
        ),
        "input-limit",
        1,
    ),
    "recursive-alias": (b"a: &a [1, *a]\n", "input-limit", 1),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_class(tmp_path, case):
    content, rule, line = CASES[case]
    name = "templates/bad.yaml" if case == "helm-template" else "bad.yaml"
    (tmp_path / "templates").mkdir()
    run, report = lint_dir(with_neighbour(tmp_path, name, content))
    assert run.returncode in (1, 3)
    bad = [f for f in findings(report) if f[1] == "bad.yaml"]
    assert [(f[0], f[2]) for f in bad] == [(rule, line)], bad
    assert ("vs-subset-not-found", "vs.yaml", 12, 17) in findings(report)


def test_encodings_and_line_endings_keep_positions(tmp_path):
    def named(name: str) -> str:
        return NEIGHBOUR.replace("name: reviews", f"name: {name}")

    for name, data in {
        "crlf.yaml": named("crlf").replace("\n", "\r\n").encode(),
        "bom.yaml": b"\xef\xbb\xbf" + named("bom").encode(),
        "utf16.yaml": named("utf16").encode("utf-16"),
    }.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "dr.yaml").write_text(DR)
    _, report = lint_dir(tmp_path)
    positions = {(f[1], f[2], f[3]) for f in findings(report) if f[0] == "vs-subset-not-found"}
    assert positions == {("crlf.yaml", 12, 17), ("bom.yaml", 12, 17), ("utf16.yaml", 12, 17)}


def test_empty_files_and_documents_are_fine(tmp_path):
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "docs.yaml").write_text("---\n---\n# only a comment\n---\n")
    run, report = lint_dir(tmp_path)
    assert run.returncode == 0 and report["findings"] == []


def test_oversized_file_is_skipped_with_a_finding(tmp_path):
    with_neighbour(tmp_path, "big.yaml", b"a: " + b"x" * 5000 + b"\n")
    _, report = lint_dir(tmp_path, "--max-file-size", "4096")
    assert ("file-too-large", "big.yaml", 1, 1) in findings(report)
    assert ("vs-subset-not-found", "vs.yaml", 12, 17) in findings(report)


def test_symlink_loops_and_dangling_links(tmp_path):
    with_neighbour(tmp_path, "ok.yaml", b"")
    (tmp_path / "loop").symlink_to(tmp_path)
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "missing.yaml")
    _, report = lint_dir(tmp_path)
    names = {(f[0], f[1]) for f in findings(report)}
    assert ("unreadable-file", "dangling.yaml") in names
    assert ("vs-subset-not-found", "vs.yaml") in names


def test_kustomization_is_noted(tmp_path):
    with_neighbour(tmp_path, "kustomization.yaml", b"resources: [vs.yaml]\n")
    _, report = lint_dir(tmp_path)
    assert ("kustomization", "kustomization.yaml", 1, 1) in findings(report)


def test_missing_path_is_a_usage_error(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "meshlint", "lint", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and "does not exist" in run.stderr


def test_stdin_closed_early():
    run = subprocess.run(
        [sys.executable, "-m", "meshlint", "lint", "-"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0 and "Traceback" not in run.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads everything")
def test_unreadable_file(tmp_path):
    with_neighbour(tmp_path, "secret.yaml", b"a: 1\n")
    (tmp_path / "secret.yaml").chmod(0)
    _, report = lint_dir(tmp_path)
    assert ("unreadable-file", "secret.yaml", 1, 1) in findings(report)


def test_limits_can_be_raised(tmp_path):
    deep = b"a:\n" + b"".join(b"  " * i + b"b:\n" for i in range(1, 600))
    with_neighbour(tmp_path, "deep.yaml", deep)
    _, report = lint_dir(tmp_path)
    assert ("input-limit", "deep.yaml", 402, 803) in findings(report)
    _, raised = lint_dir(tmp_path, "--max-depth", "1000")
    assert [f for f in findings(raised) if f[1] == "deep.yaml"] == [
        ("not-kubernetes", "deep.yaml", 1, 1)
    ]
    (tmp_path / "two.yaml").write_text("a: 1\n---\nb: 2\n")
    _, lowered = lint_dir(tmp_path, "--max-documents", "1")
    assert ("input-limit", "two.yaml", 3, 1) in findings(lowered)


def test_kustomize_renders_only_when_asked_and_installed(tmp_path):
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "kustomization.yaml").write_text("resources: [../base]\n")
    (tmp_path / "dr.yaml").write_text(DR)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "kustomize"
    fake.write_text(f"#!/bin/sh\ncat '{tmp_path / 'rendered.out'}'\n")
    fake.chmod(0o755)
    (tmp_path / "rendered.out").write_text(NEIGHBOUR)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}

    def run(*extra: str) -> list:
        done = subprocess.run(
            [sys.executable, "-m", "meshlint", "lint", "--format", "json", *extra, str(tmp_path)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        return findings(json.loads(done.stdout))

    assert ("kustomization", "kustomization.yaml", 1, 1) in run()
    assert ("vs-subset-not-found", "kustomization.yaml", 12, 17) in run("--kustomize")
