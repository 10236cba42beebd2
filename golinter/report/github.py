"""GitHub Actions workflow commands: one annotation per finding, plus the plain text line.

`::error file=...,line=,col=,endLine=,endColumn=,title=CODE name::message` (warning, notice
for notes). GitHub shows only about ten annotations per type per step, so each annotation is
followed by the finding's text line, and a final `::notice::` gives the totals. Annotation
paths are relative to --srcroot (the repository root, which GitHub resolves them against);
columns are the text format's byte columns.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from golinter.findings import Level
from golinter.report._common import level_counts, plural, shown_path, visible
from golinter.report.text import format_finding

if TYPE_CHECKING:
    from golinter.findings import Finding
    from golinter.report import ReportOptions, RunResult

_COMMAND = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTE: "notice"}


def escape_data(text: str) -> str:
    """A command's message: `%`, `\\r`, `\\n` percent-encoded (actions/toolkit escapeData)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command property value: as data, plus `:` and `,` (actions/toolkit escapeProperty)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, srcroot: str) -> str:
    """The workflow command for one finding."""
    span = finding.span
    props = (("file", shown_path(span.path, srcroot).replace("\\", "/")), ("line", str(span.line)),
             ("col", str(span.column)), ("endLine", str(span.end_line)),
             ("endColumn", str(span.end_column)), ("title", f"{finding.code} {finding.name}"))
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{_COMMAND[finding.level]} {joined}::{escape_data(finding.message)}"


def render(result: RunResult, options: ReportOptions) -> str:
    """Annotation and text line per finding, then the totals notice."""
    findings = visible(result, options)
    lines: list[str] = []
    for finding in findings:
        lines.append(annotation(finding, options.srcroot))
        lines.extend(format_finding(finding, options.cwd, color=False))
    counts = level_counts(findings)
    totals = (f"golinter: {plural(len(findings), 'finding')} ({plural(counts[Level.ERROR], 'error')}, "
              f"{plural(counts[Level.WARNING], 'warning')}, {plural(counts[Level.NOTE], 'note')})")
    lines.append(f"::notice::{escape_data(totals)}")
    return "".join(line + "\n" for line in lines)
