"""golinter/model/concurrency.py: contexts, joins, regions, instances, inlined accesses."""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from _modelkit import package

from golinter.model.concurrency import (
    AFTER,
    GOROUTINE,
    HANDLER,
    METHOD,
    Access,
    Analysis,
    Context,
)
from golinter.model.entrypoints import HELD_BY_DOC, NOT_BY_DOC, UNKNOWN_BY_DOC, held_by_doc
from golinter.model.locksets import HELD, READ
from golinter.model.storage import StorageKey

if TYPE_CHECKING:
    from golinter.model.package import Package

HEADER = """package p

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/sync/errgroup"
	pb "example.com/gen/pb"
	"github.com/sourcegraph/conc"
)

var _ context.Context
var _ http.Handler
var _ time.Duration
var _ *gin.Context
var _ errgroup.Group
var _ conc.WaitGroup
"""


def _analysis(body: str, spawners: tuple[str, ...] = (), files: dict[str, str] | None = None) -> tuple[Package, Analysis]:
    pkg = package({"a.go": HEADER + body, **(files or {})})
    return pkg, pkg.concurrency.analysis(spawners)


def _line(pkg: Package, path: str, start: int) -> str:
    f = next(f for f in pkg.files if f.path == path)
    begin = f.src.rfind(b"\n", 0, start) + 1
    end = f.src.find(b"\n", start)
    return f.src[begin:end].decode().strip()


def _contexts(an: Analysis, kind: str) -> list[Context]:
    return [c for c in an.contexts if c.kind == kind]


def _accesses(pkg: Package, an: Analysis, ctx: Context) -> dict[str, Access]:
    return {_line(pkg, a.site.path, a.site.start): a for a in an.accesses if a.context == ctx.index}


def test_methods_only_exported_methods_of_types_with_a_mutex() -> None:
    _pkg, an = _analysis("""
type Cache struct {
	mu    sync.Mutex
	items map[string]int
}

func (c *Cache) Get(k string) int { return c.items[k] }
func (c *Cache) set(k string)     { c.items[k] = 1 }
func (c *Cache) lock()            { c.mu.Lock() }

type Plain struct{ items map[string]int }

func (p *Plain) Get(k string) int { return p.items[k] }

// Builder is not safe for concurrent use.
type Builder struct {
	mu    sync.Mutex
	parts map[string]int
}

func (b *Builder) Add(k string) { b.parts[k]++ }
func (b *Builder) lock()        { b.mu.Lock() }

// Node's mutex is never locked here: it guards nothing the package can see.
type Node struct {
	sync.Mutex
	items map[string]int
}

func (n *Node) Add(k string) { n.items[k]++ }
""")
    assert [c.name for c in _contexts(an, METHOD)] == ["Get"]
    (get,) = _contexts(an, METHOD)
    assert get.multi and get.ambient


def test_handlers_literals_functions_servehttp_grpc_gin_but_not_tests() -> None:
    _pkg, an = _analysis("""
type Srv struct {
	pb.UnimplementedGreeterServer
	hits map[string]int
}

func (s *Srv) ServeHTTP(w http.ResponseWriter, r *http.Request) {}
func (s *Srv) SayHello(ctx context.Context, in *pb.HelloRequest) (*pb.HelloReply, error) { return nil, nil }
func list(c *gin.Context) {}
func handle(w http.ResponseWriter, r *http.Request) {}
func helper(w http.ResponseWriter) {}

func routes(mux *http.ServeMux) {
	mux.HandleFunc("/x", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/y", handle)
}
""", files={"a_test.go": """package p

import "net/http"

func testHandler() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {}
}
"""})
    names = sorted(c.name for c in _contexts(an, HANDLER))
    assert names == ["SayHello", "ServeHTTP", "handle", "list", "the handler"]
    handle = next(c for c in _contexts(an, HANDLER) if c.name == "handle")
    assert handle.registered and handle.multi


def test_goroutines_from_go_statements_and_spawners() -> None:
    _pkg, an = _analysis("""
type W struct{ m map[string]int }

func (w *W) loop() {}
func work() {}

func start(w *W, g *errgroup.Group, cg *conc.WaitGroup, wg *sync.WaitGroup) {
	go w.loop()
	go work()
	go func() {}()
	g.Go(func() error { return nil })
	wg.Go(work)
	time.AfterFunc(time.Second, w.loop)
	cg.Go(func() {})
}
""", spawners=("conc.WaitGroup.Go",))
    origins = sorted(c.name for c in _contexts(an, GOROUTINE))
    assert origins == ["the func run by conc.WaitGroup.Go", "the func run by errgroup.Group.Go",
                       "the func run by sync.WaitGroup.Go", "the func run by time.AfterFunc",
                       "the goroutine", "the goroutine", "the goroutine"]
    assert len(_contexts(an, AFTER)) == 7


def test_join_by_waitgroup_with_deferred_done_ends_the_region() -> None:
    pkg, an = _analysis("""
func f(keys []string) {
	m := map[string]int{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		m["g"] = 1
	}()
	m["during"] = 1
	wg.Wait()
	m["after"] = 1
}
""")
    (g,) = _contexts(an, GOROUTINE)
    (after,) = _contexts(an, AFTER)
    assert not g.ambient and not g.multi
    assert g.index in after.partners and after.index in g.partners
    lines = _accesses(pkg, an, after)
    assert 'm["during"] = 1' in lines and 'm["after"] = 1' not in lines
    assert an.concurrent(g, after)


def test_no_join_without_done_and_context_done_is_not_a_join() -> None:
    pkg, an = _analysis("""
func f(ctx context.Context) {
	m := map[string]int{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		m["g"] = 1
		wg.Done()
		<-ctx.Done()
	}()
	<-ctx.Done()
	wg.Wait()
	m["after"] = 1
}
""")
    (g,) = _contexts(an, GOROUTINE)
    assert g.ambient  # Done is not deferred nor last: no evidence of a join
    (after,) = _contexts(an, AFTER)
    assert 'm["after"] = 1' in _accesses(pkg, an, after)


def test_join_by_channel_closed_after_the_writes() -> None:
    pkg, an = _analysis("""
func f() {
	m := map[string]int{}
	done := make(chan struct{})
	go func() {
		m["g"] = 1
		close(done)
	}()
	m["during"] = 1
	<-done
	m["after"] = 1
}
""")
    (after,) = _contexts(an, AFTER)
    lines = _accesses(pkg, an, after)
    assert 'm["during"] = 1' in lines and 'm["after"] = 1' not in lines


def test_receive_inside_a_branch_is_not_a_join() -> None:
    pkg, an = _analysis("""
func f(b bool) {
	m := map[string]int{}
	done := make(chan struct{})
	go func() {
		m["g"] = 1
		close(done)
	}()
	if b {
		<-done
	}
	m["after"] = 1
}
""")
    (after,) = _contexts(an, AFTER)
    assert 'm["after"] = 1' in _accesses(pkg, an, after)


def test_receive_in_another_method_from_a_channel_closed_at_exit_ends_the_goroutine() -> None:
    pkg, an = _analysis("""
type M struct {
	mu    sync.Mutex
	items map[string]int
	done  chan struct{}
	ready chan struct{}
}

func (m *M) Run() { go m.loop() }

func (m *M) loop() {
	close(m.ready)
	m.mu.Lock()
	m.items["x"] = 1
	m.mu.Unlock()
	close(m.done)
}

func (m *M) Stop() {
	_ = m.items["before"]
	<-m.done
	_ = m.items["after"]
}

func (m *M) Started() {
	<-m.ready
	_ = m.items["started"]
}
""")
    (goroutine,) = _contexts(an, GOROUTINE)
    methods = {c.name: c for c in _contexts(an, METHOD)}
    stop = _accesses(pkg, an, methods["Stop"])
    assert not an.ended_before(goroutine, stop['_ = m.items["before"]'])
    assert an.ended_before(goroutine, stop['_ = m.items["after"]'])
    started = _accesses(pkg, an, methods["Started"])
    assert not an.ended_before(goroutine, started['_ = m.items["started"]'])  # closed first, not last


def test_errgroup_wait_joins_and_loop_makes_goroutines_multi_instance() -> None:
    pkg, an = _analysis("""
func f(ctx context.Context, items []string) error {
	seen := map[string]bool{}
	g, ctx := errgroup.WithContext(ctx)
	for _, it := range items {
		perItem := map[string]int{}
		g.Go(func() error {
			seen[it] = true
			perItem[it]++
			return nil
		})
		seen["loop"] = true
	}
	err := g.Wait()
	seen["after"] = true
	return err
}
""")
    (g,) = _contexts(an, GOROUTINE)
    assert g.multi and g.in_loop and not g.ambient
    acc = _accesses(pkg, an, g)
    assert acc["seen[it] = true"].instance_shared
    assert not acc["perItem[it]++"].instance_shared and acc["perItem[it]++"].shared
    (after,) = _contexts(an, AFTER)
    lines = _accesses(pkg, an, after)
    assert 'seen["loop"] = true' in lines and 'seen["after"] = true' not in lines


def test_go_in_a_loop_joined_in_the_same_iteration_is_single_instance() -> None:
    _pkg, an = _analysis("""
func f(items []string) {
	m := map[string]int{}
	for _, it := range items {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			m[it] = 1
		}()
		wg.Wait()
	}
}
""")
    (g,) = _contexts(an, GOROUTINE)
    assert not g.multi


def test_goroutine_arguments_and_receivers_are_bound_to_the_spawner() -> None:
    pkg, an = _analysis("""
type Pool struct{ results map[int]string }

func (p *Pool) worker(id int) { p.results[id] = "done" }

func fill(m map[string]int) { m["x"] = 1 }

func run(p *Pool) {
	shared := map[string]int{}
	go func(m map[string]int) { m["lit"] = 1 }(shared)
	go fill(shared)
	go p.worker(1)
}
""")
    keys = {pkg.text(pkg.concurrency.node_at(a.site)): a.key for a in an.accesses
            if an.contexts[a.context].kind == GOROUTINE}
    assert keys['m["lit"]'] == keys['m["x"]']
    assert keys['m["lit"]'].root.startswith("local:")
    assert keys["p.results[id]"] == StorageKey("type:Pool", ("results",))


def test_inlined_helpers_keep_the_callers_locks_and_report_the_call() -> None:
    pkg, an = _analysis("""
type Store struct {
	mu    sync.Mutex
	items map[string]int
}

func (s *Store) putLocked(k string) { s.items[k] = 1 }

func (s *Store) Put(k string) {
	s.mu.Lock()
	s.putLocked(k)
	s.mu.Unlock()
}

func (s *Store) Sloppy(k string) { s.putLocked(k) }
""")
    mu = StorageKey("type:Store", ("mu",))
    by_method = {an.contexts[a.context].name: a for a in an.accesses}
    assert by_method["Put"].lockset.state(mu) == HELD and by_method["Put"].via is not None
    assert by_method["Sloppy"].lockset.state(mu) != HELD
    assert _line(pkg, by_method["Put"].via.path, by_method["Put"].via.start) == "s.putLocked(k)"
    assert an.guards(StorageKey("type:Store", ("items",))) == (mu,)


def test_exported_locked_method_starts_with_its_lock_held() -> None:
    _pkg, an = _analysis("""
type Store struct {
	mu    sync.Mutex
	items map[string]int
}

// FlushLocked writes pending items. The caller must hold s.mu.
func (s *Store) FlushLocked() { s.items["x"] = 1 }

func (s *Store) lock() { s.mu.Lock() }
""")
    (a,) = an.accesses
    assert a.lockset.state(StorageKey("type:Store", ("mu",))) == HELD


_HELD_PHRASES = {  # nats-server's phrasings, and the classic ones
    "// Lock should be held.": HELD_BY_DOC, "// Lock is held on entry.": HELD_BY_DOC,
    "// Lock held on entry.": HELD_BY_DOC, "// Lock should be held on entry.": HELD_BY_DOC,
    "// Lock must be held.": HELD_BY_DOC, "// Lock should be held upon entry.": HELD_BY_DOC,
    "// mset.clMu lock must be held.": HELD_BY_DOC, "// Lock is assumed held.": HELD_BY_DOC,
    "// Lock for fs should be held.": HELD_BY_DOC, "// Lock should be held entering here.": HELD_BY_DOC,
    "// trackRemoteReply tracks a reply.\n// Lock assumed to be held.": HELD_BY_DOC,
    "// Lock assume held on entry": HELD_BY_DOC, "// lock MUST be held": HELD_BY_DOC,
    "// Lock is held on entry, but may be released/reacquired during this call": HELD_BY_DOC,
    "// FlushLocked writes pending items. The caller must hold s.mu.": HELD_BY_DOC,
    "// Lock should not be held.": NOT_BY_DOC, "// Lock MUST NOT be held upon entry.": NOT_BY_DOC,
    "// Lock not held on entry.": NOT_BY_DOC, "// Lock is NOT held upon entry.": NOT_BY_DOC,
    "// Lock does NOT need to be held, we set the client on setup": NOT_BY_DOC,
    "// mset.mu lock must NOT be held or used.": NOT_BY_DOC,
    "// Lock not held on entry, but session is in the locked map": NOT_BY_DOC,
    "// Client lock MUST NOT be held on entry": NOT_BY_DOC,
    "// Must not be called while holding s.mu.": NOT_BY_DOC,
    "// The lock is held only while copying.": NOT_BY_DOC, "// Foo does things.": NOT_BY_DOC,
    "// Read lock should be held": UNKNOWN_BY_DOC, "// At least a read lock must be held": UNKNOWN_BY_DOC,
    "// Lock should be held on the owning account": UNKNOWN_BY_DOC,
}


@pytest.mark.parametrize(("doc", "said"), sorted(_HELD_PHRASES.items()))
def test_held_by_doc_reads_the_phrasings_and_their_negations(doc: str, said: str) -> None:
    assert held_by_doc(doc) == said


def test_documented_lock_held_starts_the_spawners_code_with_its_lock_held() -> None:
    pkg, an = _analysis("""
type client struct {
	mu   sync.Mutex
	rmap map[string]int
}

// track remembers a reply.
// Lock assumed to be held.
func (c *client) track(reply string) {
	time.AfterFunc(time.Second, c.prune)
	c.rmap[reply] = 1
}

// untrack forgets a reply.
// Lock should not be held.
func (c *client) untrack(reply string) {
	time.AfterFunc(time.Second, c.prune)
	delete(c.rmap, reply)
}

func (c *client) prune() {
	c.mu.Lock()
	delete(c.rmap, "x")
	c.mu.Unlock()
}
""")
    mu = StorageKey("type:client", ("mu",))
    after = {c.name: c for c in _contexts(an, AFTER)}
    assert _accesses(pkg, an, after["track"])["c.rmap[reply] = 1"].lockset.state(mu) == HELD
    assert _accesses(pkg, an, after["untrack"])["delete(c.rmap, reply)"].lockset.state(mu) != HELD


def test_handler_roots_receiver_and_captures_are_shared_request_data_is_not() -> None:
    pkg, an = _analysis("""
type Srv struct{ hits map[string]int }

var global = map[string]int{}

func (s *Srv) handle(w http.ResponseWriter, r *http.Request) {
	local := map[string]int{}
	local["x"] = 1
	s.hits["x"] = 1
	global["x"] = 1
	r.Header.Set("a", "b")
}
""")
    acc = {k: v.shared for k, v in _accesses(pkg, an, _contexts(an, HANDLER)[0]).items()}
    assert acc == {'local["x"] = 1': False, 's.hits["x"] = 1': True, 'global["x"] = 1': True,
                   'r.Header.Set("a", "b")': False}


def test_concurrent_relation() -> None:
    _pkg, an = _analysis("""
type C struct {
	mu sync.Mutex
	m  map[string]int
}

func (c *C) Get() int { return c.m["x"] }

func (c *C) lock() { c.mu.Lock() }

func h(w http.ResponseWriter, r *http.Request) {}

func f() {
	m := map[string]int{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); m["a"] = 1 }()
	wg.Wait()
	go func() { m["b"] = 1 }()
}
""")
    (method,) = _contexts(an, METHOD)
    (handler,) = _contexts(an, HANDLER)
    joined, escaping = _contexts(an, GOROUTINE)
    assert an.concurrent(method, handler) and an.concurrent(method, method)
    assert an.concurrent(escaping, handler) and not an.concurrent(joined, handler)
    assert not an.concurrent(joined, escaping)  # the second starts after the first is joined
    assert not an.concurrent(joined, joined)


def test_join_by_a_send_in_a_deferred_literal() -> None:
    pkg, an = _analysis("""
type B struct {
	signal chan bool
	extra  map[string]float64
}

func (b *B) run1() {
	go func() {
		defer func() {
			b.signal <- true
		}()
		b.extra["n"] = 1
	}()
	<-b.signal
	b.extra["after"] = 2
}
""")
    (g,) = _contexts(an, GOROUTINE)
    assert not g.ambient
    (after,) = _contexts(an, AFTER)
    assert 'b.extra["after"] = 2' not in _accesses(pkg, an, after)


def test_spawner_entry_inferred_from_callers_that_all_hold_the_lock() -> None:
    pkg, an = _analysis("""
type Q struct {
	mu      sync.Mutex
	pending map[string]int
}

func (q *Q) Add(k string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.kick()
}

func (q *Q) kick() {
	go func() {
		q.mu.Lock()
		q.pending["flushed"] = 1
		q.mu.Unlock()
	}()
	q.pending["kicked"] = 1
}
""")
    (after,) = _contexts(an, AFTER)
    (a,) = _accesses(pkg, an, after).values()
    assert a.lockset.state(StorageKey("type:Q", ("mu",))) == HELD


def test_evidence_comes_from_writes_under_a_lock_and_annotations() -> None:
    _pkg, an = _analysis("""
type C struct {
	mu    sync.Mutex
	read  map[string]int
	wrote map[string]int
	noted map[string]int // guarded by mu
}

func (c *C) Get() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wrote["x"] = 1
	return c.read["x"]
}
""")
    mu = StorageKey("type:C", ("mu",))
    assert an.guards(StorageKey("type:C", ("read",))) == ()
    assert an.guards(StorageKey("type:C", ("wrote",))) == (mu,)
    assert an.guards(StorageKey("type:C", ("noted",))) == (mu,)


def test_parallel_subtests_run_with_each_other_not_with_the_test_body() -> None:
    pkg, an = _analysis("", files={"p_test.go": """package p

import "testing"

func TestX(t *testing.T) {
	m := map[string]int{}
	for _, name := range []string{"a", "b"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m[name] = 1
		})
	}
	m["body"] = 1
}
"""})
    (g,) = _contexts(an, GOROUTINE)
    assert g.multi and not g.ambient and g.name == "the parallel subtest"
    (after,) = _contexts(an, AFTER)
    assert not _accesses(pkg, an, after)


def test_spawner_region_is_skipped_for_goroutines_that_touch_no_shared_map() -> None:
    pkg, an = _analysis("""
func f(done chan bool) {
	m := map[string]int{}
	go func() { done <- true }()
	m["after"] = 1
}
""")
    (after,) = _contexts(an, AFTER)
    assert not _accesses(pkg, an, after)


# -- the rule on its fixtures ------------------------------------------------------------------------
# GML003's fixtures carry `// want-pending GML003` until the rule is registered in ALL_CHECKS (then
# `// want GML003`, checked by tests/test_fixtures.py); this runs the check alone on them either way.

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "GML003"
CASES = sorted(p for p in FIXTURES.glob("*") if p.is_dir())
_WANT = re.compile(r'//\s*want(?:-pending)?\s+.*?GML003(?:\s+"([^"]*)")?')


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_gml003_fixture_findings_are_exactly_the_wants(case: Path) -> None:
    from golinter.checks import all_rules
    from golinter.checks import gml003_unguarded_concurrent_map_write as check
    from golinter.config import load_config
    from golinter.discover import discover
    from golinter.engine import Settings, run_packages

    settings = Settings()
    for name in (".golinter.toml", "golinter.toml.pending"):
        if (case / name).exists():
            rules = tuple(r for r in all_rules() if r.code != "GML003") + (check.RULE,)
            settings = Settings(rule_options=load_config(str(case / name), rules, cwd=str(case)).rule_options)
    out = run_packages(discover([str(case)]).packages, settings, jobs=1, checks=[check])
    assert not [n for n in out.notifications if n.reason == "internal-error"]
    got = {(os.path.relpath(f.span.path, case), f.span.line): f.message for f in out.findings}
    want: dict[tuple[str, int], str | None] = {}
    for go in sorted(case.rglob("*.go")):
        for lineno, line in enumerate(go.read_text().splitlines(), 1):
            m = _WANT.search(line)
            if m:
                want[(os.path.relpath(go, case), lineno)] = m.group(1)
    assert sorted(got.keys() - want.keys()) == [], got
    assert sorted(want.keys() - got.keys()) == []
    for k, regex in want.items():
        assert regex is None or re.search(regex, got[k]), (k, got[k], regex)


def test_goroutines_started_by_a_handler_share_its_receiver_not_its_request() -> None:
    pkg, an = _analysis("""
type Srv struct{ warmed map[string]bool }

func (s *Srv) handle(w http.ResponseWriter, r *http.Request) {
	perRequest := map[string]bool{}
	go func() {
		s.warmed["x"] = true
		perRequest["x"] = true
		r.Header.Set("a", "b")
	}()
}
""")
    (g,) = _contexts(an, GOROUTINE)
    assert g.multi and g.per_request and g.spawner == "handle"
    acc = {k: (v.shared, v.instance_shared) for k, v in _accesses(pkg, an, g).items()}
    assert acc['s.warmed["x"] = true'] == (True, True)
    assert acc['perRequest["x"] = true'] == (True, False)
    assert acc['r.Header.Set("a", "b")'] == (True, False)


def test_a_map_passed_to_a_helper_is_placed_on_the_call() -> None:
    pkg, an = _analysis("""
type C struct {
	mu     sync.Mutex
	fields map[string]bool
}

func (c *C) Report() int { return count(c.fields) }

func (c *C) lock() { c.mu.Lock() }

func count(m map[string]bool) int { return len(m) }
""")
    (a,) = an.accesses
    assert _line(pkg, a.site.path, a.site.start) == "func (c *C) Report() int { return count(c.fields) }"
    assert pkg.text(pkg.concurrency.node_at(a.map_site)) == "c.fields"


def test_goroutines_a_test_starts_count_only_in_test_files() -> None:
    pkg, an = _analysis("""
type conn struct{ pending map[string]int }

func (c *conn) parse(k string) { c.pending[k]++ }
""", files={"a_test.go": """package p

import "testing"

func TestParse(t *testing.T) {
	c, seen := &conn{pending: map[string]int{}}, map[string]int{}
	go c.parse("x")
	go func() { seen["x"]++ }()
	seen["y"]++
	c.parse("y")
}
"""})
    paths = {a.site.path for c in _contexts(an, GOROUTINE) + _contexts(an, AFTER) for a in an.accesses
             if a.context == c.index}
    assert paths == {"/virtual/a_test.go"}
    lines = {line for c in _contexts(an, AFTER) for line in _accesses(pkg, an, c)}
    assert lines == {'seen["y"]++'}


@pytest.mark.parametrize(("done", "joined"), [
    ("case <-ctx.Done():\n\t\t\t\twg.Done()\n\t\t\t\treturn", True),           # Done, then leave
    ("case <-ctx.Done():\n\t\t\t\twg.Done()\n\t\t\t\tm[\"late\"] = 1\n\t\t\t\treturn", False),  # work after Done
    ("case <-ctx.Done():\n\t\t\t\treturn", False),                              # no Done at all
])
def test_join_by_waitgroup_done_right_before_return(done: str, joined: bool) -> None:
    pkg, an = _analysis("""
func f(ctx context.Context, in <-chan string) {
	m := map[string]int{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		for {
			select {
			DONE
			case k := <-in:
				m[k]++
			}
		}
	}()
	wg.Wait()
	m["after"] = 1
}
""".replace("DONE", done))
    (after,) = _contexts(an, AFTER)
    assert ('m["after"] = 1' not in _accesses(pkg, an, after)) == joined
    (g,) = _contexts(an, GOROUTINE)
    assert g.ambient != joined


def test_a_done_in_a_callback_of_unknown_timing_is_not_a_join() -> None:
    pkg, an = _analysis("""
func f(in <-chan string, later func(func())) {
	m := map[string]int{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		later(func() { wg.Done() })
		for k := range in {
			m[k]++
		}
		wg.Done()
	}()
	wg.Wait()
	m["after"] = 1
}
""")
    (after,) = _contexts(an, AFTER)
    assert 'm["after"] = 1' in _accesses(pkg, an, after)


def test_accesses_carry_the_fresh_region_and_the_load_lockset() -> None:
    pkg, an = _analysis("""
type Account struct {
	mu     sync.RWMutex
	limits map[string]int
}

func (a *Account) Update(src map[string]int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.limits = map[string]int{}
	for k, v := range src {
		a.limits[k] = v
	}
}

func (a *Account) Usage() (n int) {
	a.mu.RLock()
	limits := a.limits
	a.mu.RUnlock()
	for _, v := range limits {
		n += v
	}
	return n
}
""")
    mu = StorageKey("type:Account", ("mu",))
    methods = {c.name: c for c in _contexts(an, METHOD)}
    write = _accesses(pkg, an, methods["Update"])["a.limits[k] = v"]
    read = _accesses(pkg, an, methods["Usage"])["for _, v := range limits {"]
    assert write.fresh == (mu,) and write.load is None
    assert not read.fresh and read.lockset.state(mu) != HELD
    assert read.load is not None and read.load.state(mu) == READ


_POLICIES = """
type Policies struct {
	mu     sync.Mutex
	caches map[string]int
	n      int
}

func NewPolicies() *Policies { return &Policies{caches: map[string]int{}} }

func (p *Policies) Decode(names []string) {
	for _, n := range names {
		p.caches[n] = 1
	}
}

func (p *Policies) Get(k string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.caches[k]
}
"""


@pytest.mark.parametrize(("builder", "entry"), [
    # made here, only its fields used before the call, in a loop or not: construction
    ("p := NewPolicies()\n\tfor _, b := range batches {\n\t\tp.Decode(b)\n\t\tp.n++\n\t}\n\treturn p", False),
    (("p := &Policies{caches: map[string]int{}}\n\tp.mu.Lock()\n\tp.n = 1\n\tp.mu.Unlock()\n"
      "\tp.Decode(batches[0])\n\treturn p"), False),
    ("p := NewPolicies()\n\tp.defaults()\n\tp.Decode(batches[0])\n\treturn p", False),  # fields only
    ("var p Policies\n\tp.Decode(batches[0])\n\treturn &p", True),  # no value bound: not known made here
    # shared before the call: a method call, an argument, a later pass of the loop, a closure
    ("p := NewPolicies()\n\tp.start()\n\tp.Decode(batches[0])\n\treturn p", True),
    ("p := NewPolicies()\n\tkeep(p)\n\tp.Decode(batches[0])\n\treturn p", True),
    ("p := NewPolicies()\n\tfor _, b := range batches {\n\t\tp.Decode(b)\n\t\tkeep(p)\n\t}\n\treturn p", True),
    ("p := NewPolicies()\n\tfunc() { p.Decode(batches[0]) }()\n\treturn p", True),
    ("p := started()\n\tp.Decode(batches[0])\n\treturn p", True),  # its constructor returns a variable
    ("p := NewPolicies()\n\tp.Decode(batches[0])\n\tshared.Decode(batches[1])\n\treturn p", True),
])
def test_methods_called_only_on_values_being_built_are_not_entry_points(builder: str, entry: bool) -> None:
    _pkg, an = _analysis(_POLICIES + """
var shared = NewPolicies()

func keep(p *Policies) {}
func (p *Policies) start() { go p.Get("k") }
func (p *Policies) defaults() {
	p.n = 1
	p.caches["default"] = 0
}

func started() *Policies {
	p := NewPolicies()
	go p.start()
	return p
}

func build(batches [][]string) *Policies {
	""" + builder + """
}
""")
    assert ("Decode" in [c.name for c in _contexts(an, METHOD)]) is entry


def test_deferred_literal_code_after_waiting_for_the_goroutine_is_joined() -> None:
    pkg, an = _analysis("""
type V struct{ m map[string]int }

func (v *V) fill() { v.m["k"] = 1 }

func run(early bool) {
	v := &V{m: map[string]int{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		v.fill()
	}()
	defer func() {
		_ = len(v.m) // before
		<-done
		_ = len(v.m) // after
	}()
	defer func() {
		if early {
			<-done
		}
		_ = len(v.m) // branch
	}()
}
""")
    (after,) = _contexts(an, AFTER)
    lines = sorted(_accesses(pkg, an, after))
    assert lines == ["_ = len(v.m) // before", "_ = len(v.m) // branch"]


def test_methods_built_up_only_by_tests_stay_entry_points() -> None:
    _pkg, an = _analysis(_POLICIES, files={"p_test.go": """package p

func build() *Policies {
	p := NewPolicies()
	p.Decode([]string{"a"})
	return p
}
"""})
    assert "Decode" in [c.name for c in _contexts(an, METHOD)]


@pytest.mark.parametrize(("sender", "drain", "joined"), [
    ("use(m)\n\t\twg.Wait()\n\t\tclose(ch)", "for range ch {\n\t\t}", True),
    ("use(m)\n\t\tclose(ch)", "for v := range ch {\n\t\t\t_ = v\n\t\t}", True),
    ("close(ch)\n\t\tuse(m)", "for range ch {\n\t\t}", False),  # more work after the close
    ("use(m)\n\t\tclose(ch)", "for range ch {\n\t\t\tbreak\n\t\t}", False),  # can leave early
    ("use(m)\n\t\tclose(ch)\n\t\tshut(ch)", "for range ch {\n\t\t}", False),  # a helper may close it
    ("use(m)\n\t\tclose(ch)", "if len(m) > 0 {\n\t\t\tfor range ch {\n\t\t\t}\n\t\t}", False),  # one path only
])
def test_goroutine_code_after_draining_a_channel_another_closes_last(sender: str, drain: str, joined: bool) -> None:
    _pkg, an = _analysis("""
func use(m map[string]int) { _ = m["k"] }
func shut(ch chan int)      { close(ch) }

func run(m map[string]int) {
	ch := make(chan int)
	var wg sync.WaitGroup
	go func() {
		""" + sender + """
	}()
	go func() {
		""" + drain + """
		m["k"] = 1
	}()
}
""")
    sender_ctx, drainer = _contexts(an, GOROUTINE)
    write = next(a for a in an.accesses if a.context == drainer.index and a.write)
    assert an.ended_before(sender_ctx, write) is joined


@pytest.mark.parametrize(("path", "accepted", "multi"), [
    ("fake_test.go", "c", False),   # a test's fake server: one client connection at a time
    ("server.go", "c", True),       # a real server: many clients at once
    ("fake_test.go", "nil", True),  # not handed the accepted connection
])
def test_goroutines_per_accepted_connection_in_test_fakes(path: str, accepted: str, multi: bool) -> None:
    src = """package p

import "net"

type fake struct {
	ln   net.Listener
	seen map[string]int
}

func (f *fake) serve() {
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		go f.handle(""" + accepted + """)
	}
}

func (f *fake) handle(c net.Conn) { f.seen["conn"]++ }
"""
    pkg = package({path: src})
    (goroutine,) = _contexts(pkg.concurrency.analysis(()), GOROUTINE)
    assert goroutine.multi is multi


def test_gml003_gate_sees_go_statements_not_the_word_go() -> None:
    """The byte gate before any analysis: `go(f)(x)` (no space, as gofmt never writes it but the
    compiler takes) is a goroutine; "a while ago " in a comment is not one."""
    from golinter.checks import gml003_unguarded_concurrent_map_write as check

    paren = package({"a.go": """package p

var counts = map[string]int{}

func Count(words []string) {
	for _, w := range words {
		go(func(w string) { counts[w]++ })(w)
	}
}
"""})
    assert check._has_signs(paren, ())
    assert [f.code for f in check.run(paren)] == ["GML003"]
    words = package({"a.go": """package p

// Count counts words seen a while ago (go figure).
func Count(counts map[string]int, words []string) {
	for _, w := range words {
		counts[w]++
	}
}
"""})
    assert not check._has_signs(words, ())
