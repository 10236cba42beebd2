"""Co-held elements: a slice whose every element is also kept by a map that nothing prunes.

    statuses := map[string]*node{}                  // never deleted from
    roots := []*node{}
    ...
    statuses[name] = n                             // n goes into the map...
    roots = append(roots, n)                       // ...and, next to it, into the slice
    ...
    roots = append(roots[:i], roots[i+1:]...)      // removal: the map still holds roots[i]

Zeroing the dropped slot of `roots` would free nothing: the map keeps the element as long as
the slice's array does. `kept_by_map(pkg, key)` answers this for the storage of a local or
package-level slice (a field's elements may come from any composite literal of its type: not
answered). It holds only when:
- every way an element enters the slice is `s = append(s, x)` (one identifier, no spread) or a
  declaration or reset to an empty value (nil, `T{}`, `make(T)`/`make(T, 0)`); any other use
  that may add elements (an index assignment, a replacement, its address taken, a method on it,
  storing it elsewhere) answers no. Passing it to a call is not one: the callee gets a copy of
  the header and cannot grow it;
- each such `x` is put into a map (as its key or value) by a statement of the same statement
  list, or one after the `if`/`switch` the append is nested in, with nothing between the two
  that may leave the path (removals.may_jump) or assign x;
- that map is never pruned (mutations.is_pruned: no delete, clear, replacement or escape), and
  lives at least as long as the slice: a package variable, or for a local slice a local
  declared in the slice's block or an enclosing one.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model import occurrences
from golinter.model.mutations import Mutations, Op, Use
from golinter.model.removals import appends_one, may_jump
from golinter.model.storage import StorageKey
from golinter.model.typelite import unparen

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package

# Uses that take elements out, read them, or put none in.
_NO_ELEMENTS = frozenset({Op.READ, Op.RESLICE, Op.ZERO, Op.LEN, Op.LEN_BOUND, Op.RANGE_KEYS, Op.COMMA_OK})
# Escapes that hand out a copy of the slice header (an argument, `append(t, s...)`): the other
# side cannot grow this slice, only overwrite its slots, which code rarely does with new values.
_COPIES_HEADER = frozenset({"call", "append"})


def kept_by_map(pkg: Package, key: StorageKey) -> StorageKey | None:
    """The map that keeps every element of the slice `key` (module docstring), or None."""
    if key.path or not (key.is_package_var or key.root.startswith("local:")):
        return None
    declared = pkg.storage.declaring_ident(key)
    obj = pkg.scopes.resolve(declared) if declared is not None else None
    if declared is None or obj is None or obj.decl is None or obj.value_count != 1 \
            or obj.decl.type in (kinds.PARAMETER_DECLARATION, kinds.VARIADIC_PARAMETER_DECLARATION) \
            or (obj.value is not None and not _empty(pkg, obj.value)):
        return None  # a parameter holds the caller's elements
    keeper: StorageKey | None = None
    for use in Mutations.of(pkg).uses(key):
        if use.op in _NO_ELEMENTS or (use.op is Op.ESCAPE and use.detail in _COPIES_HEADER):
            continue
        stmt = _statement_at(pkg, use)
        if stmt is None:
            return None
        if use.op in (Op.INIT, Op.REPLACE):
            value = _assigned_value(stmt)
            if value is None or not _empty(pkg, value):
                return None
            continue
        if use.op is not Op.APPEND or not appends_one(pkg, key, stmt):
            return None
        found = _map_beside(pkg, stmt, key, declared)
        if found is None or (keeper is not None and found != keeper):
            return None
        keeper = found
    return keeper


def _statement_at(pkg: Package, use: Use) -> Node | None:
    """The assignment or declaration around a use (a few steps up from the name)."""
    node = Mutations.of(pkg).node_of(use)
    for _ in range(8):
        if node is None:
            return None
        if node.type in (kinds.ASSIGNMENT_STATEMENT, kinds.SHORT_VAR_DECLARATION, kinds.VAR_SPEC):
            return node
        node = node.parent
    return None


def _assigned_value(stmt: Node) -> Node | None:
    """The value of a one-to-one assignment or declaration."""
    left = stmt.child_by_field_name(kinds.F_NAME if stmt.type == kinds.VAR_SPEC else kinds.F_LEFT)
    right = stmt.child_by_field_name(kinds.F_VALUE if stmt.type == kinds.VAR_SPEC else kinds.F_RIGHT)
    if left is None or right is None:
        return None
    values = [c for c in right.named_children if c.type != kinds.COMMENT] \
        if right.type == kinds.EXPRESSION_LIST else [right]
    names = [c for c in left.named_children if c.type != kinds.COMMENT] \
        if left.type == kinds.EXPRESSION_LIST else [left]
    return values[0] if len(values) == 1 and len(names) == 1 else None


def _empty(pkg: Package, value: Node) -> bool:
    """nil, `[]T{}`, `make([]T)` or `make([]T, 0[, n])`: a value holding no element."""
    v = unparen(value)
    if v.type == kinds.NIL:
        return True
    if v.type == kinds.COMPOSITE_LITERAL:
        body = v.child_by_field_name(kinds.F_BODY)
        return body is not None and not [c for c in body.named_children if c.type != kinds.COMMENT]
    if v.type == kinds.CALL_EXPRESSION:
        fn = v.child_by_field_name(kinds.F_FUNCTION)
        args = v.child_by_field_name(kinds.F_ARGUMENTS)
        if fn is None or args is None or not pkg.scopes.is_builtin(fn, "make"):
            return False
        values = [c for c in args.named_children if c.type != kinds.COMMENT]
        return len(values) == 1 or (len(values) >= 2 and pkg.consts.int_value(values[1]) == 0)
    return False


def _map_beside(pkg: Package, append: Node, key: StorageKey, declared: Node) -> StorageKey | None:
    """The map that x goes into next to `s = append(s, x)`, when nothing prunes it and it lives as
    long as the slice: an insert in the same statement list (before or after), or after the `if`
    or `switch` the append is nested in, on the path that leaves the append (nothing between may
    jump away or assign x)."""
    right = append.child_by_field_name(kinds.F_RIGHT)
    call = unparen(right.named_children[0]) if right is not None and right.named_children else None
    args = call.child_by_field_name(kinds.F_ARGUMENTS) if call is not None else None
    values = [a for a in args.named_children if a.type != kinds.COMMENT] if args is not None else []
    held = unparen(values[1]) if len(values) == 2 else None
    if held is None or held.type != kinds.IDENTIFIER:
        return None
    name = pkg.text(held).encode()
    stmt: Node | None = append
    first = True
    while stmt is not None:
        lst = stmt.parent
        if lst is None or lst.type != kinds.STATEMENT_LIST:
            return None
        siblings = [c for c in lst.named_children if c.type != kinds.COMMENT]
        at = next((i for i, c in enumerate(siblings) if c == stmt), None)
        if at is None:
            return None
        order = list(range(at + 1, len(siblings))) + (list(range(at - 1, -1, -1)) if first else [])
        for i in order:
            between = siblings[min(i, at) + 1:max(i, at)]
            if any(may_jump(pkg, s) or _assigns(pkg, s, name) for s in between):
                if i > at:
                    return None  # the path may leave (or x change) before anything later
                break
            mkey = _insert_holding(pkg, siblings[i], held)
            if mkey is not None and mkey != key and not Mutations.of(pkg).is_pruned(mkey) \
                    and _outlives(pkg, mkey, key, declared):
                return mkey
        if any(may_jump(pkg, s) or _assigns(pkg, s, name) for s in siblings[at + 1:]):
            return None
        stmt, first = _around(lst), False
    return None


def _around(lst: Node) -> Node | None:
    """The statement whose branch `lst` is, when the path goes on after it: the `if` (the whole
    else-if chain), the `switch`, or a bare block; None for loops, selects and functions."""
    holder = lst.parent
    if holder is None:
        return None
    if holder.type in (kinds.EXPRESSION_CASE, kinds.DEFAULT_CASE, kinds.TYPE_CASE):
        switch = holder.parent
        return switch if switch is not None and switch.type in (
            kinds.EXPRESSION_SWITCH_STATEMENT, kinds.TYPE_SWITCH_STATEMENT) else None
    if holder.type != kinds.BLOCK:
        return None
    outer = holder.parent
    if outer is not None and outer.type == kinds.STATEMENT_LIST:
        return holder
    if outer is None or outer.type != kinds.IF_STATEMENT:
        return None
    while outer.parent is not None and outer.parent.type == kinds.IF_STATEMENT:
        outer = outer.parent
    return outer


def _assigns(pkg: Package, stmt: Node, name: bytes) -> bool:
    return occurrences.may_assign(pkg.file_of(stmt).src, name, stmt.start_byte, stmt.end_byte)


def _insert_holding(pkg: Package, stmt: Node, held: Node) -> StorageKey | None:
    """`M[k] = v` with k or v the variable `held`: M's storage key."""
    if stmt.type != kinds.ASSIGNMENT_STATEMENT:
        return None
    op = stmt.child_by_field_name(kinds.F_OPERATOR)
    if op is not None and pkg.text(op) != "=":
        return None
    value = _assigned_value(stmt)
    left = stmt.child_by_field_name(kinds.F_LEFT)
    index = unparen(left.named_children[0]) if left is not None and left.named_children else None
    if index is None or value is None or index.type != kinds.INDEX_EXPRESSION:
        return None
    operand, k = index.child_by_field_name(kinds.F_OPERAND), index.child_by_field_name(kinds.F_INDEX)
    if operand is None or pkg.types.expr_map(operand) is None:
        return None
    if not any(c is not None and c.type == kinds.IDENTIFIER and pkg.scopes.same_object(c, held)
               for c in (k, unparen(value))):
        return None
    mkey = pkg.storage.key(operand)
    return mkey if mkey is not None and "[]" not in mkey.path else None


def _outlives(pkg: Package, mkey: StorageKey, key: StorageKey, declared: Node) -> bool:
    """The map lives at least as long as the slice: a package variable, or (for a local slice)
    a local map declared in the block that declares the slice or one around it."""
    if mkey.path:
        return False
    if mkey.is_package_var:
        return True
    if not (key.root.startswith("local:") and mkey.root.startswith("local:")):
        return False
    map_ident = pkg.storage.declaring_ident(mkey)
    if map_ident is None or pkg.file_of(map_ident) is not pkg.file_of(declared):
        return False
    block = map_ident.parent
    while block is not None and block.type not in (kinds.STATEMENT_LIST, kinds.BLOCK):
        if block.type in kinds.FUNCTION_KINDS:
            return False  # a parameter: the caller's map, lifetime unknown here
        block = block.parent
    return block is not None and block.start_byte <= declared.start_byte < block.end_byte
