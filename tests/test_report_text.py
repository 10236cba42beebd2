"""Text output and the stderr summary."""
from __future__ import annotations

from pathlib import Path

import pytest

from _reportkit import RULE_1, RULE_3, finding, options, run_result, span_of, write
from golinter.findings import Level, Notification, Related
from golinter.report import render
from golinter.report._common import summary

GO = b"package p\n\nvar m = map[string]int{}\n\nfunc f() {\n\tm[\"a\"] = 1\n}\n"


def test_text_lines_relative_to_cwd_and_absolute_outside(tmp_path: Path) -> None:
    path = write(tmp_path / "a" / "p.go", GO)
    outside = write(tmp_path / "b" / "q.go", GO)
    rel = Related(span_of(path, 3, b"m = map"), "m declared here")
    fs = (finding(RULE_3, span_of(path, 6, b"m[\"a\"]"), "map m is written here", related=(rel,)),
          finding(RULE_1, span_of(outside, 3, b"map"), "big"))
    out = render("text", run_result(fs), options(tmp_path, cwd=tmp_path / "a"))
    assert out == ("p.go:6:2: GML003 map m is written here (unguarded-concurrent-map-write)\n"
                   "    p.go:3:5: note: m declared here\n"
                   f"{outside}:3:9: GML001 big (oversized-map-hint)\n")


def test_text_color_marks_code(tmp_path: Path) -> None:
    path = write(tmp_path / "p.go", GO)
    out = render("text", run_result((finding(RULE_3, span_of(path, 6, b"m"), "m"),)), options(tmp_path, color=True))
    assert "\033[1;31mGML003\033[0m" in out and out.count("\033[") >= 4


def test_text_clean_run_is_empty(tmp_path: Path) -> None:
    assert render("text", run_result(()), options(tmp_path)) == ""


def test_text_summary_counts_skips_by_reason(tmp_path: Path) -> None:
    path = write(tmp_path / "p.go", GO)
    notes = (Notification(Level.WARNING, "unreadable", "x", skipped=True),
             Notification(Level.WARNING, "syntax-error", "y", skipped=True),
             Notification(Level.WARNING, "syntax-error", "z", skipped=True),
             Notification(Level.NOTE, "unused-ignore", "w"))
    fs = (finding(RULE_1, span_of(path, 3, b"map"), "a"),
          finding(RULE_1, span_of(path, 3, b"map"), "b", suppressed=True))
    assert summary(run_result(fs, notes)) == (
        "golinter: 2 files, 1 package, 3 skipped (2 syntax-error, 1 unreadable), 1 finding (1 suppressed) in 0.25s")
    assert summary(run_result(())) == "golinter: 2 files, 1 package, 0 findings in 0.25s"


def test_render_rejects_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown report format"):
        render("xml", run_result(()), options(tmp_path))
