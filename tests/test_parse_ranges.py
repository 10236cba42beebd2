"""golinter/parse.py: the candidate query skips inert top-level const and var declarations and
declarations holding none of the checks' QUERY_WORDS (`live_ranges`), and finds exactly what a
search of the whole tree finds; `_test.go` files are searched for the patterns of the rules
with `test_candidates` only."""
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


@lru_cache(maxsize=2)
def _query(tests: bool = False) -> parse.CandidateQuery:
    checks = [c for c in ALL_CHECKS if c.RULE.test_candidates or not tests]
    return parse.CandidateQuery.build([(c.RULE.code, c.QUERY) for c in checks], [c.QUERY_WORDS for c in checks])


@lru_cache(maxsize=1)
def _unranged() -> parse.CandidateQuery:
    return parse.CandidateQuery.build([(c.RULE.code, c.QUERY) for c in ALL_CHECKS])


def _shape(found: dict[str, list[parse.Match]]) -> dict[str, list[tuple[tuple[str, int, int], ...]]]:
    return {code: [tuple(sorted((name, n.start_byte, n.end_byte) for name, n in m.items())) for m in ms]
            for code, ms in found.items()}


def _both(src: bytes, tests: bool = False) -> tuple[tuple[dict[str, list[parse.Match]], bool],
                                                   tuple[dict[str, list[parse.Match]], bool]]:
    """The whole tree searched with every pattern (restricted to the codes of the query for
    `tests`), and the query as the engine runs it."""
    tree = parse.parse(parse.new_parser(), src)
    query = _query(tests)
    full, limit = _unranged().run_checked(tree.root_node)
    return ({code: full[code] for code in query.codes}, limit), query.run_checked(tree.root_node, src)


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
    assert parse.live_ranges(tree.root_node, src, _query().words) == [(tree.root_node.children[1].start_byte, len(src) - 1)]


GETTERS = b"""package p

type T struct{ n int }

func (t *T) N() int { return t.n }

func (t *T) Grow(m map[string]int, k string) { m[k]++ }

func (t *T) Name() string { return "t" }
"""


def test_declarations_without_words_are_left_out_of_the_search() -> None:
    tree = parse.parse(parse.new_parser(), GETTERS)
    ranges = parse.live_ranges(tree.root_node, GETTERS, _query().words)
    assert ranges is not None
    covered = b"".join(GETTERS[s:e] for s, e in ranges)
    # the struct type (GML003's fields) and Grow (an index): searched; the getters are not
    assert b"struct" in covered and b"m[k]++" in covered
    assert b"return t.n" not in covered and b'"t"' not in covered and b"package" not in covered
    (full, _), (ranged, _) = _both(GETTERS)
    assert _shape(ranged) == _shape(full) and full["GML008"]  # the test can fail


# Candidates whose declaration holds no `[`: only the check's rarer words keep them searched.
RARE_WORDS = b"""package p

import (
	"fmt"
	"slices"
)

type S []*int

type M map[string]int

func forget(m M, a, b string) { delete(m, fmt.Sprintf("%s/%s", a, b)) }

func squeeze(s S) S {
	s = slices.Compact(s)
	return s
}
"""


def test_each_checks_words_keep_its_candidates() -> None:
    tree = parse.parse(parse.new_parser(), RARE_WORDS)
    full = _unranged().run_checked(tree.root_node)[0]
    assert full["GML004"] and full["GML005"]  # the test can fail
    for query in _alone():
        (code,) = query.codes
        assert _shape(query.run_checked(tree.root_node, RARE_WORDS)[0]) == _shape({code: full[code]}), code


def test_words_of_a_query_are_those_of_its_checks() -> None:
    assert _query(tests=True).codes == ("GML002", "GML009") and _query(tests=True).words == (b"range",)
    words = _query().words
    assert words is not None and set(words) >= {b"[", b"make", b"range", b"go", b"append"}
    # a check without words: every declaration is searched
    assert parse.CandidateQuery.build([("GML001", "(call_expression) @gml001.call")], [()]).words is None
    assert parse.CandidateQuery.build([("GML001", "")], [()]).empty


TEST_FILE = b"""package p

import "testing"

func TestGrow(t *testing.T) {
	m := map[string]int{}
	m["a"] = 1
	if len(make([]int, 3)) != 3 {
		t.Fatal(m)
	}
}

func TestDrain(t *testing.T) {
	m := map[string]int{"a": 1}
	for k := range m {
		delete(m, k)
	}
}
"""


def test_test_files_are_searched_for_the_test_rules_patterns_only() -> None:
    (full, _), (ranged, _) = _both(TEST_FILE, tests=True)
    assert set(ranged) == {"GML002", "GML009"} and _shape(ranged) == _shape(full) and ranged["GML009"]
    tree = parse.parse(parse.new_parser(), TEST_FILE)
    ranges = parse.live_ranges(tree.root_node, TEST_FILE, _query(tests=True).words)
    assert ranges is not None and b"TestGrow" not in b"".join(TEST_FILE[s:e] for s, e in ranges)


@pytest.mark.parametrize("case", sorted(p for p in (ROOT / "fixtures").iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_fixtures_find_the_same_candidates_either_way(case: Path) -> None:
    parser = parse.new_parser()
    for path in sorted(case.rglob("*.go")):
        src = path.read_bytes()
        tree = parse.parse(parser, src)
        full, full_limit = _unranged().run_checked(tree.root_node)
        # each check alone (its own words must hold for its own patterns), then as the engine runs
        # them: every file as a production file and as a test file
        queries = [*_alone(), _query(), _query(tests=True)]
        for query in queries:
            ranged, ranged_limit = query.run_checked(tree.root_node, src)
            assert _shape(ranged) == _shape({code: full[code] for code in query.codes}), (path, query.codes)
            assert ranged_limit <= full_limit, path


@lru_cache(maxsize=1)
def _alone() -> list[parse.CandidateQuery]:
    return [parse.CandidateQuery.build([(c.RULE.code, c.QUERY)], [c.QUERY_WORDS]) for c in ALL_CHECKS]
