"""Report formats: text, json, github and sarif, each a module with `render(result, options)`.

Takes the finished run (findings sorted, fingerprinted and suppression-flagged) and returns
the report as a string; cli.py writes it (stdout or `write_atomic`). Format modules are
imported on demand so that `import golinter.report` never loads sarif_om or json schemas.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from golinter.checks.base import Rule
    from golinter.findings import Finding, Notification

FORMATS = ("text", "json", "github", "sarif")


@dataclass(frozen=True, slots=True)
class RunResult:
    """What a run produced, ready to report."""

    findings: tuple[Finding, ...]  # already sorted, fingerprinted, suppression-flagged
    notifications: tuple[Notification, ...]
    rules: tuple[Rule, ...]  # enabled rules, in code order
    files_analysed: int
    packages: int
    elapsed: float


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """How to report: path bases, SARIF extras, colour."""

    cwd: str  # text/json/github paths are relative to it when under it
    srcroot: str  # SARIF %SRCROOT% (absolute)
    category: str | None  # SARIF runAutomationDetails.id (a trailing "/" is added)
    include_suppressed: bool
    sarif_fixes: bool
    color: bool


def render(fmt: str, result: RunResult, options: ReportOptions) -> str:
    """The report in format `fmt` (one of FORMATS); ValueError for any other name."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
    module = importlib.import_module(f"golinter.report.{fmt}")
    text: str = module.render(result, options)
    return text
