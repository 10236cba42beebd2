"""Type-lite values: the small type language golinter's model resolves Go expressions to.

These are frozen plain data (they pickle and hash). `UNKNOWN` is the one value for "the model
does not know"; every consumer tests `t is UNKNOWN` first and stays silent.

Named types carry their package (`""` for the package being analysed, else an import path)
so `sync.Mutex` is `Named("sync", "Mutex")`. Resolving a Named type's underlying type needs
the package's declarations and lives in model/typelite.py; this module only defines values.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union


class _Unknown:
    """Singleton for an unresolved type or value; compare with `is`."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


@dataclass(frozen=True, slots=True)
class Basic:
    """A predeclared type: int, string, float64, bool, ..., or "untyped int" etc. for constants."""

    name: str


@dataclass(frozen=True, slots=True)
class Named:
    """A defined type. pkg is "" for the analysed package, else the import path ("sync")."""

    pkg: str
    name: str


@dataclass(frozen=True, slots=True)
class TypeParam:
    """A type parameter; `core` is its constraint's core type when that is known (~map[K]V)."""

    name: str
    core: Type


@dataclass(frozen=True, slots=True)
class Pointer:
    elem: Type


@dataclass(frozen=True, slots=True)
class Slice:
    elem: Type


@dataclass(frozen=True, slots=True)
class Array:
    length: int | None  # None when the length is not a known constant
    elem: Type


@dataclass(frozen=True, slots=True)
class Map:
    key: Type
    elem: Type


@dataclass(frozen=True, slots=True)
class Chan:
    elem: Type
    direction: str = "both"  # "both", "send", "recv"


@dataclass(frozen=True, slots=True)
class Field:
    name: str  # for an embedded field, the type's name
    type: Type
    embedded: bool = False


@dataclass(frozen=True, slots=True)
class Struct:
    fields: tuple[Field, ...]


@dataclass(frozen=True, slots=True)
class Interface:
    """Any interface type; methods are not modelled (2 words in memory)."""

    name: str = ""


@dataclass(frozen=True, slots=True)
class Func:
    params: tuple[Type, ...]
    results: tuple[Type, ...]
    variadic: bool = False


@dataclass(frozen=True, slots=True)
class Tuple:
    """The results of a multi-value call."""

    items: tuple[Type, ...]


Type = Union[_Unknown, Basic, Named, TypeParam, Pointer, Slice, Array, Map, Chan, Struct, Interface, Func, Tuple]

# Predeclared type names (Go spec, "Predeclared identifiers").
BASIC_NAMES = frozenset({
    "bool", "byte", "rune", "string", "error", "any", "comparable",
    "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr",
    "float32", "float64", "complex64", "complex128",
})
UNTYPED_INT = Basic("untyped int")
UNTYPED_FLOAT = Basic("untyped float")
UNTYPED_STRING = Basic("untyped string")
UNTYPED_BOOL = Basic("untyped bool")
UNTYPED_RUNE = Basic("untyped rune")
STRING = Basic("string")
INT = Basic("int")
BOOL = Basic("bool")

INTEGER_NAMES = frozenset({
    "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64",
    "uintptr", "byte", "rune", "untyped int", "untyped rune",
})


def is_string(t: Type) -> bool:
    """string, untyped string (named string types need the package: see Typelite.is_string)."""
    return isinstance(t, Basic) and t.name in ("string", "untyped string")


def is_integer(t: Type) -> bool:
    return isinstance(t, Basic) and t.name in INTEGER_NAMES
