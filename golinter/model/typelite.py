"""Type-lite: the declared type of Go expressions, as far as one package's source shows it.

`type_of(expr)` covers identifiers (vars, params, results, receivers, range and type-switch
variables), selectors through struct fields (embedded, through pointers), index, slice, call
(make, new, append, conversions, same-package functions and methods, the std table), composite
literals, `&x`, `*p`, `<-ch`, type assertions, literals and arithmetic. `type_from_expr(t)`
turns a type expression into a Type. Anything else is UNKNOWN, and callers stay silent.

Generic types drop their type arguments (`G[K, V]` is Named G); a type parameter whose
constraint is `~map[K]V` has that map as its core type.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model import stdlib
from golinter.model.package import MAX_EVAL_DEPTH
from golinter.model.scopes import UNIVERSE_TYPES, Obj, ObjKind
from golinter.model.types import (
    BOOL, INT, STRING, UNKNOWN, UNTYPED_BOOL, UNTYPED_FLOAT, UNTYPED_INT, UNTYPED_RUNE, UNTYPED_STRING,
    Array, Basic, Chan, Field, Func, Interface, Map, Named, Pointer, Slice, Struct, Tuple, Type, TypeParam,
)

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package, SourceFile

_PASSTHROUGH = frozenset({kinds.PARENTHESIZED_EXPRESSION, kinds.PARENTHESIZED_TYPE})
_COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">=", "&&", "||"})


class Typelite:
    """Type facts for one package; memoised by node id."""

    def __init__(self, package: Package) -> None:
        self._pkg = package
        self._memo: dict[int, Type] = {}
        self._busy: set[int] = set()
        self._named: dict[str, Type] = {}

    # -- public API ----------------------------------------------------------------------
    def type_of(self, expr: Node) -> Type:
        key = expr.id
        if key in self._memo:
            return self._memo[key]
        if key in self._busy:
            return UNKNOWN
        pkg = self._pkg
        if pkg.eval_depth >= MAX_EVAL_DEPTH:
            return UNKNOWN  # a pathological chain: not memoised, asked alone it may be known
        self._busy.add(key)
        pkg.eval_depth += 1
        try:
            t = self._type_of(expr)
        finally:
            self._busy.discard(key)
            pkg.eval_depth -= 1
        self._memo[key] = t
        return t

    def underlying(self, t: Type) -> Type:
        """Follow named types to their definition (std table for std types)."""
        for _ in range(32):
            if isinstance(t, Named):
                t = self.resolve_named(t)
            elif isinstance(t, TypeParam):
                t = t.core
            else:
                return t
        return UNKNOWN

    def resolve_named(self, t: Named) -> Type:
        """The type a named type is defined as (one step: may itself be Named)."""
        if t.pkg:
            return stdlib.STD_TYPES.get((t.pkg, t.name), UNKNOWN)
        if t.name in self._named:
            return self._named[t.name]
        self._named[t.name] = UNKNOWN  # cycle guard
        obj = self._pkg.scopes.package_obj(t.name)
        result: Type = UNKNOWN
        if obj is not None and obj.kind is ObjKind.TYPE and obj.type_node is not None:
            result = self.type_from_expr(obj.type_node)
        self._named[t.name] = result
        return result

    def map_of(self, t: Type) -> Map | None:
        u = self.underlying(t)
        return u if isinstance(u, Map) else None

    def expr_map(self, expr: Node) -> Map | None:
        """The map type of `expr` when it is certainly a map, else None."""
        return self.map_of(self.type_of(expr))

    def is_string(self, t: Type) -> bool:
        u = self.underlying(t)
        return isinstance(u, Basic) and u.name in ("string", "untyped string")

    def deref(self, t: Type) -> Type:
        u = self.underlying(t)
        return u.elem if isinstance(u, Pointer) else t

    def field(self, t: Type, name: str) -> Type:
        """Type of field `name` of struct type t (through pointers and embedded fields)."""
        return self._field(t, name, 0)

    def method_decl(self, t: Type, name: str) -> Node | None:
        """The same-package declaration of method `name` on t (or *t)."""
        base = self.deref(t)
        if isinstance(base, Named) and not base.pkg:
            return self._pkg.scopes.method_decl(base.name, name)
        return None

    def obj_type(self, obj: Obj) -> Type:
        f = obj.file
        if obj.kind is ObjKind.IMPORT or f is None:
            return UNKNOWN
        if obj.kind is ObjKind.TYPE:
            return UNKNOWN  # a type used as a value (conversion) is handled by the caller
        if obj.kind is ObjKind.FUNC and obj.decl is not None:
            return self.signature(obj.decl)
        if obj.type_node is not None:
            t = self.type_from_expr(obj.type_node)
            return Slice(t) if obj.variadic else t
        if obj.value is None:
            return UNKNOWN
        if obj.value.type == kinds.RANGE_CLAUSE:
            return self._range_var_type(obj.value, obj.value_index)
        if obj.value_count > 1:
            return self._multi_value(obj.value, obj.value_index)
        t = self.type_of(obj.value)
        if obj.kind is ObjKind.VAR:
            return _default_type(t)
        return t

    def signature(self, func: Node) -> Func:
        """The Func type of a function/method declaration or func literal."""
        params: list[Type] = []
        results: list[Type] = []
        plist = func.child_by_field_name(kinds.F_PARAMETERS)
        if plist is not None:
            params = self._param_types(plist)
        result = func.child_by_field_name(kinds.F_RESULT)
        if result is not None:
            results = self._param_types(result) if result.type == kinds.PARAMETER_LIST else \
                [self.type_from_expr(result)]
        return Func(tuple(params), tuple(results))

    def callee_decl(self, call: Node) -> Node | None:
        """The same-package function or method declaration a call invokes, when known."""
        fn = call.child_by_field_name(kinds.F_FUNCTION)
        if fn is None:
            return None
        fn = _unparen(fn)
        if fn.type == kinds.IDENTIFIER:
            obj = self._pkg.scopes.resolve(fn)
            if obj is not None and obj.kind is ObjKind.FUNC and obj.package_level:
                return obj.decl
            return None
        if fn.type == kinds.SELECTOR_EXPRESSION:
            operand = fn.child_by_field_name(kinds.F_OPERAND)
            name = fn.child_by_field_name(kinds.F_FIELD)
            if operand is None or name is None or self._import_of(operand) is not None:
                return None
            return self.method_decl(self.type_of(operand), self._pkg.text(name))
        return None

    def import_path_of(self, node: Node) -> str | None:
        """For `pkg` in `pkg.Name`: the import path, when `pkg` is an import of this file."""
        return self._import_of(node)

    def qualified(self, expr: Node) -> tuple[str, str] | None:
        """`http.Get` -> ("net/http", "Get") when the operand is an import."""
        expr = _unparen(expr)
        if expr.type != kinds.SELECTOR_EXPRESSION:
            return None
        operand = expr.child_by_field_name(kinds.F_OPERAND)
        name = expr.child_by_field_name(kinds.F_FIELD)
        if operand is None or name is None:
            return None
        path = self._import_of(operand)
        return (path, self._pkg.text(name)) if path is not None else None

    # -- type expressions -------------------------------------------------------------------
    def type_from_expr(self, node: Node) -> Type:
        key = -node.id - 1
        if key in self._memo:
            return self._memo[key]
        pkg = self._pkg
        if pkg.eval_depth >= MAX_EVAL_DEPTH:
            return UNKNOWN  # as in type_of
        self._memo[key] = UNKNOWN  # cycle guard
        pkg.eval_depth += 1
        try:
            t = self._type_from_expr(node)
        finally:
            pkg.eval_depth -= 1
        self._memo[key] = t
        return t

    def _type_from_expr(self, node: Node) -> Type:
        k = node.type
        text = self._pkg.text
        if k in _PASSTHROUGH or k in (kinds.TYPE_CONSTRAINT, kinds.TYPE_ELEM):
            inner = node.named_children
            return self.type_from_expr(inner[0]) if len(inner) == 1 else UNKNOWN
        if k == kinds.NEGATED_TYPE:
            inner = node.named_children
            return self.type_from_expr(inner[0]) if inner else UNKNOWN
        if k in (kinds.TYPE_IDENTIFIER, kinds.IDENTIFIER):
            return self._named_type(node)
        if k == kinds.QUALIFIED_TYPE:
            pkg = node.child_by_field_name(kinds.F_PACKAGE)
            name = node.child_by_field_name(kinds.F_NAME)
            if pkg is None or name is None:
                return UNKNOWN
            path = self._pkg.scopes.import_path(self._pkg.file_of(node), text(pkg))
            return Named(path, text(name)) if path is not None else UNKNOWN
        if k == kinds.GENERIC_TYPE:
            base = node.child_by_field_name(kinds.F_TYPE)
            return self.type_from_expr(base) if base is not None else UNKNOWN
        if k == kinds.POINTER_TYPE:
            return Pointer(self._sub(node, None))
        if k == kinds.SLICE_TYPE:
            return Slice(self._sub(node, kinds.F_ELEMENT))
        if k in (kinds.ARRAY_TYPE, kinds.IMPLICIT_LENGTH_ARRAY_TYPE):
            length_node = node.child_by_field_name(kinds.F_LENGTH)
            length = self._pkg.consts.int_value(length_node) if length_node is not None else None
            return Array(length, self._sub(node, kinds.F_ELEMENT))
        if k == kinds.MAP_TYPE:
            return Map(self._sub(node, kinds.F_KEY), self._sub(node, kinds.F_VALUE))
        if k == kinds.CHANNEL_TYPE:
            return Chan(self._sub(node, kinds.F_VALUE))
        if k == kinds.STRUCT_TYPE:
            return self._struct(node)
        if k == kinds.INTERFACE_TYPE:
            return self._interface(node)
        if k == kinds.FUNCTION_TYPE:
            return self.signature(node)
        return UNKNOWN

    def _sub(self, node: Node, field_name: str | None) -> Type:
        child = node.child_by_field_name(field_name) if field_name else None
        if child is None:
            named = node.named_children
            child = named[-1] if named else None
        return self.type_from_expr(child) if child is not None else UNKNOWN

    def _named_type(self, node: Node) -> Type:
        name = self._pkg.text(node)
        obj = self._pkg.scopes.resolve(node)
        if obj is None:
            return UNKNOWN
        if obj.kind is ObjKind.BUILTIN:
            if name in ("any", "error"):
                return Interface(name)
            return Basic(name) if name in UNIVERSE_TYPES else UNKNOWN
        if obj.kind is not ObjKind.TYPE:
            return UNKNOWN
        if obj.import_path == "<typeparam>":
            return self._type_param(obj)
        if obj.decl is not None and obj.decl.type == kinds.TYPE_ALIAS and obj.type_node is not None:
            return self.type_from_expr(obj.type_node)
        if obj.package_level:
            return Named("", name)
        if obj.type_node is not None:  # a local type: no name to share, use its definition
            return self.type_from_expr(obj.type_node)
        return UNKNOWN

    def _type_param(self, obj: Obj) -> Type:
        core: Type = UNKNOWN
        constraint = obj.type_node
        if constraint is None and obj.decl is not None and obj.decl.type == kinds.GENERIC_TYPE:
            core = self._receiver_param_core(obj)
        elif constraint is not None:
            elems = constraint.named_children
            if len(elems) == 1:
                c = self.type_from_expr(elems[0])
                u = self.underlying(c) if isinstance(c, Named) else c
                core = u if isinstance(u, (Map, Slice, Chan, Pointer, Basic)) else UNKNOWN
        return TypeParam(obj.name, core)

    def _receiver_param_core(self, obj: Obj) -> Type:
        """K in `func (g *G[K, V])` has the core type of G's K-position parameter."""
        generic = obj.decl
        assert generic is not None
        base = generic.child_by_field_name(kinds.F_TYPE)
        args = generic.child_by_field_name(kinds.F_TYPE_ARGUMENTS)
        if base is None or args is None:
            return UNKNOWN
        position = [self._pkg.text(a) for a in args.named_children].index(obj.name) \
            if obj.name in [self._pkg.text(a) for a in args.named_children] else -1
        type_obj = self._pkg.scopes.package_obj(self._pkg.text(base))
        if type_obj is None or type_obj.decl is None or position < 0:
            return UNKNOWN
        tparams = type_obj.decl.child_by_field_name(kinds.F_TYPE_PARAMETERS)
        names: list[tuple[Node, Node | None]] = []
        for decl in (tparams.named_children if tparams is not None else []):
            for n in decl.children_by_field_name(kinds.F_NAME):
                names.append((n, decl.child_by_field_name(kinds.F_TYPE)))
        if position >= len(names):
            return UNKNOWN
        t = self.type_from_expr(names[position][0])
        return t.core if isinstance(t, TypeParam) else UNKNOWN

    def _struct(self, node: Node) -> Struct:
        fields: list[Field] = []
        flist = next((c for c in node.named_children if c.type == kinds.FIELD_DECLARATION_LIST), None)
        for decl in (flist.named_children if flist is not None else []):
            if decl.type != kinds.FIELD_DECLARATION:
                continue
            type_node = decl.child_by_field_name(kinds.F_TYPE)
            t = self.type_from_expr(type_node) if type_node is not None else UNKNOWN
            names = decl.children_by_field_name(kinds.F_NAME)
            if names:
                fields += [Field(self._pkg.text(n), t) for n in names]
            else:  # `*DB` embeds a pointer: the `*` is a token beside the type
                if any(c.type == "*" for c in decl.children):
                    t = Pointer(t)
                fields.append(Field(_embedded_name(t), t, embedded=True))
        return Struct(tuple(fields))

    def _interface(self, node: Node) -> Type:
        elems = [c for c in node.named_children if c.type != kinds.COMMENT]
        if len(elems) == 1 and elems[0].type == kinds.TYPE_ELEM:  # constraint interface{ ~map[K]V }
            return self.type_from_expr(elems[0])
        return Interface()

    def _param_types(self, plist: Node) -> list[Type]:
        out: list[Type] = []
        for decl in plist.named_children:
            if decl.type not in (kinds.PARAMETER_DECLARATION, kinds.VARIADIC_PARAMETER_DECLARATION):
                continue
            type_node = decl.child_by_field_name(kinds.F_TYPE)
            t = self.type_from_expr(type_node) if type_node is not None else UNKNOWN
            if decl.type == kinds.VARIADIC_PARAMETER_DECLARATION:
                t = Slice(t)
            out += [t] * max(1, len(decl.children_by_field_name(kinds.F_NAME)))
        return out

    # -- expressions ----------------------------------------------------------------------------
    def _type_of(self, node: Node) -> Type:
        k = node.type
        if k in _PASSTHROUGH:
            inner = node.named_children
            return self.type_of(inner[0]) if inner else UNKNOWN
        if k == kinds.IDENTIFIER:
            obj = self._pkg.scopes.resolve(node)
            if obj is None:
                return UNKNOWN
            if obj.kind is ObjKind.BUILTIN:
                name = obj.name
                return UNTYPED_BOOL if name in ("true", "false") else UNTYPED_INT if name == "iota" else UNKNOWN
            return self.obj_type(obj)
        if k == kinds.INT_LITERAL:
            return UNTYPED_INT
        if k == kinds.FLOAT_LITERAL:
            return UNTYPED_FLOAT
        if k == kinds.RUNE_LITERAL:
            return UNTYPED_RUNE
        if k in kinds.STRING_LITERAL_KINDS:
            return UNTYPED_STRING
        if k in (kinds.TRUE, kinds.FALSE):
            return UNTYPED_BOOL
        if k == kinds.SELECTOR_EXPRESSION:
            return self._selector(node)
        if k == kinds.INDEX_EXPRESSION:
            return self._index(node)
        if k == kinds.SLICE_EXPRESSION:
            operand = node.child_by_field_name(kinds.F_OPERAND)
            t = self.type_of(operand) if operand is not None else UNKNOWN
            u = self.underlying(t)
            if isinstance(u, Array):
                return Slice(u.elem)
            if isinstance(u, Pointer) and isinstance(self.underlying(u.elem), Array):
                arr = self.underlying(u.elem)
                assert isinstance(arr, Array)
                return Slice(arr.elem)
            return _default_type(t)
        if k == kinds.CALL_EXPRESSION:
            return self._call(node)
        if k == kinds.COMPOSITE_LITERAL:
            type_node = node.child_by_field_name(kinds.F_TYPE)
            return self.type_from_expr(type_node) if type_node is not None else UNKNOWN
        if k == kinds.UNARY_EXPRESSION:
            return self._unary(node)
        if k == kinds.BINARY_EXPRESSION:
            return self._binary(node)
        if k == kinds.TYPE_ASSERTION_EXPRESSION:
            type_node = node.child_by_field_name(kinds.F_TYPE)
            return self.type_from_expr(type_node) if type_node is not None else UNKNOWN
        if k == kinds.TYPE_CONVERSION_EXPRESSION:
            type_node = node.child_by_field_name(kinds.F_TYPE)
            return self.type_from_expr(type_node) if type_node is not None else UNKNOWN
        if k == kinds.FUNC_LITERAL:
            return self.signature(node)
        return UNKNOWN

    def _selector(self, node: Node) -> Type:
        operand = node.child_by_field_name(kinds.F_OPERAND)
        name_node = node.child_by_field_name(kinds.F_FIELD)
        if operand is None or name_node is None:
            return UNKNOWN
        name = self._pkg.text(name_node)
        path = self._import_of(operand)
        if path is not None:
            return stdlib.STD_VARS.get((path, name), UNKNOWN)
        t = self.type_of(operand)
        ft = self.field(t, name)
        if ft is not UNKNOWN:
            return ft
        method = self.method_decl(t, name)
        return self.signature(method) if method is not None else UNKNOWN

    def _field(self, t: Type, name: str, depth: int) -> Type:
        if depth > 5:
            return UNKNOWN
        u = self.underlying(self.deref(t))
        if not isinstance(u, Struct):
            return UNKNOWN
        for fld in u.fields:
            if fld.name == name:
                return fld.type
        for fld in u.fields:
            if fld.embedded:
                found = self._field(fld.type, name, depth + 1)
                if found is not UNKNOWN:
                    return found
        return UNKNOWN

    def _index(self, node: Node) -> Type:
        operand = node.child_by_field_name(kinds.F_OPERAND)
        if operand is None:
            return UNKNOWN
        t = self.type_of(operand)
        u = self.underlying(self.deref(t)) if isinstance(self.underlying(t), Pointer) else self.underlying(t)
        if isinstance(u, Map):
            return u.elem
        if isinstance(u, (Slice, Array)):
            return u.elem
        if isinstance(u, Basic) and u.name in ("string", "untyped string"):
            return Basic("byte")
        if isinstance(u, Func):  # generic function instantiation f[T]
            return u
        return UNKNOWN

    def _call(self, node: Node) -> Type:
        fn = node.child_by_field_name(kinds.F_FUNCTION)
        args = node.child_by_field_name(kinds.F_ARGUMENTS)
        if fn is None:
            return UNKNOWN
        fn = _unparen(fn)
        arg_nodes = [a for a in (args.named_children if args is not None else []) if a.type != kinds.COMMENT]
        if fn.type == kinds.IDENTIFIER:
            obj = self._pkg.scopes.resolve(fn)
            if obj is None:
                return UNKNOWN
            if obj.kind is ObjKind.BUILTIN:
                return self._builtin_call(obj.name, arg_nodes)
            if obj.kind is ObjKind.TYPE:  # conversion T(x)
                return self._named_type(fn)
        elif fn.type in (kinds.SLICE_TYPE, kinds.MAP_TYPE, kinds.POINTER_TYPE, kinds.ARRAY_TYPE,
                         kinds.CHANNEL_TYPE, kinds.FUNCTION_TYPE, kinds.QUALIFIED_TYPE, kinds.GENERIC_TYPE):
            return self.type_from_expr(fn)
        elif fn.type == kinds.SELECTOR_EXPRESSION:
            q = self.qualified(fn)
            if q is not None:
                std = stdlib.func_results(*q)
                if std is not None:
                    return std
                if q in stdlib.STD_TYPES:
                    return Named(*q)
                return UNKNOWN
            operand = fn.child_by_field_name(kinds.F_OPERAND)
            name_node = fn.child_by_field_name(kinds.F_FIELD)
            if operand is not None and name_node is not None:
                recv = self.deref(self.type_of(operand))
                if isinstance(recv, Named) and recv.pkg:
                    results = stdlib.STD_METHODS.get((recv.pkg, recv.name, self._pkg.text(name_node)))
                    if results is not None:
                        return results[0] if len(results) == 1 else Tuple(results)
        ft = self.underlying(self.type_of(fn))
        if isinstance(ft, Func):
            if len(ft.results) == 1:
                return ft.results[0]
            return Tuple(ft.results) if ft.results else UNKNOWN
        return UNKNOWN

    def _builtin_call(self, name: str, args: list[Node]) -> Type:
        value = _value_of(self._pkg, args[0]) if name == "new" and args else None
        if value is not None:  # Go 1.26: new(expr)
            t = self.obj_type(value) if isinstance(value, Obj) else self.type_of(value)
            return Pointer(_default_type(t))
        if name in ("make", "new") and args:
            t = self.type_from_expr(args[0])
            return Pointer(t) if name == "new" else t
        if name in ("len", "cap", "copy"):
            return INT
        if name == "append" and args:
            return self.type_of(args[0])
        if name in ("min", "max") and args:
            for a in args:
                t = self.type_of(a)
                if not (isinstance(t, Basic) and t.name.startswith("untyped")):
                    return t
            return self.type_of(args[0])
        if name == "string":
            return STRING
        if name in ("real", "imag"):
            return Basic("float64")
        return UNKNOWN

    def _unary(self, node: Node) -> Type:
        operand = node.child_by_field_name(kinds.F_OPERAND)
        op = node.child_by_field_name(kinds.F_OPERATOR)
        if operand is None:
            return UNKNOWN
        t = self.type_of(operand)
        sym = self._pkg.text(op) if op is not None else ""
        if sym == "&":
            return Pointer(t) if t is not UNKNOWN else UNKNOWN
        if sym == "*":
            u = self.underlying(t)
            return u.elem if isinstance(u, Pointer) else UNKNOWN
        if sym == "<-":
            u = self.underlying(t)
            return u.elem if isinstance(u, Chan) else UNKNOWN
        if sym == "!":
            return BOOL
        return t

    def _binary(self, node: Node) -> Type:
        op = node.child_by_field_name(kinds.F_OPERATOR)
        sym = self._pkg.text(op) if op is not None else ""
        if sym in _COMPARISONS:
            return UNTYPED_BOOL
        left = node.child_by_field_name(kinds.F_LEFT)
        right = node.child_by_field_name(kinds.F_RIGHT)
        lt = self.type_of(left) if left is not None else UNKNOWN
        if sym in ("<<", ">>"):
            return lt
        rt = self.type_of(right) if right is not None else UNKNOWN
        if isinstance(lt, Basic) and lt.name.startswith("untyped"):
            if rt is UNKNOWN:
                return UNKNOWN  # `2 * time.Second`: the other operand's type decides, and it is not known
            if not (isinstance(rt, Basic) and rt.name.startswith("untyped")):
                return rt
            return UNTYPED_FLOAT if UNTYPED_FLOAT in (lt, rt) else lt
        return lt

    def _range_var_type(self, clause: Node, index: int) -> Type:
        right = clause.child_by_field_name(kinds.F_RIGHT)
        if right is None:
            return UNKNOWN
        t = self.type_of(right)
        u = self.underlying(t)
        if isinstance(u, Pointer):
            u = self.underlying(u.elem)
        if isinstance(u, Map):
            return u.key if index == 0 else u.elem
        if isinstance(u, (Slice, Array)):
            return INT if index == 0 else u.elem
        if isinstance(u, Basic):
            if u.name in ("string", "untyped string"):
                return INT if index == 0 else Basic("rune")
            if u.name.startswith("untyped"):
                return INT
            return u
        if isinstance(u, Chan):
            return u.elem
        return UNKNOWN

    def _multi_value(self, value: Node, index: int) -> Type:
        """`v, ok := m[k]`, `x, ok := y.(T)`, `v, ok := <-ch`, `a, b := f()`."""
        t = self.type_of(value)
        if isinstance(t, Tuple):
            return t.items[index] if index < len(t.items) else UNKNOWN
        inner = _unparen(value)
        if inner.type in (kinds.INDEX_EXPRESSION, kinds.TYPE_ASSERTION_EXPRESSION, kinds.UNARY_EXPRESSION):
            return t if index == 0 else BOOL
        return UNKNOWN

    def _import_of(self, node: Node) -> str | None:
        if node.type != kinds.IDENTIFIER:
            return None
        obj = self._pkg.scopes.resolve(node)
        if obj is not None and obj.kind is ObjKind.IMPORT:
            return obj.import_path
        return None

    def file_of(self, node: Node) -> SourceFile:
        return self._pkg.file_of(node)


def _unparen(node: Node) -> Node:
    while node.type in _PASSTHROUGH and node.named_children:
        node = node.named_children[0]
    return node


def unparen(node: Node) -> Node:
    """`((x))` -> `x`."""
    return _unparen(node)


# Syntax that can only be a type: `new(T)` (anything else in `new(...)` is Go 1.26's `new(expr)`).
_TYPE_SYNTAX = frozenset({
    kinds.TYPE_IDENTIFIER, kinds.QUALIFIED_TYPE, kinds.GENERIC_TYPE, kinds.POINTER_TYPE, kinds.SLICE_TYPE,
    kinds.ARRAY_TYPE, kinds.IMPLICIT_LENGTH_ARRAY_TYPE, kinds.MAP_TYPE, kinds.CHANNEL_TYPE, kinds.STRUCT_TYPE,
    kinds.INTERFACE_TYPE, kinds.FUNCTION_TYPE, kinds.PARENTHESIZED_TYPE, kinds.NEGATED_TYPE,
})


def _value_of(pkg: Package, arg: Node) -> Node | Obj | None:
    """`new`'s argument when it is an expression, not a type: any non-type syntax (`new(1)`, parsed
    from Go 1.26 code after golinter/newexpr.py's respelling), or the variable or constant a name
    resolves to (`new(x)` parses as `new(T)`, x a type_identifier); None for a type."""
    if arg.type not in (kinds.TYPE_IDENTIFIER, kinds.IDENTIFIER):
        return arg if arg.type not in _TYPE_SYNTAX else None
    obj = pkg.scopes.resolve(arg)
    return obj if obj is not None and obj.kind in (ObjKind.VAR, ObjKind.CONST) else None


def _default_type(t: Type) -> Type:
    """The type a variable gets from an untyped constant (`x := 1` is int)."""
    if isinstance(t, Basic):
        return {
            "untyped int": INT, "untyped float": Basic("float64"), "untyped rune": Basic("rune"),
            "untyped string": STRING, "untyped bool": BOOL,
        }.get(t.name, t)
    return t


def _embedded_name(t: Type) -> str:
    if isinstance(t, Pointer):
        t = t.elem
    if isinstance(t, Named):
        return t.name
    return "?"
