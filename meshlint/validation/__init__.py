"""What Istio's validating webhook checks beyond the CRD schema, as small pure functions.

Each module validates one kind of value (durations, hosts, ports, regexes, ...) and
returns an error text or None, or yields ``(path, message)`` issues for a nested block,
so rules only walk resources and report. Written from the behaviour of istio/istio
``pkg/config/validation``; nothing here reads a resource's kind or the mesh.
"""

from __future__ import annotations

from meshlint.fieldpath import Path

#: A problem inside a nested block: the path below the block, and what is wrong.
Issue = tuple[Path, str]
