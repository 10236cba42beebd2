"""Unit tests for golinter/model/flow.py: map ranges, statement exits, leaving a loop,
order-dependent bodies and fix-point loops, on small Go sources."""
from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from _modelkit import package

from golinter import kinds
from golinter.model.flow import FALL, RETURN, Flow, MapRange
from golinter.model.summaries import Summaries
from golinter.parse import walk_named

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package


def _pkg(src: str, lang: tuple[int, int] = (1, 22)) -> Package:
    return package({"p.go": src}, lang)


def _flow(pkg: Package) -> Flow:
    return Flow(pkg, Summaries(pkg))


def _all(pkg: Package, kind: str) -> list[Node]:
    return [n for n in walk_named(pkg.files[0].tree.root_node) if n.type == kind]


def _node(pkg: Package, kind: str, text: str, nth: int = 0) -> Node:
    return [n for n in _all(pkg, kind) if pkg.text(n) == text][nth]


def _range(pkg: Package, flow: Flow, nth: int = 0) -> MapRange:
    loops = [n for n in _all(pkg, kinds.FOR_STATEMENT) if any(c.type == kinds.RANGE_CLAUSE for c in n.named_children)]
    rng = flow.map_range(loops[nth])
    assert rng is not None
    return rng


def _in_func(body: str, header: str = "m map[string]int, out []string, ch chan string") -> str:
    return f"""package p

import (
	"log"
	"maps"
	"os"
	"slices"
	"testing"
)

var _ = maps.Keys[map[string]int]
var _ = slices.Collect[string]
var _ = log.Fatal
var _ = os.Exit
var _ *testing.T

func f({header}) {{
{body}
}}
"""


# -- map_range -----------------------------------------------------------------------------------

def test_map_range_direct_binds_key_and_value() -> None:
    pkg = _pkg(_in_func("\tfor k, v := range m {\n\t\t_, _ = k, v\n\t}"))
    rng = _range(pkg, _flow(pkg))
    assert pkg.text(rng.map_expr) == "m" and rng.view == ""
    assert rng.key is not None and pkg.text(rng.key) == "k"
    assert rng.value is not None and pkg.text(rng.value) == "v"


def test_map_range_blank_key() -> None:
    pkg = _pkg(_in_func("\tfor _, v := range m {\n\t\t_ = v\n\t}"))
    rng = _range(pkg, _flow(pkg))
    assert rng.key is None and rng.value is not None


@pytest.mark.parametrize(("call", "lang", "view", "key", "value"), [
    ("maps.Keys(m)", (1, 23), "keys", "x", None),
    ("maps.Values(m)", (1, 23), "values", None, "x"),
    ("maps.All(m)", (1, 23), "all", "x", None),
])
def test_map_range_live_views_at_go123(call: str, lang: tuple[int, int], view: str, key: str | None,
                                       value: str | None) -> None:
    pkg = _pkg(_in_func(f"\tfor x := range {call} {{\n\t\t_ = x\n\t}}"), lang)
    rng = _range(pkg, _flow(pkg))
    assert rng.view == view and pkg.text(rng.map_expr) == "m"
    assert (pkg.text(rng.key) if rng.key is not None else None) == key
    assert (pkg.text(rng.value) if rng.value is not None else None) == value


@pytest.mark.parametrize(("right", "lang"), [
    ("maps.Keys(m)", (1, 22)),  # no live std views before 1.23
    ("slices.Collect(maps.Keys(m))", (1, 23)),
    ("out", (1, 23)),
])
def test_map_range_none_for_copies_and_slices(right: str, lang: tuple[int, int]) -> None:
    pkg = _pkg(_in_func(f"\tfor x := range {right} {{\n\t\t_ = x\n\t}}"), lang)
    flow = _flow(pkg)
    loop = _all(pkg, kinds.FOR_STATEMENT)[0]
    assert flow.map_range(loop) is None


def test_map_range_none_for_selector_key_target() -> None:
    pkg = _pkg(_in_func("\tvar s struct{ k string }\n\tfor s.k = range m {\n\t}"))
    assert _flow(pkg).map_range(_all(pkg, kinds.FOR_STATEMENT)[0]) is None


# -- exits ---------------------------------------------------------------------------------------

def _stmt(pkg: Package, kind: str, nth: int = 0) -> Node:
    return _all(pkg, kind)[nth]


def test_exits_if_without_else_falls_and_returns() -> None:
    pkg = _pkg(_in_func("\tif len(m) > 0 {\n\t\treturn\n\t}"))
    assert _flow(pkg).exits(_stmt(pkg, kinds.IF_STATEMENT)) == frozenset({FALL, RETURN})


def test_exits_if_else_both_return() -> None:
    pkg = _pkg(_in_func("\tif len(m) > 0 {\n\t\treturn\n\t} else {\n\t\tpanic(1)\n\t}"))
    assert _flow(pkg).exits(_stmt(pkg, kinds.IF_STATEMENT)) == frozenset({RETURN})


def test_exits_infinite_for_only_by_break() -> None:
    pkg = _pkg(_in_func("\tfor {\n\t}\n\tfor {\n\t\tbreak\n\t}\n\tfor len(m) > 0 {\n\t}"))
    flow = _flow(pkg)
    loops = _all(pkg, kinds.FOR_STATEMENT)
    assert flow.exits(loops[0]) == frozenset()
    assert flow.exits(loops[1]) == frozenset({FALL})
    assert flow.exits(loops[2]) == frozenset({FALL})


def test_exits_switch_without_default_falls_select_empty_blocks() -> None:
    pkg = _pkg(_in_func("\tswitch len(m) {\n\tcase 1:\n\t\treturn\n\t}\n\tselect {}"))
    flow = _flow(pkg)
    assert flow.exits(_stmt(pkg, kinds.EXPRESSION_SWITCH_STATEMENT)) == frozenset({FALL, RETURN})
    assert flow.exits(_stmt(pkg, kinds.SELECT_STATEMENT)) == frozenset()


def test_exits_labelled_break_targets_outer_loop() -> None:
    pkg = _pkg(_in_func("outer:\n\tfor range m {\n\t\tfor range out {\n\t\t\tbreak outer\n\t\t}\n\t}"))
    flow = _flow(pkg)
    outer, inner = _all(pkg, kinds.FOR_STATEMENT)
    assert flow.exits(inner) == frozenset({("break", outer.id), FALL})  # the range may also end
    assert flow.exits(outer) == frozenset({FALL})


def test_exits_no_return_calls() -> None:
    pkg = _pkg(_in_func("\tos.Exit(1)\n\tlog.Fatalf(\"x\")\n\tt.Fatal(1)\n\tprintln()",
                        "m map[string]int, t *testing.T"))
    flow = _flow(pkg)
    stmts = _all(pkg, kinds.EXPRESSION_STATEMENT)
    assert [flow.exits(s) for s in stmts] == [frozenset({RETURN})] * 3 + [frozenset({FALL})]


# -- leaving a loop -------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "leaves"), [
    ("delete(m, \"x\")\n\t\treturn", True),
    ("delete(m, \"x\")\n\t\tcontinue", False),
    ("delete(m, \"x\")", False),
    ("if k != \"\" {\n\t\t\tdelete(m, \"x\")\n\t\t\tbreak\n\t\t}", True),
    ("if k != \"\" {\n\t\t\tdelete(m, \"x\")\n\t\t}\n\t\tbreak", True),
    ("delete(m, \"x\")\n\t\tif k == \"\" {\n\t\t\treturn\n\t\t}", False),
    ("delete(m, \"x\")\n\t\tif k == \"\" {\n\t\t\treturn\n\t\t} else {\n\t\t\tbreak\n\t\t}", True),
    ("delete(m, \"x\")\n\t\tswitch k {\n\t\tdefault:\n\t\t\tbreak\n\t\t}", False),
    ("delete(m, \"x\")\n\t\tswitch k {\n\t\tdefault:\n\t\t\tbreak\n\t\t}\n\t\treturn", True),
    ("for range out {\n\t\t\tdelete(m, \"x\")\n\t\t\tbreak\n\t\t}\n\t\treturn", True),
    ("for range out {\n\t\t\tdelete(m, \"x\")\n\t\t\tbreak\n\t\t}", False),
    ("for range out {\n\t\t\tdelete(m, \"x\")\n\t\t}\n\t\treturn", False),
    ("delete(m, \"x\")\n\t\tpanic(k)", True),
    ("delete(m, \"x\")\n\t\tgoto done", True),
    ("delete(m, \"x\")\n\t\tgoto again", False),
])
def test_leaves_loop(body: str, leaves: bool) -> None:
    src = _in_func(f"\tfor k := range m {{\n\tagain:\n\t\t{body}\n\t}}\ndone:\n\treturn")
    pkg = _pkg(src)
    flow = _flow(pkg)
    loop = _all(pkg, kinds.FOR_STATEMENT)[0]
    delete = _node(pkg, kinds.CALL_EXPRESSION, "delete(m, \"x\")")
    assert flow.leaves_loop(delete, loop) is leaves


def test_leaves_loop_continue_outer_leaves_inner_range() -> None:
    pkg = _pkg(_in_func("outer:\n\tfor range out {\n\t\tfor k := range m {\n\t\t\tdelete(m, k+\"x\")\n"
                        "\t\t\tcontinue outer\n\t\t}\n\t}"))
    flow = _flow(pkg)
    outer, inner = _all(pkg, kinds.FOR_STATEMENT)
    delete = _all(pkg, kinds.CALL_EXPRESSION)[-1]
    assert flow.leaves_loop(delete, inner)
    assert not flow.leaves_loop(delete, outer)


def test_leaves_loop_false_inside_inner_loop_header() -> None:
    pkg = _pkg(_in_func("\tfor range m {\n\t\tfor range mut(m) {\n\t\t}\n\t\treturn\n\t}")
               + "\nfunc mut(m map[string]int) []int { return nil }\n")
    flow = _flow(pkg)
    loop = _all(pkg, kinds.FOR_STATEMENT)[0]
    call = _node(pkg, kinds.CALL_EXPRESSION, "mut(m)")
    assert not flow.leaves_loop(call, loop)


# -- order dependence ----------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "what"), [
    ("out = append(out, k)", "appends to out"),
    ("ch <- k", "sends on ch"),
    ("if k == \"\" {\n\t\t\tbreak\n\t\t}", "leaves the loop on a condition"),
    ("if k == \"\" {\n\t\t\treturn\n\t\t}", "leaves the loop on a condition"),
    ("n := len(k)\n\t\t_ = n", None),
    ("for range out {\n\t\t\tbreak\n\t\t}", None),
    ("delete(m, k+\"x\")", None),
    ("func() {\n\t\t\tif k == \"\" {\n\t\t\t\treturn\n\t\t\t}\n\t\t}()", None),
])
def test_order_dependent(body: str, what: str | None) -> None:
    pkg = _pkg(_in_func(f"\tfor k := range m {{\n\t\t{body}\n\t}}"))
    flow = _flow(pkg)
    rng = _range(pkg, flow)
    effect = flow.order_dependent(rng, lambda s: flow.summaries.on_map(s, rng.map_expr))
    assert (effect.what if effect is not None else None) == what


# -- fix-points and present keys -------------------------------------------------------------------

FIX = """package p

func flag(g map[string][]string) {
	for changed := true; changed; {
		changed = false
		for k := range g {
			g[k+"'"] = nil
			changed = true
		}
	}
}

func length(g map[string][]string) {
	for {
		n := len(g)
		for k := range g {
			g[k+"'"] = nil
		}
		if len(g) == n {
			break
		}
	}
}

func unrelated(g map[string][]string, reqs []string) {
	found := false
	for _, r := range reqs {
		for k := range g {
			g[k+r] = nil
			found = true
		}
	}
	_ = found
}
"""


@pytest.mark.parametrize(("nth", "expected"), [(0, True), (1, True), (3, False)])
def test_in_fixpoint(nth: int, expected: bool) -> None:
    pkg = _pkg(FIX)
    flow = _flow(pkg)
    rng = _range(pkg, flow, nth)
    insert = next(n for n in _all(pkg, kinds.INDEX_EXPRESSION)
                  if rng.body.start_byte < n.start_byte < rng.body.end_byte)
    assert flow.in_fixpoint(insert, rng) is expected


# -- one path ---------------------------------------------------------------------------------------

_A, _B = "out = append(out, \"a\")", "m[\"b\"] = 1"


@pytest.mark.parametrize(("body", "exclusive"), [
    ("if c {\n\t\tA\n\t\treturn\n\t}\n\tB", True),
    ("if c {\n\t\tA\n\t\tpanic(1)\n\t}\n\tB", True),
    ("if c {\n\t\tA\n\t} else {\n\t\tB\n\t}", True),
    ("if c {\n\t\tA\n\t} else if d {\n\t\tB\n\t}", True),
    ("switch {\n\tcase c:\n\t\tA\n\tcase d:\n\t\tB\n\t}", True),
    ("if c {\n\t\tif d {\n\t\t\tA\n\t\t\treturn\n\t\t} else {\n\t\t\treturn\n\t\t}\n\t}\n\tB", True),
    ("if c {\n\t\tfor range out {\n\t\t\tA\n\t\t\tbreak\n\t\t}\n\t\treturn\n\t}\n\tB", True),
    ("for range out {\n\t\tif c {\n\t\t\tA\n\t\t\tcontinue\n\t\t}\n\t\tB\n\t}", True),
    ("if c {\n\t\tA\n\t\tgoto done\n\t}\n\tB\ndone:\n\treturn", True),
    ("A\n\tB", False),
    ("if c {\n\t\tA\n\t}\n\tB", False),
    ("B\n\tif c {\n\t\tA\n\t\treturn\n\t}", False),
    ("if c {\n\t\tA\n\t\tif d {\n\t\t\treturn\n\t\t}\n\t}\n\tB", False),
    ("for range out {\n\t\tA\n\t\tbreak\n\t}\n\tB", False),
    ("switch {\n\tcase c:\n\t\tA\n\t\tfallthrough\n\tcase d:\n\t\tB\n\t}", False),
    ("f := func() {\n\t\tA\n\t}\n\tf()\n\tB", False),
    ("again:\n\tif c {\n\t\tA\n\t\tgoto again\n\t}\n\tB", False),
    ("for range out {\n\t\tif c {\n\t\t\tA\n\t\t\tbreak\n\t\t}\n\t\tB\n\t}", True),
])
def test_exclusive(body: str, exclusive: bool) -> None:
    src = _in_func("\t" + body.replace("A", _A).replace("B", _B), "m map[string]int, out []string, c, d bool")
    pkg = _pkg(src)
    flow = _flow(pkg)
    a = _node(pkg, kinds.ASSIGNMENT_STATEMENT, _A)
    b = _node(pkg, kinds.ASSIGNMENT_STATEMENT, _B)
    assert flow.exclusive(a, b) is exclusive
    assert flow.exclusive(b, a) is exclusive


def test_leaves_before_end() -> None:
    body = ("if c {\n\t\tA\n\t\treturn\n\t}\n\tfor range out {\n\t\tif d {\n\t\t\tB\n\t\t\tbreak\n\t\t}\n\t}")
    pkg = _pkg(_in_func("\t" + body.replace("A", _A).replace("B", _B), "m map[string]int, out []string, c, d bool"))
    flow = _flow(pkg)
    a = _node(pkg, kinds.ASSIGNMENT_STATEMENT, _A)
    b = _node(pkg, kinds.ASSIGNMENT_STATEMENT, _B)
    first_if, loop = _stmt(pkg, kinds.IF_STATEMENT), _stmt(pkg, kinds.FOR_STATEMENT)
    inner_if = _stmt(pkg, kinds.IF_STATEMENT, 1)
    assert flow.leaves_before_end(a, first_if)
    assert flow.leaves_before_end(b, inner_if)  # break of the loop around it
    assert not flow.leaves_before_end(b, loop)  # break ends the loop: its end is reached
    assert not flow.leaves_before_end(a, a)  # an assignment completes


@pytest.mark.parametrize(("right", "operand"), [
    ("m", "m"), ("maps.Keys(m)", "m"), ("maps.All(m)", "m"),
    ("slices.Collect(maps.Keys(m))", "slices.Collect(maps.Keys(m))"),
])
def test_ranged_operand_is_syntactic(right: str, operand: str) -> None:
    pkg = _pkg(_in_func(f"\tfor x := range {right} {{\n\t\t_ = x\n\t}}"), (1, 22))
    got = _flow(pkg).ranged_operand(_all(pkg, kinds.FOR_STATEMENT)[0])
    assert got is not None and pkg.text(got) == operand
