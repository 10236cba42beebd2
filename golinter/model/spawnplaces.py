"""Where a spawn sits in its spawner's code: whether the statement list holding it leaves the loop
right after it, whether a node runs in a body itself or in one of its literals (deferred ones
included), the statement that runs after the spawn on every path (where a join can wait), and
whether a loop hands each goroutine a connection it accepted.
Plain tree shape, read by model/concurrency.py.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from golinter import kinds

if TYPE_CHECKING:
    from collections.abc import Callable

    from tree_sitter import Node


def leaves_loop_after(site: Node, loop: Node) -> bool:
    """The statement list holding the spawn ends the loop right after it: a later `return` or
    unlabeled `break` that belongs to `loop` (not to a switch or select in between)."""
    stmt = site
    while stmt.parent is not None and stmt.parent.type != kinds.STATEMENT_LIST:
        stmt = stmt.parent
    lst = stmt.parent
    if lst is None:
        return False
    owner = lst.parent
    while owner is not None and owner != loop:
        if owner.type in (kinds.EXPRESSION_SWITCH_STATEMENT, kinds.TYPE_SWITCH_STATEMENT, kinds.SELECT_STATEMENT):
            break
        owner = owner.parent
    breaks_loop = owner == loop
    for later in lst.named_children:
        if later.start_byte <= site.start_byte:
            continue
        if later.type == kinds.RETURN_STATEMENT:
            return True
        if later.type == kinds.BREAK_STATEMENT and breaks_loop and not any(
                c.type == kinds.LABEL_NAME for c in later.named_children):
            return True
    return False


def in_literal(node: Node, body: Node) -> bool:
    """`node` sits in a func literal inside `body`."""
    return inside_kind(node, body, kinds.FUNC_LITERAL)


def inside_kind(node: Node, body: Node, kind: str) -> bool:
    """A node of type `kind` encloses `node` inside `body` (`defer_statement`: it runs when the
    function returns)."""
    cur = node.parent
    while cur is not None and cur != body:
        if cur.type == kind:
            return True
        cur = cur.parent
    return False


def runs_in_body(node: Node, body: Node) -> bool:
    """`node` runs as part of `body` itself, or of a literal deferred there
    (`defer func() { done <- true }()`), not of some other literal."""
    cur = node.parent
    while cur is not None and cur != body:
        if cur.type == kinds.FUNC_LITERAL:
            call = cur.parent
            if call is None or call.type != kinds.CALL_EXPRESSION or call.parent is None \
                    or call.parent.type != kinds.DEFER_STATEMENT:
                return False
        cur = cur.parent
    return True


def in_deferred(node: Node, body: Node) -> bool:
    """`defer wg.Done()`, `defer close(done)`, or inside a deferred literal."""
    cur = node.parent
    while cur is not None and cur != body:
        if cur.type == kinds.DEFER_STATEMENT:
            return True
        cur = cur.parent
    return False


def statements_after(stmt: Node) -> list[Node] | None:
    """The statements after `stmt` in its statement list (comments left out); None when `stmt`
    is not in a statement list."""
    lst = stmt.parent
    if lst is None or lst.type != kinds.STATEMENT_LIST:
        return None
    return [c for c in lst.named_children if c.type != kinds.COMMENT and c.start_byte >= stmt.end_byte]


def ends_path(stmt: Node, body: Node | None) -> bool:
    """`stmt` is followed directly by a `return`, or is the last statement of `body`."""
    rest = statements_after(stmt)
    if body is None or rest is None:
        return False
    return (bool(rest) and rest[0].type == kinds.RETURN_STATEMENT) or (not rest and stmt.parent is not None
                                                                      and stmt.parent.parent == body)


def leaves_after(node: Node) -> bool:
    """`wg.Done(); return`: the call's statement is followed directly by a return (the goroutine
    does nothing more after Done). A path that leaves without Done does not make Wait return, so
    every Done being the goroutine's last act is what makes Wait a join."""
    stmt = node.parent
    if stmt is None or stmt.type != kinds.EXPRESSION_STATEMENT:
        return False
    rest = statements_after(stmt)
    return rest[0].type == kinds.RETURN_STATEMENT if rest else False


def is_last_statement(node: Node, body: Node) -> bool:
    stmt = node.parent
    if stmt is None or stmt.type != kinds.EXPRESSION_STATEMENT:
        return False
    lst = stmt.parent
    if lst is None or lst.type != kinds.STATEMENT_LIST or lst.parent != body:
        return False
    last = [c for c in lst.named_children if c.type != kinds.COMMENT]
    return bool(last) and last[-1] == stmt


def guaranteed_after(node: Node, spawn: Node, body: Node) -> Node | None:
    """The statement holding `node` when it runs after `spawn` on every path: it sits (directly,
    or in the header of an if/for/switch) in a statement list that holds the spawn's statement
    earlier. None otherwise (inside a branch, a select, a literal)."""
    stmt = node
    while stmt.parent is not None and stmt.parent.type != kinds.STATEMENT_LIST:
        if stmt.parent.type in (kinds.BLOCK, kinds.SELECT_STATEMENT, kinds.COMMUNICATION_CASE,
                                kinds.FUNC_LITERAL, kinds.EXPRESSION_CASE, kinds.DEFAULT_CASE, kinds.TYPE_CASE):
            return None
        stmt = stmt.parent
    lst = stmt.parent
    if lst is None:
        return None
    holder = spawn
    while holder.parent is not None and holder.parent != lst:
        holder = holder.parent
    if holder.parent != lst or stmt.start_byte < holder.end_byte:
        return None
    cur: Node | None = lst
    while cur is not None and cur != body.parent:
        if cur == body:
            return stmt
        cur = cur.parent
    return None


def spawned_per_accept(site: Node, loop: Node, text: Callable[[Node], str]) -> bool:
    """`for { c, err := ln.Accept(); ...; go fb.handle(c) }`: a statement of the loop's body before
    the `go` statement `site` accepts a connection (`x.Accept()`) into a variable the goroutine is
    handed."""
    call = site.named_children[0] if site.type == kinds.GO_STATEMENT and site.named_children else None
    args = call.child_by_field_name(kinds.F_ARGUMENTS) if call is not None else None
    handed = {text(a) for a in (args.named_children if args is not None else []) if a.type == kinds.IDENTIFIER}
    body = loop.child_by_field_name(kinds.F_BODY)
    lst = next((c for c in body.named_children if c.type == kinds.STATEMENT_LIST), None) if body is not None else None
    for stmt in lst.named_children if lst is not None and handed else []:
        if stmt.start_byte >= site.start_byte:
            break
        if stmt.type not in (kinds.SHORT_VAR_DECLARATION, kinds.ASSIGNMENT_STATEMENT):
            continue
        left, right = stmt.child_by_field_name(kinds.F_LEFT), stmt.child_by_field_name(kinds.F_RIGHT)
        value = right.named_children[0] if right is not None and len(right.named_children) == 1 else None
        fn = value.child_by_field_name(kinds.F_FUNCTION) if value is not None and value.type == kinds.CALL_EXPRESSION \
            else None
        field = fn.child_by_field_name(kinds.F_FIELD) if fn is not None and fn.type == kinds.SELECTOR_EXPRESSION else None
        if field is not None and text(field) == "Accept" and left is not None \
                and handed & {text(n) for n in left.named_children if n.type == kinds.IDENTIFIER}:
            return True
    return False
