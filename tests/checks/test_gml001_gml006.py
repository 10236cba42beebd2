"""GML001 oversized-map-hint and GML006 untrusted-map-size: queries, levels, options, metadata.

The exact findings of every fixture case are tests/test_fixtures.py's business; these tests pin
what the `// want` lines cannot express: the level of each finding, the options, the related
location and that each QUERY matches its fixture on its own.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from golinter.checks import ALL_CHECKS
from golinter.checks import gml001_oversized_map_hint as gml001
from golinter.checks import gml006_untrusted_map_size as gml006
from golinter.discover import discover
from golinter.engine import Settings, run_packages
from golinter.findings import Finding, Level
from golinter.parse import compile_query, new_parser, parse, query_captures

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _findings(case: Path, code: str, settings: Settings | None = None) -> list[Finding]:
    out = run_packages(discover([str(case)]).packages, settings or Settings(), jobs=1, checks=ALL_CHECKS)
    assert not [n for n in out.notifications if n.reason == "internal-error"]
    return [f for f in out.findings if f.code == code]


def _line_of(path: Path, text: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


@pytest.mark.parametrize(("check", "fixture", "capture"), [
    (gml001, "GML001/bad_presized_maps/store.go", "gml001.call"),
    (gml006, "GML006/bad_request_sizes/handlers.go", "gml006.call"),
])
def test_query_matches_its_fixture(check: object, fixture: str, capture: str) -> None:
    source = (FIXTURES / fixture).read_bytes()
    tree = parse(new_parser(), source)
    captures = query_captures(compile_query(check.QUERY), tree.root_node)  # type: ignore[attr-defined]
    calls = [source[n.start_byte:n.end_byte].decode() for n in captures.get(capture, [])]
    assert calls and all(c.startswith("make(") for c in calls)


def test_gml001_levels_follow_where_the_cost_is_paid() -> None:
    case = FIXTURES / "GML001" / "bad_presized_maps"
    store = case / "store.go"
    levels = {f.span.line: f.level for f in _findings(case, "GML001")}
    assert levels[_line_of(store, "var sessions = make")] is Level.WARNING      # package level
    assert levels[_line_of(store, "lookup = make")] is Level.WARNING            # init
    assert levels[_line_of(store, "m := make(map[string]int, 1<<20)")] is Level.WARNING  # called at init
    assert levels[_line_of(store, "seen := make(map[string]bool")] is Level.WARNING  # ServeHTTP
    assert levels[_line_of(store, "seen := make(map[string]struct{}")] is Level.WARNING  # per iteration
    assert levels[_line_of(store, "idx := make(Index")] is Level.NOTE           # fills what it makes
    assert levels[_line_of(store, "return make(S, 1<<22)")] is Level.NOTE


def test_gml001_options_are_sizes() -> None:
    assert dict(gml001.RULE.options) == {"max-bytes": "4MiB", "max-bytes-in-loop": "256KiB"}
    assert gml001.size_option("4MiB") == 4 << 20
    assert gml001.size_option(1 << 20) == 1 << 20


def test_gml001_lowered_max_bytes_reports_smaller_maps() -> None:
    case = FIXTURES / "GML001" / "ok_below_threshold"
    assert _findings(case, "GML001") == []
    lowered = Settings(rule_options=(("GML001", (("max-bytes", 1 << 20), ("max-bytes-in-loop", 1 << 16))),))
    lines = {f.span.line for f in _findings(case, "GML001", lowered)}
    path = case / "cache.go"
    assert lines == {_line_of(path, "var entries = make"), _line_of(path, "cols := make")}


def test_gml006_metadata_is_a_security_rule() -> None:
    rule = gml006.RULE
    assert (rule.code, rule.name, rule.level) == ("GML006", "untrusted-map-size", Level.ERROR)
    assert rule.security_severity == "7.5"
    assert rule.tags == ("security", "external/cwe/cwe-770")
    assert len(rule.summary) <= 60 and rule.summary == rule.summary.lower()


def test_gml006_related_location_is_the_source() -> None:
    case = FIXTURES / "GML006" / "bad_request_sizes"
    handlers = case / "handlers.go"
    found = {f.span.line: f for f in _findings(case, "GML006")}
    finding = found[_line_of(handlers, "bySKU := make")]
    assert [(r.span.line, r.message) for r in finding.related] == [
        (_line_of(handlers, 'strconv.Atoi(r.URL.Query().Get("n"))'), "the attacker-controlled value is read here")]
    assert os.path.samefile(finding.related[0].span.path, handlers)


def test_gml006_type_bounded_hints_use_gml001_max_bytes() -> None:
    case = FIXTURES / "GML006" / "ok_type_bounded"
    assert _findings(case, "GML006") == []
    lowered = Settings(rule_options=(("GML001", (("max-bytes", 64 << 10),)),))
    wire = case / "wire.go"
    found = {f.span.line: f.message for f in _findings(case, "GML006", lowered)}
    line = _line_of(wire, "return make(map[uint16]bool, n)")
    assert set(found) == {line}
    assert "can reach 65,535" in found[line]
