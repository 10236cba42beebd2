"""Lifetimes: long-lived storage on evidence of sharing (SPEC section 4)."""
from __future__ import annotations

import pytest

from golinter.model.package import Package, SourceFile
from golinter.model.storage import StorageKey
from golinter.parse import new_parser, parse, walk_named


def make_package(*sources: str) -> Package:
    parser = new_parser()
    files = []
    for i, src in enumerate(sources):
        data = src.encode()
        tree = parse(parser, data)
        files.append(SourceFile(f"/pkg/f{i}.go", data, tree, (1, 22)))
    return Package("/pkg", "p", files, (1, 22))


def key_of(pkg: Package, text: str) -> StorageKey | None:
    """Storage key of the first expression whose source text is `text`."""
    for f in pkg.files:
        for node in walk_named(f.tree.root_node):
            if f.text(node) == text and node.type in ("identifier", "selector_expression", "index_expression"):
                return pkg.storage.key(node)
    raise AssertionError(f"{text!r} not found")


HEADER = 'package p\n\nimport (\n\t"context"\n\t"net/http"\n\t"sync"\n\t"sync/atomic"\n\t"time"\n)\n\n' \
         "var _ = context.Background\nvar _ = time.Now\nvar _ http.Handler\nvar _ sync.Mutex\nvar _ atomic.Int64\n"


def pkg_of(body: str) -> Package:
    return make_package(HEADER + body)


def test_lifetimes_package_var_is_long_lived() -> None:
    pkg = pkg_of("var cache = map[string]int{}\nfunc f() { cache[\"a\"] = 1 }\n")
    key = key_of(pkg, "cache")
    assert pkg.lifetimes.is_long_lived(key)
    assert pkg.lifetimes.why_long_lived(key) == "package-level"


def test_lifetimes_unknown_key_is_not_long_lived() -> None:
    pkg = pkg_of("func f() {}\n")
    assert not pkg.lifetimes.is_long_lived(None)
    assert pkg.lifetimes.why_long_lived(None) == ""


@pytest.mark.parametrize("field_decl, reason", [
    ("mu sync.Mutex", "holds a sync.Mutex"),
    ("mu *sync.RWMutex", "holds a sync.RWMutex"),
    ("sync.RWMutex", "holds a sync.RWMutex"),
    ("hits atomic.Int64", "holds a atomic.Int64"),
    ("inner struct{ sync.Mutex }", "holds a sync.Mutex"),
    ("base", "holds a sync.Mutex"),
])
def test_lifetimes_mutex_field_makes_type_shared(field_decl: str, reason: str) -> None:
    pkg = pkg_of(f"type base struct{{ mu sync.Mutex }}\ntype Cache struct {{\n\t{field_decl}\n\titems map[string]int\n}}\n"
                 "func (c *Cache) put(k string) { c.items[k] = 1 }\n")
    key = key_of(pkg, "c.items")
    assert key == StorageKey("type:Cache", ("items",))
    assert pkg.lifetimes.is_long_lived(key)
    assert pkg.lifetimes.why_long_lived(key) == f"field of *Cache, which {reason}"
    assert "Cache" in pkg.lifetimes.shared_types()


@pytest.mark.parametrize("decl", [
    "type Parser struct {\n\tstack []int\n}",
    "type Parser struct {\n\tstack []int\n\tmu map[string]int\n}",  # a field named mu is no lock
    "type Parser struct {\n\tstack []int\n\tonce sync.Once\n}",
    # a handle to a shared value (a pooled appender embedding *DB) holds no lock of its own
    "type DB struct{ mu sync.RWMutex }\ntype Parser struct {\n\t*DB\n\tstack []int\n}",
])
def test_lifetimes_plain_struct_field_is_not_long_lived(decl: str) -> None:
    pkg = pkg_of(decl + "\nfunc (p *Parser) push(x int) { p.stack = append(p.stack, x) }\n"
                 "func Parse() []int { p := &Parser{}; p.push(1); return p.stack }\n")
    key = key_of(pkg, "p.stack")
    assert key == StorageKey("type:Parser", ("stack",))
    assert not pkg.lifetimes.is_long_lived(key)
    assert pkg.lifetimes.why_long_lived(key) == ""
    assert "Parser" not in pkg.lifetimes.shared_types()


@pytest.mark.parametrize("start, how", [
    ("go s.run()", "has method run started by go"),
    ("var g group\n\tg.Go(s.run)", "has method run started by Go"),
    ("time.AfterFunc(time.Second, s.run)", "has method run started by time.AfterFunc"),
])
def test_lifetimes_spawned_method_receiver_is_shared(start: str, how: str) -> None:
    pkg = pkg_of("type group struct{}\nfunc (group) Go(f func()) {}\n"
                 "type Scheduler struct{ jobs []int }\nfunc (s *Scheduler) run() { s.jobs = s.jobs[1:] }\n"
                 f"func Start() {{\n\ts := &Scheduler{{}}\n\t{start}\n}}\n")
    key = key_of(pkg, "s.jobs")
    assert pkg.lifetimes.why_long_lived(key) == f"field of *Scheduler, which {how}"


def test_lifetimes_called_method_is_not_spawn() -> None:
    pkg = pkg_of("type Scheduler struct{ jobs []int }\nfunc (s *Scheduler) run() { s.jobs = s.jobs[1:] }\n"
                 "func Start() { s := &Scheduler{}; s.run() }\n")
    assert not pkg.lifetimes.is_long_lived(key_of(pkg, "s.jobs"))


def test_lifetimes_handler_method_and_serve_http() -> None:
    pkg = pkg_of("type API struct{ seen map[string]int }\n"
                 "func (a *API) hello(w http.ResponseWriter, r *http.Request) { a.seen[r.RemoteAddr]++ }\n"
                 "type Proxy struct{ hits map[string]int }\n"
                 "func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.hits[r.URL.Path]++ }\n")
    assert pkg.lifetimes.why_long_lived(key_of(pkg, "a.seen")) == "field of *API, which has handler method hello"
    assert pkg.lifetimes.why_long_lived(key_of(pkg, "p.hits")) == "field of *Proxy, which serves http requests"


def test_lifetimes_registered_value_and_method_value() -> None:
    pkg = pkg_of("type Stats struct{ n map[string]int }\nfunc (s *Stats) Count() { s.n[\"x\"]++ }\n"
                 "type Site struct{ pages map[string]string }\nfunc (s *Site) page() { s.pages[\"p\"] = \"\" }\n"
                 "func main() {\n\ts := &Stats{}\n\tsite := &Site{}\n\thttp.Handle(\"/\", s)\n"
                 "\thttp.HandleFunc(\"/p\", site.page)\n}\n")
    assert pkg.lifetimes.why_long_lived(key_of(pkg, "s.n")) == "field of *Stats, which is registered with Handle"
    assert pkg.lifetimes.why_long_lived(key_of(pkg, "s.pages")) == \
        "field of *Site, which has method page registered with HandleFunc"


def test_lifetimes_value_in_package_var_without_propagation() -> None:
    pkg = pkg_of("type Registry struct{ metrics map[string]*Metric; store *Store }\n"
                 "type Metric struct{ samples []float64 }\ntype Store struct{ rows map[int]string }\n"
                 "var defaultRegistry = NewRegistry()\nfunc NewRegistry() *Registry { return &Registry{} }\n"
                 "var byName map[string]*Metric\n"
                 "func (r *Registry) add(m *Metric) { r.metrics[\"x\"] = m; m.samples = nil; r.store.rows[1] = \"\" }\n")
    lt = pkg.lifetimes
    assert lt.why_long_lived(key_of(pkg, "r.metrics")) == \
        "field of *Registry, which is stored in package variable defaultRegistry"
    assert lt.why_long_lived(key_of(pkg, "m.samples")) == \
        "field of *Metric, which is stored in package variable byName"
    assert not lt.is_long_lived(key_of(pkg, "r.store.rows"))  # held by a shared value: no evidence alone


def test_lifetimes_goroutine_capture_makes_local_long_lived() -> None:
    pkg = pkg_of("func Watch(ch chan string) {\n\tseen := map[string]int{}\n\tlocal := map[string]int{}\n"
                 "\tgo func() {\n\t\tfor s := range ch {\n\t\t\tseen[s]++\n\t\t}\n\t}()\n\tlocal[\"x\"] = 1\n}\n")
    lt = pkg.lifetimes
    seen, local = key_of(pkg, "seen"), key_of(pkg, "local")
    assert lt.why_long_lived(seen) == "captured by the goroutine at line 19"
    assert not lt.is_long_lived(local)
    assert seen is not None and lt.is_long_lived(StorageKey(seen.root, ("[]",)))


def test_lifetimes_handler_literal_capture() -> None:
    pkg = pkg_of("func main() {\n\tvisits := map[string]int{}\n"
                 "\thttp.HandleFunc(\"/\", func(w http.ResponseWriter, r *http.Request) { visits[r.RemoteAddr]++ })\n}\n")
    assert pkg.lifetimes.why_long_lived(key_of(pkg, "visits")).startswith("captured by the handler")


def test_lifetimes_literal_parameters_are_not_captures() -> None:
    pkg = pkg_of("func main() {\n\tgo func(buf []int) {\n\t\tbuf = buf[:0]\n\t}(nil)\n}\n")
    assert not pkg.lifetimes.is_long_lived(key_of(pkg, "buf"))


def test_lifetimes_grpc_server_is_shared() -> None:
    pkg = make_package("package p\n\nimport pb \"example.com/api/pb\"\n\n"
                       "type server struct {\n\tpb.UnimplementedGreeterServer\n\tnames map[string]int\n}\n"
                       "func (s *server) add(n string) { s.names[n]++ }\n")
    assert pkg.lifetimes.why_long_lived(key_of(pkg, "s.names")) == \
        "field of *server, which is a gRPC service (UnimplementedGreeterServer)"


def test_lifetimes_fresh_owner_made_in_function() -> None:
    pkg = pkg_of("type Pool struct{ mu sync.Mutex; free []*int }\n"
                 "func New() *Pool { p := &Pool{}; p.free = p.free[:0]; return p }\n"
                 "func Build() (q *Pool) { q = new(Pool); q.free = nil; return }\n"
                 "func (p *Pool) Reset() { p.free = p.free[:0] }\n"
                 "func Use(p *Pool) { p.free = nil }\n")
    lt = pkg.lifetimes
    exprs = [n for f in pkg.files for n in walk_named(f.tree.root_node)
             if n.type == "selector_expression" and pkg.text(n) in ("p.free", "q.free")]
    fresh = [(exprs_line(pkg, n), lt.is_fresh_owner(n)) for n in exprs]
    assert fresh == [(17, True), (17, True), (18, True), (19, False), (19, False), (20, False)]


def exprs_line(pkg: Package, node: object) -> int:
    from tree_sitter import Node
    assert isinstance(node, Node)
    return node.start_point[0] + 1
