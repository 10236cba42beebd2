"""The JSON report: a versioned envelope, validated by findings.schema.json in the tests.

`{"version": 1, "tool": {"name", "version"}, "findings": [...], "notifications": [...]}`.
Paths are relative to the current directory when under it (as in text); columns are 1-based
UTF-8 byte columns, `end_column` exclusive.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Union

from golinter._version import __version__
from golinter.report._common import shown_path, visible

if TYPE_CHECKING:
    from golinter.findings import Finding, Notification, Related, Span
    from golinter.report import ReportOptions, RunResult

JSON_VERSION = 1
JsonValue = Union[str, int, bool, None, list["JsonValue"], dict[str, "JsonValue"]]


def _span(span: Span, cwd: str) -> dict[str, JsonValue]:
    return {"path": shown_path(span.path, cwd), "line": span.line, "column": span.column,
            "end_line": span.end_line, "end_column": span.end_column}


def _related(rel: Related, cwd: str) -> dict[str, JsonValue]:
    return {**_span(rel.span, cwd), "message": rel.message}


def _finding(finding: Finding, cwd: str) -> dict[str, JsonValue]:
    return {**_span(finding.span, cwd), "code": finding.code, "name": finding.name,
            "level": finding.level.value, "message": finding.message,
            "related": [_related(r, cwd) for r in finding.related],
            "fingerprint": finding.fingerprint, "suppressed": finding.suppressed}


def _notification(note: Notification, cwd: str) -> dict[str, JsonValue]:
    return {"level": note.level.value, "reason": note.reason, "message": note.message,
            "path": shown_path(note.path, cwd) if note.path else None,
            "line": note.line, "column": note.column, "skipped": note.skipped}


def render(result: RunResult, options: ReportOptions) -> str:
    """The envelope, indented, with a final newline."""
    doc: dict[str, JsonValue] = {
        "version": JSON_VERSION,
        "tool": {"name": "golinter", "version": __version__},
        "findings": [_finding(f, options.cwd) for f in visible(result, options)],
        "notifications": [_notification(n, options.cwd) for n in result.notifications],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
