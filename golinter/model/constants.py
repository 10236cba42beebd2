"""Constant evaluation: the value of integer and float constant expressions.

Handles literals (`1e6`, `1_000_000`, `0x10`, `0o17`, `017`, `0b1`, runes), unary and binary
arithmetic, shifts, bit operations, parentheses, named and typed constants (across files),
`iota` with implicit repetition, conversions to numeric types (`int64(1<<20)`, `Size(4)`),
`len` of a string constant, and the std constants in `STD_CONSTS` (math.MaxUint16, time units).
Anything else is UNKNOWN.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Union

from golinter import kinds
from golinter.model.package import MAX_EVAL_DEPTH
from golinter.model.scopes import ObjKind
from golinter.model.types import UNKNOWN, Basic, _Unknown

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package

Value = Union[int, float, str, _Unknown]

STD_CONSTS: dict[tuple[str, str], int | float] = {
    ("math", "MaxInt8"): 127, ("math", "MinInt8"): -128, ("math", "MaxUint8"): 255,
    ("math", "MaxInt16"): 32767, ("math", "MinInt16"): -32768, ("math", "MaxUint16"): 65535,
    ("math", "MaxInt32"): 2**31 - 1, ("math", "MinInt32"): -(2**31), ("math", "MaxUint32"): 2**32 - 1,
    ("math", "MaxInt64"): 2**63 - 1, ("math", "MinInt64"): -(2**63), ("math", "MaxUint64"): 2**64 - 1,
    ("math", "MaxInt"): 2**63 - 1, ("math", "MinInt"): -(2**63), ("math", "MaxUint"): 2**64 - 1,
    ("time", "Nanosecond"): 1, ("time", "Microsecond"): 1000, ("time", "Millisecond"): 10**6,
    ("time", "Second"): 10**9, ("time", "Minute"): 60 * 10**9, ("time", "Hour"): 3600 * 10**9,
}

_INT_TYPES = {"int": 64, "int8": 8, "int16": 16, "int32": 32, "int64": 64, "uint": 64, "uint8": 8,
              "uint16": 16, "uint32": 32, "uint64": 64, "uintptr": 64, "byte": 8, "rune": 32}
_MAX_SHIFT = 4096  # beyond this a shift is nonsense for our purposes


def parse_int_literal(text: str) -> int | None:
    t = text.replace("_", "").lower()
    try:
        if t.startswith("0x"):
            return int(t[2:], 16)
        if t.startswith("0o"):
            return int(t[2:], 8)
        if t.startswith("0b"):
            return int(t[2:], 2)
        if len(t) > 1 and t.startswith("0"):
            return int(t[1:], 8)
        return int(t)
    except ValueError:
        return None


def _parse_float(text: str) -> float | None:
    t = text.replace("_", "")
    try:
        return float.fromhex(t) if t.lower().startswith("0x") else float(t)
    except ValueError:
        return None


class Constants:
    """Constant values for one package, memoised by (node id, iota)."""

    def __init__(self, package: Package) -> None:
        self._pkg = package
        self._memo: dict[tuple[int, int], Value] = {}
        self._busy: set[tuple[int, int]] = set()

    def value(self, expr: Node, iota: int = -1) -> Value:
        key = (expr.id, iota)
        if key in self._memo:
            return self._memo[key]
        if key in self._busy:
            return UNKNOWN
        pkg = self._pkg
        if pkg.eval_depth >= MAX_EVAL_DEPTH:
            return UNKNOWN  # a pathological chain (package.py): not memoised
        self._busy.add(key)
        pkg.eval_depth += 1
        try:
            v = self._value(expr, iota)
        finally:
            self._busy.discard(key)
            pkg.eval_depth -= 1
        self._memo[key] = v
        return v

    def int_value(self, expr: Node) -> int | None:
        """The value as an integer when it is an integral constant, else None."""
        v = self.value(expr)
        if isinstance(v, bool) or isinstance(v, (str, _Unknown)):
            return None
        if isinstance(v, float):
            return int(v) if v.is_integer() else None
        return v

    def _value(self, node: Node, iota: int) -> Value:
        k = node.type
        text = self._pkg.text
        if k == kinds.INT_LITERAL:
            v = parse_int_literal(text(node))
            return UNKNOWN if v is None else v
        if k == kinds.FLOAT_LITERAL:
            f = _parse_float(text(node))
            return UNKNOWN if f is None else f
        if k == kinds.RUNE_LITERAL:
            body = text(node)[1:-1]
            return ord(body) if len(body) == 1 else UNKNOWN
        if k in kinds.STRING_LITERAL_KINDS:
            raw = text(node)
            return raw[1:-1] if raw[:1] == "`" or "\\" not in raw else UNKNOWN
        if k == kinds.IOTA:
            return iota if iota >= 0 else UNKNOWN
        if k == kinds.PARENTHESIZED_EXPRESSION:
            inner = node.named_children
            return self.value(inner[0], iota) if inner else UNKNOWN
        if k == kinds.IDENTIFIER:
            return self._ident(node)
        if k == kinds.SELECTOR_EXPRESSION:
            q = self._pkg.types.qualified(node)
            return STD_CONSTS.get(q, UNKNOWN) if q is not None else UNKNOWN
        if k == kinds.UNARY_EXPRESSION:
            return self._unary(node, iota)
        if k == kinds.BINARY_EXPRESSION:
            return self._binary(node, iota)
        if k == kinds.CALL_EXPRESSION:
            return self._call(node, iota)
        return UNKNOWN

    def _ident(self, node: Node) -> Value:
        obj = self._pkg.scopes.resolve(node)
        if obj is None or obj.kind is not ObjKind.CONST or obj.value is None:
            return UNKNOWN
        if obj.value_count != 1:
            return UNKNOWN
        v = self.value(obj.value, obj.iota)
        if obj.type_node is not None and isinstance(v, (int, float)):
            return self._convert(obj.type_node, v)
        return v

    def _unary(self, node: Node, iota: int) -> Value:
        operand = node.child_by_field_name(kinds.F_OPERAND)
        op = node.child_by_field_name(kinds.F_OPERATOR)
        if operand is None or op is None:
            return UNKNOWN
        v = self.value(operand, iota)
        sym = self._pkg.text(op)
        if not isinstance(v, (int, float)):
            return UNKNOWN
        if sym == "-":
            return -v
        if sym == "+":
            return v
        if sym == "^" and isinstance(v, int):
            return ~v
        return UNKNOWN

    def _binary(self, node: Node, iota: int) -> Value:
        left = node.child_by_field_name(kinds.F_LEFT)
        right = node.child_by_field_name(kinds.F_RIGHT)
        op = node.child_by_field_name(kinds.F_OPERATOR)
        if left is None or right is None or op is None:
            return UNKNOWN
        a, b = self.value(left, iota), self.value(right, iota)
        sym = self._pkg.text(op)
        if isinstance(a, str) and isinstance(b, str):
            return a + b if sym == "+" else UNKNOWN
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
            return UNKNOWN
        return _arith(sym, a, b)

    def _call(self, node: Node, iota: int) -> Value:
        """Conversions `int64(x)`, `Size(x)` and `len("const")`."""
        fn = node.child_by_field_name(kinds.F_FUNCTION)
        args = node.child_by_field_name(kinds.F_ARGUMENTS)
        arg_nodes = [a for a in (args.named_children if args is not None else []) if a.type != kinds.COMMENT]
        if fn is None or len(arg_nodes) != 1:
            return UNKNOWN
        if fn.type == kinds.IDENTIFIER:
            obj = self._pkg.scopes.resolve(fn)
            if obj is None:
                return UNKNOWN
            if obj.kind is ObjKind.BUILTIN and obj.name == "len":
                s = self.value(arg_nodes[0], iota)
                return len(s.encode()) if isinstance(s, str) else UNKNOWN
            if obj.kind is ObjKind.BUILTIN and obj.name in _INT_TYPES or obj.name in ("float32", "float64"):
                v = self.value(arg_nodes[0], iota)
                return self._convert_basic(obj.name, v)
            if obj.kind is ObjKind.TYPE:
                v = self.value(arg_nodes[0], iota)
                return self._convert(fn, v) if isinstance(v, (int, float)) else UNKNOWN
        return UNKNOWN

    def _convert(self, type_node: Node, v: int | float) -> Value:
        t = self._pkg.types.underlying(self._pkg.types.type_from_expr(type_node))
        if isinstance(t, Basic):
            return self._convert_basic(t.name, v)
        return UNKNOWN

    @staticmethod
    def _convert_basic(name: str, v: Value) -> Value:
        if not isinstance(v, (int, float)):
            return UNKNOWN
        if name in _INT_TYPES:
            if isinstance(v, float):
                return int(v) if v.is_integer() else UNKNOWN
            return v
        if name in ("float32", "float64"):
            return float(v)
        return v


def _arith(sym: str, a: int | float, b: int | float) -> Value:
    both_int = isinstance(a, int) and isinstance(b, int)
    if sym == "+":
        return a + b
    if sym == "-":
        return a - b
    if sym == "*":
        return a * b
    if sym == "/":
        if b == 0:
            return UNKNOWN
        if both_int:
            q = abs(int(a)) // abs(int(b))
            return q if (a >= 0) == (b >= 0) else -q  # Go truncates toward zero
        return a / b
    if not both_int:
        if sym in ("<<", ">>") and isinstance(a, float) and a.is_integer() and isinstance(b, int):
            return _arith(sym, int(a), b)
        return UNKNOWN
    ia, ib = int(a), int(b)
    if sym == "%":
        return UNKNOWN if ib == 0 else ia - ib * int(ia / ib) if abs(ia) < 2**52 else UNKNOWN
    if sym == "<<":
        return ia << ib if 0 <= ib <= _MAX_SHIFT else UNKNOWN
    if sym == ">>":
        return ia >> ib if ib >= 0 else UNKNOWN
    if sym == "&":
        return ia & ib
    if sym == "|":
        return ia | ib
    if sym == "^":
        return ia ^ ib
    if sym == "&^":
        return ia & ~ib
    return UNKNOWN
