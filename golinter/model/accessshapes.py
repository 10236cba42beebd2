"""Access shapes: how a map expression is reached and used, for the lock summaries
(model/locksets.py).

- `atomic_load(pkg, expr)`: the map is a snapshot loaded from an `atomic.Value`/`atomic.Pointer`
  (`m := c.table.Load().(map[K]V)`), through one variable not assigned again before the use;
- `through_slice(pkg, expr)`: the map is an element of a slice or array (`shards[i][k]`), whose
  owner the model cannot tell;
- `map_use(src, node)`: indexed, ranged over or measured: a use that hands the map to nobody;
- `is_assigned(index)`: `m[k] = v`, `m[k] += v`, `m[k]++`;
- `address_of(pkg, arg)`: `&m` -> m; `returned_values(ret)`: the expressions a return lists;
- `PURE_BUILTINS`: builtins (as source bytes) that neither lock nor hand a map away.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.occurrences import may_assign
from golinter.model.scopes import ObjKind
from golinter.model.typelite import unparen
from golinter.model.types import Array, Map, Named, Pointer, Slice

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package
    from golinter.model.scopes import Obj


def atomic_load(pkg: Package, expr: Node) -> Node | None:
    """`m := c.table.Load().(map[string]int)`, `(*c.ptr.Load())[k]`: the map is a snapshot published
    through an atomic.Value or atomic.Pointer; the Load call, else None."""
    e = unparen(expr)
    for _ in range(4):  # through one variable, a type assertion and a dereference, in any order
        if e.type == kinds.IDENTIFIER:
            obj = pkg.scopes.resolve(e)
            if obj is None or obj.kind is not ObjKind.VAR or obj.value is None or obj.package_level \
                    or obj.value.type == kinds.RANGE_CLAUSE or obj.value_index != 0 or _assigned_again(pkg, obj, e):
                return None
            e = unparen(obj.value)
        elif e.type == kinds.TYPE_ASSERTION_EXPRESSION:
            inner = e.child_by_field_name(kinds.F_OPERAND)
            if inner is None:
                return None
            e = unparen(inner)
        elif e.type == kinds.UNARY_EXPRESSION:
            op = e.child_by_field_name(kinds.F_OPERATOR)
            inner = e.child_by_field_name(kinds.F_OPERAND)
            if op is None or inner is None or pkg.text(op) != "*":
                return None
            e = unparen(inner)
        else:
            break
    if e.type != kinds.CALL_EXPRESSION:
        return None
    fn = e.child_by_field_name(kinds.F_FUNCTION)
    if fn is None or fn.type != kinds.SELECTOR_EXPRESSION:
        return None
    name = fn.child_by_field_name(kinds.F_FIELD)
    operand = fn.child_by_field_name(kinds.F_OPERAND)
    if name is None or operand is None or pkg.text(name) != "Load":
        return None
    t = pkg.types.deref(pkg.types.type_of(operand))
    return e if isinstance(t, Named) and t.pkg == "sync/atomic" and t.name in ("Value", "Pointer") else None


def _assigned_again(pkg: Package, obj: Obj, use: Node) -> bool:
    """The variable is assigned again between its declaration and `use` (`v = make(...)` after
    `v, _ := c.versions.Load().(versionMap)`): its value there may not be the load's."""
    from golinter.model.package import enclosing_function
    func = enclosing_function(use)
    if func is None or obj.decl is None or obj.ident is None:
        return True
    src = pkg.file_of(use).src
    # between the declaration and the use (a loop bringing a later assignment round is not seen)
    return may_assign(src, src[obj.ident.start_byte:obj.ident.end_byte], obj.decl.end_byte, use.start_byte)


PURE_BUILTINS = frozenset({b"len", b"cap", b"delete", b"clear", b"append", b"copy", b"min", b"max",
                            b"make", b"new"})


def map_use(src: bytes, node: Node) -> bool:
    """The map expression is indexed, ranged over or measured (`m[k]`, `range m`, `len(m)`,
    `delete(m, k)`, `clear(m)`): a use that does not hand the map to anyone."""
    parent = node.parent
    while parent is not None and parent.type == kinds.PARENTHESIZED_EXPRESSION:
        node, parent = parent, parent.parent
    if parent is None:
        return False
    if parent.type == kinds.INDEX_EXPRESSION and parent.child_by_field_name(kinds.F_OPERAND) == node:
        return True
    if parent.type == kinds.RANGE_CLAUSE and parent.child_by_field_name(kinds.F_RIGHT) == node:
        return True
    if parent.type == kinds.ARGUMENT_LIST and parent.parent is not None:
        fn = parent.parent.child_by_field_name(kinds.F_FUNCTION)
        return fn is not None and fn.type == kinds.IDENTIFIER and src[fn.start_byte:fn.end_byte] in (b"len", b"delete", b"clear")
    return False


def returned_values(ret: Node) -> list[Node]:
    out: list[Node] = []
    for c in ret.named_children:
        if c.type == kinds.EXPRESSION_LIST:
            out += [e for e in c.named_children if e.type != kinds.COMMENT]
        elif c.type != kinds.COMMENT:
            out.append(c)
    return out


def is_assigned(index: Node) -> bool:
    """`m[k] = v`, `m[k] += v`, `m[k]++`: the index expression is an assignment target."""
    parent = index.parent
    while parent is not None and parent.type == kinds.PARENTHESIZED_EXPRESSION:
        index, parent = parent, parent.parent
    if parent is None:
        return False
    if parent.type in (kinds.INC_STATEMENT, kinds.DEC_STATEMENT):
        return True
    if parent.type == kinds.EXPRESSION_LIST:
        stmt = parent.parent
        return stmt is not None and stmt.type == kinds.ASSIGNMENT_STATEMENT \
            and stmt.child_by_field_name(kinds.F_LEFT) == parent
    return False


def address_of(pkg: Package, arg: Node) -> Node | None:
    """`&m` -> m."""
    arg = unparen(arg)
    if arg.type != kinds.UNARY_EXPRESSION:
        return None
    op = arg.child_by_field_name(kinds.F_OPERATOR)
    inner = arg.child_by_field_name(kinds.F_OPERAND)
    if op is None or inner is None or pkg.text(op) != "&":
        return None
    return unparen(inner)


def through_slice(pkg: Package, expr: Node) -> bool:
    """`shards[i]`, `s.workers[i].seen`: the map is an element (or inside one) of a slice/array."""
    node = unparen(expr)
    types = pkg.types
    for _ in range(12):
        t = node.type
        if t == kinds.INDEX_EXPRESSION:
            inner = node.child_by_field_name(kinds.F_OPERAND)
            if inner is None:
                return False
            u = types.underlying(types.type_of(inner))
            if isinstance(u, Pointer):
                u = types.underlying(u.elem)
            if isinstance(u, (Slice, Array)) or not isinstance(u, Map):
                return True
            node = unparen(inner)
        elif t == kinds.SELECTOR_EXPRESSION or t == kinds.UNARY_EXPRESSION:
            inner = node.child_by_field_name(kinds.F_OPERAND)
            if inner is None:
                return False
            node = unparen(inner)
        else:
            return False
    return False
