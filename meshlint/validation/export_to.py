"""``exportTo`` lists: ``.``, ``*``, ``~`` (ServiceEntry only) or namespace names."""

from __future__ import annotations

from collections.abc import Iterator

from meshlint.validation import Issue
from meshlint.validation.hosts import is_dns1123_label


def export_to_issues(
    values: list, namespace: str, *, service_entry: bool = False, dr_selector: bool = False
) -> Iterator[Issue]:
    """Problems of an exportTo list of a resource in ``namespace``, by list index.

    ``dr_selector``: a DestinationRule with a workload selector may only export to its own
    namespace.
    """
    seen: set[str] = set()
    valid: set[str] = set()
    for i, value in enumerate(values):
        if not isinstance(value, str):
            continue
        key = namespace if value == "." and namespace else value
        if key in seen:
            other = f'"." and the namespace "{namespace}"' if key != value else f'"{value}"'
            yield (i, f"duplicate exportTo entry {other}")
            continue
        seen.add(key)
        if value in (".", "*") or (value == "~" and service_entry):
            valid.add(key)
        elif value == "~":
            yield (i, 'exportTo "~" (to no one) is only allowed on a ServiceEntry')
        elif not is_dns1123_label(value):
            yield (i, f'exportTo "{value}" is not ".", "*" or a namespace name')
        else:
            valid.add(key)
    if len(values) > 1 and "*" in valid:
        yield ((), 'exportTo "*" already exports to every namespace: drop the other entries')
    if len(values) > 1 and "~" in valid:
        yield ((), 'exportTo "~" (to no one) cannot be combined with other entries')
    if dr_selector and valid:
        own = namespace in valid or "." in valid
        if not own:
            yield (
                (),
                "a DestinationRule with a workloadSelector cannot be exported beyond "
                "its own namespace",
            )
        elif len(valid) > 1:
            yield (
                (),
                "a DestinationRule with a workloadSelector can only be exported to its "
                "own namespace",
            )
