"""GML004 uninterned-string-key: what the `// want` lines cannot express for the many-small-maps
shape: the related locations, the per-version advice, that the shape's query captures its
fixture, and that the page's second Example pair (the per-record shape) tells the truth.
"""
from __future__ import annotations

import re
from pathlib import Path

from golinter.catalog import split_sections
from golinter.checks import ALL_CHECKS
from golinter.checks import gml004_uninterned_string_key as gml004
from golinter.discover import discover
from golinter.engine import Settings, run_packages
from golinter.findings import Finding
from golinter.parse import compile_query, new_parser, parse, query_captures

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "GML004"
GO_BLOCK = re.compile(r"^```go[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)


def _findings(case: Path) -> list[Finding]:
    out = run_packages(discover([str(case)]).packages, Settings(), jobs=1, checks=ALL_CHECKS)
    assert not [n for n in out.notifications if n.reason == "internal-error"]
    return [f for f in out.findings if f.code == "GML004"]


def _per_record(case: Path) -> list[Finding]:
    return [f for f in _findings(case) if f.message.startswith("keys of per-record map")]


def test_gml004_per_record_query_captures_the_fixture_inserts() -> None:
    source = (FIXTURES / "bad_per_record_maps" / "parse.go").read_bytes()
    captures = query_captures(compile_query(gml004.QUERY), parse(new_parser(), source).root_node)
    inserts = [source[n.start_byte:n.end_byte].decode() for n in captures.get("gml004.insert", [])]
    assert "rec[string(k)]" in inserts and "tf[term]" in inserts


def test_gml004_per_record_related_locations_name_the_make_the_call_and_the_store() -> None:
    by_line = {f.span.line: f for f in _per_record(FIXTURES / "bad_per_record_maps")}
    attrs = next(f for f in by_line.values() if "map attrs" in f.message)
    assert [r.message for r in attrs.related] == [
        "the key is allocated here", "attrs is made for every record here", "and kept in recs here"]
    helper = next(f for f in by_line.values() if "kept in all" in f.message)
    assert [r.message for r in helper.related] == [
        "rec is made for every record here", "called for every record here", "and kept in all here"]
    assert helper.span.path.endswith("helper.go") and helper.related[1].span.path.endswith("helper.go")


def test_gml004_per_record_advice_follows_the_language_version() -> None:
    new = _per_record(FIXTURES / "bad_per_record_maps")
    old = _per_record(FIXTURES / "bad_per_record_maps_go121")
    assert new and all("unique.Make(" in f.message for f in new)
    assert old and all("unique" not in f.message and "shared by all records" in f.message for f in old)
    assert all(f.level.value == "note" for f in new + old)


def test_gml004_page_per_record_example_is_flagged_and_its_fix_is_not(tmp_path: Path) -> None:
    page = (REPO / "rules" / "GML004-uninterned-string-key.md").read_text(encoding="utf-8")
    example = dict(split_sections(page))["Example"]
    shape = example.split("The many-small-maps shape:", 1)[1]
    flagged, fixed = GO_BLOCK.findall(shape)[:2]
    for name, source in (("flagged", flagged), ("fixed", fixed)):
        case = tmp_path / name
        case.mkdir()
        (case / "go.mod").write_text("module example.com/logs\n\ngo 1.23\n", encoding="utf-8")
        (case / "logs.go").write_text(source, encoding="utf-8")
    assert [f.span.line for f in _per_record(tmp_path / "flagged")] == [16]
    assert _findings(tmp_path / "fixed") == []
