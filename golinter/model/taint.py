"""Value flow inside a function and one same-package call level around it.

`Taint(package)` answers three questions rules ask about values:
- `origin(expr)`: the attacker-controlled data `expr` derives from, or None. Sources are the
  `*http.Request` parameters of a function (query, form, path values, headers, `ContentLength`,
  the body) and reader or connection parameters (`io.Reader`, `*bufio.Reader`, `net.Conn`, ...).
  Data flows through the std calls of `_PASS_FUNCS` in model/taintcalls.py (`strconv.Atoi`,
  `bufio.NewReader`, `json.NewDecoder`, `binary.ReadUvarint`, `binary.BigEndian.Uint32`, ...),
  through out-parameters (`dec.Decode(&req)`, `json.Unmarshal(body, &req)`,
  `binary.Read(r, o, &hdr)`, `io.ReadFull(conn, buf)`, `conn.Read(buf)`), through fields and elements of tainted values,
  conversions and arithmetic, and across one same-package call (a callee's return values, or a
  function's parameters bound at its same-package call sites). An integer origin carries `bound`:
  the largest value the integer types it went through allow (a `uint16` field: 65,535), None when
  a type on the way is unknown.
- `is_bounded(subject, anchor)`: an upper bound on `subject` holds at `anchor` (a dominating
  comparison, clamp or validation: model/bounds.py). `min(...)`, `%` and `&` with untainted
  operands bound a value where they appear; a guard that dominates a definition bounds the value
  it assigns, one that dominates the use bounds the variable.
- `is_iteration_local(call, loop)`: the value `call` makes inside `loop` stays in one iteration
  (assigned to a variable declared in the body, only indexed, ranged, passed to len/delete/clear).

Not sources (operator input): environment variables, flags, files, package-level variables,
`len(x)` of data already received. Unknown callees, interfaces and func values stop the flow:
no origin, so rules stay silent. No Python recursion over trees: expressions are followed
through a bounded chain of memoised lookups, statements with the iterative walkers of parse.py.

This module evaluates expressions. The Origin fact, source types and bound arithmetic are in
model/taintorigins.py (re-exported here), definitions and call sites in model/taintdefs.py, how
calls carry taint in model/taintcalls.py, and iteration-local values in model/iterationlocal.py.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.bounds import Bounds
from golinter.model.iterationlocal import is_iteration_local
from golinter.model.scopes import ObjKind
from golinter.model.taintcalls import CallTaint
from golinter.model.taintdefs import Definitions, Env, argument, param_index, statement_of
from golinter.model.taintorigins import HUGE, READER_TYPES, REQUEST, Origin, arith, decoder_via, step, union
from golinter.model.typelite import unparen

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package
    from golinter.model.scopes import Obj
    from golinter.model.taintdefs import Def

# The facts (model/taintorigins.py) are re-exported: callers name them from here.
__all__ = ["HUGE", "READER_TYPES", "REQUEST", "Origin", "Taint"]

_MAX_STEPS = 64
_MAX_DEPTH = 48  # nested evaluations (each a few Python frames): deep expressions stay silent


class Taint:
    """Value-flow facts for one package; memoised by node ids."""

    def __init__(self, package: Package) -> None:
        self._pkg = package
        self._memo: dict[tuple[int, tuple[int, ...]], Origin | None] = {}
        self._busy: set[tuple[int, tuple[int, ...]]] = set()
        self._defs = Definitions(package)
        self._calls = CallTaint(package, self._eval)
        self._bounds = Bounds(package, self._untainted)
        self._steps = 0

    # -- public facts ----------------------------------------------------------------------
    def origin(self, expr: Node) -> Origin | None:
        """The attacker-controlled data `expr` derives from, unbounded where `expr` is used."""
        self._steps = 0
        return self._eval(expr, Env(expr))

    def is_bounded(self, subject: Node, anchor: Node) -> bool:
        """An upper bound on `subject` (a variable or field) holds wherever `anchor` runs (bounds.py)."""
        return self._bounds.is_bounded(subject, anchor)

    def _untainted(self, expr: Node, anchor: Node) -> bool:
        """No unbounded attacker-controlled origin at `anchor` (the other side of a guard)."""
        return self._eval(expr, Env(anchor, level_used=True)) is None

    def _bounded_at(self, subject: Node, env: Env) -> bool:
        return any(self.is_bounded(subject, point) for point in env.points)
    def is_iteration_local(self, call: Node, loop: Node) -> bool:
        """`m := make(...)` in `loop`'s body where every use of m is `m[k]`, `range m`, or
        `len`/`delete`/`clear` of m, outside any func literal: nothing keeps m past the iteration."""
        return is_iteration_local(self._pkg, call, loop)

    # -- evaluation ------------------------------------------------------------------------
    def _eval(self, expr: Node, env: Env) -> Origin | None:
        expr = unparen(expr)
        key = (expr.id, env.key)
        if key in self._memo:
            return self._memo[key]
        if key in self._busy or self._steps > 20 * _MAX_STEPS or len(self._busy) > _MAX_DEPTH:
            return None  # a cycle, or a chain too long to follow: no origin
        self._steps += 1
        self._busy.add(key)
        try:
            result = self._eval_kind(expr, env)
        finally:
            self._busy.discard(key)
        self._memo[key] = result
        return result

    def _eval_kind(self, expr: Node, env: Env) -> Origin | None:
        k = expr.type
        if k == kinds.IDENTIFIER:
            return self._ident(expr, env)
        if k == kinds.SELECTOR_EXPRESSION:
            return self._selector(expr, env)
        if k in (kinds.INDEX_EXPRESSION, kinds.SLICE_EXPRESSION):
            operand = expr.child_by_field_name(kinds.F_OPERAND)
            o = self._eval(operand, env) if operand is not None else None
            return step(self._pkg, o, expr, self._pkg.types.type_of(expr)) if o is not None else None
        if k == kinds.CALL_EXPRESSION:
            return self._calls.call(expr, 0, env)
        if k == kinds.TYPE_CONVERSION_EXPRESSION:
            operand = expr.child_by_field_name(kinds.F_OPERAND)
            o = self._eval(operand, env) if operand is not None else None
            return step(self._pkg, o, expr, self._pkg.types.type_of(expr)) if o is not None else None
        if k == kinds.BINARY_EXPRESSION:
            return self._binary(expr, env)
        if k == kinds.UNARY_EXPRESSION:
            op = expr.child_by_field_name(kinds.F_OPERATOR)
            operand = expr.child_by_field_name(kinds.F_OPERAND)
            if op is None or operand is None or self._pkg.text(op) not in ("+", "&", "*"):
                return None
            return self._eval(operand, env)
        return None

    def _ident(self, ident: Node, env: Env) -> Origin | None:
        obj = self._pkg.scopes.resolve(ident)
        if obj is None or obj.kind is not ObjKind.VAR or obj.package_level or obj.ident is None:
            return None
        if self._bounded_at(ident, env):
            return None
        decl = obj.decl
        if decl is not None and decl.type in (kinds.PARAMETER_DECLARATION, kinds.VARIADIC_PARAMETER_DECLARATION):
            return self._param(ident, obj, decl, env)
        found: list[Origin] = []
        for d in self._defs.of(ident, obj, env.anchor):
            o = self._eval_def(d, env)
            if o is not None:
                found.append(o)
        merged = union(found)
        return step(self._pkg, merged, ident, self._pkg.types.type_of(ident)) if merged is not None else None

    def _param(self, ident: Node, obj: Obj, decl: Node, env: Env) -> Origin | None:
        t = self._pkg.types.obj_type(obj)
        if t == REQUEST:
            return Origin(ident, "the request")
        if t in READER_TYPES:
            return Origin(ident, obj.name)
        plist = decl.parent
        func = plist.parent if plist is not None else None
        if plist is None or func is None or plist != func.child_by_field_name(kinds.F_PARAMETERS) or obj.variadic:
            return None  # receivers, results and variadic parameters are not followed
        index = param_index(plist, obj)
        if env.call is not None and env.caller is not None:
            if self._pkg.types.callee_decl(env.call) != func:
                return None
            arg = argument(env.call, index)
            return self._eval(arg, env.caller) if arg is not None else None
        if env.level_used or func.type == kinds.FUNC_LITERAL:
            return None
        found = []
        for call in self._defs.callers_of(func):
            arg = argument(call, index)
            if arg is not None:
                o = self._eval(arg, Env(statement_of(call), level_used=True))
                if o is not None:
                    found.append(o)
        return union(found)

    def _eval_def(self, d: Def, env: Env) -> Origin | None:
        env = env.at(d.site)
        if d.source is not None:
            o = self._eval(d.source, env)
            if o is None:
                return None
            via = d.via or decoder_via(self._pkg, d.source) or o.via
            return replace(o, via=via)
        if d.value is None:
            return None
        if d.value.type == kinds.RANGE_CLAUSE:
            right = d.value.child_by_field_name(kinds.F_RIGHT)
            return self._eval(right, env) if right is not None and d.index == 1 else None
        if d.index > 0 or unparen(d.value).type == kinds.CALL_EXPRESSION:
            value = unparen(d.value)
            return self._calls.call(value, d.index, env) if value.type == kinds.CALL_EXPRESSION else None
        return self._eval(d.value, env)

    def _selector(self, expr: Node, env: Env) -> Origin | None:
        operand = expr.child_by_field_name(kinds.F_OPERAND)
        field = expr.child_by_field_name(kinds.F_FIELD)
        if operand is None or field is None or self._pkg.types.import_path_of(operand) is not None:
            return None
        if self._bounded_at(expr, env) or self._bounds.tag_bounded(expr):
            return None
        found: list[Origin] = []
        o = self._eval(operand, env)
        if o is not None:
            if self._pkg.types.type_of(operand) == REQUEST and self._pkg.text(field) == "Body":
                o = replace(o, source="the request body", node=expr)
            found.append(o)
        key = self._pkg.storage.key(expr)
        if key is not None:
            for d in self._defs.in_function(expr).get(key, ()):
                if d.site.start_byte < env.anchor.start_byte:
                    od = self._eval_def(d, env)
                    if od is not None:
                        found.append(od)
        merged = union(found)
        return step(self._pkg, merged, expr, self._pkg.types.type_of(expr)) if merged is not None else None
    def _binary(self, expr: Node, env: Env) -> Origin | None:
        left = expr.child_by_field_name(kinds.F_LEFT)
        right = expr.child_by_field_name(kinds.F_RIGHT)
        op = expr.child_by_field_name(kinds.F_OPERATOR)
        if left is None or right is None or op is None:
            return None
        sym = self._pkg.text(op)
        if sym not in ("+", "-", "*", "/", "<<", ">>", "|", "^", "&", "%"):
            return None
        lo, ro = self._eval(left, env), self._eval(right, env)
        if lo is None and ro is None:
            return None
        if sym in ("&", "%") and (lo is None or ro is None):
            return None  # a mask or a modulus with an untainted operand bounds the value
        base = lo if lo is not None else ro
        assert base is not None
        if not base.integer:
            return None
        lb = lo.bound if lo is not None else self._pkg.consts.int_value(left)
        rb = ro.bound if ro is not None else self._pkg.consts.int_value(right)
        if lo is None and sym in ("-", "/", ">>"):
            return None  # limit - n, k / n, k >> n: bounded by the untainted side (or negative)
        bound = arith(sym, lb, rb, lo is not None, ro is not None)
        return step(self._pkg, replace(base, bound=bound), expr, self._pkg.types.type_of(expr))
