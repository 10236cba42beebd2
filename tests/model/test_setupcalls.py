"""Methods called only on values still being built (model/setupcalls.py)."""
from __future__ import annotations

import pytest

from golinter import kinds
from golinter.model.setupcalls import setup_only
from golinter.parse import walk_named

from _modelkit import package

HEAD = """package p

import "sync"

type Ctx struct {
	mu    sync.Mutex
	store map[string]int
}

func (c *Ctx) Reset() { clear(c.store) }

func use(c *Ctx) {}

type Router struct{ pool sync.Pool }

"""


def _reset_only_in_setup(body: str, test_body: str = "") -> bool:
    files = {"a.go": HEAD + "func (rt *Router) Serve() {\n" + body + "\n}\n"}
    if test_body:
        files["a_test.go"] = "package p\n\nfunc helper(shared *Ctx) {\n" + test_body + "\n}\n"
    pkg = package(files)
    calls = [n for f in pkg.files for n in walk_named(f.tree.root_node)
             if n.type == kinds.CALL_EXPRESSION and pkg.text(n).endswith(".Reset()")]
    return setup_only(pkg, "Ctx", "Reset", calls)


@pytest.mark.parametrize("body, expected", [
    ("\tc := &Ctx{}\n\tc.Reset()\n\tuse(c)", True),
    # a sync.Pool gives each value to one owner at a time; a deferred Put runs after the call
    ("\tc := rt.pool.Get().(*Ctx)\n\tdefer rt.pool.Put(c)\n\tc.Reset()\n\tuse(c)", True),
    ("\tc := rt.pool.Get().(*Ctx)\n\tdefer func() { rt.pool.Put(c) }()\n\tc.Reset()", True),
    # shared before the call: handed to a goroutine, or to a function
    ("\tc := rt.pool.Get().(*Ctx)\n\tgo use(c)\n\tc.Reset()", False),
    ("\tc := rt.pool.Get().(*Ctx)\n\tuse(c)\n\tc.Reset()", False),
    # not from a pool: a Get of anything else may hand out a shared value
    ("\tvar m sync.Map\n\tv, _ := m.Load(1)\n\tc := v.(*Ctx)\n\tc.Reset()", False),
])
def test_setup_only_values_made_or_taken_from_a_pool(body: str, expected: bool) -> None:
    assert _reset_only_in_setup(body) is expected


def test_setup_only_ignores_calls_in_tests_but_needs_one_outside() -> None:
    fresh = "\tc := rt.pool.Get().(*Ctx)\n\tc.Reset()"
    assert _reset_only_in_setup(fresh, test_body="\tshared.Reset()") is True
    assert _reset_only_in_setup("\tc := rt.pool.Get().(*Ctx)\n\t_ = c", test_body="\tc := &Ctx{}\n\tc.Reset()") is False
