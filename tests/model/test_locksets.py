"""golinter/model/locksets.py: lock transfers, flow through statements, map accesses, roots."""
from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from _modelkit import package

from golinter import kinds
from golinter.model.locksets import (
    EMPTY,
    FREE,
    HELD,
    IDENTITY,
    LOCAL,
    MAYBE,
    OUTER,
    PARAM,
    PKG,
    READ,
    RECV,
    Lockset,
    MapAccess,
    Summary,
    Transfer,
)
from golinter.model.storage import StorageKey

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package

MU = StorageKey("type:S", ("mu",))
OTHER = StorageKey("pkg:other")

HEADER = """package p

import (
	"encoding/json"
	"fmt"
	"log"
	"maps"
	"net/http"
	"os"
	"sort"
	"sync"
	"testing"
)

var _ = json.Unmarshal
var _ = fmt.Println
var _ = log.Fatal
var _ = maps.Copy
var _ = os.Exit
var _ = sort.Slice
var _ testing.T
var _ http.Header

type S struct {
	mu    sync.RWMutex
	m     map[string]int
	mm    map[string]map[string]int
	ms    map[string][]int
	mp    map[string]*S
	n     int
	h     http.Header
	once  sync.Once
}

type E struct {
	sync.Mutex
	m map[string]int
}

var global = map[string]int{}
"""


def _func(pkg: Package, name: str) -> Node:
    for f in pkg.files:
        for top in f.tree.root_node.named_children:
            if top.type in kinds.TOP_FUNCTION_KINDS:
                n = top.child_by_field_name("name")
                if n is not None and pkg.text(n) == name:
                    return top
    raise KeyError(name)


def _summary(body: str, name: str = "f") -> tuple[Package, Summary]:
    pkg = package({"a.go": HEADER + body})
    return pkg, pkg.locks.summary(_func(pkg, name))


def _line(pkg: Package, start: int) -> str:
    src = pkg.files[0].src
    begin = src.rfind(b"\n", 0, start) + 1
    end = src.find(b"\n", start)
    return src[begin:end].decode().strip()


def _states(body: str, name: str = "f", lock: StorageKey = MU) -> list[tuple[str, str, int]]:
    """(source line, "W"/"R", state of `lock` at the access with no lock held at entry)."""
    pkg, summary = _summary(body, name)
    out = [(_line(pkg, a.site.start), "W" if a.write else "R", a.transfer.apply(EMPTY).state(lock))
           for a in summary.accesses]
    return sorted(out)


def _state_at(body: str, marker: str, name: str = "f", lock: StorageKey = MU) -> int:
    found = [s for line, _w, s in _states(body, name, lock) if marker in line]
    assert len(found) == 1, (marker, _states(body, name, lock))
    return found[0]


# -- transfers ------------------------------------------------------------------------------------

def test_transfer_then_composes_in_order() -> None:
    lock, unlock = Transfer.setting(MU, HELD), Transfer.setting(MU, FREE)
    assert lock.then(unlock).apply(EMPTY).state(MU) == FREE
    assert unlock.then(lock).apply(EMPTY).state(MU) == HELD
    assert IDENTITY.then(lock) == lock


def test_transfer_meet_of_different_states_is_maybe() -> None:
    lock = Transfer.setting(MU, HELD)
    assert lock.meet(IDENTITY).apply(EMPTY).state(MU) == MAYBE
    assert lock.meet(IDENTITY).apply(Lockset.make([(MU, HELD)])).state(MU) == HELD
    assert lock.meet(lock) == lock


def test_transfer_constant_base_resets_unlisted_locks() -> None:
    reset = Transfer(base=FREE)
    held = Lockset.make([(MU, HELD), (OTHER, READ)])
    assert reset.apply(held).state(MU) == FREE
    assert Transfer(base=MAYBE).apply(EMPTY).unknown


# -- flow -----------------------------------------------------------------------------------------

def test_flow_straight_line_lock_unlock() -> None:
    body = """
func (s *S) f() {
	s.m["before"] = 1
	s.mu.Lock()
	s.m["inside"] = 1
	s.mu.Unlock()
	s.m["after"] = 1
}
"""
    assert _state_at(body, '"before"') == FREE
    assert _state_at(body, '"inside"') == HELD
    assert _state_at(body, '"after"') == FREE


def test_flow_defer_unlock_holds_to_the_end_and_rlock_reads() -> None:
    body = """
func (s *S) f() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.n > 0 {
		return s.m["early"]
	}
	return s.m["late"]
}
"""
    assert _state_at(body, '"early"') == READ
    assert _state_at(body, '"late"') == READ


def test_flow_early_return_after_unlock_keeps_lock_on_fallthrough() -> None:
    body = """
func (s *S) f(k string) {
	s.mu.Lock()
	if _, ok := s.m[k]; ok {
		s.mu.Unlock()
		return
	}
	s.m["kept"] = 1
	s.mu.Unlock()
	s.m["dropped"] = 1
}
"""
    assert _state_at(body, '"kept"') == HELD
    assert _state_at(body, '"dropped"') == FREE
    assert _state_at(body, "ok := s.m[k]") == HELD


def test_flow_branches_that_disagree_are_maybe_and_agreeing_ones_held() -> None:
    body = """
func (s *S) f(b bool) {
	if b {
		s.mu.Lock()
	}
	s.m["maybe"] = 1
	if b {
		s.mu.Lock()
	} else {
		s.mu.Lock()
	}
	s.m["both"] = 1
	switch {
	case b:
		s.mu.Unlock()
	default:
		s.mu.Unlock()
	}
	s.m["switched"] = 1
}
"""
    assert _state_at(body, '"maybe"') == MAYBE
    assert _state_at(body, '"both"') == HELD
    assert _state_at(body, '"switched"') == FREE


def test_flow_loop_head_merges_back_edges() -> None:
    body = """
func (s *S) f(ks []string) {
	for _, k := range ks {
		s.m["head"] = 1
		s.mu.Lock()
		s.m[k] = 2
		if k == "" {
			continue
		}
		s.mu.Unlock()
	}
	for _, k := range ks {
		s.mu.Lock()
		s.m[k+"balanced"] = 3
		s.mu.Unlock()
	}
	s.m["end"] = 4
}
"""
    assert _state_at(body, '"head"') == MAYBE  # held after a `continue` that kept the lock
    assert _state_at(body, "s.m[k] = 2") == HELD
    assert _state_at(body, '"balanced"') == HELD
    assert _state_at(body, '"end"') == MAYBE


def test_flow_exits_do_not_reach_the_code_after_them() -> None:
    body = """
func (s *S) f(t *testing.T, b bool) {
	s.mu.Lock()
	if b {
		s.mu.Unlock()
		os.Exit(1)
	}
	s.m["a"] = 1
	if !b {
		s.mu.Unlock()
		log.Fatalf("x")
	}
	s.m["b"] = 1
	if s.n == 0 {
		s.mu.Unlock()
		t.Fatal("y")
	}
	s.m["c"] = 1
	if s.n == 1 {
		s.mu.Unlock()
		panic("z")
	}
	s.m["d"] = 1
}
"""
    for marker in ('"a"', '"b"', '"c"', '"d"'):
        assert _state_at(body, marker) == HELD, marker


def test_flow_trylock_holds_in_the_true_branch_only() -> None:
    body = """
func (s *S) f() {
	if s.mu.TryLock() {
		s.m["won"] = 1
		s.mu.Unlock()
	}
	s.m["after"] = 1
	if !s.mu.TryLock() {
		return
	}
	s.m["negated"] = 1
}
"""
    assert _state_at(body, '"won"') == HELD
    assert _state_at(body, '"after"') == FREE
    assert _state_at(body, '"negated"') == HELD


def test_flow_labeled_break_and_select_and_infinite_loop() -> None:
    body = """
func (s *S) f(ch chan int) {
	s.mu.Lock()
outer:
	for {
		select {
		case v := <-ch:
			if v == 0 {
				break outer
			}
			s.m["loop"] = v
		}
	}
	s.m["out"] = 1
	s.mu.Unlock()
}
"""
    assert _state_at(body, '"loop"') == HELD
    assert _state_at(body, '"out"') == HELD


def test_flow_goto_makes_the_function_unsupported() -> None:
    _pkg, summary = _summary("""
func (s *S) f() {
	s.mu.Lock()
retry:
	s.m["x"] = 1
	if s.n > 0 {
		goto retry
	}
}
""")
    assert summary.unsupported and not summary.accesses


def test_flow_deferred_calls_run_after_later_deferred_unlocks() -> None:
    body = """
func (s *S) f() {
	s.mu.Lock()
	defer delete(s.m, "first")
	defer s.mu.Unlock()
	defer delete(s.m, "last")
	s.m["body"] = 1
}
"""
    assert _state_at(body, '"first"') == FREE
    assert _state_at(body, '"last"') == HELD
    assert _state_at(body, '"body"') == HELD


# -- lock identity ----------------------------------------------------------------------------------

def test_lock_through_value_receiver_is_a_copy() -> None:
    body = """
func (s S) f() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m["copy"]
}
"""
    assert _state_at(body, '"copy"') == FREE
    _pkg, summary = _summary(body)
    assert len(summary.copied_locks) == 2


def test_lock_embedded_mutex_is_keyed_by_its_type() -> None:
    body = """
func (e *E) f() {
	e.Lock()
	e.m["x"] = 1
	e.Unlock()
}
"""
    assert _state_at(body, '"x"', lock=StorageKey("type:E", ("Mutex",))) == HELD


def test_lock_helpers_that_take_a_lock_take_it_at_the_call() -> None:
    body = """
func (s *S) lock() { s.mu.Lock() }

func (s *S) unlocker() func() {
	s.mu.Lock()
	return s.mu.Unlock
}

func (s *S) f() {
	s.lock()
	s.m["a"] = 1
	s.mu.Unlock()
}

func (s *S) g() {
	defer s.unlocker()()
	s.m["b"] = 1
}
"""
    assert _state_at(body, '"a"') == HELD
    assert _state_at(body, '"b"', name="g") == HELD


# -- literals -------------------------------------------------------------------------------------

def test_literals_sync_callbacks_keep_the_lock_and_others_are_left_out() -> None:
    body = """
func (s *S) withLock(fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn()
}

func (s *S) f(ks []string, run func(func())) {
	s.withLock(func() { s.m["helper"] = 1 })
	s.mu.Lock()
	sort.Slice(ks, func(i, j int) bool { return s.m[ks[i]] < s.m[ks[j]] })
	func() { s.m["iife"] = 1 }()
	go func() { s.m["goroutine"] = 1 }()
	run(func() { s.m["unknown"] = 1 })
	s.once.Do(func() { s.m["once"] = 1 })
	s.mu.Unlock()
}
"""
    states = _states(body)
    lines = [line for line, _w, _s in states]
    assert not any('"goroutine"' in line or '"unknown"' in line for line in lines)
    assert _state_at(body, '"helper"') == HELD
    assert _state_at(body, '"iife"') == HELD
    assert all(s == HELD for line, _w, s in states if "sort.Slice" in line)
    pkg, summary = _summary(body)
    once = [a for a in summary.accesses if '"once"' in _line(pkg, a.site.start)]
    assert len(once) == 1 and once[0].transfer.apply(EMPTY).unknown
    helper = pkg.locks.summary(_func(pkg, "withLock"))
    assert helper.param_calls and helper.param_calls[0][0] == 0


# -- accesses ---------------------------------------------------------------------------------------

def _kinds(body: str) -> dict[str, list[tuple[str, tuple[str, ...], bool]]]:
    pkg, summary = _summary(body)
    out: dict[str, list[tuple[str, tuple[str, ...], bool]]] = {}
    for a in summary.accesses:
        out.setdefault(_line(pkg, a.site.start), []).append(("W" if a.write else "R", a.key.path, a.sliced))
    return out


def test_accesses_writes_and_reads_by_shape() -> None:
    got = _kinds("""
func (s *S) f(data []byte, shards []map[string]int, i int) {
	s.m["a"] = 1
	s.m["b"] += 2
	s.m["c"]--
	delete(s.m, "d")
	clear(s.m)
	s.mm["x"]["y"] = 1
	s.ms["x"][0] = 1
	s.mp["x"].n = 1
	maps.Copy(s.m, global)
	_ = json.Unmarshal(data, &s.m)
	s.h.Set("k", "v")
	_ = s.h.Get("k")
	fmt.Println(s.m)
	_ = len(s.m)
	for range s.m {
	}
	v, ok := s.m["e"]
	_, _ = v, ok
	shards[i]["k"] = 1
}
""")
    assert got['s.m["a"] = 1'] == [("W", ("m",), False)]
    assert got['s.m["b"] += 2'] == [("W", ("m",), False)]
    assert got['s.m["c"]--'] == [("W", ("m",), False)]
    assert got['delete(s.m, "d")'] == [("W", ("m",), False)]
    assert got["clear(s.m)"] == [("W", ("m",), False)]
    assert sorted(got['s.mm["x"]["y"] = 1']) == [("R", ("mm",), False), ("W", ("mm", "[]"), False)]
    assert got['s.ms["x"][0] = 1'] == [("R", ("ms",), False)]
    assert got['s.mp["x"].n = 1'] == [("R", ("mp",), False)]
    assert sorted(got["maps.Copy(s.m, global)"]) == [("R", (), False), ("W", ("m",), False)]
    assert got["_ = json.Unmarshal(data, &s.m)"] == [("W", ("m",), False)]
    assert got['s.h.Set("k", "v")'] == [("W", ("h",), False)]
    assert got['_ = s.h.Get("k")'] == [("R", ("h",), False)]
    assert got["fmt.Println(s.m)"] == [("R", ("m",), False)]
    assert got["_ = len(s.m)"] == [("R", ("m",), False)]
    assert got["for range s.m {"] == [("R", ("m",), False)]
    assert got['v, ok := s.m["e"]'] == [("R", ("m",), False)]
    assert got['shards[i]["k"] = 1'] == [("W", ("[]",), True)]


def test_accesses_returned_map_is_marked() -> None:
    _pkg, summary = _summary("""
func (s *S) f() map[string]int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.m
}
""")
    (a,) = summary.accesses
    assert a.returned and not a.write and a.transfer.apply(EMPTY).state(MU) == READ


def test_accesses_roots_seen_from_the_unit() -> None:
    pkg, summary = _summary("""
func (s *S) f(m map[string]int, all []*S) {
	s.m["recv"] = 1
	m["param"] = 1
	global["pkg"] = 1
	local := map[string]int{}
	local["local"] = 1
	alias := s.m
	alias["copy"] = 1
	for _, o := range all {
		o.m["range"] = 1
	}
	go func() {
		s.m["captured"] = 1
	}()
}
""")
    roots = {_line(pkg, a.site.start): a.root for a in summary.accesses}
    assert roots['s.m["recv"] = 1'].kind == RECV
    assert roots['m["param"] = 1'].kind == PARAM and roots['m["param"] = 1'].index == 0
    assert roots['global["pkg"] = 1'].kind == PKG
    assert roots['local["local"] = 1'].kind == LOCAL
    assert roots['alias["copy"] = 1'].kind == RECV
    assert roots['o.m["range"] = 1'].kind == PARAM and roots['o.m["range"] = 1'].index == 1
    assert 's.m["captured"] = 1' not in roots
    lit = next(n for n in _walk(pkg) if n.type == "func_literal")
    inner = pkg.locks.summary(lit)
    assert [a.root.kind for a in inner.accesses] == [OUTER]


def _walk(pkg: Package) -> list[Node]:
    from golinter.parse import walk_named
    return list(walk_named(pkg.files[0].tree.root_node))


def test_calls_record_transfer_receiver_and_arguments() -> None:
    _pkg, summary = _summary("""
func (s *S) put(m map[string]int, k string) { m[k] = 1 }

func (s *S) f() {
	s.mu.Lock()
	s.put(s.m, "k")
	s.mu.Unlock()
}
""")
    (call,) = summary.calls
    assert call.transfer.apply(EMPTY).state(MU) == HELD
    assert call.recv is not None and call.recv.root.kind == RECV
    assert call.args[0] is not None and call.args[0].key == StorageKey("type:S", ("m",))


@pytest.mark.parametrize(("decl", "guards"), [
    ("type G struct {\n\tmu sync.Mutex\n\titems map[string]int // guarded by mu\n}\n", {"items": "mu"}),
    ("type G struct {\n\tmu sync.Mutex\n\t// protected by mu\n\titems map[string]int\n}\n", {"items": "mu"}),
    ("type G struct {\n\tmu sync.Mutex\n\titems map[string]int // +checklocks:mu\n}\n", {"items": "mu"}),
    ("type G struct {\n\tmu sync.Mutex // guards following fields\n\ta map[string]int\n\tb int\n\n\tc int\n}\n",
     {"a": "mu", "b": "mu"}),
    ("type G struct {\n\tmu sync.Mutex\n\titems map[string]int\n}\n", {}),
])
def test_field_guards_from_annotations(decl: str, guards: dict[str, str]) -> None:
    pkg = package({"a.go": HEADER + decl})
    assert pkg.locks.field_guards("G") == guards


def test_summary_is_plain_data() -> None:
    import pickle

    _pkg, summary = _summary("""
func (s *S) f() {
	s.mu.Lock()
	s.m["x"] = 1
	s.mu.Unlock()
}
""")
    assert pickle.loads(pickle.dumps(summary)) == summary
    assert isinstance(summary.accesses[0], MapAccess)


def test_flow_constant_false_branch_is_unreachable() -> None:
    pkg, summary = _summary("""
const debug = false

func (s *S) f() {
	s.mu.Lock()
	if debug {
		s.mu.Unlock()
		s.m["debug"] = 1
	}
	s.m["after"] = 1
	s.mu.Unlock()
}
""")
    lines = [_line(pkg, a.site.start) for a in summary.accesses]
    assert lines == ['s.m["after"] = 1']
    assert summary.accesses[0].transfer.apply(EMPTY).state(MU) == HELD


def test_accesses_through_a_copy_swapped_out_under_the_lock_are_local() -> None:
    pkg, summary = _summary("""
func (s *S) f() {
	s.mu.Lock()
	old := s.m
	s.m = map[string]int{}
	s.mu.Unlock()
	for k := range old {
		old[k] = 0
	}
	kept := s.mm
	_ = kept["x"]
}
""")
    by_line = {_line(pkg, a.site.start): a for a in summary.accesses}
    assert by_line["old[k] = 0"].root.kind == LOCAL and by_line["old[k] = 0"].key.root.startswith("local:")
    assert by_line['_ = kept["x"]'].key == StorageKey("type:S", ("mm",))


def test_literals_parallel_subtests_are_not_inline() -> None:
    pkg, summary = _summary("""
func f(t *testing.T, m map[string]int) {
	t.Run("seq", func(t *testing.T) { m["seq"] = 1 })
	t.Run("par", func(t *testing.T) {
		t.Parallel()
		m["par"] = 1
	})
}
""")
    lines = [_line(pkg, a.site.start) for a in summary.accesses]
    assert any('"seq"' in line for line in lines) and not any('"par"' in line for line in lines)


def test_lock_through_sync_cond_is_the_wrapped_mutex() -> None:
    pkg = package({"a.go": """package p

import "sync"

type Q struct {
	mu    sync.Mutex
	cond  *sync.Cond
	items map[string]int
}

func NewQ() *Q {
	q := &Q{items: map[string]int{}}
	q.cond = sync.NewCond(&q.mu)
	return q
}

func (q *Q) f() {
	q.cond.L.Lock()
	q.items["x"] = 1
	q.cond.L.Unlock()
}
"""})
    from golinter.parse import walk_named
    func = next(n for n in walk_named(pkg.files[0].tree.root_node)
                if n.type == "method_declaration" and pkg.text(n.child_by_field_name("name")) == "f")
    (a,) = pkg.locks.summary(func).accesses
    assert a.transfer.apply(EMPTY).state(StorageKey("type:Q", ("mu",))) == HELD


def _fresh(body: str) -> dict[str, bool]:
    """Source line of each write -> whether it fills a map made fresh in its locked region (and
    the lock is held where the map was made)."""
    pkg, summary = _summary(body)
    return {_line(pkg, a.site.start): a.fresh is not None and a.fresh.apply(EMPTY).state(MU) == HELD
            for a in summary.accesses if a.write}


def test_accesses_fresh_map_filled_in_its_locked_region() -> None:
    assert _fresh("""
func (s *S) f(src map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m = map[string]int{}
	for k, v := range src {
		s.m[k] = v + len(s.m)
	}
}
""") == {"s.m[k] = v + len(s.m)": True}


@pytest.mark.parametrize("between", [
    "s.mu.Unlock()\n\ts.mu.Lock()",    # the region ends: a reader can copy the new map
    "s.publish()",                     # a helper that may take or release the lock
    "other := s.m\n\t_ = other",      # the map handed on
    "go func() {}()",                  # code started meanwhile
])
def test_accesses_fresh_map_not_fresh_when_something_comes_between(between: str) -> None:
    assert _fresh("""
func (s *S) publish() { s.mu.Unlock(); s.mu.Lock() }

func (s *S) f(src map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m = make(map[string]int)
	BETWEEN
	s.m["k"] = 1
}
""".replace("BETWEEN", between)) == {'s.m["k"] = 1': False}


def test_accesses_fresh_map_needs_the_assignment_on_every_path_and_a_new_map() -> None:
    assert _fresh("""
func (s *S) f(src map[string]int, reset bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if reset {
		s.m = map[string]int{}
	}
	s.m["a"] = 1
	s.mm = map[string]map[string]int{}
	s.mm["x"] = src
	s.m = src
	s.m["b"] = 2
	for k := range src {
		s.m = map[string]int{}
		s.m[k] = 3
		s.mu.Unlock()
		s.mu.Lock()
	}
}
""") == {'s.m["a"] = 1': False, 's.mm["x"] = src': True, 's.m["b"] = 2': False, "s.m[k] = 3": True}


def test_accesses_fresh_map_in_a_loop_with_an_unlock_later_in_the_body() -> None:
    assert _fresh("""
func (s *S) f(src map[string]int) {
	s.mu.Lock()
	s.m = map[string]int{}
	for k := range src {
		s.m[k] = 1
		s.mu.Unlock()
		s.mu.Lock()
	}
	s.mu.Unlock()
}
""") == {"s.m[k] = 1": False}


def test_accesses_load_point_of_a_copied_map() -> None:
    pkg, summary = _summary("""
func (s *S) f() int {
	s.mu.RLock()
	m := s.m
	s.mu.RUnlock()
	n := 0
	for _, v := range m {
		n += v
	}
	return n + s.m["x"]
}
""")
    got = {_line(pkg, a.site.start): (a.transfer.apply(EMPTY).state(MU),
                                       a.load.apply(EMPTY).state(MU) if a.load is not None else None)
           for a in summary.accesses}
    assert got == {"for _, v := range m {": (FREE, READ), 'return n + s.m["x"]': (FREE, None)}


WRAPPED = """package p

import (
	"sync"

	"example.com/pb"
	"example.com/x"
)

type Server struct {
	x.SafeMutex
	pb.UnimplementedZeroServer
	leaseLock sync.Mutex
	nextUint  map[int]uint64
}

func (s *Server) a() { s.Lock() }

func (srv *Server) b() { srv.Lock() }

type Two struct {
	x.Guard
	pb.Other
}

func (t *Two) c() { t.Lock() }

type Local struct{ m sync.RWMutex }

func (l *Local) Lock() { l.m.Lock() }

type Node struct {
	Local
	peers map[int]string
}

func (n *Node) d() { n.Lock() }
"""


def test_lock_key_of_a_promoted_lock_method() -> None:
    """`s.Lock()` promoted from an embedded wrapper is that field's lock in every method (the one
    embedded type named for a lock, of another package or declaring Lock here); between two
    unnamed candidates it is opaque (Unknown)."""
    from golinter.model.lockcalls import lock_key
    from golinter.parse import walk_named

    pkg = package({"a.go": WRAPPED})
    keys = {}
    for node in walk_named(pkg.files[0].tree.root_node):
        if node.type == kinds.CALL_EXPRESSION and pkg.text(node).endswith(".Lock()"):
            fn = node.child_by_field_name("function")
            operand = fn.child_by_field_name("operand") if fn is not None else None
            assert operand is not None
            keys[pkg.text(node)] = lock_key(pkg, operand)
    assert keys["s.Lock()"] == keys["srv.Lock()"] == StorageKey("type:Server", ("SafeMutex",))
    assert keys["t.Lock()"] is not None and keys["t.Lock()"].root.startswith("opaque:")
    assert keys["n.Lock()"] == StorageKey("type:Node", ("Local",))
