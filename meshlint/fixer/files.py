"""Reading a file to fix, and writing it back in the same encoding and byte-order mark."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass

from meshlint.loader.sources import _BOMS as BYTE_ORDER_MARKS
from meshlint.loader.sources import decode


@dataclass(frozen=True, slots=True)
class FileText:
    path: str
    text: str
    encoding: str = "utf-8"
    bom: bytes = b""

    @classmethod
    def read(cls, path: str) -> FileText | None:
        """The file's text, or None when it cannot be read or decoded."""
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        source = decode(path, data)
        if source.text is None:
            return None
        for bom, encoding in BYTE_ORDER_MARKS:
            if data.startswith(bom):
                return cls(path, source.text, encoding, bom)
        return cls(path, source.text)

    def write(self, text: str) -> None:
        """Replace the file's content with ``text`` (atomically, keeping its mode)."""
        directory = os.path.dirname(os.path.abspath(self.path))
        handle, temporary = tempfile.mkstemp(prefix=".meshlint-fix-", dir=directory)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(self.bom + text.encode(self.encoding))
            shutil.copymode(self.path, temporary)
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
