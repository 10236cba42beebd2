"""Builders for report tests: rules, findings on real temporary files, a RunResult, options."""
from __future__ import annotations

from pathlib import Path

from golinter.checks.base import Nature, Precision, Rule
from golinter.findings import Finding, Level, Notification, Related, Span
from golinter.report import ReportOptions, RunResult

RULE_1 = Rule(code="GML001", name="oversized-map-hint", summary="map made with a huge constant size hint",
              nature=Nature.PERFORMANCE, level=Level.WARNING, precision=Precision.HIGH)
RULE_3 = Rule(code="GML003", name="unguarded-concurrent-map-write", summary="map written concurrently without a lock",
              nature=Nature.CRASH, level=Level.ERROR, precision=Precision.HIGH)
RULE_6 = Rule(code="GML006", name="untrusted-map-size", summary="map sized by untrusted input",
              nature=Nature.SECURITY, level=Level.ERROR, precision=Precision.HIGH, security_severity="7.5",
              tags=("external/cwe/cwe-770",))
RULES = (RULE_1, RULE_3, RULE_6)


def write(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


def span_of(path: str, line: int, needle: bytes, length: int | None = None) -> Span:
    """The span of the first `needle` on 1-based `line` of the file, in byte columns."""
    text = Path(path).read_bytes().split(b"\n")[line - 1]
    col = text.index(needle) + 1
    return Span(path=path, line=line, column=col, end_line=line, end_column=col + (length or len(needle)))


def finding(rule: Rule, span: Span, message: str, *, level: Level | None = None,
            related: tuple[Related, ...] = (), fingerprint: str = "0123456789abcdef",
            suppressed: bool = False, reason: str = "") -> Finding:
    return Finding(code=rule.code, name=rule.name, level=level or rule.level, message=message, span=span,
                   related=related, fingerprint=fingerprint, suppressed=suppressed, suppression_reason=reason)


def run_result(findings: tuple[Finding, ...], notifications: tuple[Notification, ...] = (),
               rules: tuple[Rule, ...] = RULES) -> RunResult:
    return RunResult(findings=findings, notifications=notifications, rules=rules, files_analysed=2,
                     packages=1, elapsed=0.25)


def options(root: Path, *, category: str | None = None, include_suppressed: bool = False,
            sarif_fixes: bool = False, color: bool = False, cwd: Path | None = None) -> ReportOptions:
    return ReportOptions(cwd=str(cwd or root), srcroot=str(root), category=category,
                         include_suppressed=include_suppressed, sarif_fixes=sarif_fixes, color=color)
