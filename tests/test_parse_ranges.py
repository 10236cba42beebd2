"""golinter/parse.py: the candidate query skips inert top-level const and var declarations
(`live_ranges`) and finds exactly what a search of the whole tree finds."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from golinter import parse
from golinter.checks import ALL_CHECKS

ROOT = Path(__file__).resolve().parent.parent

# Declarations where some check's pattern matches, each beside an inert table: none may be skipped.
LIVE = '''package p

import (
	"fmt"
	"sync"
	"unsafe"
)

var table = []uint16{0x41, 0x5a, 0x61}

var cache = make(map[string]int, 1<<20)

const size = unsafe.Sizeof(func() { m := map[int]int{}; for k := range m { delete(m, k) } })

var lookup = names[fmt.Sprint(1)]

var names = map[string]string{"a": "b"}

var state struct {
	mu sync.Mutex
	m  map[string]int
}

var handler = func(m map[string][]*int, k string) {
	m[k] = nil
}

var pick = names[k+"x"]

var k = "y"

const (
	a = iota
	b
)
'''


@lru_cache(maxsize=1)
def _query() -> parse.CandidateQuery:
    return parse.CandidateQuery.build([(c.RULE.code, c.QUERY) for c in ALL_CHECKS])


def _shape(found: dict[str, list[parse.Match]]) -> dict[str, list[tuple[tuple[str, int, int], ...]]]:
    return {code: [tuple(sorted((name, n.start_byte, n.end_byte) for name, n in m.items())) for m in ms]
            for code, ms in found.items()}


def _both(src: bytes) -> tuple[tuple[dict[str, list[parse.Match]], bool], tuple[dict[str, list[parse.Match]], bool]]:
    tree = parse.parse(parse.new_parser(), src)
    query = _query()
    return query.run_checked(tree.root_node), query.run_checked(tree.root_node, src)


def test_declarations_with_candidates_are_searched() -> None:
    (full, full_limit), (ranged, ranged_limit) = _both(LIVE.encode())
    assert _shape(ranged) == _shape(full) and ranged_limit == full_limit
    assert all(full[code] for code in ("GML001", "GML002", "GML003", "GML004", "GML008")), _shape(full)


def test_inert_tables_are_left_out_of_the_search() -> None:
    src = LIVE.encode()
    tree = parse.parse(parse.new_parser(), src)
    ranges = parse.live_ranges(tree.root_node, src)
    assert ranges is not None
    covered = b"".join(src[s:e] for s, e in ranges)
    assert b"0x41" not in covered and b"iota" not in covered  # the table and the iota block
    assert b"1<<20" in covered and b"Sizeof" in covered and b"sync.Mutex" in covered
    assert b'names[fmt.Sprint(1)]' in covered and b'names[k+"x"]' in covered


def test_a_file_without_inert_declarations_is_searched_whole() -> None:
    src = b"package p\n\nfunc f(m map[string]int) { m[\"a\"] = 1 }\n"
    tree = parse.parse(parse.new_parser(), src)
    assert parse.live_ranges(tree.root_node, src) is None


@pytest.mark.parametrize("case", sorted(p for p in (ROOT / "fixtures").iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_fixtures_find_the_same_candidates_either_way(case: Path) -> None:
    for path in sorted(case.rglob("*.go")):
        (full, full_limit), (ranged, ranged_limit) = _both(path.read_bytes())
        assert _shape(ranged) == _shape(full) and ranged_limit == full_limit, path
