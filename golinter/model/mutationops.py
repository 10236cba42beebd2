"""Which operation one occurrence of a storage is: the classification of model/mutations.py.

`classify(pkg, expr, key)` reads the context of `expr` (an identifier or selector whose storage is
`key`) and returns its Op with a detail string; the table of Go shapes is in mutations.py's
docstring. `is_initialisation` says when `M = v` sets M up rather than replacing it (in func init(),
on a struct made in the same function, under `if M == nil {`). Calls that only read their argument,
and the std functions that delete from or compact a collection, are the tables below.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.mutationfacts import Op
from golinter.model.scopes import ObjKind
from golinter.model.typelite import unparen

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package
    from golinter.model.storage import StorageKey


# Calls that only read their map/slice argument.
_READER_BUILTINS = frozenset({"len", "cap", "print", "println", "min", "max"})
_READER_FUNCS = frozenset({
    ("fmt", "*"), ("log", "*"), ("encoding/json", "Marshal"), ("encoding/json", "MarshalIndent"),
    ("maps", "Keys"), ("maps", "Values"), ("maps", "All"), ("maps", "Clone"), ("maps", "Equal"),
    ("slices", "Clone"), ("slices", "Contains"), ("slices", "Index"), ("slices", "IndexFunc"),
    ("slices", "ContainsFunc"), ("slices", "Sorted"), ("slices", "Collect"), ("slices", "Values"),
    ("slices", "All"), ("slices", "Equal"), ("slices", "Max"), ("slices", "Min"),
    ("slices", "BinarySearch"), ("slices", "BinarySearchFunc"), ("strings", "Join"),
})
_DELETERS = frozenset({("maps", "DeleteFunc")})
_SLICE_REMOVERS = frozenset({"Delete", "DeleteFunc", "Compact", "CompactFunc"})  # package slices
_INIT_LITERALS = frozenset({kinds.COMPOSITE_LITERAL})
COMPARISON_OPS = frozenset({"<", "<=", ">", ">=", "==", "!="})


def classify(pkg: Package, expr: Node, key: StorageKey) -> tuple[Op, str]:
    """The operation `expr` (an occurrence of storage `key`) performs, and its detail."""
    node = outer_parens(expr)
    parent = node.parent
    if parent is None:
        return Op.READ, ""
    t = parent.type
    if t == kinds.INDEX_EXPRESSION and parent.child_by_field_name(kinds.F_OPERAND) == node:
        return _indexed(pkg, parent)
    if t == kinds.SLICE_EXPRESSION and parent.child_by_field_name(kinds.F_OPERAND) == node:
        return _sliced(pkg, parent, key)
    if t == kinds.ARGUMENT_LIST:
        return _argument(pkg, node, parent, key)
    if t == kinds.EXPRESSION_LIST:
        return _listed(pkg, node, parent, key)
    if t == kinds.RANGE_CLAUSE and parent.child_by_field_name(kinds.F_RIGHT) == node:
        left = parent.child_by_field_name(kinds.F_LEFT)
        names = left.named_children if left is not None else []
        bound = bool(names) and pkg.text(names[0]) != "_"
        return (Op.RANGE_KEYS if bound else Op.READ), ""
    if t in (kinds.INC_STATEMENT, kinds.DEC_STATEMENT):
        return Op.INC, ""
    if t == kinds.UNARY_EXPRESSION:
        op = parent.child_by_field_name(kinds.F_OPERATOR)
        if op is None or pkg.text(op) != "&":
            return Op.READ, ""
        return (Op.INC, "atomic") if _is_atomic_add(pkg, parent) else (Op.ESCAPE, "address")
    if t == kinds.SELECTOR_EXPRESSION and parent.child_by_field_name(kinds.F_OPERAND) == node:
        return Op.ESCAPE, "selector"  # a method on a named map/slice type, or a field path
    if t in (kinds.SEND_STATEMENT, kinds.LITERAL_ELEMENT, kinds.RETURN_STATEMENT):
        if t == kinds.SEND_STATEMENT and parent.child_by_field_name(kinds.F_CHANNEL) == node:
            return Op.READ, ""
        keyed = parent.parent
        if t == kinds.LITERAL_ELEMENT and keyed is not None and keyed.type == kinds.KEYED_ELEMENT \
                and keyed.named_children and keyed.named_children[0] == parent:
            return Op.READ, "literal-key"
        return Op.ESCAPE, t
    return Op.READ, ""


def _is_atomic_add(pkg: Package, address: Node) -> bool:
    """`atomic.AddInt64(&s.seq, 1)`."""
    arglist = outer_parens(address).parent
    call = arglist.parent if arglist is not None and arglist.type == kinds.ARGUMENT_LIST else None
    fn = call.child_by_field_name(kinds.F_FUNCTION) if call is not None else None
    q = pkg.types.qualified(fn) if fn is not None else None
    return q is not None and q[0] == "sync/atomic" and q[1].startswith("Add")


def _indexed(pkg: Package, index: Node) -> tuple[Op, str]:
    """`M[k] = v`, `M[k]++`, `v, ok := M[k]`, `M[i] = nil` (which also zeroes a slice slot)."""
    node = outer_parens(index)
    parent = node.parent
    if parent is None:
        return Op.READ, ""
    if parent.type in (kinds.INC_STATEMENT, kinds.DEC_STATEMENT):
        return Op.INSERT, ""
    if parent.type == kinds.SELECTOR_EXPRESSION and _is_slice_of(pkg, index):
        return _element_field(pkg, parent)
    if parent.type == kinds.EXPRESSION_LIST:
        stmt = parent.parent
        if stmt is None:
            return Op.READ, ""
        if stmt.type == kinds.ASSIGNMENT_STATEMENT and stmt.child_by_field_name(kinds.F_LEFT) == parent:
            value = _paired_value(stmt, parent, node)
            if value is not None and _is_zero_value(pkg, value):
                return Op.ZERO if _is_slice_of(pkg, index) else Op.INSERT, "nil" \
                    if unparen(value).type == kinds.NIL else "zero"
            return Op.INSERT, ""
        right_fields = (stmt.child_by_field_name(kinds.F_RIGHT), stmt.child_by_field_name(kinds.F_VALUE))
        if parent in right_fields and len(parent.named_children) == 1:
            left = stmt.child_by_field_name(kinds.F_LEFT)
            names = len(left.named_children) if left is not None else \
                len(stmt.children_by_field_name(kinds.F_NAME))
            if names == 2:
                return Op.COMMA_OK, ""
    return Op.READ, ""


def _element_field(pkg: Package, selector: Node) -> tuple[Op, str]:
    """`s[i].next = nil`: the element's pointer field is cleared (ZERO), else a READ."""
    exprs = outer_parens(selector).parent
    stmt = exprs.parent if exprs is not None else None
    if stmt is not None and stmt.type == kinds.ASSIGNMENT_STATEMENT and exprs is not None \
            and stmt.child_by_field_name(kinds.F_LEFT) == exprs:
        value = _paired_value(stmt, exprs, outer_parens(selector))
        if value is not None and _is_zero_value(pkg, value):
            return Op.ZERO, "field"
    return Op.READ, ""


def _is_slice_of(pkg: Package, index: Node) -> bool:
    from golinter.model.types import Array, Slice
    operand = index.child_by_field_name(kinds.F_OPERAND)
    if operand is None:
        return False
    return isinstance(pkg.types.underlying(pkg.types.type_of(operand)), (Slice, Array))


def _sliced(pkg: Package, slice_expr: Node, key: StorageKey) -> tuple[Op, str]:
    """`M = M[i:j]`, `M = append(M[:i], M[i+1:]...)`, `clear(M[n:])`."""
    node = outer_parens(slice_expr)
    parent = node.parent
    if parent is None:
        return Op.READ, ""
    if parent.type == kinds.EXPRESSION_LIST:
        stmt = parent.parent
        if stmt is not None and stmt.type == kinds.ASSIGNMENT_STATEMENT and \
                stmt.child_by_field_name(kinds.F_RIGHT) == parent and _assigns_back(pkg, stmt, key):
            return Op.RESLICE, "reslice"
        return Op.ESCAPE, "copied"
    arglist = parent if parent.type == kinds.ARGUMENT_LIST else (
        parent.parent if parent.type == kinds.VARIADIC_ARGUMENT else None)
    if arglist is None:
        return Op.READ, ""
    call = arglist.parent
    fn = call.child_by_field_name(kinds.F_FUNCTION) if call is not None else None
    if call is None or fn is None:
        return Op.READ, ""
    if pkg.scopes.is_builtin(fn, "clear"):
        return Op.ZERO, "clear"
    if pkg.scopes.is_builtin(fn, "append") or pkg.scopes.is_builtin(fn, "copy"):
        result = outer_parens(call).parent
        stmt = result.parent if result is not None and result.type == kinds.EXPRESSION_LIST else None
        if stmt is not None and stmt.type == kinds.ASSIGNMENT_STATEMENT and _assigns_back(pkg, stmt, key):
            return Op.RESLICE, "append"
        if pkg.scopes.is_builtin(fn, "copy"):
            return Op.RESLICE, "copy"  # copy(s[i:], s[i+1:]): a removal in progress
        return Op.READ, ""
    return Op.READ, ""


def _assigns_back(pkg: Package, stmt: Node, key: StorageKey) -> bool:
    left = stmt.child_by_field_name(kinds.F_LEFT)
    targets = left.named_children if left is not None else []
    return any(pkg.storage.key(t) == key for t in targets)


def _argument(pkg: Package, node: Node, arglist: Node, key: StorageKey) -> tuple[Op, str]:
    call = arglist.parent
    fn = call.child_by_field_name(kinds.F_FUNCTION) if call is not None else None
    if call is None or fn is None:
        return Op.ESCAPE, "call"
    scopes = pkg.scopes
    args = [a for a in arglist.named_children if a.type != kinds.COMMENT]
    first = bool(args) and args[0] == node
    if scopes.is_builtin(fn, "delete") and first:
        return Op.DELETE, ""
    if scopes.is_builtin(fn, "clear"):
        return Op.CLEAR, ""
    if scopes.is_builtin(fn, "len"):
        return (Op.LEN_BOUND if _in_comparison(pkg, call) else Op.LEN), ""
    if scopes.is_builtin(fn, "append"):
        if first and _assigns_back_from(pkg, call, key):
            return Op.APPEND, ""
        return (Op.READ, "") if not first else (Op.ESCAPE, "append")
    if scopes.is_builtin(fn, "copy"):
        return (Op.READ, "") if not first else (Op.ZERO, "copy")
    if fn.type == kinds.IDENTIFIER and any(scopes.is_builtin(fn, b) for b in _READER_BUILTINS):
        return Op.READ, ""
    q = pkg.types.qualified(fn)
    if q is not None:
        if q in _DELETERS and first:
            return Op.DELETE, ""
        if q[0] == "slices" and q[1] in _SLICE_REMOVERS and first:
            return (Op.RESLICE, q[1]) if _assigns_back_from(pkg, call, key) else (Op.ESCAPE, "call")
        if q in _READER_FUNCS or (q[0], "*") in _READER_FUNCS:
            return Op.READ, ""
    return Op.ESCAPE, "call"


def _assigns_back_from(pkg: Package, call: Node, key: StorageKey) -> bool:
    result = outer_parens(call).parent
    stmt = result.parent if result is not None and result.type == kinds.EXPRESSION_LIST else None
    return stmt is not None and stmt.type == kinds.ASSIGNMENT_STATEMENT and \
        stmt.child_by_field_name(kinds.F_RIGHT) == result and _assigns_back(pkg, stmt, key)


def _listed(pkg: Package, node: Node, exprs: Node, key: StorageKey) -> tuple[Op, str]:
    """`M = v` (M on the left), or M on the right of an assignment or declaration."""
    stmt = exprs.parent
    if stmt is None:
        return Op.READ, ""
    if stmt.type == kinds.ASSIGNMENT_STATEMENT and stmt.child_by_field_name(kinds.F_LEFT) == exprs:
        op_node = stmt.child_by_field_name(kinds.F_OPERATOR)
        op = pkg.text(op_node) if op_node is not None else "="
        value = _paired_value(stmt, exprs, node)
        if op in ("+=", "-=") and not pkg.types.is_string(pkg.types.type_of(node)):
            return Op.INC, ""  # `url += "/"` is a new string, not a count
        if op != "=":
            return Op.REPLACE, op
        shape = _value_shape(pkg, value, key) if value is not None else ""
        if shape == "append":
            return Op.APPEND, ""
        if shape:
            return Op.RESLICE, shape
        if is_initialisation(pkg, node, key):
            return Op.INIT, ""
        return Op.REPLACE, ""
    if stmt.type == kinds.RETURN_STATEMENT:
        return Op.ESCAPE, "return"
    if stmt.type in (kinds.ASSIGNMENT_STATEMENT, kinds.SHORT_VAR_DECLARATION, kinds.VAR_SPEC):
        # `m := s.items` is followed by storage identity when it is a plain copy; else it escapes
        left = stmt.child_by_field_name(kinds.F_LEFT)
        targets = left.named_children if left is not None else stmt.children_by_field_name(kinds.F_NAME)
        idents = [t for t in targets if t.type == kinds.IDENTIFIER]
        if len(idents) == 1 and len(targets) == 1 and pkg.storage.key(idents[0]) == key:
            return Op.READ, f"copy:{pkg.text(idents[0])}"
        return Op.ESCAPE, "copied"
    return Op.READ, ""


def _value_shape(pkg: Package, value: Node, key: StorageKey) -> str:
    """For `M = value`: "append" for `append(M, ...)`; "reslice" for `M[i:j]`; "append-remove"
    for `append(M[:i], M[j:]...)`; the slices function for `slices.Delete(M, ...)`; else ""."""
    v = unparen(value)
    if v.type == kinds.SLICE_EXPRESSION:
        operand = v.child_by_field_name(kinds.F_OPERAND)
        return "reslice" if operand is not None and pkg.storage.key(operand) == key else ""
    if v.type != kinds.CALL_EXPRESSION:
        return ""
    fn = v.child_by_field_name(kinds.F_FUNCTION)
    args = v.child_by_field_name(kinds.F_ARGUMENTS)
    first = next((a for a in (args.named_children if args is not None else []) if a.type != kinds.COMMENT), None)
    if fn is None or first is None:
        return ""
    first = unparen(first)
    if pkg.scopes.is_builtin(fn, "append"):
        if first.type == kinds.SLICE_EXPRESSION:
            operand = first.child_by_field_name(kinds.F_OPERAND)
            return "append-remove" if operand is not None and pkg.storage.key(operand) == key else ""
        return "append" if pkg.storage.key(first) == key else ""
    q = pkg.types.qualified(fn)
    if q is not None and q[0] == "slices" and q[1] in _SLICE_REMOVERS and pkg.storage.key(first) == key:
        return q[1]
    return ""


def is_initialisation(pkg: Package, target: Node, key: StorageKey) -> bool:
    """`func init() { m = ... }`; `c := &Cache{}; c.items = ...`; `if s.m == nil { s.m = ... }`."""
    top = pkg.top_level(target)
    if top.type == kinds.FUNCTION_DECLARATION:
        name = top.child_by_field_name(kinds.F_NAME)
        if name is not None and pkg.text(name) == "init":
            return True
    if target.type == kinds.SELECTOR_EXPRESSION and _made_here(pkg, target):
        return True
    return _under_nil_check(pkg, target, key)


def _made_here(pkg: Package, selector: Node) -> bool:
    root = selector
    while root.type == kinds.SELECTOR_EXPRESSION:
        operand = root.child_by_field_name(kinds.F_OPERAND)
        if operand is None:
            return False
        root = unparen(operand)
    if root.type != kinds.IDENTIFIER:
        return False
    obj = pkg.scopes.resolve(root)
    if obj is None or obj.kind is not ObjKind.VAR or obj.package_level:
        return False
    if obj.value is None:
        return obj.decl is not None and obj.decl.type == kinds.VAR_SPEC and obj.type_node is not None
    value = unparen(obj.value)
    if value.type == kinds.UNARY_EXPRESSION:
        inner = value.child_by_field_name(kinds.F_OPERAND)
        value = unparen(inner) if inner is not None else value
    if value.type in _INIT_LITERALS:
        return True
    if value.type == kinds.CALL_EXPRESSION:
        fn = value.child_by_field_name(kinds.F_FUNCTION)
        return fn is not None and pkg.scopes.is_builtin(fn, "new")
    return False


def _under_nil_check(pkg: Package, target: Node, key: StorageKey) -> bool:
    node = target.parent
    while node is not None and node.type not in kinds.FUNCTION_KINDS:
        if node.type == kinds.IF_STATEMENT:
            cond = node.child_by_field_name(kinds.F_CONDITION)
            if cond is not None and cond.type == kinds.BINARY_EXPRESSION:
                op = cond.child_by_field_name(kinds.F_OPERATOR)
                left = cond.child_by_field_name(kinds.F_LEFT)
                right = cond.child_by_field_name(kinds.F_RIGHT)
                if op is not None and pkg.text(op) == "==" and left is not None and right is not None \
                        and unparen(right).type == kinds.NIL and pkg.storage.key(left) == key:
                    return True
        node = node.parent
    return False


def outer_parens(node: Node) -> Node:
    """The outermost parenthesised expression around `node`."""
    while node.parent is not None and node.parent.type == kinds.PARENTHESIZED_EXPRESSION:
        node = node.parent
    return node


def _paired_value(stmt: Node, left: Node, target: Node) -> Node | None:
    """In `a, b = x, y`, the value assigned to `target`."""
    right = stmt.child_by_field_name(kinds.F_RIGHT)
    lefts = [c for c in left.named_children if c.type != kinds.COMMENT]
    rights = [c for c in (right.named_children if right is not None else []) if c.type != kinds.COMMENT]
    if len(lefts) != len(rights):
        return None
    for lhs, rhs in zip(lefts, rights):
        if lhs == target:
            return rhs
    return None


def _is_zero_value(pkg: Package, value: Node) -> bool:
    """`nil`, `""`, `T{}`, `*new(T)`, or a `var zero T` declared without a value."""
    v = unparen(value)
    if v.type == kinds.NIL:
        return True
    if v.type in kinds.STRING_LITERAL_KINDS:
        return pkg.text(v) in ('""', "``")
    if v.type == kinds.COMPOSITE_LITERAL:
        body = v.child_by_field_name(kinds.F_BODY)
        return body is not None and not body.named_children
    if v.type == kinds.IDENTIFIER:
        obj = pkg.scopes.resolve(v)
        return obj is not None and obj.kind is ObjKind.VAR and obj.value is None and obj.type_node is not None \
            and obj.decl is not None and obj.decl.type == kinds.VAR_SPEC
    if v.type == kinds.UNARY_EXPRESSION:
        inner = v.child_by_field_name(kinds.F_OPERAND)
        op = v.child_by_field_name(kinds.F_OPERATOR)
        if inner is not None and op is not None and pkg.text(op) == "*" and unparen(inner).type == kinds.CALL_EXPRESSION:
            fn = unparen(inner).child_by_field_name(kinds.F_FUNCTION)
            return fn is not None and pkg.scopes.is_builtin(fn, "new")
    return False


def _in_comparison(pkg: Package, call: Node) -> bool:
    """`len(M) >= max`, `if len(M) < limit`: the package bounds M."""
    node = outer_parens(call)
    parent = node.parent
    while parent is not None and parent.type == kinds.BINARY_EXPRESSION:
        op = parent.child_by_field_name(kinds.F_OPERATOR)
        if op is not None and pkg.text(op) in COMPARISON_OPS:
            return True
        parent = parent.parent
    return False
