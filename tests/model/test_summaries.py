"""Unit tests for golinter/model/summaries.py: map mutation sites, function summaries, insert
keys and map instances, on small Go sources."""
from __future__ import annotations

from typing import TYPE_CHECKING

from _modelkit import package

from golinter import kinds
from golinter.model.storage import StorageKey
from golinter.model.summaries import KeyRef, MapMutation, MutationKind, Summaries
from golinter.parse import walk_named

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package


def _pkg(src: str, lang: tuple[int, int] = (1, 22)) -> Package:
    return package({"p.go": src}, lang)


def _node(pkg: Package, kind: str, text: str, nth: int = 0) -> Node:
    found = [n for n in walk_named(pkg.files[0].tree.root_node) if n.type == kind and pkg.text(n) == text]
    return found[nth]


def _func(pkg: Package, name: str) -> Node:
    for n in pkg.files[0].tree.root_node.named_children:
        if n.type in kinds.TOP_FUNCTION_KINDS:
            ident = n.child_by_field_name(kinds.F_NAME)
            if ident is not None and pkg.text(ident) == name:
                return n
    raise AssertionError(name)


def _body(pkg: Package, name: str) -> Node:
    body = _func(pkg, name).child_by_field_name(kinds.F_BODY)
    assert body is not None
    return body


CACHE = """package p

var global = map[string]int{}

type Cache struct {
	items map[string]*Entry
	index map[string]string
	hits  int
	hook  func(string)
}

type Entry struct {
	ID   string
	Next string
}

func (c *Cache) evict(id string) { delete(c.items, id) }

func (c *Cache) put(e *Entry) { c.items[e.ID] = e }

func (c *Cache) count(id string) { c.hits++ }

func (c *Cache) both(id string) {
	delete(c.index, id)
	c.items[id+"x"] = nil
}

func (c *Cache) wrapper(id string) { c.count(id) }

func (c *Cache) lookup(id string) *Entry { return c.items[id] }

func dropGlobal(k string) { delete(global, k) }

func dropParam(m map[string]int, k string) {
	k = k + "!"
	delete(m, k)
}

func local() {
	m := map[string]int{}
	m["a"] = 1
	delete(m, "a")
}
"""


def test_summary_method_deletes_receiver_field_at_parameter() -> None:
    pkg = _pkg(CACHE)
    s = Summaries(pkg).of(_func_method(pkg, "evict"))
    assert s.func == "Cache.evict"
    assert s.mutations == (MapMutation(MutationKind.DELETE, StorageKey("type:Cache", ("items",)), -1,
                                       (".items",), KeyRef(0)),)
    assert not s.effects


def _func_method(pkg: Package, name: str) -> Node:
    for n in pkg.files[0].tree.root_node.named_children:
        if n.type == kinds.METHOD_DECLARATION:
            ident = n.child_by_field_name(kinds.F_NAME)
            if ident is not None and pkg.text(ident) == name:
                return n
    raise AssertionError(name)


def test_summary_insert_key_is_a_field_of_a_parameter() -> None:
    pkg = _pkg(CACHE)
    (m,) = Summaries(pkg).of(_func_method(pkg, "put")).mutations
    assert m.kind is MutationKind.INSERT and m.key == KeyRef(0, ("ID",))


def test_summary_effects_are_transitive_and_exclude_own_mutations() -> None:
    pkg = _pkg(CACHE)
    sums = Summaries(pkg)
    assert sums.of(_func_method(pkg, "count")).effects
    assert sums.of(_func_method(pkg, "wrapper")).effects
    assert not sums.of(_func_method(pkg, "lookup")).effects
    assert not sums.of(_func_method(pkg, "lookup")).mutations


def test_summary_derived_key_is_unknown_and_two_maps_are_listed() -> None:
    pkg = _pkg(CACHE)
    muts = Summaries(pkg).of(_func_method(pkg, "both")).mutations
    assert [(m.kind, m.path, m.key) for m in muts] == [
        (MutationKind.DELETE, (".index",), KeyRef(0)), (MutationKind.INSERT, (".items",), None)]


def test_summary_package_var_and_reassigned_parameter() -> None:
    pkg = _pkg(CACHE)
    sums = Summaries(pkg)
    (g,) = sums.of(_func(pkg, "dropGlobal")).mutations
    assert g.base is None and g.storage == StorageKey("pkg:global") and g.key == KeyRef(0)
    (p,) = sums.of(_func(pkg, "dropParam")).mutations
    assert p.base == 0 and p.key is None  # k is reassigned before the delete
    assert sums.of(_func(pkg, "local")).mutations == ()


LOOP = """package p

type Cache struct {
	items map[string]*Entry
}

type Entry struct{ Next string }

func (c *Cache) evict(id string) { delete(c.items, id) }

func (c *Cache) sweep(other *Cache) {
	for k, e := range c.items {
		delete(c.items, k)
		c.items[e.Next] = e
		c.items[k] += 0
		c.evict(e.Next)
		other.evict(k)
		go c.evict(k)
		defer c.evict(k)
		go func() { delete(c.items, k) }()
		func() { delete(c.items, e.Next) }()
		later := func() { delete(c.items, k) }
		_ = later
	}
}
"""


def test_mutations_in_direct_and_one_call_down_not_deferred() -> None:
    pkg = _pkg(LOOP)
    sums = Summaries(pkg)
    loop = next(n for n in walk_named(pkg.files[0].tree.root_node) if n.type == kinds.FOR_STATEMENT)
    body = loop.child_by_field_name(kinds.F_BODY)
    clause = loop.named_children[0]
    range_map = clause.child_by_field_name(kinds.F_RIGHT)
    assert body is not None and range_map is not None
    sites = sums.mutations_in(body)
    got = [(s.kind, pkg.text(s.node)) for s in sites]
    assert got == [
        (MutationKind.DELETE, "delete(c.items, k)"),
        (MutationKind.INSERT, "c.items[e.Next]"),
        (MutationKind.UPDATE, "c.items[k]"),
        (MutationKind.DELETE, "c.evict(e.Next)"),
        (MutationKind.DELETE, "other.evict(k)"),
        (MutationKind.DELETE, "delete(c.items, e.Next)"),
    ]
    on = [pkg.text(s.node) for s in sites if sums.on_map(s, range_map)]
    assert "other.evict(k)" not in on  # another Cache's items
    assert "c.evict(e.Next)" in on
    call_down = sites[3]
    assert call_down.callee == "c.evict" and call_down.key_expr is not None
    assert pkg.text(call_down.key_expr) == "e.Next"


def test_instance_distinguishes_holders_storage_does_not() -> None:
    pkg = _pkg("""package p
type N struct{ kids map[string]*N }
func f(n *N) {
	for _, child := range n.kids {
		_ = child.kids
	}
	_ = n.kids
}
""")
    sums = Summaries(pkg)
    a = _node(pkg, kinds.SELECTOR_EXPRESSION, "n.kids")
    b = _node(pkg, kinds.SELECTOR_EXPRESSION, "child.kids")
    c = _node(pkg, kinds.SELECTOR_EXPRESSION, "n.kids", 1)
    assert pkg.storage.same(a, b)  # the storage model merges the field across holders
    assert not sums.same_map(a, b)
    assert sums.same_map(a, c)


def test_same_map_follows_local_copy_of_package_var() -> None:
    pkg = _pkg("""package p
var reg = map[string]int{}
func f() {
	m := reg
	_ = m
	_ = reg
}
""")
    sums = Summaries(pkg)
    assert sums.same_map(_node(pkg, kinds.IDENTIFIER, "m", 1), _node(pkg, kinds.IDENTIFIER, "reg", 2))


INSERTS = """package p

type T struct{ ID, Name string }

type R struct {
	byID   map[string]*T
	byName map[string]*T
	lit    map[string]T
	pair   map[string]string
	plain  map[string]*T
	der    map[string]*P
}

type P struct{ der []byte }

func (r *R) policy(p *P) { r.der[string(p.der)] = p }

type G struct{ nodes map[string]*N }

type N struct{ Fn string }

func (g *G) create(fn string) {
	n, ok := g.nodes[fn]
	if !ok {
		n = &N{Fn: fn}
		g.nodes[fn] = n
	}
}

func (r *R) add(t *T) { r.byID[t.ID] = t }

func (r *R) named(name string, t *T) {
	t.Name = name
	r.byName[name] = t
}

func (r *R) literal(id string) { r.lit[id] = T{ID: id} }

func (r *R) link(a, b string) {
	r.pair[a] = b
	r.pair[b] = a
}

func (r *R) store(k string, t *T) { r.plain[k] = t }
"""


def test_insert_keys_value_fields_and_mirrors() -> None:
    pkg = _pkg(INSERTS)
    sums = Summaries(pkg)

    def keys(field: str) -> tuple[frozenset[str], int, bool]:
        ik = sums.insert_keys(StorageKey("type:R", (field,)))
        return ik.value_keys, ik.other, ik.mirrored

    assert keys("byID") == (frozenset({"#.ID"}), 0, False)
    assert keys("byName") == (frozenset({"#.Name"}), 0, False)
    assert keys("lit") == (frozenset({"#.ID"}), 0, False)
    assert keys("der") == (frozenset({"string(#.der)"}), 0, False)
    assert sums.insert_keys(StorageKey("type:G", ("nodes",))).value_keys == frozenset({"#.Fn"})
    assert keys("pair") == (frozenset(), 2, True)
    assert keys("plain") == (frozenset(), 1, False)
    assert sums.insert_keys(StorageKey("type:R", ("missing",))).mirrored is False


LOCAL_KEYS = """package p

type S struct{ sid, alt []byte }

type C struct {
	conv   map[string]*S
	helper map[string]*S
	stale  map[string]*S
	moved  map[string]*S
	other  map[string]*S
}

func toString(b []byte) string { return string(b) }

func (c *C) conv1(s *S) {
	key := string(s.sid)
	c.conv[key] = s
}

func (c *C) helper1(s *S) {
	key := toString(s.sid)
	if c.helper[key] == nil {
		c.helper[key] = s
	}
}

func (c *C) stale1(s *S, b []byte) {
	key := toString(s.sid)
	s.sid = b
	c.stale[key] = s
}

func (c *C) moved1(s *S, b []byte) {
	key := toString(s.sid)
	key = toString(b)
	c.moved[key] = s
}

func (c *C) other1(s *S, b []byte) {
	key := toString(b)
	c.other[key] = s
}
"""


def test_insert_keys_follow_a_local_key_variable() -> None:
    pkg = _pkg(LOCAL_KEYS)
    sums = Summaries(pkg)

    def keys(field: str) -> tuple[frozenset[str], int]:
        ik = sums.insert_keys(StorageKey("type:C", (field,)))
        return ik.value_keys, ik.other

    assert keys("conv") == (frozenset({"string(#.sid)"}), 0)
    assert keys("helper") == (frozenset({"toString(#.sid)"}), 0)
    assert keys("stale") == (frozenset(), 1)  # s.sid changed after the key was computed
    assert keys("moved") == (frozenset(), 1)  # the key variable is reassigned
    assert keys("other") == (frozenset(), 1)  # the key does not come from the value


def test_rewrapped_templates_convert_one_field_two_ways() -> None:
    pkg = _pkg(LOCAL_KEYS)
    sums = Summaries(pkg)
    assert sums.rewrapped("string(#.sid)", "toString(#.sid)")
    assert sums.rewrapped("#.sid", "toString(#.sid)")
    assert not sums.rewrapped("toString(#.sid)", "toString(#.sid)")  # the same key
    assert not sums.rewrapped("string(#.alt)", "toString(#.sid)")  # another field
    assert not sums.rewrapped("hex(#.sid)", "toString(#.sid)")  # hex is not declared here
    assert not sums.rewrapped("strings.ToLower(#.sid)", "#.sid")


def test_assigned_in_counts_redeclaration_not_own_declaration() -> None:
    pkg = _pkg("""package p
func f(m map[string]int) {
	for k := range m {
		key := k
		j := k
		j = j + "x"
		_, _ = key, j
	}
}
func g(k string) (string, error) {
	k, err := h(k)
	return k, err
}
func h(s string) (string, error) { return s, nil }
""")
    sums = Summaries(pkg)
    body = _body(pkg, "f")
    key = pkg.scopes.resolve(_node(pkg, kinds.IDENTIFIER, "key"))
    j = pkg.scopes.resolve(_node(pkg, kinds.IDENTIFIER, "j"))
    assert key is not None and j is not None
    assert not sums.assigned_in(body, key)
    assert sums.assigned_in(body, j)
    param = pkg.scopes.resolve(_node(pkg, kinds.IDENTIFIER, "k", 3))
    assert param is not None and sums.assigned_in(_body(pkg, "g"), param)


def test_value_template_rejects_other_locals() -> None:
    pkg = _pkg("""package p
const sep = "/"
func f(m map[string]int, prefix string) {
	for _, v := range m {
		_ = string(rune(v)) + sep
		_ = prefix + string(rune(v))
		_ = sep
	}
}
""")
    sums = Summaries(pkg)
    v = pkg.scopes.resolve(_node(pkg, kinds.IDENTIFIER, "v"))
    assert v is not None
    exprs = [n for n in walk_named(pkg.files[0].tree.root_node) if n.type == kinds.BINARY_EXPRESSION]
    assert sums.value_template(exprs[0], v) == "string(rune(#)) + sep"
    assert sums.value_template(exprs[1], v) is None
    assert sums.value_template(_node(pkg, kinds.IDENTIFIER, "sep", 2), v) is None


def test_assignment_rereading_its_entry_is_an_update() -> None:
    pkg = _pkg("""package p
func f(m map[string][]int, k, j string) {
	m[k] = append(m[k], 1)
	m[k] = m[j]
	m[k] = nil
}
""")
    sites = Summaries(pkg).mutations_in(_body(pkg, "f"))
    assert [s.kind for s in sites] == [MutationKind.UPDATE, MutationKind.INSERT, MutationKind.INSERT]


def test_same_value_constants_and_assigned_value() -> None:
    pkg = _pkg("""package p
const empty = ""
func f(m map[string][]string, k string) {
	m[""] = append(m[empty], "x")
	m[k] = m["k"]
}
""")
    sums = Summaries(pkg)
    sites = sums.mutations_in(_body(pkg, "f"))
    assert [s.kind for s in sites] == [MutationKind.UPDATE, MutationKind.INSERT]
    value = sums.assigned_value(sites[1])
    assert value is not None and pkg.text(value) == 'm["k"]'


MAY = """package p

var global = map[string]int{}

type C struct{ items map[string]int }

func (c *C) evict(k string) { delete(c.items, k) }

func drop(k string) { delete(global, k) }

func f(c *C, other *C, m map[string]int) {
	for k := range c.items {
		other.evict(k)
	}
	for k := range c.items {
		c.evict(k)
	}
	for k := range c.items {
		alias := m
		delete(alias, k)
	}
	for k := range c.items {
		_ = len(k)
	}
	for k := range global {
		drop(k)
	}
	for k := range c.items {
		c.items[k+"x"]++
	}
	for k := range c.items {
		c.items[k+"x"] /* a comment */ = 1
	}
	for k := range c.items {
		c.items[k+"x"], _ = 1, 2
	}
	for k := range c.items {
		c.items[k+"x"] <<= 1
	}
	for k := range c.items {
		_ = c.items[k] == 1 || c.items[k] <= 2
		for range m {
			m[k] = 1
		}
	}
	for k := range global {
		_ = len(k)
	}
}
"""


def test_may_mutate_is_a_syntactic_over_approximation() -> None:
    """Also where its text pre-check decides (no `delete`, `]` before an assignment, `++`, `--`
    or `,`, nor the root name: no query) and for a loop nested in the last one queried."""
    pkg = _pkg(MAY)
    sums = Summaries(pkg)
    loops = [n for n in walk_named(pkg.files[0].tree.root_node) if n.type == kinds.FOR_STATEMENT]
    got = []
    for loop in loops:
        clause = loop.named_children[0]
        right, body = clause.child_by_field_name(kinds.F_RIGHT), loop.child_by_field_name(kinds.F_BODY)
        assert right is not None and body is not None
        got.append(sums.may_mutate(body, right))
    assert got == [False, True, True, False, True, True, True, True, True, True, True, False]
