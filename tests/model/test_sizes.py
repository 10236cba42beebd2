"""Unit tests for golinter/model/sizes.py: gc layouts on 64-bit platforms.

Expected figures are unsafe.Sizeof/Alignof results (Go 1.27, linux/amd64), not recomputations.
"""
from __future__ import annotations

import pytest

from golinter.model.sizes import STD_LAYOUTS, Layout, layout, struct_layout
from golinter.model.types import (
    UNKNOWN,
    Array,
    Basic,
    Chan,
    Field,
    Func,
    Interface,
    Map,
    Named,
    Pointer,
    Slice,
    Struct,
    Tuple,
    Type,
    TypeParam,
)


def _nothing(named: Named) -> Type:
    return UNKNOWN


def _size(t: Type) -> tuple[int, int]:
    got = layout(t, _nothing)
    assert got.exact
    return got.size, got.align


def _struct(*types: Type) -> Struct:
    return Struct(tuple(Field(f"f{i}", t) for i, t in enumerate(types)))


@pytest.mark.parametrize(("name", "size", "align"), [
    ("bool", 1, 1), ("int8", 1, 1), ("uint8", 1, 1), ("byte", 1, 1),
    ("int16", 2, 2), ("uint16", 2, 2),
    ("int32", 4, 4), ("rune", 4, 4), ("float32", 4, 4),
    ("int", 8, 8), ("uint", 8, 8), ("int64", 8, 8), ("uint64", 8, 8), ("uintptr", 8, 8),
    ("float64", 8, 8), ("complex64", 8, 4), ("complex128", 16, 8),
    ("string", 16, 8), ("error", 16, 8), ("any", 16, 8),
])
def test_layout_basic(name: str, size: int, align: int) -> None:
    assert _size(Basic(name)) == (size, align)


@pytest.mark.parametrize(("t", "size"), [
    (Pointer(Basic("int")), 8), (Map(Basic("string"), Basic("int")), 8), (Chan(Basic("int")), 8),
    (Func((), ()), 8), (Interface(), 16), (Slice(Basic("byte")), 24),
])
def test_layout_reference_types(t: Type, size: int) -> None:
    assert _size(t) == (size, 8)
    assert layout(t, _nothing).has_pointers


def test_layout_arrays() -> None:
    assert _size(Array(32, Basic("byte"))) == (32, 1)
    assert _size(Array(3, Basic("complex64"))) == (24, 4)
    assert _size(Array(0, Basic("string"))) == (0, 8)
    assert not layout(Array(0, Basic("string")), _nothing).has_pointers
    assert not layout(Array(4, Basic("int")), _nothing).has_pointers
    assert layout(Array(4, Basic("string")), _nothing).has_pointers


def test_layout_array_of_unknown_length_is_a_lower_bound() -> None:
    got = layout(Array(None, Basic("int")), _nothing)
    assert (got.size, got.exact) == (0, False)


def test_layout_struct_padding() -> None:
    # struct{ a byte; b int32; c byte }: 1 + 3 pad + 4 + 1 + 3 final pad
    assert _size(_struct(Basic("byte"), Basic("int32"), Basic("byte"))) == (12, 4)
    # struct{ a byte; b string }
    assert _size(_struct(Basic("byte"), Basic("string"))) == (24, 8)
    assert _size(_struct(Basic("int16"), Basic("byte"))) == (4, 2)


def test_layout_empty_struct_is_zero() -> None:
    assert _size(Struct(())) == (0, 1)
    assert _size(_struct(Struct(()), Array(0, Basic("int")))) == (0, 8)


def test_layout_trailing_zero_size_field_gets_one_byte() -> None:
    # cmd/compile/internal/types/size.go, issue 9401: struct{ a int64; b struct{} } is 16 bytes.
    assert _size(_struct(Basic("int64"), Struct(()))) == (16, 8)
    assert _size(_struct(Basic("int32"), Struct(()))) == (8, 4)
    assert _size(_struct(Basic("byte"), Struct(()))) == (2, 1)
    # a leading zero-size field costs nothing
    assert _size(_struct(Struct(()), Basic("int64"))) == (8, 8)


@pytest.mark.parametrize(("pkg", "name", "size", "align"), [
    ("sync", "Mutex", 8, 4), ("sync", "RWMutex", 24, 4), ("sync", "Map", 48, 8),
    ("sync", "WaitGroup", 16, 8), ("sync", "Once", 12, 4), ("time", "Time", 24, 8),
    ("time", "Duration", 8, 8), ("sync/atomic", "Int64", 8, 8), ("sync/atomic", "Value", 16, 8),
    ("bytes", "Buffer", 40, 8), ("strings", "Builder", 32, 8), ("context", "Context", 16, 8),
    ("net/http", "Header", 8, 8), ("net/url", "Values", 8, 8),
])
def test_layout_std_table(pkg: str, name: str, size: int, align: int) -> None:
    assert _size(Named(pkg, name)) == (size, align)


def test_layout_std_table_wins_over_resolve() -> None:
    def resolve(named: Named) -> Type:
        return Struct(())

    assert layout(Named("sync", "Mutex"), resolve).size == 8


def test_layout_struct_with_std_fields() -> None:
    # struct{ mu sync.Mutex; n int64; done bool }: 8 + 8 + 1 -> 24
    assert _size(_struct(Named("sync", "Mutex"), Basic("int64"), Basic("bool"))) == (24, 8)
    # struct{ once sync.Once; b byte }: 12 + 1 -> 16 at align 4
    assert _size(_struct(Named("sync", "Once"), Basic("byte"))) == (16, 4)


def test_layout_unknown_foreign_named_is_zero_and_inexact() -> None:
    assert layout(Named("github.com/x/y", "T"), _nothing) == Layout(0, 1, exact=False)


def test_layout_struct_with_unknown_field_is_a_lower_bound() -> None:
    got = layout(_struct(Basic("int64"), Named("github.com/x/y", "T"), Basic("int32")), _nothing)
    assert (got.size, got.exact) == (16, False)


def test_layout_named_resolves_through_callback() -> None:
    point = Named("", "point")
    table = {point: _struct(Basic("int32"), Basic("int32"), Basic("bool"))}
    got = layout(Array(10, point), lambda n: table.get(n, UNKNOWN))
    assert (got.size, got.align, got.exact) == (120, 4, True)


def test_layout_recursive_type_through_pointer() -> None:
    node = Named("", "node")
    table: dict[Named, Type] = {node: _struct(Basic("int"), Pointer(node), Slice(node))}
    assert layout(node, lambda n: table.get(n, UNKNOWN)) == Layout(40, 8, exact=True, has_pointers=True)


def test_layout_cycle_through_values_is_unknown() -> None:
    a, b = Named("", "A"), Named("", "B")
    table: dict[Named, Type] = {a: _struct(Basic("int"), b), b: _struct(a)}
    got = layout(a, lambda n: table[n])
    assert got.exact is False  # invalid Go; B's inner A counts 0 bytes, B ends A: int + 1 pad
    assert got.size == 16
    assert layout(a, lambda n: n).exact is False  # a resolver that returns the type itself


@pytest.mark.parametrize("t", [UNKNOWN, TypeParam("T", UNKNOWN), Tuple((Basic("int"),)), Basic("comparable")])
def test_layout_unknowns(t: Type) -> None:
    got = layout(t, _nothing)
    assert (got.size, got.exact) == (0, False)


def test_struct_layout_of_layouts() -> None:
    bucket = struct_layout([Layout(8, 1, True), Layout(128, 8, True), Layout(64, 8, True),
                            Layout(8, 8, True)])
    assert (bucket.size, bucket.align) == (208, 8)


def test_std_table_keys_are_import_paths() -> None:
    assert all("." not in pkg for pkg, _ in STD_LAYOUTS)
