"""Unit tests for golinter/model/keyroles.py: the role of a mutation's key relative to the entry a
range loop visits, derived and growing keys, guards, known-present keys, on small Go sources."""
from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from _modelkit import package

from golinter import kinds
from golinter.model.flow import Flow, MapRange
from golinter.model.keyroles import KeyRole, KeyRoles
from golinter.model.summaries import Summaries
from golinter.parse import walk_named

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package


def _pkg(src: str, lang: tuple[int, int] = (1, 22)) -> Package:
    return package({"p.go": src}, lang)


def _roles(pkg: Package) -> tuple[Flow, KeyRoles]:
    flow = Flow(pkg, Summaries(pkg))
    return flow, KeyRoles(pkg, flow)


def _all(pkg: Package, kind: str) -> list[Node]:
    return [n for n in walk_named(pkg.files[0].tree.root_node) if n.type == kind]


def _node(pkg: Package, kind: str, text: str, nth: int = 0) -> Node:
    return [n for n in _all(pkg, kind) if pkg.text(n) == text][nth]


def _range(pkg: Package, flow: Flow, nth: int = 0) -> MapRange:
    loops = [n for n in _all(pkg, kinds.FOR_STATEMENT) if any(c.type == kinds.RANGE_CLAUSE for c in n.named_children)]
    rng = flow.map_range(loops[nth])
    assert rng is not None
    return rng


ROLES = """package p

type T struct{ ID, Parent string }

type S struct{ byID map[string]*T }

func (s *S) add(t *T) { s.byID[t.ID] = t }

func (s *S) f(other string) {
	for k, t := range s.byID {
		key := k
		alt := k
		alt = alt + "x"
		_ = s.byID[k]
		_ = s.byID[key]
		_ = s.byID[alt]
		_ = s.byID[t.ID]
		_ = s.byID[t.Parent]
		_ = s.byID[other]
		_ = s.byID[k+"/"]
	}
}
"""


@pytest.mark.parametrize(("index", "role"), [
    (0, KeyRole.CURRENT), (1, KeyRole.CURRENT), (2, KeyRole.OTHER), (3, KeyRole.CURRENT),
    (4, KeyRole.OTHER), (5, KeyRole.OTHER), (6, KeyRole.OTHER),
])
def test_key_roles(index: int, role: KeyRole) -> None:
    pkg = _pkg(ROLES)
    flow, keys = _roles(pkg)
    rng = _range(pkg, flow)
    reads = [n for n in _all(pkg, kinds.INDEX_EXPRESSION) if rng.loop.start_byte < n.start_byte < rng.loop.end_byte]
    key = reads[index].child_by_field_name(kinds.F_INDEX)
    assert key is not None
    assert keys.expr_role(rng, key) is role


def test_key_role_reassigned_key_is_unknown_and_value_is_value() -> None:
    pkg = _pkg("package p\n\nfunc f(names map[string]string) {\n\tfor k, v := range names {\n"
               "\t\tk = k + \"!\"\n\t\t_ = names[k]\n\t\t_ = names[v]\n\t}\n}\n")
    flow, keys = _roles(pkg)
    rng = _range(pkg, flow)
    assert keys.expr_role(rng, _node(pkg, kinds.IDENTIFIER, "k", 3)) is KeyRole.UNKNOWN
    assert keys.expr_role(rng, _node(pkg, kinds.IDENTIFIER, "v", 1)) is KeyRole.VALUE


def test_key_role_value_field_without_evidence_is_unknown() -> None:
    pkg = _pkg("""package p
type T struct{ ID string }
func f(m map[string]*T) {
	for _, t := range m {
		delete(m, t.ID)
	}
}
""")
    flow, keys = _roles(pkg)
    rng = _range(pkg, flow)
    assert keys.expr_role(rng, _node(pkg, kinds.SELECTOR_EXPRESSION, "t.ID")) is KeyRole.UNKNOWN


PRESENT = """package p

func present(accts map[string]int, parent map[string]string) {
	for id := range accts {
		if v, ok := accts[parent[id]]; ok && v > 0 {
			accts[parent[id]] = v + 1
		}
		if _, ok := accts[id+"x"]; !ok {
			accts[id+"x"] = 0
		}
	}
}

"""


def test_key_present_only_under_comma_ok_true_branch() -> None:
    pkg = _pkg(PRESENT)
    flow, keys = _roles(pkg)
    rng = _range(pkg, flow)
    writes = [n for n in _all(pkg, kinds.ASSIGNMENT_STATEMENT) if rng.body.start_byte < n.start_byte]
    targets = [w.child_by_field_name(kinds.F_LEFT) for w in writes]
    first, second = (t.named_children[0] for t in targets if t is not None)
    for target, expected in ((first, True), (second, False)):
        operand = target.child_by_field_name(kinds.F_OPERAND)
        index = target.child_by_field_name(kinds.F_INDEX)
        assert operand is not None and index is not None
        assert keys.key_present(target, operand, index) is expected


RENAME = """package p

import "strings"

func f(h map[string][]string, other string) {
	for name := range h {
		canon := strings.ToLower(name)
		if canon != name {
			h[canon] = h[name]
			delete(h, name)
		}
		if k, ok := strings.CutSuffix(name, "/"); ok {
			h[k] = nil
		}
		if other != "" {
			h[other] = nil
		}
		h["v2/"+name] = nil
	}
}
"""


def test_derives_from_key_and_key_guarded() -> None:
    pkg = _pkg(RENAME)
    flow, keys = _roles(pkg)
    rng = _range(pkg, flow)
    inserts = [left.named_children[0] for stmt in _all(pkg, kinds.ASSIGNMENT_STATEMENT)
               if (left := stmt.child_by_field_name(kinds.F_LEFT)) is not None]
    key_exprs = [i.child_by_field_name(kinds.F_INDEX) for i in inserts]
    assert [pkg.text(k) for k in key_exprs if k is not None] == ["canon", "k", "other", '"v2/"+name']
    assert [keys.derives_from_key(rng, k) for k in key_exprs if k is not None] == [True, True, False, True]
    assert [keys.key_guarded(rng, i) for i in inserts] == [True, True, False, False]
    delete = _node(pkg, kinds.CALL_EXPRESSION, "delete(h, name)")
    assert Flow.same_block(delete, inserts[0], rng.loop)
    assert not Flow.same_block(delete, inserts[1], rng.loop)


def test_key_role_value_template_from_inserts() -> None:
    pkg = _pkg("""package p
type P struct{ der []byte; up []byte }
type G struct{ strata map[string]*P }
func (g *G) add(p *P) { g.strata[string(p.der)] = p }
func (g *G) prune() {
	for _, n := range g.strata {
		delete(g.strata, string(n.der))
		delete(g.strata, string(n.up))
	}
}
""")
    flow, keys = _roles(pkg)
    rng = _range(pkg, flow)
    assert keys.expr_role(rng, _node(pkg, kinds.CALL_EXPRESSION, "string(n.der)")) is KeyRole.CURRENT
    assert keys.expr_role(rng, _node(pkg, kinds.CALL_EXPRESSION, "string(n.up)")) is KeyRole.OTHER


GROW = """package p

import (
	"path"
	"strings"
)

func f(m map[string]int, n map[int]int, dir string) {
	for k := range m {
		next := k + "/x"
		_ = m[next]
		_ = m[path.Join(dir, k)]
		_ = m[strings.ToLower(k)]
		_ = m[dir+"x"]
		if strings.HasPrefix(k, "tmp") {
			continue
		}
		_ = m[k+"!"]
	}
	for i := range n {
		_ = n[i+1]
	}
}
"""


def test_key_grows_and_skip_guards() -> None:
    pkg = _pkg(GROW)
    flow, keys = _roles(pkg)
    rng = _range(pkg, flow)
    reads = [n for n in _all(pkg, kinds.INDEX_EXPRESSION) if rng.body.start_byte < n.start_byte < rng.body.end_byte]
    key_exprs = [r.child_by_field_name(kinds.F_INDEX) for r in reads]
    assert [keys.key_grows(rng, k) for k in key_exprs if k is not None] == [True, True, False, False, True]
    assert [keys.key_guarded(rng, r) for r in reads] == [False, False, False, False, True]
    ints = _range(pkg, flow, 1)
    shift = _node(pkg, kinds.BINARY_EXPRESSION, "i+1")
    assert keys.key_grows(ints, shift)


DISPATCH = """package p

const (
	a = "a"
	b = "b"
)

func f(m map[string]int) {
	for k := range m {
		switch k {
		case a:
			m[k+"!"] = 1
		case b:
		}
		if k == "c" {
		}
	}
	for k := range m {
		switch k {
		case a:
		default:
		}
	}
}
"""


@pytest.mark.parametrize(("key", "nth", "inert"), [
    ('"z"', 0, True), ("a", 0, False), ('"c"', 0, False), ('"z"', 1, False),
])
def test_inert_visit(key: str, nth: int, inert: bool) -> None:
    pkg = _pkg(DISPATCH + f"\nvar _ = {key}\n")
    flow, keys = _roles(pkg)
    rng = _range(pkg, flow, nth)
    spec = [n for n in _all(pkg, kinds.VAR_SPEC)][-1]
    value = spec.child_by_field_name(kinds.F_VALUE)
    assert value is not None
    assert keys.inert_visit(rng, value.named_children[0]) is inert


def test_switch_case_on_key_guards() -> None:
    pkg = _pkg(DISPATCH)
    flow, keys = _roles(pkg)
    rng = _range(pkg, flow)
    insert = _node(pkg, kinds.INDEX_EXPRESSION, 'm[k+"!"]')
    assert keys.key_guarded(rng, insert)


IDENTITY = """package p

import "strings"

type P struct{ ID, URL string }

func f(peers map[string]P, arg P, meta map[string]string, series map[string]P, locks map[string][]P) {
	for i := range peers {
		p := peers[i]
		if p.ID == arg.ID {
			peers[arg.ID] = p
		}
		if arg.URL == "" {
			peers[arg.ID] = p
		}
	}
	for k, v := range meta {
		if strings.EqualFold(k, "reset") {
			meta["X-"+v] = v
		}
		if k == v {
			meta[v+"!"] = v
		}
	}
	for id, s := range series {
		calc := strings.ToLower(s.URL)
		series[calc] = s
		series[id+calc] = s
	}
	for _, hs := range locks {
		h := &hs[0]
		delete(locks, h.ID)
	}
}
"""


def test_key_equated_to_current_value_is_not_other() -> None:
    pkg = _pkg(IDENTITY)
    flow, keys = _roles(pkg)
    rng = _range(pkg, flow)
    sites = flow.summaries.mutations_in(rng.body)
    assert [keys.key_role(rng, s) for s in sites] == [KeyRole.UNKNOWN, KeyRole.OTHER]


def test_key_selected_by_invariant_equality() -> None:
    pkg = _pkg(IDENTITY)
    flow, keys = _roles(pkg)
    rng = _range(pkg, flow, 1)
    sites = flow.summaries.mutations_in(rng.body)
    assert [keys.key_selected(rng, s.node) for s in sites] == [True, False]


def test_rekeys_value_only_for_functions_of_the_value() -> None:
    pkg = _pkg(IDENTITY)
    flow, keys = _roles(pkg)
    rng = _range(pkg, flow, 2)
    sites = flow.summaries.mutations_in(rng.body)
    assert [keys.rekeys_value(rng, s) for s in sites] == [True, False]


def test_key_read_from_value_element_is_unknown() -> None:
    pkg = _pkg(IDENTITY)
    flow, keys = _roles(pkg)
    rng = _range(pkg, flow, 3)
    (site,) = flow.summaries.mutations_in(rng.body)
    assert keys.key_role(rng, site) is KeyRole.UNKNOWN
    assert keys.reads_value(rng, _node(pkg, kinds.SELECTOR_EXPRESSION, "h.ID"))
