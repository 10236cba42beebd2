"""Helpers every report format shares: shown paths, the findings to show, level counts."""
from __future__ import annotations

import os
from collections import Counter
from typing import TYPE_CHECKING

from golinter.findings import Level

if TYPE_CHECKING:
    from golinter.findings import Finding
    from golinter.report import ReportOptions, RunResult


def is_under(path: str, root: str) -> bool:
    """True when absolute `path` lies inside directory `root`."""
    try:
        return os.path.commonpath([os.path.abspath(root), path]) == os.path.abspath(root)
    except ValueError:  # different drives on Windows
        return False


def shown_path(path: str, base: str) -> str:
    """`path` relative to `base` when under it, else as given (absolute), in the OS's separators."""
    return os.path.relpath(path, os.path.abspath(base)) if is_under(path, base) else path


def visible(result: RunResult, options: ReportOptions) -> tuple[Finding, ...]:
    """The findings to report: suppressed ones only with --include-suppressed."""
    return tuple(f for f in result.findings if options.include_suppressed or not f.suppressed)


def level_counts(findings: tuple[Finding, ...]) -> dict[Level, int]:
    """Findings per level, every level present."""
    counts = {level: 0 for level in Level}
    for finding in findings:
        counts[finding.level] += 1
    return counts


def plural(n: int, word: str) -> str:
    """`1 finding`, `2 findings`."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary(result: RunResult) -> str:
    """`golinter: 12 files, 3 packages, 2 skipped (1 syntax-error, 1 unreadable), 4 findings in 0.21s`."""
    skipped = Counter(n.reason for n in result.notifications if n.skipped)
    parts = [plural(result.files_analysed, "file"), plural(result.packages, "package")]
    if skipped:
        reasons = ", ".join(f"{count} {reason}" for reason, count in sorted(skipped.items()))
        parts.append(f"{sum(skipped.values())} skipped ({reasons})")
    reported = sum(1 for f in result.findings if not f.suppressed)
    suppressed = len(result.findings) - reported
    parts.append(plural(reported, "finding") + (f" ({suppressed} suppressed)" if suppressed else ""))
    return f"golinter: {', '.join(parts[:-1])}, {parts[-1]} in {result.elapsed:.2f}s"
