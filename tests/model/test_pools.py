"""model/pools.py: a tail pop whose element a deferred func always appends back; get-or-create pools."""
from __future__ import annotations

import pytest

from golinter.model.pools import makes_when_empty, pushed_back_by_defer
from golinter.model.types import Slice
from tests.model._modelkit import at, package

HEAD = "package p\n\ntype item struct{ b []byte }\n\nvar free []*item\n\n"


def _pushed_back(body: str) -> bool:
    pkg = package({"p.go": HEAD + "func get(fn func(*item)) {\n" + body + "\n}\n"})
    stmt = at(pkg, "pop")
    while stmt.type != "assignment_statement" and stmt.parent is not None:
        stmt = stmt.parent
    assert stmt is not None and stmt.type == "assignment_statement"
    key = pkg.storage.key(stmt.child_by_field_name("left").named_children[0])
    assert key is not None
    return pushed_back_by_defer(pkg, key, stmt)


POP = "x := free[len(free)-1]\n/*@pop*/free = free[:len(free)-1]\n"
GIVE_BACK = "defer func() { free = append(free, x) }()\n"


def test_a_deferred_push_back_of_the_popped_element_closes_the_pool() -> None:
    assert _pushed_back(POP + GIVE_BACK + "fn(x)")
    # the other arm of an if gives x a fresh value: exclusive with the pop
    assert _pushed_back("var x *item\nif len(free) > 0 {\nx = free[len(free)-1]\n/*@pop*/free = free[:len(free)-1]\n"
                        "} else {\nx = &item{}\n}\n" + GIVE_BACK + "fn(x)")
    # deferred in the case that pops; another case takes a fresh one
    assert _pushed_back("var x *item\nswitch {\ncase len(free) > 0:\nx = free[len(free)-1]\n"
                        "/*@pop*/free = free[:len(free)-1]\n" + GIVE_BACK + "default:\nx = &item{}\n}\nfn(x)")


@pytest.mark.parametrize("body", [
    POP + "defer func() { if cap(x.b) < 64 { free = append(free, x) } }()\nfn(x)",  # dropped on purpose
    POP + "if x == nil { return }\n" + GIVE_BACK + "fn(x)",  # a path that never defers
    POP + "defer func() { free = append(free, &item{}) }()\nfn(x)",  # not the popped one
    POP + "x = &item{}\n" + GIVE_BACK,  # x replaced before it goes back
    "var x *item\nfor len(free) > 0 {\nx = free[len(free)-1]\n/*@pop*/free = free[:len(free)-1]\nfn(x)\n}\n" + GIVE_BACK,
    "x := free[0]\n/*@pop*/free = free[:len(free)-1]\n" + GIVE_BACK,  # took another element
    "n := len(free) / 2\nx := free[n]\n/*@pop*/free = free[:n]\n" + GIVE_BACK,  # half of them left
])
def test_a_push_back_that_can_miss_is_no_pool(body: str) -> None:
    assert not _pushed_back(body)


def _made_when_empty(get: str, rest: str = "func put(x *item) { free = append(free, x) }\n") -> bool:
    pkg = package({"p.go": HEAD + get + rest})
    stmt = at(pkg, "pop")
    while stmt.type != "assignment_statement" and stmt.parent is not None:
        stmt = stmt.parent
    key = pkg.storage.key(stmt.child_by_field_name("left").named_children[0])
    func = stmt
    while func.type != "function_declaration" and func.parent is not None:
        func = func.parent
    slice_type = pkg.types.type_of(stmt.child_by_field_name("left").named_children[0])
    assert key is not None and isinstance(slice_type, Slice)
    return makes_when_empty(pkg, key, func, slice_type.elem)


GET = ("func get() *item {\nif len(free) > 0 {\nx := free[len(free)-1]\n/*@pop*/free = free[:len(free)-1]\n"
       "return x\n}\n{made}\n}\n")


def test_a_get_or_create_with_a_put_is_a_pool() -> None:
    assert _made_when_empty(GET.replace("{made}", "return &item{}"))
    assert _made_when_empty(GET.replace("{made}", "return new(item)"))


@pytest.mark.parametrize("get, rest", [
    (GET.replace("{made}", "return nil"), "func put(x *item) { free = append(free, x) }\n"),  # a queue
    (GET.replace("{made}", "return &item{}"), ""),  # nothing puts back
    (GET.replace("{made}", "return mk()"), ("func put(x *item) { free = append(free, x) }\n"
                                            "func mk() *item { return &item{} }\n")),  # not evidently new
])
def test_a_pop_that_makes_nothing_or_gets_nothing_back_is_no_pool(get: str, rest: str) -> None:
    assert not _made_when_empty(get, rest)
