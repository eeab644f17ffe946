"""Reading a file to fix, and writing it back in the same encoding and byte-order mark,
only if it is still what was read (see :mod:`meshlint.fs.write`)."""

from __future__ import annotations

from dataclasses import dataclass

from meshlint.fs.regular import read_regular
from meshlint.fs.write import Snapshot, write_file
from meshlint.loader.sources import _BOMS as BYTE_ORDER_MARKS
from meshlint.loader.sources import decode


@dataclass(frozen=True, slots=True)
class FileText:
    path: str
    text: str
    encoding: str = "utf-8"
    bom: bytes = b""
    #: What the file was when read: it is replaced only if it still is.
    snapshot: Snapshot | None = None

    @classmethod
    def read(cls, path: str) -> FileText | None:
        """The file's text, or None when it cannot be read or decoded, or is not a
        regular file."""
        try:
            data, status = read_regular(path)
        except OSError:
            return None
        source = decode(path, data)
        if source.text is None:
            return None
        snapshot = Snapshot.of(data, status)
        for bom, encoding in BYTE_ORDER_MARKS:
            if data.startswith(bom):
                return cls(path, source.text, encoding, bom, snapshot)
        return cls(path, source.text, snapshot=snapshot)

    def write(self, text: str) -> None:
        """Replace the file's content with ``text``; raises RefusedWrite when the file
        changed on disk since it was read, or must not be replaced (a link, read-only)."""
        write_file(self.path, self.bom + text.encode(self.encoding), expected=self.snapshot)
