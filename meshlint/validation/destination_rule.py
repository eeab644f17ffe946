"""DestinationRule values as the webhook validates them."""

from __future__ import annotations

from meshlint.validation.hosts import is_dns1123_label


def subset_name_error(name: object) -> str | None:
    if not isinstance(name, str):
        return None
    if name == "":
        return "subset name cannot be empty"
    if not is_dns1123_label(name):
        return f'subset name "{name}" must be a DNS-1123 label (letters, digits and -)'
    return None
