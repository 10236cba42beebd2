"""How calls carry taint for model/taint.py: std functions and methods, builtins, and one
same-package call level down (the callee's return values, its parameters bound to the call).

`CallTaint(package, evaluate)` is given the evaluator of model/taint.py (`evaluate(expr, env)`)
and answers `call(call, index, env)`: the origin of result `index` of `call`. Data flows through
the std functions of `_PASS_FUNCS` (`strconv.Atoi`, `bufio.NewReader`, `json.NewDecoder`,
`binary.ReadUvarint`, ...), the reading methods of `_READ_METHODS` and protobuf-style getters of
tainted receivers, `binary.BigEndian.Uint32(buf)`, conversions, and `min`/`max`.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.bounds import INT_MAX, call_args, exprs
from golinter.model.scopes import ObjKind
from golinter.model.taintdefs import Env, returns
from golinter.model.taintorigins import step, union
from golinter.model.typelite import unparen
from golinter.model.types import UNKNOWN, Basic, Named, Tuple

if TYPE_CHECKING:
    from collections.abc import Callable

    from tree_sitter import Node

    from golinter.model.package import Package
    from golinter.model.taintorigins import Origin
    from golinter.model.types import Type

# Std functions whose result carries the taint of one argument: (path, name) -> (argument, via).
_PASS_FUNCS: dict[tuple[str, str], tuple[int, str]] = {
    ("strconv", "Atoi"): (0, ""), ("strconv", "ParseInt"): (0, ""), ("strconv", "ParseUint"): (0, ""),
    ("strings", "TrimSpace"): (0, ""), ("strings", "Trim"): (0, ""), ("strings", "TrimPrefix"): (0, ""),
    ("strings", "TrimSuffix"): (0, ""), ("strings", "ToLower"): (0, ""),
    ("encoding/binary", "Uvarint"): (0, "encoding/binary"), ("encoding/binary", "Varint"): (0, "encoding/binary"),
    ("encoding/binary", "ReadUvarint"): (0, "encoding/binary"),
    ("encoding/binary", "ReadVarint"): (0, "encoding/binary"),
    ("io", "ReadAll"): (0, ""), ("io/ioutil", "ReadAll"): (0, ""), ("io", "LimitReader"): (0, ""),
    ("bufio", "NewReader"): (0, ""), ("bufio", "NewReaderSize"): (0, ""), ("bytes", "NewReader"): (0, ""),
    ("bytes", "NewBuffer"): (0, ""), ("net/http", "MaxBytesReader"): (1, ""),
    ("encoding/json", "NewDecoder"): (0, "encoding/json"), ("encoding/gob", "NewDecoder"): (0, "encoding/gob"),
    ("encoding/xml", "NewDecoder"): (0, "encoding/xml"),
}
# Std methods of tainted receivers whose result is the data: (path, type, method).
_READ_METHODS = frozenset({
    ("net/http", "Request", "FormValue"), ("net/http", "Request", "PostFormValue"),
    ("net/http", "Request", "PathValue"), ("net/url", "URL", "Query"), ("net/url", "Values", "Get"),
    ("net/http", "Header", "Get"), ("net/http", "Header", "Values"), ("bufio", "Reader", "ReadByte"),
    ("bufio", "Reader", "Peek"), ("bufio", "Reader", "ReadBytes"), ("bufio", "Reader", "ReadString"),
    ("io", "ByteReader", "ReadByte"),
})
_BYTE_ORDER = Named("encoding/binary", "ByteOrder")
_BYTE_ORDER_READS = frozenset({"Uint16", "Uint32", "Uint64"})
_CONVERSION_BUILTINS = frozenset(INT_MAX) | {"string", "float32", "float64"}


class CallTaint:
    """The origins of call results in one package, read through `evaluate` for the arguments."""

    def __init__(self, package: Package, evaluate: Callable[[Node, Env], Origin | None]) -> None:
        self._pkg = package
        self._evaluate = evaluate

    def call(self, call: Node, index: int, env: Env) -> Origin | None:
        fn = call.child_by_field_name(kinds.F_FUNCTION)
        if fn is None:
            return None
        fn = unparen(fn)
        args = call_args(call)
        result_type = self._result_type(call, index)
        if fn.type == kinds.IDENTIFIER:
            obj = self._pkg.scopes.resolve(fn)
            if obj is None:
                return None
            if obj.kind is ObjKind.BUILTIN:
                return self._builtin(obj.name, call, args, env) if index == 0 else None
            if obj.kind is ObjKind.TYPE and len(args) == 1 and index == 0:
                o = self._evaluate(args[0], env)
                return step(self._pkg, o, call, result_type) if o is not None else None
            if obj.kind is ObjKind.FUNC:
                return self._callee(call, index, env)
            return None
        if fn.type != kinds.SELECTOR_EXPRESSION:
            if fn.type in (kinds.SLICE_TYPE, kinds.QUALIFIED_TYPE) and len(args) == 1 and index == 0:
                o = self._evaluate(args[0], env)
                return step(self._pkg, o, call, result_type) if o is not None else None
            return None
        q = self._pkg.types.qualified(fn)
        if q is not None:
            return self._std_call(q, call, args, index, result_type, env)
        operand = fn.child_by_field_name(kinds.F_OPERAND)
        name_node = fn.child_by_field_name(kinds.F_FIELD)
        if operand is None or name_node is None:
            return None
        name = self._pkg.text(name_node)
        recv = self._pkg.types.deref(self._pkg.types.type_of(operand))
        if recv == _BYTE_ORDER:
            if name in _BYTE_ORDER_READS and len(args) == 1 and index == 0:
                o = self._evaluate(args[0], env)
                return step(self._pkg, o, call, result_type) if o is not None else None
            return None
        o = self._evaluate(operand, env)
        if o is not None:
            if index == 0 and self._reads(recv, name, args):
                return step(self._pkg, o, call, result_type)
            return None
        return self._callee(call, index, env)

    def _reads(self, recv: Type, name: str, args: list[Node]) -> bool:
        """A method of a tainted receiver that returns its data: the std table, or a protobuf-style
        getter `GetCount()` of a value of a type from another package (a decoded message)."""
        if isinstance(recv, Named) and (recv.pkg, recv.name, name) in _READ_METHODS:
            return True
        foreign = recv is UNKNOWN or (isinstance(recv, Named) and recv.pkg not in ("", "net/http", "net/url"))
        return foreign and not args and name.startswith("Get") and name[3:4].isupper()

    def _std_call(self, q: tuple[str, str], call: Node, args: list[Node], index: int, result_type: Type,
                  env: Env) -> Origin | None:
        rule = _PASS_FUNCS.get(q)
        if rule is None or index != 0 or rule[0] >= len(args):
            return None
        o = self._evaluate(args[rule[0]], env)
        if o is None:
            return None
        if rule[1]:
            o = replace(o, via=rule[1])
        if q[0] in ("encoding/binary", "strconv") and not o.read:
            o = replace(o, node=call, read=True)
        o = step(self._pkg, o, call, result_type)
        if q in (("strconv", "ParseInt"), ("strconv", "ParseUint")) and len(args) == 3 and o.bound is not None:
            bits = self._pkg.consts.int_value(args[2])
            if bits is not None and 0 < bits < 64:
                o = replace(o, bound=min(o.bound, 2**bits - 1 if q[1] == "ParseUint" else 2**(bits - 1) - 1))
        return o

    def _builtin(self, name: str, call: Node, args: list[Node], env: Env) -> Origin | None:
        if name in _CONVERSION_BUILTINS and len(args) == 1:
            o = self._evaluate(args[0], env)
            return step(self._pkg, o, call, Basic(name)) if o is not None else None
        if name not in ("min", "max") or not args:
            return None  # len and cap measure data already received; make, new, append: fresh values
        origins = [self._evaluate(a, env) for a in args]
        tainted = [o for o in origins if o is not None]
        if not tainted or (name == "min" and len(tainted) < len(origins)):
            return None  # min with an untainted operand is a bound
        merged = union(tainted)
        if merged is None:
            return None
        bounds = [o.bound for o in tainted]
        if name == "min" and None not in bounds:
            merged = replace(merged, bound=min(b for b in bounds if b is not None))
        if name == "max" and len(tainted) < len(origins) and merged.bound is not None:
            consts = [self._pkg.consts.int_value(a) for a, o in zip(args, origins) if o is None]
            merged = replace(merged, bound=None if None in consts else max([merged.bound] + [c for c in consts if c is not None]))
        return merged

    def _callee(self, call: Node, index: int, env: Env) -> Origin | None:
        """One call level down: the callee's return values, with its parameters bound to `call`."""
        if env.level_used:
            return None
        decl = self._pkg.types.callee_decl(call)
        body = decl.child_by_field_name(kinds.F_BODY) if decl is not None else None
        if body is None:
            return None
        found: list[Origin] = []
        inner = Env(body, call=call, caller=env, level_used=True)
        for ret in returns(body):
            values = exprs(ret)
            if len(values) <= index:
                continue
            o = self._evaluate(values[index], replace(inner, anchor=ret))
            if o is not None:
                found.append(o)
        return union(found)

    def _result_type(self, call: Node, index: int) -> Type:
        t = self._pkg.types.type_of(call)
        if isinstance(t, Tuple):
            return t.items[index] if index < len(t.items) else UNKNOWN
        return t if index == 0 else UNKNOWN
