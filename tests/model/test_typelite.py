"""golinter/model/typelite.py: declared types of expressions, named and generic map types."""
from __future__ import annotations

from golinter.model.types import UNKNOWN, Basic, Map, Named, Pointer, Slice, Struct, TypeParam

from _modelkit import at, package

SRC = """package p

import (
	"net/http"
	"sync"
)

type Labels map[string]string

type Set[K comparable] interface{ ~map[K]struct{} }

type Cache[K comparable, V any] struct {
	mu    sync.Mutex
	items map[K]V
}

type Base struct{ index map[int]*Cache[string, int] }

type Server struct {
	*Base
	labels Labels
}

func (c *Cache[K, V]) Get(k K) V { return /*@generic*/c.items[k] }

func Add[S Set[string]](s S) { _ = /*@tparam*/s }

func handle(w http.ResponseWriter, r *http.Request) {
	s := &Server{}
	_ = /*@named*/s.labels
	_ = /*@embedded*/s.index
	v, ok := s.labels["a"]
	_, _ = /*@commaok*/ok, v
	q := r.URL.Query()
	_ = /*@std*/q.Get("n")
	_ = /*@ptr*/&s
	_ = /*@made*/make(map[string][]byte, 10)
	n := 3
	_ = /*@untyped*/n
	_ = /*@unknown*/r.Foo()
	for k, e := range s.labels {
		_, _ = /*@rangekey*/k, e
	}
}
"""


def test_typelite_named_map_type_has_map_underlying() -> None:
    pkg = package({"a.go": SRC})
    t = pkg.types.type_of(at(pkg, "named"))
    assert t == Named("", "Labels")
    assert pkg.types.map_of(t) == Map(Basic("string"), Basic("string"))


def test_typelite_fields_through_embedded_pointer() -> None:
    pkg = package({"a.go": SRC})
    t = pkg.types.type_of(at(pkg, "embedded"))
    assert t == Map(Basic("int"), Pointer(Named("", "Cache")))


def test_typelite_generic_receiver_field_is_a_map_of_type_params() -> None:
    pkg = package({"a.go": SRC})
    items = at(pkg, "generic").child_by_field_name("operand")
    assert items is not None
    m = pkg.types.expr_map(items)
    assert m is not None and isinstance(m.key, TypeParam) and m.key.name == "K"


def test_typelite_type_param_with_map_constraint_is_a_map() -> None:
    pkg = package({"a.go": SRC})
    assert pkg.types.expr_map(at(pkg, "tparam")) is not None


def test_typelite_comma_ok_std_methods_pointers_make() -> None:
    pkg = package({"a.go": SRC})
    assert pkg.types.type_of(at(pkg, "commaok")) == Basic("bool")
    assert pkg.types.type_of(at(pkg, "std")) == Basic("string")
    assert pkg.types.type_of(at(pkg, "ptr")) == Pointer(Pointer(Named("", "Server")))
    assert pkg.types.type_of(at(pkg, "made")) == Map(Basic("string"), Slice(Basic("byte")))
    assert pkg.types.type_of(at(pkg, "untyped")) == Basic("int")
    assert pkg.types.type_of(at(pkg, "rangekey")) == Basic("string")


def test_typelite_unknown_stays_unknown() -> None:
    pkg = package({"a.go": SRC})
    assert pkg.types.type_of(at(pkg, "unknown")) is UNKNOWN


def test_typelite_embedded_pointer_field_keeps_its_pointer() -> None:
    pkg = package({"a.go": "package p\n\ntype DB struct{ n int }\n\ntype Tx struct {\n\t*DB\n\tBase\n}\n\n"
                           "type Base struct{ m int }\n"})
    u = pkg.types.underlying(Named("", "Tx"))
    assert isinstance(u, Struct)
    assert [(f.name, f.type, f.embedded) for f in u.fields] == [
        ("DB", Pointer(Named("", "DB")), True), ("Base", Named("", "Base"), True)]
    assert pkg.types.field(Named("", "Tx"), "n") == Basic("int")  # promoted through the pointer


NEW_EXPR = """package p

import "time"

type Opts struct{ n int }

func count() int64 { return 1 }

var second time.Duration

func f(verbose bool) {
	const limit = 3
	_ = /*@lit*/new(5 * second)
	_ = /*@unknownlit*/new(5 * time.Second)
	_ = /*@untypedlit*/new(1)
	_ = /*@call*/new(count())
	_ = /*@var*/new(verbose)
	_ = /*@const*/new(limit)
	_ = /*@composite*/new(Opts{n: 2})
	_ = /*@type*/new(Opts)
	_ = /*@slicetype*/new([]int)
	_ = /*@unknowntype*/new(other.T)
}
"""


def test_typelite_new_of_an_expression_points_to_its_type() -> None:
    """Go 1.26's `new(expr)` is a *T of the expression's (default) type; `new(T)` stays *T.
    golinter/newexpr.py respells the calls the grammar cannot parse, so none of this is a syntax error."""
    pkg = package({"a.go": NEW_EXPR}, lang=(1, 26))
    assert not pkg.files[0].tree.root_node.has_error
    types = pkg.types
    assert types.type_of(at(pkg, "lit")) == Pointer(Named("time", "Duration"))
    assert types.type_of(at(pkg, "unknownlit")) == Pointer(UNKNOWN)  # time.Second is not in the table
    assert types.type_of(at(pkg, "untypedlit")) == Pointer(Basic("int"))
    assert types.type_of(at(pkg, "call")) == Pointer(Basic("int64"))
    assert types.type_of(at(pkg, "var")) == Pointer(Basic("bool"))
    assert types.type_of(at(pkg, "const")) == Pointer(Basic("int"))
    assert types.type_of(at(pkg, "composite")) == Pointer(Named("", "Opts"))
    assert types.type_of(at(pkg, "type")) == Pointer(Named("", "Opts"))
    assert types.type_of(at(pkg, "slicetype")) == Pointer(Slice(Basic("int")))
    assert types.type_of(at(pkg, "unknowntype")) == Pointer(Named("other", "T")) or \
        types.type_of(at(pkg, "unknowntype")) == Pointer(UNKNOWN)
