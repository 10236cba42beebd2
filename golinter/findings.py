"""Finding, Related, Span, Notification and Level: the plain data every layer exchanges.

Checks build findings through `Package.finding`; the engine fills in fingerprints and the
suppression flag afterwards; report/ formats them. Nothing here holds a tree-sitter object,
so findings pickle across the process pool and into the cache.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Level(str, Enum):
    """SARIF's result levels, in decreasing severity."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        """2 for error, 1 for warning, 0 for note: compare with --fail-on."""
        return {"error": 2, "warning": 1, "note": 0}[self.value]


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A source range. `path` is absolute; lines are 1-based; columns are 1-based UTF-8 byte columns.

    `end_column` is exclusive (one past the last byte), as go vet and SARIF's region use it.
    """

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    start_byte: int = 0
    end_byte: int = 0


@dataclass(frozen=True, slots=True)
class Related:
    """Another location that explains a finding: the other access, the lock, the spawn."""

    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A textual replacement of `span` by `replacement` (offered only where it is always right)."""

    description: str
    span: Span
    replacement: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One reported problem. `fingerprint` and `suppressed` are filled in by the engine."""

    code: str
    name: str
    level: Level
    message: str
    span: Span
    related: tuple[Related, ...] = ()
    fix: Fix | None = None
    fingerprint: str = ""
    suppressed: bool = False
    suppression_reason: str = ""

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.span.path, self.span.line, self.span.column, self.code, self.message)


@dataclass(frozen=True, slots=True)
class Notification:
    """A problem with the run rather than the code: a file not analysed, a rule that failed.

    `reason` is a short machine-readable kind ("syntax-error", "unreadable", "not-utf8",
    "too-large", "parse-budget", "too-deep", "match-limit", "internal-error", "unsupported-syntax",
    "no-go-files", "unused-ignore", "config") used for the summary's counts. `path` is absolute or None.
    """

    level: Level
    reason: str
    message: str
    path: str | None = None
    line: int = 0
    column: int = 0
    skipped: bool = field(default=False)  # True when the file was not analysed at all
