"""Rendering kustomizations, only when the user asks (``--kustomize``, or a trusted
config) and a renderer is installed: ``kustomize build -- DIR``, else ``kubectl kustomize
-- DIR``. The ``--`` keeps a folder named like a flag (``--enable-helm``) a folder."""

from __future__ import annotations

import os
import shutil
import subprocess

from meshlint.loader.sources import ReadIssue, SourceText

RENDER_TIMEOUT_SECONDS = 120


def renderer() -> list[str] | None:
    """The command that renders a kustomization directory, if one is on PATH."""
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    return None


def render(path: str) -> SourceText:
    """The rendered manifests of the kustomization file at ``path`` (its directory is
    built), or why they could not be rendered."""
    command = renderer()
    if command is None:
        message = "--kustomize: neither kustomize nor kubectl is on PATH"
        return SourceText(path, None, ReadIssue("unreadable", message))
    directory = os.path.dirname(path) or "."
    try:
        run = subprocess.run(
            [*command, "--", directory],
            capture_output=True,
            text=True,
            timeout=RENDER_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return SourceText(path, None, ReadIssue("unreadable", f"{command[0]} failed: {error}"))
    if run.returncode != 0:
        reason = (run.stderr.strip().splitlines() or ["no output"])[-1]
        return SourceText(path, None, ReadIssue("unreadable", f"{' '.join(command)}: {reason}"))
    return SourceText(path, run.stdout, rendered=" ".join([*command, directory]))
