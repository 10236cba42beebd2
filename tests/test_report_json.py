"""The JSON report against the shipped schema."""
from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from _reportkit import RULE_1, RULE_3, finding, options, run_result, span_of, write
from golinter.findings import Level, Notification, Related
from golinter.report import ReportOptions, RunResult, render

SCHEMA = json.loads((files("golinter") / "report" / "findings.schema.json").read_text(encoding="utf-8"))
GO = b"package p\n\nvar m = map[string]int{}\n\nfunc f() {\n\tm[\"a\"] = 1\n}\n"


def report(result: RunResult, opts: ReportOptions) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render("json", result, opts))
    Draft202012Validator.check_schema(SCHEMA)
    Draft202012Validator(SCHEMA).validate(data)
    return data


def test_json_clean_run(tmp_path: Path) -> None:
    data = report(run_result(()), options(tmp_path))
    assert data["version"] == 1 and data["tool"]["name"] == "golinter"
    assert data["findings"] == [] and data["notifications"] == []


def test_json_finding_fields_and_relative_paths(tmp_path: Path) -> None:
    path = write(tmp_path / "pkg" / "p.go", GO)
    rel = Related(span_of(path, 3, b"m = map"), "m declared here")
    f = finding(RULE_3, span_of(path, 6, b"m[\"a\"]"), "map m is written here", related=(rel,))
    outside = write(tmp_path / "other" / "o.go", GO)
    g = finding(RULE_1, span_of(outside, 3, b"map"), "big", level=Level.NOTE, fingerprint="")
    data = report(run_result((f, g)), options(tmp_path, cwd=tmp_path / "pkg"))
    first, second = data["findings"]
    assert first == {"path": "p.go", "line": 6, "column": 2, "end_line": 6, "end_column": 8,
                     "code": "GML003", "name": "unguarded-concurrent-map-write", "level": "error",
                     "message": "map m is written here",
                     "related": [{"path": "p.go", "line": 3, "column": 5, "end_line": 3, "end_column": 12,
                                  "message": "m declared here"}],
                     "fingerprint": "0123456789abcdef", "suppressed": False}
    assert second["path"] == outside and second["level"] == "note" and second["fingerprint"] == ""


def test_json_suppressed_only_when_included(tmp_path: Path) -> None:
    path = write(tmp_path / "p.go", GO)
    f = finding(RULE_3, span_of(path, 6, b"m"), "m", suppressed=True, reason="owned")
    assert report(run_result((f,)), options(tmp_path))["findings"] == []
    shown = report(run_result((f,)), options(tmp_path, include_suppressed=True))["findings"]
    assert shown[0]["suppressed"] is True


def test_json_notifications(tmp_path: Path) -> None:
    notes = (Notification(Level.WARNING, "unreadable", "cannot read x.go", str(tmp_path / "x.go"), skipped=True),
             Notification(Level.ERROR, "internal-error", "GML003 failed on p"))
    data = report(run_result((), notes), options(tmp_path))
    assert data["notifications"] == [
        {"level": "warning", "reason": "unreadable", "message": "cannot read x.go", "path": "x.go",
         "line": 0, "column": 0, "skipped": True},
        {"level": "error", "reason": "internal-error", "message": "GML003 failed on p", "path": None,
         "line": 0, "column": 0, "skipped": False}]


def test_json_schema_rejects_a_broken_finding(tmp_path: Path) -> None:
    path = write(tmp_path / "p.go", GO)
    data = json.loads(render("json", run_result((finding(RULE_1, span_of(path, 3, b"map"), "m"),)),
                             options(tmp_path)))
    data["findings"][0]["level"] = "fatal"
    assert list(Draft202012Validator(SCHEMA).iter_errors(data))
