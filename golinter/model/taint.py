"""Value flow inside a function and one same-package call level around it.

`Taint(package)` answers three questions rules ask about values:
- `origin(expr)`: the attacker-controlled data `expr` derives from, or None. Sources are the
  `*http.Request` parameters of a function (query, form, path values, headers, `ContentLength`,
  the body) and reader or connection parameters (`io.Reader`, `*bufio.Reader`, `net.Conn`, ...).
  Data flows through the std calls of `_PASS_FUNCS` (`strconv.Atoi`, `bufio.NewReader`,
  `json.NewDecoder`, `binary.ReadUvarint`, `binary.BigEndian.Uint32`, ...), through out-parameters
  (`dec.Decode(&req)`, `json.Unmarshal(body, &req)`, `binary.Read(r, o, &hdr)`,
  `io.ReadFull(conn, buf)`, `conn.Read(buf)`), through fields and elements of tainted values,
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
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.bounds import (
    INT_MAX,
    Bounds,
    call_args,
    calls_query,
    exprs,
    outermost_function,
)
from golinter.model.scopes import ObjKind
from golinter.model.testcode import TestCode
from golinter.model.typelite import unparen
from golinter.model.types import UNKNOWN, Basic, Named, Pointer, Tuple

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from tree_sitter import Node

    from golinter.model.package import Package
    from golinter.model.scopes import Obj
    from golinter.model.storage import StorageKey
    from golinter.model.types import Type


@dataclass(frozen=True, eq=False)
class Origin:
    """Attacker-controlled data a value derives from. `node` is the read of that data (a query
    value, a decoded field, `binary.BigEndian.Uint32(buf)`) once the flow has reached one, else
    the parameter; it serves as a related location and never leaves the worker."""

    node: Node
    source: str            # "the request", "the request body", or the reader parameter's name
    via: str = ""          # the decoder on the way: "encoding/json", "encoding/gob", ...
    integer: bool = False  # the value is an integer (then `bound` applies)
    bound: int | None = None
    read: bool = False     # `node` is the read of the data, not the parameter


@dataclass(frozen=True, eq=False)
class _Env:
    """Where an expression is evaluated: a guard that dominates `anchor` (the definition being
    followed) or one of the `later` points of the same function where the value is then used
    bounds it; `call` is the call that entered this function from `caller` (one level down);
    `level_used` forbids another level."""

    anchor: Node
    call: Node | None = None
    caller: _Env | None = None
    level_used: bool = False
    later: tuple[Node, ...] = ()

    @property
    def key(self) -> tuple[int, ...]:
        return (self.anchor.id, self.call.id if self.call is not None else 0, int(self.level_used),
                *(n.id for n in self.later))

    @property
    def points(self) -> tuple[Node, ...]:
        return (self.anchor, *self.later)

    def at(self, site: Node) -> _Env:
        """The environment of a definition at `site`, reached from a use at this anchor."""
        if site == self.anchor:
            return self
        return replace(self, anchor=site, later=(self.anchor, *self.later)[:_MAX_LATER])


@dataclass(frozen=True, slots=True)
class _Def:
    """One definition of a storage at `site`: `value` (result `index`) or, for an out-parameter,
    `source`."""

    site: Node
    value: Node | None
    index: int = 0
    source: Node | None = None   # out-parameter: the reader/decoder/buffer the data comes from
    via: str = ""


REQUEST = Pointer(Named("net/http", "Request"))
READER_TYPES: frozenset[Type] = frozenset({
    Named("io", "Reader"), Named("io", "ReadCloser"), Named("io", "ByteReader"),
    Named("io", "ReadSeeker"), Pointer(Named("bufio", "Reader")), Named("net", "Conn"),
    Named("net", "PacketConn"), Pointer(Named("net", "TCPConn")), Pointer(Named("net", "UnixConn")),
    Pointer(Named("net", "UDPConn")), Pointer(Named("crypto/tls", "Conn")),
})

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
_PROTO_PATHS = ("google.golang.org/protobuf/proto", "github.com/golang/protobuf/proto")
# Out-parameters: (path, name) -> (source argument, first out argument, all following too?, via).
_OUT_FUNCS: dict[tuple[str, str], tuple[int, int, bool, str]] = {
    ("io", "ReadFull"): (0, 1, False, ""), ("io", "ReadAtLeast"): (0, 1, False, ""),
    ("encoding/json", "Unmarshal"): (0, 1, False, "encoding/json"),
    ("encoding/xml", "Unmarshal"): (0, 1, False, "encoding/xml"),
    ("encoding/binary", "Read"): (0, 2, False, "encoding/binary"),
    ("fmt", "Sscan"): (0, 1, True, ""), ("fmt", "Sscanln"): (0, 1, True, ""), ("fmt", "Sscanf"): (0, 2, True, ""),
    ("fmt", "Fscan"): (0, 1, True, ""), ("fmt", "Fscanln"): (0, 1, True, ""), ("fmt", "Fscanf"): (0, 2, True, ""),
    **{(p, "Unmarshal"): (0, 1, False, "protobuf") for p in _PROTO_PATHS},
}
_OUT_METHODS = frozenset({"Decode", "Read"})   # dec.Decode(&v), conn.Read(buf): the receiver is the source
_DECODER_VIA = {"encoding/json": "encoding/json", "encoding/gob": "encoding/gob", "encoding/xml": "encoding/xml"}

_CONVERSION_BUILTINS = frozenset(INT_MAX) | {"string", "float32", "float64"}
_MAX_STEPS = 64
_MAX_LATER = 3
_MAX_DEPTH = 48  # nested evaluations (each a few Python frames): deep expressions stay silent
HUGE = 1 << 32  # a bound this large lets a client pick a hint that exhausts memory


class Taint:
    """Value-flow facts for one package; memoised by node ids."""

    def __init__(self, package: Package) -> None:
        self._pkg = package
        self._memo: dict[tuple[int, tuple[int, ...]], Origin | None] = {}
        self._busy: set[tuple[int, tuple[int, ...]]] = set()
        self._defs: dict[int, dict[StorageKey, list[_Def]]] = {}
        self._bounds = Bounds(package, self._untainted)
        self._callers: dict[str, list[Node]] | None = None
        self._steps = 0

    # -- public facts ----------------------------------------------------------------------
    def origin(self, expr: Node) -> Origin | None:
        """The attacker-controlled data `expr` derives from, unbounded where `expr` is used."""
        self._steps = 0
        return self._eval(expr, _Env(expr))

    def is_bounded(self, subject: Node, anchor: Node) -> bool:
        """An upper bound on `subject` (a variable or field) holds wherever `anchor` runs (bounds.py)."""
        return self._bounds.is_bounded(subject, anchor)

    def _untainted(self, expr: Node, anchor: Node) -> bool:
        """No unbounded attacker-controlled origin at `anchor` (the other side of a guard)."""
        return self._eval(expr, _Env(anchor, level_used=True)) is None

    def _bounded_at(self, subject: Node, env: _Env) -> bool:
        return any(self.is_bounded(subject, point) for point in env.points)

    def is_iteration_local(self, call: Node, loop: Node) -> bool:
        """`m := make(...)` in `loop`'s body where every use of m is `m[k]`, `range m`, or
        `len`/`delete`/`clear` of m, outside any func literal: nothing keeps m past the iteration."""
        obj = self._assigned_local(call)
        body = loop.child_by_field_name(kinds.F_BODY)
        if obj is None or obj.ident is None or body is None:
            return False
        if not body.start_byte <= obj.ident.start_byte < body.end_byte:
            return False
        from golinter.parse import walk_named
        for node in walk_named(body):
            if node.type != kinds.IDENTIFIER or self._pkg.text(node) != obj.name or node == obj.ident:
                continue
            if self._pkg.scopes.resolve(node) != obj:
                continue
            if not self._local_use(node, body):
                return False
        return True

    # -- evaluation ------------------------------------------------------------------------
    def _eval(self, expr: Node, env: _Env) -> Origin | None:
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

    def _eval_kind(self, expr: Node, env: _Env) -> Origin | None:
        k = expr.type
        if k == kinds.IDENTIFIER:
            return self._ident(expr, env)
        if k == kinds.SELECTOR_EXPRESSION:
            return self._selector(expr, env)
        if k in (kinds.INDEX_EXPRESSION, kinds.SLICE_EXPRESSION):
            operand = expr.child_by_field_name(kinds.F_OPERAND)
            o = self._eval(operand, env) if operand is not None else None
            return self._step(o, expr, self._pkg.types.type_of(expr)) if o is not None else None
        if k == kinds.CALL_EXPRESSION:
            return self._call(expr, 0, env)
        if k == kinds.TYPE_CONVERSION_EXPRESSION:
            operand = expr.child_by_field_name(kinds.F_OPERAND)
            o = self._eval(operand, env) if operand is not None else None
            return self._step(o, expr, self._pkg.types.type_of(expr)) if o is not None else None
        if k == kinds.BINARY_EXPRESSION:
            return self._binary(expr, env)
        if k == kinds.UNARY_EXPRESSION:
            op = expr.child_by_field_name(kinds.F_OPERATOR)
            operand = expr.child_by_field_name(kinds.F_OPERAND)
            if op is None or operand is None or self._pkg.text(op) not in ("+", "&", "*"):
                return None
            return self._eval(operand, env)
        return None

    def _step(self, o: Origin, expr: Node, t: Type) -> Origin:
        """The origin of `expr` (of type t) computed from an operand's origin: the first string or
        integer read from a container anchors the origin there; integer types cap the bound."""
        u = self._pkg.types.underlying(t)
        name = u.name if isinstance(u, Basic) else ""
        if name in INT_MAX:
            if not o.integer:
                return replace(o, integer=True, bound=INT_MAX[name],
                               node=o.node if o.read else expr, read=True)
            bound = o.bound if o.bound is None else min(o.bound, INT_MAX[name])
            return replace(o, bound=bound)
        if name == "string" and not o.read:
            return replace(o, node=expr, read=True)
        if u is UNKNOWN and o.integer:
            return o
        return replace(o, integer=False, bound=None) if o.integer else o

    def _ident(self, ident: Node, env: _Env) -> Origin | None:
        obj = self._pkg.scopes.resolve(ident)
        if obj is None or obj.kind is not ObjKind.VAR or obj.package_level or obj.ident is None:
            return None
        if self._bounded_at(ident, env):
            return None
        decl = obj.decl
        if decl is not None and decl.type in (kinds.PARAMETER_DECLARATION, kinds.VARIADIC_PARAMETER_DECLARATION):
            return self._param(ident, obj, decl, env)
        found: list[Origin] = []
        for d in self._defs_of(ident, obj, env.anchor):
            o = self._eval_def(d, env)
            if o is not None:
                found.append(o)
        merged = _union(found)
        return self._step(merged, ident, self._pkg.types.type_of(ident)) if merged is not None else None

    def _param(self, ident: Node, obj: Obj, decl: Node, env: _Env) -> Origin | None:
        t = self._pkg.types.obj_type(obj)
        if t == REQUEST:
            return Origin(ident, "the request")
        if t in READER_TYPES:
            return Origin(ident, obj.name)
        plist = decl.parent
        func = plist.parent if plist is not None else None
        if plist is None or func is None or plist != func.child_by_field_name(kinds.F_PARAMETERS) or obj.variadic:
            return None  # receivers, results and variadic parameters are not followed
        index = _param_index(plist, obj)
        if env.call is not None and env.caller is not None:
            if self._pkg.types.callee_decl(env.call) != func:
                return None
            arg = _arg(env.call, index)
            return self._eval(arg, env.caller) if arg is not None else None
        if env.level_used or func.type == kinds.FUNC_LITERAL:
            return None
        found = []
        for call in self._callers_of(func):
            arg = _arg(call, index)
            if arg is not None:
                o = self._eval(arg, _Env(_statement_of(call), level_used=True))
                if o is not None:
                    found.append(o)
        return _union(found)

    def _eval_def(self, d: _Def, env: _Env) -> Origin | None:
        env = env.at(d.site)
        if d.source is not None:
            o = self._eval(d.source, env)
            if o is None:
                return None
            via = d.via or _decoder_via(self._pkg, d.source) or o.via
            return replace(o, via=via)
        if d.value is None:
            return None
        if d.value.type == kinds.RANGE_CLAUSE:
            right = d.value.child_by_field_name(kinds.F_RIGHT)
            return self._eval(right, env) if right is not None and d.index == 1 else None
        if d.index > 0 or unparen(d.value).type == kinds.CALL_EXPRESSION:
            value = unparen(d.value)
            return self._call(value, d.index, env) if value.type == kinds.CALL_EXPRESSION else None
        return self._eval(d.value, env)

    def _selector(self, expr: Node, env: _Env) -> Origin | None:
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
            for d in self._function_defs(expr).get(key, ()):
                if d.site.start_byte < env.anchor.start_byte:
                    od = self._eval_def(d, env)
                    if od is not None:
                        found.append(od)
        merged = _union(found)
        return self._step(merged, expr, self._pkg.types.type_of(expr)) if merged is not None else None

    def _call(self, call: Node, index: int, env: _Env) -> Origin | None:
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
                o = self._eval(args[0], env)
                return self._step(o, call, result_type) if o is not None else None
            if obj.kind is ObjKind.FUNC:
                return self._callee(call, index, env)
            return None
        if fn.type != kinds.SELECTOR_EXPRESSION:
            if fn.type in (kinds.SLICE_TYPE, kinds.QUALIFIED_TYPE) and len(args) == 1 and index == 0:
                o = self._eval(args[0], env)
                return self._step(o, call, result_type) if o is not None else None
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
                o = self._eval(args[0], env)
                return self._step(o, call, result_type) if o is not None else None
            return None
        o = self._eval(operand, env)
        if o is not None:
            if index == 0 and self._reads(recv, name, args):
                return self._step(o, call, result_type)
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
                  env: _Env) -> Origin | None:
        rule = _PASS_FUNCS.get(q)
        if rule is None or index != 0 or rule[0] >= len(args):
            return None
        o = self._eval(args[rule[0]], env)
        if o is None:
            return None
        if rule[1]:
            o = replace(o, via=rule[1])
        if q[0] in ("encoding/binary", "strconv") and not o.read:
            o = replace(o, node=call, read=True)
        o = self._step(o, call, result_type)
        if q in (("strconv", "ParseInt"), ("strconv", "ParseUint")) and len(args) == 3 and o.bound is not None:
            bits = self._pkg.consts.int_value(args[2])
            if bits is not None and 0 < bits < 64:
                o = replace(o, bound=min(o.bound, 2**bits - 1 if q[1] == "ParseUint" else 2**(bits - 1) - 1))
        return o

    def _builtin(self, name: str, call: Node, args: list[Node], env: _Env) -> Origin | None:
        if name in _CONVERSION_BUILTINS and len(args) == 1:
            o = self._eval(args[0], env)
            return self._step(o, call, Basic(name)) if o is not None else None
        if name not in ("min", "max") or not args:
            return None  # len and cap measure data already received; make, new, append: fresh values
        origins = [self._eval(a, env) for a in args]
        tainted = [o for o in origins if o is not None]
        if not tainted or (name == "min" and len(tainted) < len(origins)):
            return None  # min with an untainted operand is a bound
        merged = _union(tainted)
        if merged is None:
            return None
        bounds = [o.bound for o in tainted]
        if name == "min" and None not in bounds:
            merged = replace(merged, bound=min(b for b in bounds if b is not None))
        if name == "max" and len(tainted) < len(origins) and merged.bound is not None:
            consts = [self._pkg.consts.int_value(a) for a, o in zip(args, origins) if o is None]
            merged = replace(merged, bound=None if None in consts else max([merged.bound] + [c for c in consts if c is not None]))
        return merged

    def _callee(self, call: Node, index: int, env: _Env) -> Origin | None:
        """One call level down: the callee's return values, with its parameters bound to `call`."""
        if env.level_used:
            return None
        decl = self._pkg.types.callee_decl(call)
        body = decl.child_by_field_name(kinds.F_BODY) if decl is not None else None
        if body is None:
            return None
        found: list[Origin] = []
        inner = _Env(body, call=call, caller=env, level_used=True)
        for ret in _returns(body):
            values = exprs(ret)
            if len(values) <= index:
                continue
            o = self._eval(values[index], replace(inner, anchor=ret))
            if o is not None:
                found.append(o)
        return _union(found)

    def _binary(self, expr: Node, env: _Env) -> Origin | None:
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
        bound = _arith(sym, lb, rb, lo is not None, ro is not None)
        return self._step(replace(base, bound=bound), expr, self._pkg.types.type_of(expr))

    def _result_type(self, call: Node, index: int) -> Type:
        t = self._pkg.types.type_of(call)
        if isinstance(t, Tuple):
            return t.items[index] if index < len(t.items) else UNKNOWN
        return t if index == 0 else UNKNOWN

    # -- definitions -------------------------------------------------------------------------
    def _defs_of(self, ident: Node, obj: Obj, anchor: Node) -> list[_Def]:
        out: list[_Def] = []
        if obj.value is not None and obj.ident is not None:
            out.append(_Def(obj.decl or obj.ident, obj.value, obj.value_index))
        key = self._pkg.storage.key(ident)
        if key is not None:
            out += [d for d in self._function_defs(ident).get(key, ()) if d.site.start_byte < anchor.start_byte]
        return out

    def _function_defs(self, node: Node) -> dict[StorageKey, list[_Def]]:
        """Assignments and out-parameter calls of the outermost function holding `node`."""
        func = outermost_function(node)
        if func is None:
            return {}
        cached = self._defs.get(func.id)
        if cached is None:
            cached = self._index_defs(func)
            self._defs[func.id] = cached
        return cached

    def _index_defs(self, func: Node) -> dict[StorageKey, list[_Def]]:
        from golinter.parse import walk_named
        out: dict[StorageKey, list[_Def]] = {}

        def add(target: Node, d: _Def) -> None:
            key = self._pkg.storage.key(_root(target))
            if key is not None:
                out.setdefault(key, []).append(d)

        for node in walk_named(func):
            t = node.type
            if t in (kinds.ASSIGNMENT_STATEMENT, kinds.SHORT_VAR_DECLARATION):
                op = node.child_by_field_name(kinds.F_OPERATOR)
                if op is not None and self._pkg.text(op) in ("%=", "&=", "<<=", ">>=", "/="):
                    continue  # bounding updates are guards, not sources
                lefts = exprs(node.child_by_field_name(kinds.F_LEFT))
                rights = exprs(node.child_by_field_name(kinds.F_RIGHT))
                for i, target in enumerate(lefts):
                    if len(rights) == len(lefts):
                        add(target, _Def(node, rights[i]))
                    elif len(rights) == 1:
                        add(target, _Def(node, rights[0], i))
            elif t == kinds.CALL_EXPRESSION:
                for target, d in self._out_params(node):
                    add(target, d)
        return out

    def _out_params(self, call: Node) -> Iterator[tuple[Node, _Def]]:
        """`json.Unmarshal(b, &v)`, `io.ReadFull(r, buf)`, `dec.Decode(&v)`, `conn.Read(buf)`."""
        fn = call.child_by_field_name(kinds.F_FUNCTION)
        if fn is None or unparen(fn).type != kinds.SELECTOR_EXPRESSION:
            return
        fn = unparen(fn)
        args = call_args(call)
        q = self._pkg.types.qualified(fn)
        if q is not None:
            rule = _OUT_FUNCS.get(q)
            if rule is None or rule[0] >= len(args):
                return
            source, first, rest, via = rule
            for target in args[first:] if rest else args[first:first + 1]:
                yield target, _Def(call, None, source=args[source], via=via)
            return
        name = fn.child_by_field_name(kinds.F_FIELD)
        operand = fn.child_by_field_name(kinds.F_OPERAND)
        if name is not None and operand is not None and self._pkg.text(name) in _OUT_METHODS and len(args) == 1:
            yield args[0], _Def(call, None, source=operand)

    def _callers_of(self, func: Node) -> list[Node]:
        """Same-package calls of a function or method declaration, outside test code
        (model/testcode.py: `_test.go` files and test-support functions)."""
        name = func.child_by_field_name(kinds.F_NAME)
        if name is None:
            return []
        if self._callers is None:
            from golinter.parse import query_captures
            index: dict[str, list[Node]] = {}
            tests = TestCode.for_package(self._pkg)
            for f in self._pkg.files:
                for call in query_captures(calls_query(), f.tree.root_node).get("call", []):
                    if f.is_test or f.in_broken(call) or tests.is_test_code(call):
                        continue  # tests feed handlers and helpers their own data
                    callee = _callee_name(f.text, call)
                    if callee:
                        index.setdefault(callee, []).append(call)
            self._callers = index
        return [c for c in self._callers.get(self._pkg.text(name), [])
                if self._pkg.types.callee_decl(c) == func]

    # -- iteration-local ----------------------------------------------------------------------
    def _assigned_local(self, call: Node) -> Obj | None:
        """The local variable `call`'s value is bound to: `m := call`, `var m = call`, `m = call`."""
        node = call
        while node.parent is not None and node.parent.type == kinds.PARENTHESIZED_EXPRESSION:
            node = node.parent
        values = node.parent
        if values is None or values.type != kinds.EXPRESSION_LIST:
            return None
        stmt = values.parent
        if stmt is None:
            return None
        position = exprs(values).index(node) if node in exprs(values) else -1
        if stmt.type in (kinds.SHORT_VAR_DECLARATION, kinds.ASSIGNMENT_STATEMENT):
            if values != stmt.child_by_field_name(kinds.F_RIGHT):
                return None
            op = stmt.child_by_field_name(kinds.F_OPERATOR)
            if stmt.type == kinds.ASSIGNMENT_STATEMENT and (op is None or self._pkg.text(op) != "="):
                return None
            targets = exprs(stmt.child_by_field_name(kinds.F_LEFT))
        elif stmt.type == kinds.VAR_SPEC:
            targets = stmt.children_by_field_name(kinds.F_NAME)
        else:
            return None
        if len(targets) != len(exprs(values)) or position < 0 or targets[position].type != kinds.IDENTIFIER:
            return None
        obj = self._pkg.scopes.resolve(targets[position])
        if obj is None or obj.kind is not ObjKind.VAR or obj.package_level:
            return None
        return obj

    def _local_use(self, ident: Node, body: Node) -> bool:
        """A use that keeps the value in the iteration: `m[k]`, `range m`, `len(m)`, `delete(m, k)`,
        `clear(m)`, or assigning m anew; not inside a func literal (a capture)."""
        cur = ident.parent
        while cur is not None and cur != body:
            if cur.type == kinds.FUNC_LITERAL:
                return False
            cur = cur.parent
        parent = ident.parent
        if parent is None:
            return False
        if parent.type == kinds.INDEX_EXPRESSION and parent.child_by_field_name(kinds.F_OPERAND) == ident:
            return True
        if parent.type == kinds.RANGE_CLAUSE and parent.child_by_field_name(kinds.F_RIGHT) == ident:
            return True
        if parent.type == kinds.EXPRESSION_LIST and parent.parent is not None:
            stmt = parent.parent
            if stmt.type == kinds.ASSIGNMENT_STATEMENT and parent == stmt.child_by_field_name(kinds.F_LEFT):
                return True
        if parent.type == kinds.ARGUMENT_LIST and parent.parent is not None:
            fn = parent.parent.child_by_field_name(kinds.F_FUNCTION)
            args = call_args(parent.parent)
            if fn is not None and args and args[0] == ident:
                return any(self._pkg.scopes.is_builtin(fn, b) for b in ("len", "delete", "clear"))
        return False


# -- helpers ---------------------------------------------------------------------------------

def _union(found: Iterable[Origin]) -> Origin | None:
    """Any tainted definition taints; the bound is the largest (None, unknown, wins)."""
    items = list(found)
    if not items:
        return None
    first = items[0]
    if any(o.bound is None for o in items):
        return replace(first, bound=None)
    return replace(first, bound=max(o.bound for o in items if o.bound is not None))


def _arith(sym: str, a: int | None, b: int | None, a_tainted: bool, b_tainted: bool) -> int | None:
    """Upper bound of `a sym b` from operand upper bounds (None: unknown). An untainted operand
    that is not a constant leaves a huge tainted bound huge (`n * size`: the client still picks
    the magnitude) and makes a small one unknown."""
    if a is None or b is None:
        tainted = a if a_tainted else b
        if tainted is None or sym == "<<":
            return None
        return tainted if tainted >= HUGE or sym in ("-", ">>") else None
    if sym == "+":
        return a + b
    if sym == "-":
        return a if b_tainted else a - b
    if sym == "*":
        return a * b if a >= 0 and b >= 0 else None
    if sym == "/":
        return a if b_tainted or b <= 0 else a // b
    if sym == "<<":
        return a << b if 0 <= b <= 128 else None
    if sym == ">>":
        return a if b_tainted else a >> b
    if sym in ("|", "^"):
        return (1 << max(a.bit_length(), b.bit_length())) - 1 if a >= 0 and b >= 0 else None
    if sym in ("&", "%"):
        return min(a, b) if a >= 0 and b >= 0 else None
    return None


def _arg(call: Node, index: int) -> Node | None:
    args = call_args(call)
    return args[index] if 0 <= index < len(args) else None


def _param_index(plist: Node, obj: Obj) -> int:
    index = 0
    for decl in plist.named_children:
        if decl.type not in (kinds.PARAMETER_DECLARATION, kinds.VARIADIC_PARAMETER_DECLARATION):
            continue
        names = decl.children_by_field_name(kinds.F_NAME)
        for n in names or [decl]:
            if obj.ident is not None and n == obj.ident:
                return index
            index += 1
    return -1


def _root(target: Node) -> Node:
    """`&v` -> v, `buf[:4]` -> buf, `hdr[:]` -> hdr: the storage an out-parameter fills."""
    node = unparen(target)
    for _ in range(_MAX_STEPS):
        if node.type not in (kinds.UNARY_EXPRESSION, kinds.SLICE_EXPRESSION):
            return node
        inner = node.child_by_field_name(kinds.F_OPERAND)
        if inner is None:
            return node
        node = unparen(inner)
    return node


def _decoder_via(pkg: Package, source: Node) -> str:
    t = pkg.types.deref(pkg.types.type_of(source))
    return _DECODER_VIA.get(t.pkg, "") if isinstance(t, Named) and t.name == "Decoder" else ""


def _returns(body: Node) -> Iterator[Node]:
    """Return statements of a function body, not those of nested func literals."""
    from golinter.parse import walk_named
    for node in walk_named(body, skip=frozenset({kinds.FUNC_LITERAL})):
        if node.type == kinds.RETURN_STATEMENT:
            yield node


def _statement_of(node: Node) -> Node:
    cur = node
    while cur.parent is not None and cur.parent.type not in (kinds.STATEMENT_LIST, kinds.SOURCE_FILE):
        cur = cur.parent
    return cur


def _callee_name(text: Callable[[Node], str], call: Node) -> str:
    fn = call.child_by_field_name(kinds.F_FUNCTION)
    if fn is None:
        return ""
    fn = unparen(fn)
    if fn.type == kinds.IDENTIFIER:
        return text(fn)
    if fn.type == kinds.SELECTOR_EXPRESSION:
        field = fn.child_by_field_name(kinds.F_FIELD)
        return text(field) if field is not None else ""
    return ""
