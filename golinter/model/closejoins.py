"""Joins between two goroutines of one function through a channel local to it: one closes it as its
last act, the other ranges over it to the end before going on.

```go
go func() {
	send(writes, &wg, responses)  // reads writes; its own goroutines send on responses
	wg.Wait()
	close(responses)              // the last act
}()
go func() {
	for range responses {         // ends only once responses is closed
	}
	clear(writes)                 // after every read of the first goroutine
}()
```
A `for ... range ch` loop that nothing in its body leaves (no `break`, `return` or `goto`) ends
only when the channel is closed and drained, so the code after it runs after the close, and after
everything the closing goroutine did before it. That holds when:
- the close is the goroutine's last act (exitjoins.last_act) and the goroutine is started once
  (the caller's check: not in a loop);
- the channel is a variable of the function that starts both goroutines, and nothing else can
  close it: every other use of it there is a send, a receive, a range, or an argument of a
  same-package function whose body closes nothing; not a copy, a return, a field, an unknown
  callee;
- the range loop is a top statement of the other goroutine's body (it runs on every path).
Sends by others do not matter: they cannot end a range loop. Fields and package channels received
in other functions are model/exitjoins.py's.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model import occurrences
from golinter.model.exitjoins import close_calls, last_act, top_statement
from golinter.model.spawnplaces import runs_in_body

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package
    from golinter.model.storage import StorageKey


def local_closes(pkg: Package, unit: Node, spawner: Node) -> frozenset[StorageKey]:
    """Channels local to `spawner` that the goroutine literal `unit` closes as its last act and
    that nothing else can close (module docstring)."""
    body = unit.child_by_field_name(kinds.F_BODY)
    if body is None:
        return frozenset()
    f = pkg.file_of(unit)
    out: set[StorageKey] = set()
    for call, channel in close_calls(pkg, f, body):
        if channel is None or channel.type != kinds.IDENTIFIER or not runs_in_body(call, body):
            continue
        obj = pkg.scopes.resolve(channel)
        key = pkg.storage.key(channel)
        if obj is None or obj.ident is None or obj.package_level or key is None \
                or not spawner.start_byte <= obj.ident.start_byte < spawner.end_byte \
                or unit.start_byte <= obj.ident.start_byte < unit.end_byte:
            continue  # not the spawner's own variable
        if last_act(f, call, body) and _closed_only_by(pkg, spawner, channel):
            out.add(key)
    return frozenset(out)


def drained_before(pkg: Package, unit: Node, keys: frozenset[StorageKey]) -> int | None:
    """The end of the first top statement of the goroutine literal `unit` that ranges over one of
    `keys` with nothing in the loop's body leaving it; None if none."""
    body = unit.child_by_field_name(kinds.F_BODY)
    if body is None:
        return None
    f = pkg.file_of(unit)
    lst = next((c for c in body.named_children if c.type == kinds.STATEMENT_LIST), None)
    for stmt in lst.named_children if lst is not None else []:
        clause = next((c for c in stmt.named_children if c.type == kinds.RANGE_CLAUSE), None) \
            if stmt.type == kinds.FOR_STATEMENT else None
        right = clause.child_by_field_name(kinds.F_RIGHT) if clause is not None else None
        loop_body = stmt.child_by_field_name(kinds.F_BODY)
        if right is None or loop_body is None or pkg.storage.key(right) not in keys:
            continue
        if occurrences.has_any_word(f.src, (b"break", b"return", b"goto"), loop_body.start_byte, loop_body.end_byte):
            continue
        if top_statement(stmt, lst) is stmt:
            return stmt.end_byte
    return None


def _closed_only_by(pkg: Package, spawner: Node, closed: Node) -> bool:
    """Every use of the channel variable `closed` names in `spawner` other than `closed` itself
    sends, receives, ranges, measures it, or passes it to a same-package function that closes nothing."""
    f = pkg.file_of(spawner)
    obj = pkg.scopes.resolve(closed)
    for token in occurrences.name_tokens(f, (f.text(closed),)):
        if not spawner.start_byte <= token.start_byte < spawner.end_byte or token == closed \
                or obj is None or token == obj.ident or pkg.scopes.resolve(token) != obj:
            continue
        holder = token.parent
        if holder is None:
            return False
        if holder.type == kinds.SEND_STATEMENT and holder.child_by_field_name(kinds.F_CHANNEL) == token:
            continue
        if holder.type == kinds.UNARY_EXPRESSION and f.text(holder)[:2] == "<-":
            continue
        if holder.type == kinds.RANGE_CLAUSE and holder.child_by_field_name(kinds.F_RIGHT) == token:
            continue
        if holder.type == kinds.ARGUMENT_LIST and holder.parent is not None and _closes_nothing(pkg, holder.parent):
            continue
        return False
    return True


def _closes_nothing(pkg: Package, call: Node) -> bool:
    """`call` is `len(ch)` or `cap(ch)`, or invokes a same-package function whose text has no
    `close`."""
    fn = call.child_by_field_name(kinds.F_FUNCTION)
    if fn is not None and fn.type == kinds.IDENTIFIER and pkg.text(fn) in ("len", "cap") \
            and pkg.scopes.is_builtin(fn, pkg.text(fn)):
        return True
    callee = pkg.types.callee_decl(call)
    if callee is None or callee.type not in kinds.TOP_FUNCTION_KINDS:
        return False
    return not occurrences.has_word(pkg.file_of(callee).src, b"close", callee.start_byte, callee.end_byte)
