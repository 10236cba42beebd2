"""Values that stay in one loop iteration: `is_iteration_local(pkg, call, loop)` for model/taint.py.

`m := make(...)` in a loop's body is iteration-local when every use of m is `m[k]`, `range m`,
`len`/`delete`/`clear` of m or assigning m anew, outside any func literal (a capture).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.bounds import call_args, exprs
from golinter.model.scopes import ObjKind

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package
    from golinter.model.scopes import Obj


def is_iteration_local(pkg: Package, call: Node, loop: Node) -> bool:
    """`m := make(...)` in `loop`'s body where every use of m is `m[k]`, `range m`, or
    `len`/`delete`/`clear` of m, outside any func literal: nothing keeps m past the iteration."""
    obj = _assigned_local(pkg, call)
    body = loop.child_by_field_name(kinds.F_BODY)
    if obj is None or obj.ident is None or body is None:
        return False
    if not body.start_byte <= obj.ident.start_byte < body.end_byte:
        return False
    from golinter.parse import walk_named
    for node in walk_named(body):
        if node.type != kinds.IDENTIFIER or pkg.text(node) != obj.name or node == obj.ident:
            continue
        if pkg.scopes.resolve(node) != obj:
            continue
        if not _local_use(pkg, node, body):
            return False
    return True


def _assigned_local(pkg: Package, call: Node) -> Obj | None:
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
        if stmt.type == kinds.ASSIGNMENT_STATEMENT and (op is None or pkg.text(op) != "="):
            return None
        targets = exprs(stmt.child_by_field_name(kinds.F_LEFT))
    elif stmt.type == kinds.VAR_SPEC:
        targets = stmt.children_by_field_name(kinds.F_NAME)
    else:
        return None
    if len(targets) != len(exprs(values)) or position < 0 or targets[position].type != kinds.IDENTIFIER:
        return None
    obj = pkg.scopes.resolve(targets[position])
    if obj is None or obj.kind is not ObjKind.VAR or obj.package_level:
        return None
    return obj


def _local_use(pkg: Package, ident: Node, body: Node) -> bool:
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
            return any(pkg.scopes.is_builtin(fn, b) for b in ("len", "delete", "clear"))
    return False
