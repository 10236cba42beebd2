"""GitHub workflow commands: escaping, annotation shape, text lines and totals."""
from __future__ import annotations

from pathlib import Path

from _reportkit import RULE_1, RULE_3, finding, options, run_result, span_of, write
from golinter.findings import Level, Related
from golinter.report import render
from golinter.report.github import escape_data, escape_property

GO = b"package p\n\nvar m = map[string]int{}\n\nfunc f() {\n\tm[\"a\"] = 1\n}\n"


def test_github_escape_data() -> None:
    assert escape_data("100% sure\r\nnext: a,b") == "100%25 sure%0D%0Anext: a,b"


def test_github_escape_property() -> None:
    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"


def test_github_annotation_line_text_and_totals(tmp_path: Path) -> None:
    path = write(tmp_path / "dir,x" / "p.go", GO)
    rel = Related(span_of(path, 3, b"m = map"), "m declared here")
    err = finding(RULE_3, span_of(path, 6, b"m[\"a\"]"), "map m is written here: 100%\nsure", related=(rel,))
    note = finding(RULE_1, span_of(path, 3, b"map"), "big", level=Level.NOTE)
    out = render("github", run_result((err, note)), options(tmp_path)).splitlines()
    assert out == [
        "::error file=dir%2Cx/p.go,line=6,col=2,endLine=6,endColumn=8,title=GML003 unguarded-concurrent-map-write"
        "::map m is written here: 100%25%0Asure",
        "dir,x/p.go:6:2: GML003 map m is written here: 100%",
        "sure (unguarded-concurrent-map-write)",
        "    dir,x/p.go:3:5: note: m declared here",
        "::notice file=dir%2Cx/p.go,line=3,col=9,endLine=3,endColumn=12,title=GML001 oversized-map-hint::big",
        "dir,x/p.go:3:9: GML001 big (oversized-map-hint)",
        "::notice::golinter: 2 findings (1 error, 0 warnings, 1 note)",
    ]


def test_github_clean_run_prints_totals_only(tmp_path: Path) -> None:
    assert render("github", run_result(()), options(tmp_path)) == (
        "::notice::golinter: 0 findings (0 errors, 0 warnings, 0 notes)\n")


def test_github_warning_command(tmp_path: Path) -> None:
    path = write(tmp_path / "p.go", GO)
    out = render("github", run_result((finding(RULE_1, span_of(path, 3, b"map"), "big"),)), options(tmp_path))
    assert out.startswith("::warning file=p.go,line=3,")
