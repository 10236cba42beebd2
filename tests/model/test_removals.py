"""Removals: evident slice-removal shapes, zeroing, refills and pointer kinds."""
from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from golinter.model.removals import (
    handed_out_whole,
    helper_removes,
    pointer_kind,
    refilled,
    removal_shape,
    zeroes_in_function,
)
from golinter.model.storage import StorageKey
from golinter.model.teardown import released_at_teardown
from golinter.model.windows import makes_room
from golinter.parse import walk_named
from tests.model.test_lifetimes import make_package

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package

HEAD = 'package p\n\nimport "slices"\n\nvar _ = slices.Clone[[]int]\n\ntype T struct{ s []*int; ids []int }\n\n'


def assignment(body: str, nth: int = 0) -> tuple[Package, Node]:
    pkg = make_package(HEAD + "func (t *T) f(n, i int) {\n" + body + "\n}\n"
                       "func remove(xs []*int, i int) []*int { return append(xs[:i], xs[i+1:]...) }\n"
                       "func insert(xs []*int, i int, x *int) []*int {\n"
                       "\treturn append(xs[:i], append([]*int{x}, xs[i:]...)...)\n}\n"
                       "func keep(xs []*int, n int) []*int {\n\txs = xs[:n]\n\treturn xs\n}\n"
                       "func shrink(xs []*int) []*int {\n\txs = xs[:len(xs)-1]\n\treturn xs\n}\n"
                       "func compact(xs []*int) []*int {\n\tn := 0\n\tfor _, x := range xs {\n"
                       "\t\tif x != nil {\n\t\t\txs[n] = x\n\t\t\tn++\n\t\t}\n\t}\n\treturn xs[:n]\n}\n"
                       "func drop(xs []*int, i int) []*int { return slices.Delete(xs, i, i+1) }\n"
                       "func add(xs []*int, x *int) []*int { return append(xs, x) }\n"
                       "func (t *T) refill() { t.s = append(t.s, nil) }\n"
                       "func (t *T) outer() { t.refill() }\n")
    stmts = [n for n in walk_named(pkg.files[0].tree.root_node) if n.type == "assignment_statement"]
    return pkg, stmts[nth]


@pytest.mark.parametrize("code, shape", [
    ("t.s = t.s[:len(t.s)-1]", "pop"),
    ("last := len(t.s) - 1\n\tt.s = t.s[:last]", "pop"),
    ("n := len(t.s)\n\tt.s = t.s[:n-1]", "pop"),
    ("if n := len(t.s); n > 0 {\n\t\tt.s = t.s[:n-1]\n\t}", "pop"),
    ("for n := len(t.s); n > 0; n-- {\n\t\tt.s = t.s[:n-1]\n\t}", ""),
    ("t.s = t.s[:0]", "reset"),
    ("t.s = t.s[1:]", "front"),
    ("t.s = t.s[i:len(t.s)]", "front"),
    ("t.s = append(t.s[:i], t.s[i+1:]...)", "middle"),
    ("t.s = slices.Delete(t.s, i, i+1)", "Delete"),
    ("t.s = slices.DeleteFunc(t.s, func(*int) bool { return true })", "DeleteFunc"),
    ("t.s = remove(t.s, i)", "helper"),
    ("t.s = add(t.s, nil)", ""),
    ("t.s = t.s[:len(t.s)]", ""),
    ("t.s = t.s[:n+1]", ""),
    ("t.s = t.s[i:n]", ""),
    ("t.s = t.s[:n]", ""),
    ("t.s = append(t.s, nil)", ""),
    ("t.s = append(t.s[:i], t.s[i+n:]...)", "middle"),
    ("t.s = append(t.s[:i-1], t.s[i:len(t.s)]...)", "middle"),
    ("t.s = append(t.s[:0], t.s[1:]...)", "middle"),
    ("t.s = append(t.s[:i], append([]*int{nil}, t.s[i:]...)...)", ""),
    ("t.s = append(t.s[:n], append(t.s[n+1:i], append([]*int{nil}, t.s[i:]...)...)...)", ""),
    ("t.s = append(t.s[:i], append([]*int{nil}, append(t.s[i:n], t.s[n+1:]...)...)...)", ""),
    ("t.s = append(t.s[:i], t.s[n:]...)", ""),
    ("t.s = append(t.s[:i], t.s[i:]...)", ""),
    ("t.s = append(t.s[:i+1], t.s[i:]...)", ""),
    ("t.s = append(t.s[:1], t.s[0:]...)", ""),
    ("t.s = append(t.s[:i:i], t.s[i+1:]...)", ""),
    ("t.s = append(t.s[:i], t.s[i+1:n]...)", ""),
    ("t.s = append(t.s[:i], t.s[i+1:]...)[:n]", ""),
    ("t.s = insert(t.s, i, nil)", ""),
])
def test_removals_shapes(code: str, shape: str) -> None:
    pkg, stmt = assignment(code)
    right = stmt.child_by_field_name("right")
    assert right is not None
    assert removal_shape(pkg, right.named_children[0]) == shape


def test_removals_in_place_filter_is_a_removal() -> None:
    pkg, stmt = assignment("m := 0\n\tfor _, x := range t.s {\n\t\tif x != nil {\n\t\t\tt.s[m] = x\n\t\t\tm++\n\t\t}\n\t}\n"
                           "\tt.s = t.s[:m]", nth=1)
    right = stmt.child_by_field_name("right")
    assert right is not None and removal_shape(pkg, right.named_children[0]) == "filter"


def test_removals_zeroing_and_refill() -> None:
    key = StorageKey("type:T", ("s",))
    pkg, stmt = assignment("t.s[len(t.s)-1] = nil\n\tt.s = t.s[:len(t.s)-1]", nth=1)
    assert zeroes_in_function(pkg, key, stmt)
    pkg, stmt = assignment("t.s = t.s[:len(t.s)-1]")
    assert not zeroes_in_function(pkg, key, stmt)
    pkg, stmt = assignment("clear(t.s[n:])\n\tt.s = t.s[:n]")
    assert zeroes_in_function(pkg, key, stmt)
    pkg, stmt = assignment("t.s = t.s[:0]\n\tt.outer()")
    assert refilled(pkg, key, stmt)
    pkg, stmt = assignment("t.outer()\n\tt.s = t.s[:0]")
    assert not refilled(pkg, key, stmt)


def test_removals_helper_and_pointer_kinds() -> None:
    pkg, _stmt = assignment("t.s = nil")
    decls = {pkg.text(d.named_children[0]): d for d in pkg.files[0].tree.root_node.named_children
             if d.type == "function_declaration"}
    assert helper_removes(pkg, decls["remove"])
    assert helper_removes(pkg, decls["shrink"])
    assert helper_removes(pkg, decls["compact"])
    assert helper_removes(pkg, decls["drop"])
    assert not helper_removes(pkg, decls["add"])
    assert not helper_removes(pkg, decls["insert"])  # grows its argument
    assert not helper_removes(pkg, decls["keep"])  # `xs[:n]` for an n of unknown relation to len(xs)
    from golinter.model.types import UNKNOWN, Basic, Field, Named, Pointer, Slice, Struct
    assert pointer_kind(pkg, Pointer(Basic("int"))) == "pointer"
    assert pointer_kind(pkg, Basic("string")) == "string"
    assert pointer_kind(pkg, Basic("int")) == ""
    assert pointer_kind(pkg, Struct((Field("a", Basic("int")), Field("b", Slice(Basic("byte")))))) == "pointer"
    assert pointer_kind(pkg, Named("", "T")) == "pointer"
    assert pointer_kind(pkg, UNKNOWN) == ""


@pytest.mark.parametrize(("loop", "only_nils"), [
    ("for _, x := range t.s {\n\t\tif x != nil {\n\t\t\tt.s[m] = x\n\t\t\tm++\n\t\t}\n\t}", True),
    ("for _, x := range t.s {\n\t\tif nil != x {\n\t\t\tt.s[m] = x\n\t\t\tm++\n\t\t}\n\t}", True),
    ("for _, x := range t.s {\n\t\tif x != nil && *x > 0 {\n\t\t\tt.s[m] = x\n\t\t\tm++\n\t\t}\n\t}", False),
    ("for _, x := range t.s {\n\t\tif x != nil {\n\t\t\tt.s[m] = x\n\t\t\tm++\n\t\t} else {\n\t\t\tm++\n\t\t}\n\t}", False),
    ("for _, x := range other {\n\t\tif x != nil {\n\t\t\tt.s[m] = x\n\t\t\tm++\n\t\t}\n\t}", False),
    ("for i := range t.s {\n\t\tif t.s[i] != nil {\n\t\t\tt.s[m] = t.s[i]\n\t\t\tm++\n\t\t}\n\t}", False),
])
def test_removals_filter_dropping_only_nils(loop: str, only_nils: bool) -> None:
    from golinter.model.filters import drops_only_nils
    pkg, stmt = assignment("var other []*int\n\tm := 0\n\t" + loop + "\n\tt.s = t.s[:m]", nth=1)
    value = stmt.child_by_field_name("right").named_children[0]  # type: ignore[union-attr]
    operand, end = value.child_by_field_name("operand"), value.child_by_field_name("end")
    assert operand is not None and end is not None
    assert drops_only_nils(pkg, operand, end) is only_nils


@pytest.mark.parametrize(("loop", "shape"), [
    # every element is written back and counted: nothing is dropped
    ("for _, x := range t.s {\n\t\t*x++\n\t\tt.s[m] = x\n\t\tm++\n\t}", ""),
    # a skipped element, a conditional count, a value from elsewhere: a filter
    ("for _, x := range t.s {\n\t\tif x == nil {\n\t\t\tcontinue\n\t\t}\n\t\tt.s[m] = x\n\t\tm++\n\t}", "filter"),
    ("for _, x := range t.s {\n\t\tt.s[m] = x\n\t\tif *x > 0 {\n\t\t\tm++\n\t\t}\n\t}", "filter"),
    ("for _, x := range other {\n\t\tt.s[m] = x\n\t\tm++\n\t}", "filter"),
])
def test_removals_filter_keeping_every_element_is_no_removal(loop: str, shape: str) -> None:
    pkg, stmt = assignment("var other []*int\n\tm := 0\n\t" + loop + "\n\tt.s = t.s[:m]", nth=1)
    right = stmt.child_by_field_name("right")
    assert right is not None and removal_shape(pkg, right.named_children[0]) == shape


@pytest.mark.parametrize("body, nth, room", [
    # the trim is the nth assignment; the append follows the if
    ("if d := len(t.s) + n - 8; d > 0 {\n\t\tt.s = t.s[d:]\n\t}\n\tt.s = append(t.s, nil)", 0, True),
    ("if d := (n + len(t.s)) - 8; d > 0 {\n\t\tt.s = t.s[d:]\n\t}\n\t// then add\n\tt.s = append(t.s, t.s...)", 0, True),
    ("if len(t.s) >= n {\n\t\tt.s = t.s[1:]\n\t}\n\tt.s = append(t.s, nil)", 0, True),
    ("if len(t.s) > n {\n\t\tt.s = t.s[1:]\n\t}\n\tt.s = append(t.s, nil)", 0, True),
    # not a window made room for
    ("if d := n - 8; d > 0 {\n\t\tt.s = t.s[d:]\n\t}\n\tt.s = append(t.s, nil)", 0, False),
    ("if d := len(t.s) - 8; d > 0 {\n\t\tt.s = t.s[i:]\n\t}\n\tt.s = append(t.s, nil)", 0, False),
    ("if d := len(t.s) * 2; d > 0 {\n\t\tt.s = t.s[d:]\n\t}\n\tt.s = append(t.s, nil)", 0, False),
    ("if len(t.s) < n {\n\t\tt.s = t.s[1:]\n\t}\n\tt.s = append(t.s, nil)", 0, False),
    ("if len(t.s) >= n {\n\t\tt.s = t.s[1:]\n\t\treturn\n\t}\n\tt.s = append(t.s, nil)", 0, False),
    ("if len(t.s) == n {\n\t\tt.s = t.s[1:]\n\t}\n\tn++\n\tt.s = append(t.s, nil)", 0, True),
    ("if len(t.s) >= n {\n\t\tt.s = t.s[1:]\n\t}\n\tt.refill()\n\tt.s = append(t.s, nil)", 0, False),
    ("if len(t.s) >= n {\n\t\tt.s = t.s[1:]\n\t}\n\tt.ids = nil\n\tt.s = append(t.s, nil)", 0, True),
    ("if len(t.s) >= n {\n\t\tt.s = t.s[1:]\n\t}\n\tt.s[0] = nil\n\tt.s = append(t.s, nil)", 0, False),
    ("if len(t.s) >= n {\n\t\tt.s = t.s[1:]\n\t}", 0, False),
])
def test_removals_window_making_room_before_an_append(body: str, nth: int, room: bool) -> None:
    pkg, stmt = assignment(body, nth)
    key = pkg.storage.key(stmt.child_by_field_name("left").named_children[0])
    assert key is not None
    assert makes_room(pkg, key, stmt) is room


def _reset(func: str) -> tuple[Package, Node, StorageKey]:
    """The package of HEAD + `func`, its `t.s = t.s[:0]` statement and that slice's key."""
    pkg = make_package(HEAD + func)
    stmt = next(n for n in walk_named(pkg.files[0].tree.root_node)
                if n.type == "assignment_statement" and pkg.text(n).endswith("[:0]"))
    key = pkg.storage.key(stmt.child_by_field_name("left").named_children[0])
    assert key is not None
    return pkg, stmt, key


@pytest.mark.parametrize("method, body, released", [
    ("Close", "for _, x := range t.s {\n\t\t_ = x\n\t}\n\tt.s = t.s[:0]", True),
    ("Stop", "for i := range t.s {\n\t\tt.s[i] = nil\n\t}\n\tt.s = t.s[:0]", True),
    ("Flush", "for _, x := range t.s {\n\t\t_ = x\n\t}\n\tt.s = t.s[:0]", False),
    ("Close", "t.s = t.s[:0]", False),
    ("Close", "for _, x := range t.ids {\n\t\t_ = x\n\t}\n\tt.s = t.s[:0]", False),
    ("Close", "t.s = t.s[:0]\n\tfor _, x := range t.s {\n\t\t_ = x\n\t}", False),
])
def test_removals_reset_at_teardown_after_releasing_each(method: str, body: str, released: bool) -> None:
    pkg, stmt, key = _reset(f"func (t *T) {method}() {{\n\t{body}\n}}\n")
    assert released_at_teardown(pkg, key, stmt) is released


@pytest.mark.parametrize("body, handed", [
    ("items := t.s\n\tt.s = t.s[:0]\n\t_ = items\n\treturn items", True),
    ("items := t.s\n\tt.s = t.s[:0]\n\treturn t.s", False),
    ("items := t.s\n\tt.s = t.s[:0]\n\t_ = len(items)\n\treturn nil", False),
    ("t.s = t.s[:0]\n\titems := t.s\n\treturn items", False),
])
def test_removals_reset_handing_the_old_slice_out(body: str, handed: bool) -> None:
    pkg, stmt, key = _reset(f"func (t *T) take() []*int {{\n\t{body}\n}}\n")
    assert handed_out_whole(pkg, key, stmt) is handed
