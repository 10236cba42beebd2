"""Swap-removes: what the slot past a slice's new length holds after a removal.

`s[i] = s[n-1]; s = s[:n-1]` moves the last element into the removed one's slot, so the slot
left behind holds a second copy of an element still in the slice, not the removed element. So
does a removal from the middle, `append(s[:i], s[i+1:]...)`, which copies the tail down. The
copy matters later: when that element leaves the slice in turn, the stale slot keeps it
reachable. GML005's message says which of the two the slot holds.

A two-way swap, `s[i], s[n-1] = s[n-1], s[i]`, puts the removed element itself in the last
slot: not a copy.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.removals import top_function
from golinter.model.typelite import unparen

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package
    from golinter.model.storage import StorageKey


def copies_last_down(pkg: Package, key: StorageKey, stmt: Node, end: Node) -> bool:
    """Before the reslice `stmt` (`s = s[:E]`), its function copies `s[E]` into an element of
    the same slice (`s[i] = s[E]`, in any enclosing branch): the slot at E then holds a copy of
    the element moved down."""
    from golinter.parse import walk_named

    top = top_function(stmt)
    if top is None:
        return False
    want = _squashed(pkg.text(end))
    for node in walk_named(top):
        if node.start_byte >= stmt.start_byte:
            break  # document order: nothing after the reslice counts
        if node.type != kinds.ASSIGNMENT_STATEMENT:
            continue
        op = node.child_by_field_name(kinds.F_OPERATOR)
        left, right = node.child_by_field_name(kinds.F_LEFT), node.child_by_field_name(kinds.F_RIGHT)
        if op is None or pkg.text(op) != "=" or left is None or right is None \
                or len(left.named_children) != 1 or len(right.named_children) != 1:
            continue
        target, value = unparen(left.named_children[0]), unparen(right.named_children[0])
        if target.type != kinds.INDEX_EXPRESSION or value.type != kinds.INDEX_EXPRESSION:
            continue
        index = value.child_by_field_name(kinds.F_INDEX)
        if index is None or _squashed(pkg.text(index)) != want:
            continue
        if _element_of(pkg, target) == key and _element_of(pkg, value) == key:
            return True
    return False


def _element_of(pkg: Package, index_expr: Node) -> StorageKey | None:
    operand = index_expr.child_by_field_name(kinds.F_OPERAND)
    return pkg.storage.key(operand) if operand is not None else None


def _squashed(text: str) -> str:
    return "".join(text.split())
