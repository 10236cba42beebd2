"""Source files as the reports need them: read once per report, by path.

SARIF wants UTF-16 columns and GitHub's line hashes; findings carry 1-based UTF-8 byte
columns counted on the raw file (a BOM's three bytes included, as go vet counts them).
An unreadable file yields None and the caller keeps byte columns.
"""
from __future__ import annotations

from golinter.fingerprints import line_hashes

_BOM = b"\xef\xbb\xbf"


def utf16_units(data: bytes) -> int:
    """UTF-16 code units of `data` decoded as UTF-8 (invalid bytes: one U+FFFD each run)."""
    return len(data.decode("utf-8", errors="replace").encode("utf-16-le", errors="surrogatepass")) // 2


class SourceFile:
    """One file's bytes, its lines (split on \\n, \\r kept) and, on demand, GitHub's line hashes."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.lines = data.split(b"\n")
        self._hashes: dict[int, str] | None = None

    def utf16_column(self, line: int, byte_column: int) -> int:
        """1-based UTF-16 column of 1-based byte `byte_column` on `line`; a BOM does not count."""
        if not 1 <= line <= len(self.lines) or byte_column < 1:
            return byte_column
        text = self.lines[line - 1]
        start = len(_BOM) if line == 1 and text.startswith(_BOM) else 0
        cut = byte_column - 1
        if cut <= start:
            return 1
        beyond = max(0, cut - len(text))  # past the line's end (an exclusive end at the newline)
        return 1 + utf16_units(text[start:cut]) + beyond

    def line_hash(self, line: int) -> str:
        """GitHub's primaryLocationLineHash for `line` ("" when the file has no such line)."""
        if self._hashes is None:
            self._hashes = line_hashes(self.data)
        return self._hashes.get(line, "")


class SourceCache:
    """Files by absolute path, each read at most once; None for a file that cannot be read."""

    def __init__(self) -> None:
        self._files: dict[str, SourceFile | None] = {}

    def get(self, path: str) -> SourceFile | None:
        if path not in self._files:
            try:
                with open(path, "rb") as src:
                    self._files[path] = SourceFile(src.read())
            except OSError:
                self._files[path] = None
        return self._files[path]
