"""Unit tests for golinter/model/effects.py: what a region does that outlives it."""
from __future__ import annotations

from typing import TYPE_CHECKING

from _modelkit import package

from golinter import kinds
from golinter.model.summaries import Summaries
from golinter.parse import walk_named

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package


def _pkg(src: str) -> Package:
    return package({"p.go": src})


def _loops(pkg: Package) -> list[Node]:
    return [n for n in walk_named(pkg.files[0].tree.root_node) if n.type == kinds.FOR_STATEMENT]


def test_effects_in_loop_scope() -> None:
    pkg = _pkg("""package p
type S struct{ n int; cb func(string); out []string }
type E struct{ seen bool }
func (s *S) run(m map[string]*E, ch chan string, vals map[string]E) {
	for k, e := range m {
		local := map[string]bool{}
		local[k] = true
		var buf []string
		buf = append(buf, k)
		x := 0
		x++
		e.seen = true
		s.out = append(s.out, k)
		ch <- k
		s.cb(k)
	}
	for _, v := range vals {
		v.seen = true
	}
}
""")
    sums = Summaries(pkg)
    loops = _loops(pkg)
    body = loops[0].child_by_field_name(kinds.F_BODY)
    assert body is not None
    whats = [e.what for e in sums.effects.effects_in(body, loops[0], lambda s: False)]
    assert whats == ["writes e.seen", "appends to s.out", "sends on ch", "calls s.cb"]
    body2 = loops[1].child_by_field_name(kinds.F_BODY)
    assert body2 is not None
    assert sums.effects.effects_in(body2, loops[1], lambda s: False) == []  # a struct copy




def test_effects_of_calls() -> None:
    pkg = _pkg("""package p
import (
	"fmt"
	"strings"
)
type S struct{ n int; items map[string]int }
func (s *S) bump() { s.n++ }
func (s *S) get(k string) int { return s.items[k] }
func (s *S) drop(k string) { delete(s.items, k) }
func (s *S) run(m map[string]int, other *S) {
	for k := range m {
		_ = s.get(k)
		_ = strings.ToUpper(k)
		var b strings.Builder
		b.WriteString(k)
		s.bump()
		fmt.Println(k)
		other.drop(k)
		go s.get(k)
	}
}
""")
    sums = Summaries(pkg)
    loop = _loops(pkg)[0]
    body = loop.child_by_field_name(kinds.F_BODY)
    assert body is not None
    whats = [e.what for e in sums.effects.effects_in(body, loop, lambda s: False)]
    assert whats == ["calls s.bump", "calls fmt.Println", "calls other.drop", "starts a goroutine"]
