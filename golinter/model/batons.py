"""Batons: a goroutine restarted in a loop that still runs one at a time.

```go
func (m *Manager) init() { m.once.Do(func() { m.stopped = make(chan struct{}, 1); m.stopped <- struct{}{} }) }
func (m *Manager) runLoop() { defer func() { m.stopped <- struct{}{} }(); for { ... m.servers[k] = v ... } }
func (m *Manager) Send(ev Event) {
	for {
		select {
		case m.events <- ev:
			return
		case <-m.stopped: // take the token
			go m.runLoop() // the loop gives it back as its last act
		}
	}
}
```

The channel holds one token. A `go` runs only right after a receive takes it, and the goroutine
sends it back as its very last act, so no second instance can start before the first has ended,
and the send happens before the receive that starts the next one: the instances are ordered, as
if one goroutine owned the maps (tailscale's relayManager). `holds_baton(pkg, go_stmt, unit)`
answers this when:
- the `go` statement sits in the case of a select whose communication receives from the
  channel, or right after a statement that receives from it (`<-m.stopped; go m.runLoop()`);
- the channel is a struct field or package variable;
- the goroutine's body sends on it as its last act (exitjoins.last_act: its first defer, or
  right before a return or at the end of a body without defers);
- exactly one other send exists in the package, the first token: in the statement list that
  makes the channel with capacity 1 (`ch = make(chan T, 1)`), after it;
- the channel is used nowhere else but in receives and assignments (no close, no hand-off).
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.bounds import preceding
from golinter.model.exitjoins import ASSIGNED, DECLARED, RECEIVE, SEND, channel_uses, last_act
from golinter.model.typelite import unparen

if TYPE_CHECKING:
    from tree_sitter import Node, Query

    from golinter.model.package import Package
    from golinter.model.storage import StorageKey


def holds_baton(pkg: Package, go_stmt: Node, unit: Node) -> bool:
    """At most one goroutine `unit` started here runs at a time (module docstring)."""
    channel = _taken_before(go_stmt)
    key = pkg.storage.key(channel) if channel is not None else None
    if key is None or not (key.is_field or key.is_package_var):
        return False
    body = unit.child_by_field_name(kinds.F_BODY)
    if body is None:
        return False
    f = pkg.file_of(unit)
    from golinter.parse import query_captures
    returned = [send for send in query_captures(_send_query(), body, body.start_byte, body.end_byte).get("send", [])
                if _sends_on(pkg, send, key) and last_act(f, send, body)]
    return len(returned) == 1 and _first_token_only(pkg, key, returned[0])


@lru_cache(maxsize=1)
def _send_query() -> Query:
    from golinter.parse import compile_query
    return compile_query("(send_statement) @send")


def _taken_before(go_stmt: Node) -> Node | None:
    """The channel a receive takes from right before the `go`: the communication of the select
    case holding it, or the statement before it in its list."""
    lst = go_stmt.parent
    if lst is None or lst.type != kinds.STATEMENT_LIST:
        return None
    case = lst.parent
    if case is not None and case.type == kinds.COMMUNICATION_CASE:
        return _received(case.child_by_field_name(kinds.F_COMMUNICATION))
    return _received(next(preceding(go_stmt), None))


def _received(stmt: Node | None) -> Node | None:
    """`<-ch`, `v := <-ch`, `v, ok = <-ch` as a statement or a case's communication: ch."""
    if stmt is None:
        return None
    expr: Node | None = stmt
    if stmt.type == kinds.RECEIVE_STATEMENT:
        expr = stmt.child_by_field_name(kinds.F_RIGHT) or (stmt.named_children[-1] if stmt.named_children else None)
    elif stmt.type == kinds.EXPRESSION_STATEMENT:
        expr = stmt.named_children[0] if stmt.named_children else None
    expr = unparen(expr) if expr is not None else None
    if expr is None or expr.type != kinds.UNARY_EXPRESSION:
        return None
    operator = expr.child_by_field_name(kinds.F_OPERATOR)
    if operator is None or operator.type != "<-":
        return None
    return expr.child_by_field_name(kinds.F_OPERAND)


def _sends_on(pkg: Package, send: Node, key: StorageKey) -> bool:
    channel = send.child_by_field_name(kinds.F_CHANNEL)
    return channel is not None and pkg.storage.key(channel) == key


def _first_token_only(pkg: Package, key: StorageKey, returned: Node) -> bool:
    """Besides `returned`, the package sends on the channel once, after making it with capacity 1
    in the same statement list, and otherwise only receives from it, assigns or declares it."""
    first: Node | None = None
    for kind, use in channel_uses(pkg, key):
        if kind in (RECEIVE, ASSIGNED, DECLARED) or use == returned:
            continue
        if kind != SEND or first is not None or not _made_with_one_slot_before(pkg, use, key):
            return False
        first = use
    return first is not None


def _made_with_one_slot_before(pkg: Package, send: Node, key: StorageKey) -> bool:
    """A statement before `send` in its list assigns the channel `make(chan T, 1)`."""
    before = send.prev_named_sibling
    while before is not None:
        if before.type == kinds.ASSIGNMENT_STATEMENT:
            left, right = before.child_by_field_name(kinds.F_LEFT), before.child_by_field_name(kinds.F_RIGHT)
            targets = left.named_children if left is not None else []
            values = right.named_children if right is not None else []
            if len(targets) == 1 and len(values) == 1 and pkg.storage.key(targets[0]) == key:
                return _one_slot_make(pkg, values[0])
        before = before.prev_named_sibling
    return False


def _one_slot_make(pkg: Package, value: Node) -> bool:
    call = unparen(value)
    fn = call.child_by_field_name(kinds.F_FUNCTION) if call.type == kinds.CALL_EXPRESSION else None
    args = call.child_by_field_name(kinds.F_ARGUMENTS) if fn is not None else None
    if fn is None or args is None or not pkg.scopes.is_builtin(fn, "make"):
        return False
    values = [a for a in args.named_children if a.type != kinds.COMMENT]
    return len(values) == 2 and values[0].type == kinds.CHANNEL_TYPE and pkg.consts.int_value(values[1]) == 1
