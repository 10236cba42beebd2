"""Pools: a tail pop whose element always comes back to the same slice, and get-or-create
pools (`makes_when_empty`, at the end).

    b := s[len(s)-1]
    s = s[:len(s)-1]
    ...
    defer func() { s = append(s, b) }()

(pebble's binary fuse builders.) Every element popped is appended back before the function
returns, so the slice's stale slots only ever alias elements in use or back in the slice: zeroing
them frees nothing. What makes it exact, and each condition checked:
- exactly the last element leaves (`s[:len(s)-1]`), and the statement right before the reslice
  takes it into a local `b` (`b := s[len(s)-1]` or `b = s[len(s)-1]`);
- the pop is not in a loop of its function (one pop, one push-back);
- after it, in its statement list or one around it (a case's, the function body's), a
  `defer func() { ... }()` whose body appends `b` to `s` as one of its own statements (no
  condition: a pool that drops oversized items on purpose is not closed), with no `return`,
  `goto`, `panic` or exit between the pop and the defer statement (the defer must be registered
  on every path);
- `b` is not assigned again after the pop (an else arm or another case may set it).
"""
from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.accessshapes import returned_values
from golinter.model.occurrences import has_any_word, may_assign
from golinter.model.package import enclosing_function
from golinter.model.removals import appended_one
from golinter.model.typelite import unparen
from golinter.parse import path_down

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package
    from golinter.model.storage import StorageKey
    from golinter.model.types import Type

_LEAVES = (b"return", b"goto", b"panic", b"Exit", b"Goexit", b"Fatal", b"Fatalf", b"Fatalln")


def pushed_back_by_defer(pkg: Package, key: StorageKey, stmt: Node) -> bool:
    """The one-element tail pop `stmt` (`s = s[:len(s)-1]`) belongs to a pool whose function
    defers appending the popped element back (see the module doc)."""
    taken = _popped_into(pkg, key, stmt)
    func = enclosing_function(stmt)
    body = func.child_by_field_name(kinds.F_BODY) if func is not None else None
    if taken is None or func is None or body is None:
        return False
    path = path_down(body, stmt)
    if path is None or any(n.type == kinds.FOR_STATEMENT for n in path):
        return False
    src = pkg.file_of(stmt).src
    word = taken.encode()
    # after the pop on its path: the rest of each statement list holding it, then the function
    # (an else arm or another case, exclusive with the pop's, may set `b` to a fresh value)
    chain = [*path, stmt]
    for lst, child in pairwise(chain):
        if lst.type == kinds.STATEMENT_LIST and may_assign(src, word, child.end_byte, lst.end_byte):
            return False
    top = path[1] if len(path) > 1 and path[0].type == kinds.STATEMENT_LIST else stmt
    if may_assign(src, word, top.end_byte, func.end_byte):
        return False
    # the defer: after the pop in the pop's statement list or one around it (a case's)
    for lst, child in reversed(list(pairwise(chain))):
        if lst.type != kinds.STATEMENT_LIST:
            continue
        for later in lst.named_children:
            if later.start_byte >= child.end_byte and later.type == kinds.DEFER_STATEMENT \
                    and _defers_append(pkg, key, later, taken):
                return not has_any_word(src, _LEAVES, stmt.end_byte, later.start_byte)
    return False


def _popped_into(pkg: Package, key: StorageKey, stmt: Node) -> str | None:
    """The local the statement before `stmt` takes the popped element into: `b := s[len(s)-1]`
    right before `s = s[:len(s)-1]` (same index text as the new end)."""
    lst = stmt.parent
    if lst is None or lst.type != kinds.STATEMENT_LIST:
        return None
    siblings = [c for c in lst.named_children if c.type != kinds.COMMENT]
    at = next((i for i, c in enumerate(siblings) if c == stmt), 0)
    prev = siblings[at - 1] if at > 0 else None
    right = stmt.child_by_field_name(kinds.F_RIGHT)
    value = unparen(right.named_children[0]) if right is not None and right.named_children else None
    sliced = value.child_by_field_name(kinds.F_OPERAND) if value is not None and value.type == kinds.SLICE_EXPRESSION else None
    end = value.child_by_field_name(kinds.F_END) if sliced is not None and value is not None else None
    if prev is None or sliced is None or end is None or prev.type not in (kinds.ASSIGNMENT_STATEMENT, kinds.SHORT_VAR_DECLARATION) \
            or pkg.text(end).replace(" ", "") != f"len({pkg.text(sliced)})-1".replace(" ", ""):
        return None  # exactly one element leaves: the last
    left, taken = prev.child_by_field_name(kinds.F_LEFT), prev.child_by_field_name(kinds.F_RIGHT)
    names = [c for c in left.named_children if c.type != kinds.COMMENT] if left is not None else []
    values = [c for c in taken.named_children if c.type != kinds.COMMENT] if taken is not None else []
    if len(names) != 1 or len(values) != 1 or names[0].type != kinds.IDENTIFIER:
        return None
    index = unparen(values[0])
    operand = index.child_by_field_name(kinds.F_OPERAND) if index.type == kinds.INDEX_EXPRESSION else None
    at_index = index.child_by_field_name(kinds.F_INDEX) if operand is not None else None
    if operand is None or at_index is None or pkg.storage.key(operand) != key \
            or pkg.text(at_index).replace(" ", "") != pkg.text(end).replace(" ", ""):
        return None
    return pkg.text(names[0])


def _defers_append(pkg: Package, key: StorageKey, defer: Node, taken: str) -> bool:
    """`defer func() { ...; s = append(s, taken); ... }()`: the append one of the literal's own
    statements."""
    call = next((c for c in defer.named_children if c.type == kinds.CALL_EXPRESSION), None)
    fn = call.child_by_field_name(kinds.F_FUNCTION) if call is not None else None
    lit = unparen(fn) if fn is not None else None
    args = call.child_by_field_name(kinds.F_ARGUMENTS) if call is not None else None
    body = lit.child_by_field_name(kinds.F_BODY) if lit is not None and lit.type == kinds.FUNC_LITERAL else None
    if body is None or args is None or args.named_child_count:
        return False
    lst = next((c for c in body.named_children if c.type == kinds.STATEMENT_LIST), None)
    for stmt in lst.named_children if lst is not None else []:
        value = appended_one(pkg, key, stmt)
        if value is not None and unparen(value).type == kinds.IDENTIFIER and pkg.text(unparen(value)) == taken:
            return True
    return False


def makes_when_empty(pkg: Package, key: StorageKey, func: Node, elem: Type) -> bool:
    """A get-or-create pool: the function removing from slice `key` hands out a variable in one
    `return` and a new element of the slice's type in another (`return make([]T, 0, n)`,
    `return &reader{...}`: none idle), and another function appends to the slice (the put:
    prometheus's batch pool, fasthttp's big-file readers). A queue never makes an element when it
    is empty, so a popped element of this shape is one lent out, expected back."""
    from golinter.model.lifetimes import is_fresh_value
    from golinter.model.mutations import Mutations, Op
    from golinter.parse import walk_named

    handed = made = False
    for node in walk_named(func, frozenset({kinds.FUNC_LITERAL})):
        if node.type != kinds.RETURN_STATEMENT:
            continue
        values = returned_values(node)
        first = unparen(values[0]) if values else None
        if first is None:
            continue
        if first.type == kinds.IDENTIFIER:
            handed = True
        elif is_fresh_value(pkg, first, made=True) and pkg.types.type_of(first) == elem:
            made = True
    return handed and made and any(u.op is Op.APPEND and u.func_start != func.start_byte
                                   for u in Mutations.of(pkg).uses(key))
