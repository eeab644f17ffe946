"""What a repository's config may not do unless the user trusts it.

Settings that run programs (``kustomize``, ``helm``) or raise a safety limit (``max-file-size``,
``max-depth``, ``max-documents``, ``max-expanded-nodes``) are honoured from command-line
flags and the user's own config. From a repository's config they are ignored, with a
warning, unless the user passes ``--trust-config`` (or sets ``MESHLINT_TRUST_CONFIG=1``).
Lowering a limit is always fine.
"""

from __future__ import annotations

from collections.abc import Mapping

from meshlint.config.layers import Config
from meshlint.config.source import ConfigSource
from meshlint.loader.yaml_reader import Limits

TRUST_VARIABLE = "MESHLINT_TRUST_CONFIG"
_HOW = "or trust this config with --trust-config (MESHLINT_TRUST_CONFIG=1)"
#: Settings that run a program, by config key (also the Config field and the flag).
PROGRAM_KEYS = ("kustomize", "helm")
#: Limits by config key: the Limits field (None: max-file-size, a Config field).
LIMIT_KEYS = {
    "max-file-size": None,
    "max-depth": "max_depth",
    "max-documents": "max_documents",
    "max-expanded-nodes": "max_expanded_nodes",
}


def trusted_by_environment(environ: Mapping[str, str]) -> bool:
    return environ.get(TRUST_VARIABLE, "").strip().lower() in ("1", "true", "yes")


def _where(source: ConfigSource, key: str) -> str:
    line, _ = source.position((key,), key=True)
    return f"{source.file}:{line}" if line else source.file


def _current(lower: Config, key: str) -> int:
    from meshlint.loader.sources import DEFAULT_MAX_FILE_SIZE

    field = LIMIT_KEYS[key]
    if field is None:
        return DEFAULT_MAX_FILE_SIZE if lower.max_file_size is None else lower.max_file_size
    return lower.limits.get(field, getattr(Limits(), field))


def restrict(source: ConfigSource, layer: Config, lower: Config) -> list[str]:
    """Drop from ``layer`` (a repository config's settings, to go over ``lower``) what
    it may not set; the warnings saying so."""
    warnings = []
    for key in PROGRAM_KEYS:
        if getattr(layer, key):
            setattr(layer, key, None)
            warnings.append(
                f"{_where(source, key)}: {key}: ignored: a repository's config "
                f"cannot run programs; pass --{key}, {_HOW}"
            )
    for key, field in LIMIT_KEYS.items():
        value = layer.max_file_size if field is None else layer.limits.get(field)
        current = _current(lower, key)
        if value is None or value <= current:
            continue
        if field is None:
            layer.max_file_size = None
        else:
            del layer.limits[field]
        warnings.append(
            f"{_where(source, key)}: {key}: ignored: a repository's config may lower a "
            f"safety limit, not raise it ({current} to {value}); pass --{key}, {_HOW}"
        )
    return warnings
