"""Files shipped inside the installed package: ``meshlint/data``, the schemas
(``meshlint.schemas``, the repository's ``schemas/``) and the rules' catalogue
(``meshlint.rules``, the repository's ``rules/``). Plain paths: meshlint is always installed
as files, and importlib.resources would cost more to import than the files to read."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def package_folder(name: str) -> Path:
    """The folder of an installed meshlint package (``meshlint.schemas``, ...)."""
    import importlib

    return Path(importlib.import_module(name).__path__[0])
