"""SARIF 2.1.0 for GitHub code scanning (SPEC section 7), built from sarif-om objects.

One run: tool.driver with every enabled rule and its catalogue page, one result per shown
finding (explicit level, %SRCROOT%-relative URI, UTF-16 regions, GitHub's line hash and our
fingerprint), invocations[0] with the run's notifications. Serialised by sarif_writer (which
keeps values equal to schema defaults) with stable key order and no times, hosts or absolute
working directories. GitHub's limits (25,000 results a run, 10 MB gzipped) are kept by
truncating the sorted results, with a notification saying so.
"""
from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import sarif_om as om

from golinter import catalog
from golinter._version import __version__
from golinter.findings import Level
from golinter.report._common import is_under, visible
from golinter.report._sources import SourceCache
from golinter.report.sarif_writer import JsonValue, to_json

if TYPE_CHECKING:
    from collections.abc import Sequence

    from golinter.checks.base import Rule
    from golinter.findings import Finding, Notification, Span
    from golinter.report import ReportOptions, RunResult

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "golinter/v1"
MAX_RESULTS = 25_000  # GitHub code scanning: results per run
MAX_GZIP_BYTES = 10 * 1000 * 1000  # GitHub code scanning: gzipped upload size
_PROBLEM_SEVERITY = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTE: "recommendation"}


class _Builder:
    """Turns spans, findings and notifications into sarif-om objects; one per report."""

    def __init__(self, options: ReportOptions) -> None:
        self.options = options
        self.sources = SourceCache()

    def artifact(self, path: str) -> om.ArtifactLocation:
        """%SRCROOT%-relative, percent-encoded URI; an absolute file URI outside the root."""
        root = self.options.srcroot
        if is_under(path, root):
            rel = os.path.relpath(path, os.path.abspath(root)).replace(os.sep, "/")
            return om.ArtifactLocation(uri=quote(rel, safe="/"), uri_base_id=SRCROOT)
        return om.ArtifactLocation(uri=Path(path).as_uri())

    def column(self, path: str, line: int, byte_column: int) -> int:
        source = self.sources.get(path)
        return source.utf16_column(line, byte_column) if source else byte_column

    def region(self, span: Span) -> om.Region:
        return om.Region(start_line=span.line, start_column=self.column(span.path, span.line, span.column),
                         end_line=span.end_line,
                         end_column=self.column(span.path, span.end_line, span.end_column))

    def location(self, span: Span, message: str | None = None, ident: int | None = None) -> om.Location:
        return om.Location(id=ident, message=om.Message(text=message) if message is not None else None,
                           physical_location=om.PhysicalLocation(artifact_location=self.artifact(span.path),
                                                                 region=self.region(span)))

    def result(self, finding: Finding, rule_index: dict[str, int]) -> om.Result:
        span = finding.span
        links = "".join(f" (see [{escape_message(r.message)}]({i}))" for i, r in enumerate(finding.related, 1))
        fingerprints: dict[str, str] = {}
        source = self.sources.get(span.path)
        if source is not None and source.line_hash(span.line):
            fingerprints["primaryLocationLineHash"] = source.line_hash(span.line)
        if finding.fingerprint:
            fingerprints[FINGERPRINT_KEY] = finding.fingerprint
        return om.Result(
            rule_id=finding.code, rule_index=rule_index.get(finding.code, -1), level=finding.level.value,
            message=om.Message(text=escape_message(finding.message) + links),
            locations=[self.location(span)],
            related_locations=[self.location(r.span, r.message, i) for i, r in enumerate(finding.related, 1)],
            partial_fingerprints=fingerprints,
            suppressions=[om.Suppression(kind="inSource", justification=finding.suppression_reason or None)]
            if finding.suppressed else None,
            fixes=[self.fix(finding)] if self.options.sarif_fixes and finding.fix else None)

    def fix(self, finding: Finding) -> om.Fix:
        assert finding.fix is not None
        change = om.ArtifactChange(
            artifact_location=self.artifact(finding.fix.span.path),
            replacements=[om.Replacement(deleted_region=self.region(finding.fix.span),
                                         inserted_content=om.ArtifactContent(text=finding.fix.replacement))])
        return om.Fix(description=om.Message(text=finding.fix.description), artifact_changes=[change])

    def notification(self, note: Notification) -> om.Notification:
        locations = None
        if note.path:
            region = None
            if note.line >= 1:
                column = self.column(note.path, note.line, note.column) if note.column >= 1 else None
                region = om.Region(start_line=note.line, start_column=column)
            locations = [om.Location(physical_location=om.PhysicalLocation(
                artifact_location=self.artifact(note.path), region=region))]
        return om.Notification(message=om.Message(text=note.message), level=note.level.value,
                               descriptor=om.ReportingDescriptorReference(id=note.reason), locations=locations)


def escape_message(text: str) -> str:
    """Plain-text message: literal `\\`, `[` and `]` escaped (SARIF 3.11.6), so only our links link."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _rule(rule: Rule) -> om.ReportingDescriptor:
    page = catalog.load_page(rule.code)
    text = page.text if page else catalog.page_text(rule.code, rule.summary)
    tags = list(dict.fromkeys((rule.nature.value, *rule.tags)))
    properties: dict[str, object] = {"tags": tags, "precision": rule.precision.value,
                                     "problem.severity": _PROBLEM_SEVERITY[rule.level]}
    if rule.security_severity:
        properties["security-severity"] = rule.security_severity
    return om.ReportingDescriptor(
        id=rule.code, name=rule.name, short_description=om.MultiformatMessageString(text=rule.summary),
        full_description=om.MultiformatMessageString(text=catalog.page_description(page, rule.summary)),
        help=om.MultiformatMessageString(text=text, markdown=text),
        help_uri=catalog.help_uri(rule.code, rule.name, page.filename if page else None),
        default_configuration=om.ReportingConfiguration(level=rule.level.value), properties=properties)


def _truncation_note(kept: int, total: int, limit: str) -> om.Notification:
    return om.Notification(
        level="warning", descriptor=om.ReportingDescriptorReference(id="truncated"),
        message=om.Message(text=f"{total - kept} of {total} results left out: GitHub code scanning "
                                f"accepts at most {limit}; the first {kept} in sorted order are kept"))


def _log(result: RunResult, options: ReportOptions, rules: list[om.ReportingDescriptor],
         results: Sequence[om.Result], notes: Sequence[om.Notification]) -> om.SarifLog:
    successful = not any(n.reason == "internal-error" for n in result.notifications)
    category = options.category
    driver = om.ToolComponent(name="golinter", version=__version__, semantic_version=__version__,
                              information_uri=catalog.INFORMATION_URI, rules=rules,
                              contents=None, language=None)  # sarif-om defaults we do not claim
    run = om.Run(
        tool=om.Tool(driver=driver),
        automation_details=om.RunAutomationDetails(id=category if category.endswith("/") else category + "/")
        if category else None,
        column_kind="utf16CodeUnits",
        invocations=[om.Invocation(execution_successful=successful, tool_execution_notifications=list(notes))],
        original_uri_base_ids={SRCROOT: om.ArtifactLocation(description=om.Message(
            text="The directory given as --srcroot (by default the git top level): the repository root."))},
        results=list(results), language=None, newline_sequences=None)
    return om.SarifLog(version="2.1.0", schema_uri=SCHEMA_URI, runs=[run])


def _dump(log: om.SarifLog) -> str:
    data = to_json(log)
    assert isinstance(data, dict)
    ordered: dict[str, JsonValue] = {"$schema": data.pop("$schema"), "version": data.pop("version"), **data}
    return json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"


def render(result: RunResult, options: ReportOptions) -> str:
    """The SARIF log, deterministic to the byte for the same run and files."""
    builder = _Builder(options)
    rule_index = {rule.code: i for i, rule in enumerate(result.rules)}
    rules = [_rule(rule) for rule in result.rules]
    results = [builder.result(f, rule_index) for f in visible(result, options)]
    notes = [builder.notification(n) for n in result.notifications]
    total = len(results)
    extra: list[om.Notification] = []
    if total > MAX_RESULTS:
        results = results[:MAX_RESULTS]
        extra = [_truncation_note(len(results), total, f"{MAX_RESULTS:,} results per run")]
    text = _dump(_log(result, options, rules, results, notes + extra))
    size = len(gzip.compress(text.encode("utf-8"), mtime=0))
    while size > MAX_GZIP_BYTES and results:
        keep = min(len(results) - 1, int(len(results) * MAX_GZIP_BYTES / size * 0.95))
        results = results[:max(keep, 0)]
        extra = [_truncation_note(len(results), total, f"{MAX_GZIP_BYTES // 1_000_000} MB gzipped")]
        text = _dump(_log(result, options, rules, results, notes + extra))
        size = len(gzip.compress(text.encode("utf-8"), mtime=0))
    return text
