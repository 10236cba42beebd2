"""golinter/model/storage.py: storage identity through fields, copies and package variables."""
from __future__ import annotations

from golinter.model.storage import StorageKey

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


DEST = """package p

type Cache struct{ items map[string]int }

var global = make(map[string]int, 8)

func f() *Cache {
	local := make(map[string]int, 1)
	var other, second = make(map[int]int), make(map[int]int, 2)
	c := &Cache{items: make(map[string]int, 4)}
	c.items = make(map[string]int, 5)
	_, _, _ = local, other, second
	use(make(map[string]int, 6))
	return c
}

func use(map[string]int) {}
"""


def test_storage_destination_of_a_value() -> None:
    """Where a value is stored: an assignment's or declaration's target in the same position, or a
    struct literal's field; nothing for an argument."""
    from golinter.parse import walk_named

    pkg = package({"a.go": DEST})
    makes = {pkg.text(n): n for n in walk_named(pkg.files[0].tree.root_node)
             if n.type == "call_expression" and pkg.text(n).startswith("make(")}
    dest = {text: pkg.storage.destination(node) for text, node in makes.items()}
    assert dest["make(map[string]int, 8)"] == StorageKey("pkg:global")
    assert dest["make(map[string]int, 4)"] == StorageKey("type:Cache", ("items",))
    assert dest["make(map[string]int, 5)"] == StorageKey("type:Cache", ("items",))
    local = dest["make(map[string]int, 1)"]
    assert local is not None and local.root.startswith("local:")
    assert dest["make(map[int]int, 2)"] is not None and dest["make(map[int]int, 2)"] != dest["make(map[int]int)"]
    assert dest["make(map[string]int, 6)"] is None
