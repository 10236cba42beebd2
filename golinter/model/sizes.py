"""Sizes and alignments of type-lite values as the gc compiler lays them out on 64-bit platforms.

`layout(t, resolve)` takes a type-lite value (model/types.py) and a callback that gives a Named
type's underlying type (or UNKNOWN), and returns a `Layout`: size, alignment, whether the figure
is exact, and whether the type holds pointers (the malloc size class of a pointerful object can
include an 8-byte header, see model/mapsize.py). Rules follow cmd/compile/internal/types/size.go
(`CalcSize`, `calcStructOffset`): fields are aligned in order, a non-zero-size struct whose last
field has size zero gets one byte of padding (issue 9401), and the size is rounded up to the
struct's alignment.

What the model does not know counts as 0 bytes with alignment 1 and `exact=False`, so a size is
always a lower bound (8 would not be). Foreign named types are unknown except the std table of
SPEC section 4 (`STD_LAYOUTS`, measured with `unsafe.Sizeof` on Go 1.27, linux/amd64). Sizes do
not depend on the Go release except `sync.Map`, given for Go 1.24+ (see the table's comment).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from golinter.model.types import (
    UNKNOWN,
    Array,
    Basic,
    Chan,
    Func,
    Interface,
    Map,
    Named,
    Pointer,
    Slice,
    Struct,
    TypeParam,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from golinter.model.types import Type

PTR_SIZE = 8


@dataclass(frozen=True, slots=True)
class Layout:
    """Size and alignment in bytes; exact is False when an unknown type counted as 0 bytes."""

    size: int
    align: int
    exact: bool
    has_pointers: bool = False  # False when unknown: the lower bound needs no malloc header


UNKNOWN_LAYOUT = Layout(0, 1, exact=False)
_WORD = Layout(PTR_SIZE, PTR_SIZE, exact=True)
_POINTER = Layout(PTR_SIZE, PTR_SIZE, exact=True, has_pointers=True)
_TWO_WORDS_POINTERS = Layout(2 * PTR_SIZE, PTR_SIZE, exact=True, has_pointers=True)  # string, interface
_SLICE = Layout(3 * PTR_SIZE, PTR_SIZE, exact=True, has_pointers=True)


def _scalar(size: int, align: int | None = None) -> Layout:
    return Layout(size, size if align is None else align, exact=True)


# Predeclared types (cmd/compile/internal/types/size.go, CalcSize; 64-bit: int, uint, uintptr 8).
# Untyped constant kinds take their default type's layout.
_BASIC_LAYOUTS: dict[str, Layout] = {
    "bool": _scalar(1), "int8": _scalar(1), "uint8": _scalar(1), "byte": _scalar(1),
    "int16": _scalar(2), "uint16": _scalar(2),
    "int32": _scalar(4), "uint32": _scalar(4), "rune": _scalar(4), "float32": _scalar(4),
    "int": _WORD, "uint": _WORD, "uintptr": _WORD, "int64": _WORD, "uint64": _WORD,
    "float64": _WORD,
    "complex64": _scalar(8, 4),          # two float32
    "complex128": _scalar(16, 8),        # two float64
    "string": _TWO_WORDS_POINTERS,       # data pointer, length
    "error": _TWO_WORDS_POINTERS,        # interfaces: itab/type word, data word
    "any": _TWO_WORDS_POINTERS,
    "untyped bool": _scalar(1), "untyped int": _WORD, "untyped rune": _scalar(4),
    "untyped float": _WORD, "untyped complex": _scalar(16, 8),
    "untyped string": _TWO_WORDS_POINTERS,
}

# Std types by (import path, name): SPEC section 4's table. Measured with unsafe.Sizeof and
# unsafe.Alignof on Go 1.27 linux/amd64. sync.Map is 48 B since Go 1.24 (a HashTrieMap:
# internal/sync/hashtriemap.go); it was 40 B in Go 1.19 (Mutex, atomic.Value, map, int) and 32 B
# in 1.20-1.23 (atomic.Pointer instead of atomic.Value). sync.WaitGroup is 16 B since Go 1.20
# (noCopy, atomic.Uint64, uint32 sema); it was 12 B (align 4) before.
STD_LAYOUTS: dict[tuple[str, str], Layout] = {
    ("sync", "Mutex"): _scalar(8, 4),
    ("sync", "RWMutex"): _scalar(24, 4),
    ("sync", "Map"): Layout(48, 8, exact=True, has_pointers=True),
    ("sync", "WaitGroup"): _scalar(16, 8),
    ("sync", "Once"): _scalar(12, 4),
    ("sync", "Cond"): Layout(56, 8, exact=True, has_pointers=True),
    ("sync", "Pool"): Layout(40, 8, exact=True, has_pointers=True),
    ("sync/atomic", "Int32"): _scalar(4),
    ("sync/atomic", "Uint32"): _scalar(4),
    ("sync/atomic", "Bool"): _scalar(4),
    ("sync/atomic", "Int64"): _scalar(8),     # align 8 even on 32-bit: atomic.align64
    ("sync/atomic", "Uint64"): _scalar(8),
    ("sync/atomic", "Uintptr"): _scalar(8),
    ("sync/atomic", "Pointer"): _POINTER,
    ("sync/atomic", "Value"): _TWO_WORDS_POINTERS,
    ("time", "Time"): Layout(24, 8, exact=True, has_pointers=True),  # wall, ext, loc *Location
    ("time", "Duration"): _WORD,
    ("bytes", "Buffer"): Layout(40, 8, exact=True, has_pointers=True),
    ("strings", "Builder"): Layout(32, 8, exact=True, has_pointers=True),
    ("context", "Context"): _TWO_WORDS_POINTERS,
    ("net/http", "Header"): _POINTER,          # map[string][]string
    ("net/http", "ResponseWriter"): _TWO_WORDS_POINTERS,
    ("net/url", "Values"): _POINTER,           # map[string][]string
    ("unsafe", "Pointer"): _POINTER,
}


def layout(t: Type, resolve: Callable[[Named], Type]) -> Layout:
    """The gc layout of t; a Named type is laid out as resolve(named) unless it is in STD_LAYOUTS.

    Recursion follows values only (struct fields, array elements, named types), never pointers:
    `type node struct{ next *node }` is 8 bytes. A cycle through values, which only invalid Go
    has (`type T struct{ t T }`), is unknown.
    """
    return _Layouter(resolve).of(t)


class _Layouter:
    """One layout computation; `active` holds the named types being resolved (cycle guard)."""

    def __init__(self, resolve: Callable[[Named], Type]) -> None:
        self.resolve = resolve
        self.active: set[Named] = set()

    def of(self, t: Type) -> Layout:
        if t is UNKNOWN or isinstance(t, TypeParam):
            return UNKNOWN_LAYOUT  # a type parameter's size depends on the instantiation
        if isinstance(t, Basic):
            return _BASIC_LAYOUTS.get(t.name, UNKNOWN_LAYOUT)
        if isinstance(t, (Pointer, Map, Chan, Func)):
            return _POINTER
        if isinstance(t, Interface):
            return _TWO_WORDS_POINTERS
        if isinstance(t, Slice):
            return _SLICE
        if isinstance(t, Array):
            return self._array(t)
        if isinstance(t, Struct):
            return struct_layout(self.of(f.type) for f in t.fields)
        if isinstance(t, Named):
            return self._named(t)
        return UNKNOWN_LAYOUT  # Tuple: not a type of memory

    def _array(self, t: Array) -> Layout:
        elem = self.of(t.elem)
        if t.length is None:
            return Layout(0, elem.align, exact=False)
        return Layout(t.length * elem.size, elem.align, elem.exact,
                      has_pointers=elem.has_pointers and t.length > 0 and elem.size > 0)

    def _named(self, t: Named) -> Layout:
        std = STD_LAYOUTS.get((t.pkg, t.name))
        if std is not None:
            return std
        if t in self.active:
            return UNKNOWN_LAYOUT
        self.active.add(t)
        try:
            return self.of(self.resolve(t))
        finally:
            self.active.discard(t)


def struct_layout(fields: Iterable[Layout]) -> Layout:
    """Lay fields out in order as cmd/compile/internal/types/size.go does for a struct.

    Each field starts at its alignment; a non-zero-size struct ending in a zero-size field gets one
    byte of padding so that field's address stays inside the object (CalcSize, issue 9401); the
    size is then rounded up to the largest field alignment. struct{} is 0 bytes, align 1.
    """
    offset, align, exact, pointers = 0, 1, True, False
    last_size: int | None = None
    for f in fields:
        offset = align_up(offset, f.align) + f.size
        align = max(align, f.align)
        exact = exact and f.exact
        pointers = pointers or f.has_pointers
        last_size = f.size
    if offset > 0 and last_size == 0:
        offset += 1
    return Layout(align_up(offset, align), align, exact, has_pointers=pointers)


def align_up(n: int, a: int) -> int:
    """n rounded up to a multiple of a (a > 0)."""
    return (n + a - 1) // a * a
