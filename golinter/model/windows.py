"""Windows of the latest n entries, kept by reslicing from the front next to each append:

    s = append(s, x)                       if len(s) >= n {
    if len(s) > n {                            s = s[1:]
        s = s[1:]                          }
    }                                      s = append(s, x)

What a trim drops stays in the backing array only until an append reallocates it, which copies
the window alone: at most the append slack, a bounded overhead on a window kept by design
(seaweedfs's plugin monitor, prometheus's alert queue, grpc's channelz trace). GML005 asks.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.bounds import preceding
from golinter.model.removals import appended_values, appends_one, if_around, is_len_of, may_jump
from golinter.model.typelite import unparen

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package
    from golinter.model.storage import StorageKey


def trims_window(pkg: Package, key: StorageKey, stmt: Node) -> bool:
    """`s = append(s, x); if len(s) > n { s = s[1:] }` (or `s[len(s)-n:]`): the front removal
    `stmt` keeps a window of the latest n right after an append. What it drops stays only until
    an append reallocates, which copies the window alone: at most the append slack, a bounded
    overhead on a window kept by design, not a leak."""
    branch = if_around(stmt)
    left_side = stmt.child_by_field_name(kinds.F_LEFT)
    if branch is None or branch.child_by_field_name(kinds.F_INITIALIZER) is not None \
            or left_side is None or len(left_side.named_children) != 1 \
            or not _len_over(pkg, branch, left_side.named_children[0], (">", ">=")):
        return False
    raw = pkg.file_of(stmt).src[left_side.named_children[0].start_byte:left_side.named_children[0].end_byte]
    before = next((b for b in preceding(branch)  # declarations between: `const max = 10000`
                   if b.type not in _DECLARATIONS or not leaves_alone(pkg, b, raw)), None)
    if before is None:
        return False
    # a bulk append (`s = append(s, xs...)`) is trimmed back to the latest n only by `s[len(s)-n:]`
    return appends_one(pkg, key, before) or (appended_values(pkg, key, before) is not None
                                             and _back_to_bound(pkg, stmt, left_side.named_children[0]))


_DECLARATIONS = frozenset({kinds.CONST_DECLARATION, kinds.VAR_DECLARATION})


def _back_to_bound(pkg: Package, stmt: Node, target: Node) -> bool:
    """The trim is `s = s[len(s)-n:]`: whatever was appended, the latest n are kept."""
    right = stmt.child_by_field_name(kinds.F_RIGHT)
    trim = unparen(right.named_children[0]) if right is not None and len(right.named_children) == 1 else None
    start = trim.child_by_field_name(kinds.F_START) if trim is not None and trim.type == kinds.SLICE_EXPRESSION \
        else None
    start = unparen(start) if start is not None else None
    parts = _binary(pkg, start) if start is not None else None
    return start is not None and parts is not None and parts[1] == "-" \
        and is_len_of(pkg, start.child_by_field_name(kinds.F_LEFT), target)


def _len_over(pkg: Package, branch: Node, target: Node, ops: tuple[str, ...]) -> bool:
    """The if's condition is `len(target) OP n` for an OP of `ops`."""
    cond = branch.child_by_field_name(kinds.F_CONDITION)
    cond = unparen(cond) if cond is not None else None
    op = cond.child_by_field_name(kinds.F_OPERATOR) if cond is not None and cond.type == kinds.BINARY_EXPRESSION else None
    return op is not None and cond is not None and pkg.text(op) in ops \
        and is_len_of(pkg, cond.child_by_field_name(kinds.F_LEFT), target)


def makes_room(pkg: Package, key: StorageKey, stmt: Node) -> bool:
    """The same window kept the other way round: the front removal `stmt` makes room right before
    an append, `if len(s) >= n { s = s[1:] }` (or `>`, `==`) or `if d := len(s) + len(xs) - n;
    d > 0 { s = s[d:] }`, followed by `s = append(s, ...)`, with no way out of the if and nothing
    between but statements that leave s alone (`leaves_alone`): prometheus's alert queue,
    grpc's channelz trace. After the append the slice holds the latest n again."""
    branch = if_around(stmt)
    left_side = stmt.child_by_field_name(kinds.F_LEFT)
    right_side = stmt.child_by_field_name(kinds.F_RIGHT)
    if branch is None or left_side is None or len(left_side.named_children) != 1 or right_side is None \
            or len(right_side.named_children) != 1 or may_jump(pkg, branch):
        return False
    target = left_side.named_children[0]
    init = branch.child_by_field_name(kinds.F_INITIALIZER)
    cond = branch.child_by_field_name(kinds.F_CONDITION)
    if init is None:
        over = _len_over(pkg, branch, target, (">", ">=", "=="))
    else:
        over = cond is not None and _excess_over_bound(pkg, init, unparen(cond), unparen(right_side.named_children[0]),
                                                       target)
    raw = pkg.file_of(stmt).src[target.start_byte:target.end_byte]
    after = branch.next_named_sibling
    while after is not None and (after.type == kinds.COMMENT or leaves_alone(pkg, after, raw)):
        after = after.next_named_sibling
    return over and after is not None and appended_values(pkg, key, after) is not None


_SIMPLE_STATEMENTS = frozenset({kinds.ASSIGNMENT_STATEMENT, kinds.SHORT_VAR_DECLARATION, kinds.INC_STATEMENT,
                                kinds.DEC_STATEMENT, kinds.EXPRESSION_STATEMENT, kinds.CONST_DECLARATION,
                                kinds.VAR_DECLARATION})


def leaves_alone(pkg: Package, stmt: Node, raw: bytes) -> bool:
    """A simple statement or declaration (`const max = 100`) that cannot touch the slice spelled
    `raw` or leave the path: its text
    does not name it, it may not jump, and it calls only functions of imported packages
    (`e.Timestamp = time.Now()`), not code of this package that could reach the slice."""
    from golinter.parse import walk_named
    if stmt.type not in _SIMPLE_STATEMENTS or raw in pkg.file_of(stmt).src[stmt.start_byte:stmt.end_byte] \
            or may_jump(pkg, stmt):
        return False
    for node in walk_named(stmt):
        if node.type == kinds.FUNC_LITERAL:
            return False
        fn = node.child_by_field_name(kinds.F_FUNCTION) if node.type == kinds.CALL_EXPRESSION else None
        if fn is not None and pkg.types.qualified(unparen(fn)) is None:
            return False
    return True


def _excess_over_bound(pkg: Package, init: Node, cond: Node, trim: Node, target: Node) -> bool:
    """`d := len(s) + ... - n; d > 0` trimming `s[d:]`: d counts what would pass the bound."""
    left, right = init.child_by_field_name(kinds.F_LEFT), init.child_by_field_name(kinds.F_RIGHT)
    if init.type != kinds.SHORT_VAR_DECLARATION or left is None or right is None \
            or len(left.named_children) != 1 or len(right.named_children) != 1:
        return False
    name = pkg.text(left.named_children[0])
    start = trim.child_by_field_name(kinds.F_START) if trim.type == kinds.SLICE_EXPRESSION else None
    if start is None or pkg.text(start) != name or _binary(pkg, cond) != (name, ">", "0"):
        return False
    excess = unparen(right.named_children[0])
    parts = _binary(pkg, excess)
    if parts is None or parts[1] != "-":
        return False
    terms = [excess.child_by_field_name(kinds.F_LEFT)]
    while terms:  # the terms of the sum before `- n`
        term = terms.pop()
        term = unparen(term) if term is not None else None
        if term is None:
            continue
        if is_len_of(pkg, term, target):
            return True
        sum_ = _binary(pkg, term)
        if sum_ is not None and sum_[1] == "+":
            terms += [term.child_by_field_name(kinds.F_LEFT), term.child_by_field_name(kinds.F_RIGHT)]
    return False


def _binary(pkg: Package, expr: Node) -> tuple[str, str, str] | None:
    """(left, operator, right) texts of a binary expression, else None."""
    if expr.type != kinds.BINARY_EXPRESSION:
        return None
    left, op, right = (expr.child_by_field_name(f) for f in (kinds.F_LEFT, kinds.F_OPERATOR, kinds.F_RIGHT))
    if left is None or op is None or right is None:
        return None
    return pkg.text(left), pkg.text(op), pkg.text(right)
