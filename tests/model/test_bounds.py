"""Bounds: dominating comparisons, clamps and validations (model/bounds.py).

Most forms are exercised through taint in test_taint.py; these tests drive Bounds directly, with
the untainted-callback that decides whether the other side of a comparison is a real limit.
"""
from __future__ import annotations

from golinter.model.bounds import Bounds, exprs, strip_conversions
from tests.model._modelkit import at, ident_at, package

SRC = '''package p

import "net/http"

const limit = 100

type page struct {
	Size int `json:"size" binding:"required,max=50"`
	From int `json:"from"`
}

func f(w http.ResponseWriter, r *http.Request, n, other int, p page) {
	if n > limit {
		return
	}
	_ = /*@use*/n
	if int64(other) <= int64(limit) {
		_ = /*@inside*/other
	}
	_ = /*@after*/other
	_ = /*@size*/p.Size
	_ = /*@from*/p.From
}
'''


def test_bounds_comparison_with_an_untainted_limit() -> None:
    pkg = package({"a.go": SRC})
    bounds = Bounds(pkg, lambda expr, anchor: True)
    assert bounds.is_bounded(ident_at(pkg, "use"), at(pkg, "use"))
    assert bounds.is_bounded(ident_at(pkg, "inside"), at(pkg, "inside"))
    assert not bounds.is_bounded(ident_at(pkg, "after"), at(pkg, "after"))


def test_bounds_tainted_limit_is_no_bound() -> None:
    pkg = package({"a.go": SRC})
    bounds = Bounds(pkg, lambda expr, anchor: False)
    assert not bounds.is_bounded(ident_at(pkg, "use"), at(pkg, "use"))


def test_bounds_validator_tags() -> None:
    pkg = package({"a.go": SRC})
    bounds = Bounds(pkg, lambda expr, anchor: True)
    assert bounds.tag_bounded(at(pkg, "size"))
    assert not bounds.tag_bounded(at(pkg, "from"))


def test_bounds_strip_conversions() -> None:
    pkg = package({"a.go": SRC})
    f = pkg.files[0]
    start = f.src.index(b"int64(other)")
    node = f.tree.root_node.descendant_for_byte_range(start, start + len("int64(other)"))
    while node is not None and node.type != "call_expression":
        node = node.parent
    assert node is not None and pkg.text(strip_conversions(pkg, node)) == "other"
    assert exprs(None) == []
