"""Mutations: package-wide uses of a storage, classified."""
from __future__ import annotations

from golinter.model.mutations import Mutations, Op
from golinter.model.package import Package
from golinter.model.storage import StorageKey
from tests.model.test_lifetimes import make_package

HEAD = 'package p\n\nimport (\n\t"maps"\n\t"slices"\n)\n\nvar _ = maps.Clone[map[int]int]\nvar _ = slices.Clone[[]int]\n\n'


def ops_of(src: str, key: StorageKey) -> list[tuple[Op, str]]:
    pkg = make_package(HEAD + src)
    return [(u.op, u.func_name) for u in Mutations.of(pkg).uses(key)]


CACHE = StorageKey("type:Cache", ("items",))
QUEUE = StorageKey("type:Queue", ("items",))


def test_mutations_map_inserts_deletes_clears() -> None:
    src = ("type Cache struct{ items map[string]*int }\n"
           "func (c *Cache) Put(k string, v *int) { c.items[k] = v }\n"
           "func (c *Cache) Hit(k string) { c.items[k]++ }\n"
           "func (c *Cache) Del(k string) { delete(c.items, k) }\n"
           "func (c *Cache) Reset() { clear(c.items) }\n"
           "func (c *Cache) Sweep() { maps.DeleteFunc(c.items, func(string, *int) bool { return true }) }\n"
           "func (c *Cache) Forget(k string) { c.items[k] = nil }\n")
    assert ops_of(src, CACHE) == [(Op.INSERT, "Put"), (Op.INSERT, "Hit"), (Op.DELETE, "Del"), (Op.CLEAR, "Reset"),
                                  (Op.DELETE, "Sweep"), (Op.INSERT, "Forget")]
    pkg = make_package(HEAD + src)
    assert [u.detail for u in Mutations.of(pkg).uses(CACHE)][-1] == "nil"


def test_mutations_reads_that_matter() -> None:
    src = ("type Cache struct{ items map[string]int }\n"
           "func (c *Cache) Get(k string) (int, bool) { v, ok := c.items[k]; return v, ok }\n"
           "func (c *Cache) Full() bool { return len(c.items) >= 100 }\n"
           "func (c *Cache) Size() int { return len(c.items) }\n"
           "func (c *Cache) Keys() (out []string) { for k := range c.items { out = append(out, k) }; return }\n"
           "func (c *Cache) Sum() (n int) { for _, v := range c.items { n += v }; return }\n")
    assert [op for op, _ in ops_of(src, CACHE)] == [Op.COMMA_OK, Op.LEN_BOUND, Op.LEN, Op.RANGE_KEYS, Op.READ]


def test_mutations_replacement_versus_initialisation() -> None:
    src = ("type Cache struct{ items map[string]int }\n"
           "func NewCache() *Cache { c := &Cache{}; c.items = make(map[string]int); return c }\n"
           "func (c *Cache) lazy() { if c.items == nil { c.items = map[string]int{} } }\n"
           "func (c *Cache) Rotate() { c.items = make(map[string]int) }\n"
           "func (c *Cache) Close() { c.items = nil }\n")
    assert ops_of(src, CACHE) == [(Op.INIT, "NewCache"), (Op.READ, "lazy"), (Op.INIT, "lazy"),
                                  (Op.REPLACE, "Rotate"), (Op.REPLACE, "Close")]


def test_mutations_package_var_init_and_holder_replacement() -> None:
    src = ("type Cache struct{ items map[string]int }\nvar seen map[string]bool\nvar cache *Cache\n"
           "func init() { seen = map[string]bool{}; cache = &Cache{} }\n"
           "func add(k string) { seen[k] = true }\n"
           "func reset() { cache = &Cache{items: map[string]int{}} }\n")
    pkg = make_package(HEAD + src)
    mut = Mutations.of(pkg)
    assert [u.op for u in mut.uses(StorageKey("pkg:seen"))] == [Op.INIT, Op.INSERT]
    assert mut.prunes(StorageKey("pkg:seen")) == ()
    assert [u.op for u in mut.prunes(StorageKey("pkg:cache", ("items",)))] == [Op.REPLACE]


def test_mutations_slice_removals() -> None:
    src = ("type Queue struct{ items []*int }\n"
           "func (q *Queue) Push(x *int) { q.items = append(q.items, x) }\n"
           "func (q *Queue) Pop() { q.items[0] = nil; q.items = q.items[1:] }\n"
           "func (q *Queue) Drop(i int) { q.items = append(q.items[:i], q.items[i+1:]...) }\n"
           "func (q *Queue) Del(i int) { q.items = slices.Delete(q.items, i, i+1) }\n"
           "func (q *Queue) Trim(n int) { clear(q.items[n:]); q.items = q.items[:n] }\n")
    got = ops_of(src, QUEUE)
    assert got == [
        (Op.APPEND, "Push"), (Op.APPEND, "Push"),
        (Op.ZERO, "Pop"), (Op.RESLICE, "Pop"), (Op.RESLICE, "Pop"),
        (Op.RESLICE, "Drop"), (Op.RESLICE, "Drop"), (Op.RESLICE, "Drop"),
        (Op.RESLICE, "Del"), (Op.RESLICE, "Del"),
        (Op.ZERO, "Trim"), (Op.RESLICE, "Trim"), (Op.RESLICE, "Trim"),
    ]


def test_mutations_escapes_and_copies() -> None:
    src = ("type Cache struct{ items map[string]int }\n"
           "func (c *Cache) Snapshot() map[string]int { return c.items }\n"
           "func (c *Cache) Hand(f func(map[string]int)) { f(c.items) }\n"
           "func (c *Cache) Ptr() *map[string]int { return &c.items }\n"
           "func (c *Cache) Copy() map[string]int { return maps.Clone(c.items) }\n"
           "func (c *Cache) Local(k string) { m := c.items; delete(m, k) }\n"
           "type snap struct{ items map[string]int }\n"
           "func (c *Cache) Wrap() snap { return snap{items: c.items} }\n")
    assert ops_of(src, CACHE) == [(Op.ESCAPE, "Snapshot"), (Op.ESCAPE, "Hand"), (Op.ESCAPE, "Ptr"),
                                  (Op.READ, "Copy"), (Op.READ, "Local"), (Op.DELETE, "Local"), (Op.ESCAPE, "Wrap")]


def test_mutations_counters() -> None:
    src = ("type Jobs struct{ next int; reset int }\n"
           "func (j *Jobs) id() int { j.next++; j.reset += 1; return j.next }\n"
           "func (j *Jobs) zero() { j.reset = 0 }\n")
    pkg: Package = make_package(HEAD + src)
    mut = Mutations.of(pkg)
    assert mut.is_only_incremented(StorageKey("type:Jobs", ("next",)))
    assert not mut.is_only_incremented(StorageKey("type:Jobs", ("reset",)))
    assert Mutations.of(pkg) is mut


def test_mutations_element_field_zeroing_and_function_scope() -> None:
    src = ("type node struct{ next *node }\ntype List struct{ nodes []node }\n"
           "func (l *List) Trim(n int) { for i := n; i < len(l.nodes); i++ { l.nodes[i].next = nil }; l.nodes = l.nodes[:n] }\n"
           "func (l *List) Add(x node) { l.nodes = append(l.nodes, x) }\n")
    pkg = make_package(HEAD + src)
    key = StorageKey("type:List", ("nodes",))
    mut = Mutations.of(pkg)
    trim = next(d for d in pkg.files[0].tree.root_node.named_children
                if d.type == "method_declaration" and pkg.text(d.child_by_field_name("name")) == "Trim")
    scoped = mut.uses_in(key, trim)  # before the package-wide collection: searched within Trim only
    assert [u.op for u in scoped] == [Op.LEN_BOUND, Op.ZERO, Op.RESLICE, Op.RESLICE]
    assert all(u.func_name == "Trim" for u in scoped)
    assert [u.op for u in mut.uses(key)] == [Op.LEN_BOUND, Op.ZERO, Op.RESLICE, Op.RESLICE, Op.APPEND, Op.APPEND]
    assert mut.uses_in(key, trim) == scoped  # now answered from the package-wide uses


def _with_generated(hand: str, generated: str) -> Package:
    """A package of one hand-written file and one generated file parsed for context only."""
    from golinter.context_only import parse_for_context
    from golinter.model.package import SourceFile
    from golinter.parse import new_parser, parse
    parser = new_parser()
    hand_src, gen_src = (HEAD + hand).encode(), ("// Code generated. DO NOT EDIT.\n\n" + generated).encode()
    gen_tree, left_out = parse_for_context(parser, gen_src)
    assert left_out
    files = [SourceFile("/pkg/a.go", hand_src, parse(parser, hand_src), (1, 22)),
             SourceFile("/pkg/a_gen.go", gen_src, gen_tree, (1, 22), reported=False, generated=True,
                        left_out=left_out)]
    return Package("/pkg", "p", files, (1, 22))


def test_mutations_a_name_in_a_left_out_generated_body_escapes() -> None:
    # The generated body is not parsed: what it does with c.items is not known, so it is an
    # escape (someone may prune it) and a holder replacement, never nothing.
    hand = ("type Cache struct{ items map[string]*int }\n"
            "type Server struct{ cache *Cache }\n"
            "func (c *Cache) Put(k string, v *int) { c.items[k] = v }\n")
    generated = ("package p\n\nfunc (c *Cache) reset() {\n\tc.items = make(map[string]*int)\n}\n\n"
                 "func (s *Server) renew() {\n\ts.cache = &Cache{}\n}\n")
    pkg = _with_generated(hand, generated)
    uses = Mutations.of(pkg).uses(CACHE)
    assert [(u.op, u.func_name, u.detail) for u in uses] == [(Op.INSERT, "Put", ""), (Op.ESCAPE, "reset", "generated")]
    assert uses[1].path == "/pkg/a_gen.go" and uses[1].line == 6  # after the two header lines
    assert [(u.op, u.func_name) for u in Mutations.of(pkg).holder_replacements("Cache")] == [(Op.REPLACE, "renew")]
    assert Mutations.of(pkg).is_pruned(CACHE)


def test_mutations_a_left_out_body_not_naming_the_storage_changes_nothing() -> None:
    hand = ("type Cache struct{ items map[string]*int }\n"
            "func (c *Cache) Put(k string, v *int) { c.items[k] = v }\n")
    generated = "package p\n\nfunc (c *Cache) String() string {\n\treturn \"cache\"\n}\n"
    pkg = _with_generated(hand, generated)
    assert [u.op for u in Mutations.of(pkg).uses(CACHE)] == [Op.INSERT]
    assert not Mutations.of(pkg).is_pruned(CACHE)


def test_mutations_len_limits_are_the_constants_len_is_compared_with() -> None:
    pkg = make_package("package p\n\nconst limit = 64\n\ntype C struct{ m, n map[int]int }\n\n"
                       "func (c *C) f(k int) {\n\tif len(c.m) >= limit {\n\t\tclear(c.m)\n\t}\n"
                       "\tif 1<<10 < (len(c.m)) {\n\t\treturn\n\t}\n\tif len(c.m)+1 > 99 {\n\t\treturn\n\t}\n"
                       "\tif len(c.n) == k {\n\t\treturn\n\t}\n\tc.m[k] = len(c.m)\n}\n")
    m = Mutations.of(pkg)
    assert m.len_limits(StorageKey("type:C", ("m",))) == frozenset({64, 1024})  # not `len(c.m)+1 > 99`
    assert m.len_limits(StorageKey("type:C", ("n",))) == frozenset()  # compared with a variable
