"""golinter/model/storage.py: storage identity through fields, copies and package variables."""
from __future__ import annotations

from _modelkit import at, package

SRC = """package p

type Server struct{ items map[string]int }

var global = map[string]int{}

func (s *Server) Get(k string) int { return /*@get*/s.items[k] }

func (srv *Server) Put(k string) {
	m := srv.items
	/*@copy*/m[k] = 1
	g := global
	_ = /*@gcopy*/g
	other := map[string]int{}
	_ = /*@fresh*/other
	r := srv.items
	r = map[string]int{}
	_ = /*@reassigned*/r
}
"""


def test_storage_same_field_through_different_receivers() -> None:
    pkg = package({"a.go": SRC})
    get = at(pkg, "get").child_by_field_name("operand")
    copy_target = at(pkg, "copy").child_by_field_name("operand")
    assert get is not None and copy_target is not None
    assert pkg.storage.same(get, copy_target)


def test_storage_copy_of_package_variable_is_the_variable() -> None:
    pkg = package({"a.go": SRC})
    key = pkg.storage.key(at(pkg, "gcopy"))
    assert key is not None and key.is_package_var


def test_storage_reassigned_local_is_not_a_copy_and_fresh_maps_are_local() -> None:
    pkg = package({"a.go": SRC})
    reassigned = pkg.storage.key(at(pkg, "reassigned"))
    fresh = pkg.storage.key(at(pkg, "fresh"))
    assert reassigned is not None and reassigned.root.startswith("local:")
    assert fresh is not None and fresh.root.startswith("local:")
    assert reassigned != fresh
