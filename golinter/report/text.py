"""Compiler-style text: `path:line:col: CODE message (name)`, as go vet prints positions.

Lines are 1-based, columns 1-based UTF-8 byte columns; paths are relative to the current
directory when under it. Related locations follow, indented, as `note:` lines. The summary
for stderr is `summary(result)` (report/_common.py, whatever the format); run.py prints it
separately.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from golinter.findings import Level
from golinter.report._common import shown_path, visible

if TYPE_CHECKING:
    from golinter.findings import Finding, Span
    from golinter.report import ReportOptions, RunResult

_RESET = "\033[0m"
_BOLD = "\033[1m"
_DIM = "\033[2m"
_LEVEL_COLOR = {Level.ERROR: "\033[1;31m", Level.WARNING: "\033[1;33m", Level.NOTE: "\033[1;36m"}


def _position(span: Span, cwd: str) -> str:
    return f"{shown_path(span.path, cwd)}:{span.line}:{span.column}"


def format_finding(finding: Finding, cwd: str, color: bool = False) -> list[str]:
    """The finding's line, then one indented `note:` line per related location."""
    position = _position(finding.span, cwd)
    suffix = " [suppressed]" if finding.suppressed else ""
    if color:
        head = (f"{_BOLD}{position}:{_RESET} {_LEVEL_COLOR[finding.level]}{finding.code}{_RESET} "
                f"{finding.message} {_DIM}({finding.name}){_RESET}{suffix}")
    else:
        head = f"{position}: {finding.code} {finding.message} ({finding.name}){suffix}"
    lines = [head]
    for rel in finding.related:
        note = f"{_position(rel.span, cwd)}: note: {rel.message}"
        lines.append(f"    {_DIM}{note}{_RESET}" if color else f"    {note}")
    return lines


def render(result: RunResult, options: ReportOptions) -> str:
    """Every shown finding in order; empty when there are none."""
    lines: list[str] = []
    for finding in visible(result, options):
        lines.extend(format_finding(finding, options.cwd, options.color))
    return "".join(line + "\n" for line in lines)
