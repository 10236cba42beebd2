"""Joins through a channel a goroutine closes as its last act, received in another function.

```go
func (m *Manager) Run()      { go m.runLoop() }
func (m *Manager) runLoop()  { for { select { ...; case <-m.ctx.Done(): close(m.doneCh); return } } }
func (m *Manager) Shutdown() { m.cancel(); <-m.doneCh; for k := range m.instances { ... } }
```

Once `<-m.doneCh` returns, the loop has returned: Shutdown's code after the receive cannot run
beside it. A join in the spawner itself (`go f(); <-done`) is concurrency.py's `_join`; this is
the same fact across functions, for channels every function names alike: struct fields and
package variables. It holds only when the close is the goroutine's last act and nothing else can
make the receive return, so the channel must be:
- closed or sent on in the goroutine's own body as its last act: `defer close(ch)` or
  `defer func() { ch <- x }()` as the first defer of its top statement list (the last to run),
  or `close(ch)` / `ch <- x` right before a `return` or at the end of the body of a function
  with no defers at all (a deferred call would run after it);
- started once (not in a loop, by a handler, ...): the first of several goroutines to close it
  says nothing of the others, and a second close would panic;
- used nowhere else but in receives and assignments: no other close or send (a receive then
  returns only because this goroutine signalled), and not passed or copied anywhere that could
  close it.
The receive must run on every path before the access: a statement of the function's top
statement list, alone or as a case of a select whose other cases all leave.
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model import occurrences
from golinter.model.spawnplaces import ends_path, in_literal, runs_in_body

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tree_sitter import Node, Query

    from golinter.model.package import Package, SourceFile
    from golinter.model.storage import StorageKey


def exit_channels(pkg: Package, unit: Node) -> frozenset[StorageKey]:
    """Fields and package variables the goroutine body `unit` closes or sends on as its last act,
    and that nothing else in the package closes, sends on or hands away."""
    body = unit.child_by_field_name(kinds.F_BODY)
    f = pkg.file_of(unit)
    if body is None:
        return frozenset()
    signals: list[tuple[Node, Node | None]] = close_calls(pkg, f, body)  # (the close or the send, its channel)
    if b"<-" in f.src[body.start_byte:body.end_byte]:
        from golinter.parse import query_captures
        for send in query_captures(_send_query(), body, body.start_byte, body.end_byte).get("send", []):
            signals.append((send, send.child_by_field_name(kinds.F_CHANNEL)))
    out: set[StorageKey] = set()
    for signal, channel in signals:
        key = pkg.storage.key(channel) if channel is not None else None
        if channel is None or key is None or not (key.is_field or key.is_package_var) or not runs_in_body(signal, body):
            continue
        if last_act(f, signal, body) and _only_received(pkg, key, channel):
            out.add(key)
    return frozenset(out)


def close_calls(pkg: Package, f: SourceFile, body: Node) -> list[tuple[Node, Node | None]]:
    """The builtin `close(ch)` calls in `body`, each with its channel (None unless one argument)."""
    out: list[tuple[Node, Node | None]] = []
    if b"close" not in f.src[body.start_byte:body.end_byte]:
        return out
    for token in _tokens_in(f, ("close",), body):
        call = occurrences.identifier_call(token)
        if call is not None and pkg.scopes.is_builtin(token, "close"):
            args = call.child_by_field_name(kinds.F_ARGUMENTS)
            out.append((call, args.named_children[0] if args is not None and len(args.named_children) == 1 else None))
    return out


@lru_cache(maxsize=1)
def _send_query() -> Query:
    from golinter.parse import compile_query
    return compile_query("(send_statement) @send")


def received_before(pkg: Package, unit: Node, keys: frozenset[StorageKey]) -> int | None:
    """The end of the first statement of `unit`'s top statement list that receives from one of
    `keys` on every path (`<-m.done`, or a select whose other cases all leave); None if none."""
    body = unit.child_by_field_name(kinds.F_BODY)
    if body is None:
        return None
    f = pkg.file_of(unit)
    if b"<-" not in f.src[body.start_byte:body.end_byte]:
        return None
    lst = _statement_list(body)
    best: int | None = None
    for token in _tokens_in(f, {channel_name(k) for k in keys}, body):
        expr = token.parent if token.type == kinds.FIELD_IDENTIFIER else token
        receive = expr.parent if expr is not None else None
        if expr is None or receive is None or receive.type != kinds.UNARY_EXPRESSION \
                or receive.child_by_field_name(kinds.F_OPERAND) != expr or f.text(receive)[:2] != "<-":
            continue
        if pkg.storage.key(expr) not in keys or in_literal(receive, body):
            continue
        select = select_join(pkg, receive)
        stmt = top_statement(select if select is not None else receive, lst)
        if stmt is not None and (best is None or stmt.end_byte < best):
            best = stmt.end_byte
    return best


def select_join(pkg: Package, receive: Node) -> Node | None:
    """`select { case <-done: case <-time.After(d): t.Fatal("timeout") }`: the receive is the
    communication of a case, and every other case leaves (return, panic, t.Fatal, ...): the
    code after the select runs only after the receive. The select statement, else None."""
    case = receive.parent
    while case is not None and case.type not in (kinds.COMMUNICATION_CASE, kinds.STATEMENT_LIST):
        case = case.parent
    if case is None or case.type != kinds.COMMUNICATION_CASE or case.parent is None:
        return None
    comm = case.child_by_field_name(kinds.F_COMMUNICATION)
    if comm is None or not (comm.start_byte <= receive.start_byte < comm.end_byte):
        return None
    select = case.parent
    for other in select.named_children:
        if other == case or other.type not in (kinds.COMMUNICATION_CASE, kinds.DEFAULT_CASE):
            continue
        if not pkg.locks.ends_in_exit(other):
            return None
    return select


def last_act(f: SourceFile, signal: Node, body: Node) -> bool:
    """`signal` (a close call or a send) is the last thing the goroutine does: deferred first
    (`defer close(ch)`, `defer func() { ch <- x }()`: the first defer runs last), or right before
    a `return` or at the end of a body without defers (a deferred call would run after it)."""
    stmt = signal if signal.type == kinds.SEND_STATEMENT else signal.parent
    if stmt is None:
        return False
    if stmt.type == kinds.DEFER_STATEMENT:
        return _first_defer(stmt, body)
    deferred = _deferred_literal(signal, body)
    if deferred is not None:
        literal, defer = deferred
        return _first_defer(defer, body) and ends_path(stmt, literal.child_by_field_name(kinds.F_BODY))
    if in_literal(signal, body) or occurrences.has_word(f.src, b"defer", body.start_byte, body.end_byte):
        return False
    return ends_path(stmt, body)


def _first_defer(defer: Node, body: Node) -> bool:
    lst = _statement_list(body)
    first = next((c for c in lst.named_children if c.type == kinds.DEFER_STATEMENT), None) if lst is not None else None
    return first is not None and first == defer


def _deferred_literal(node: Node, body: Node) -> tuple[Node, Node] | None:
    """(the literal, its defer statement) when `node` sits directly in `defer func() {...}()`."""
    literal = node.parent
    while literal is not None and literal != body and literal.type != kinds.FUNC_LITERAL:
        literal = literal.parent
    call = literal.parent if literal is not None and literal.type == kinds.FUNC_LITERAL else None
    defer = call.parent if call is not None and call.type == kinds.CALL_EXPRESSION else None
    if literal is None or defer is None or defer.type != kinds.DEFER_STATEMENT or in_literal(literal, body):
        return None
    return literal, defer


def _only_received(pkg: Package, key: StorageKey, closer: Node) -> bool:
    """Every use of the channel in the package is a receive, an assignment to it, or `closer` (the
    channel expression of the goroutine's close or send)."""
    return all(kind in (RECEIVE, ASSIGNED) or use == closer
               or (kind == SEND and use.child_by_field_name(kinds.F_CHANNEL) == closer)
               for kind, use in channel_uses(pkg, key))


RECEIVE, ASSIGNED, SEND, DECLARED, OTHER = "receive", "assigned", "send", "declared", "other"


def channel_uses(pkg: Package, key: StorageKey) -> Iterator[tuple[str, Node]]:
    """Each use of the field or package channel `key` in the package, with what it is: RECEIVE
    (`<-ch`: the receive expression), ASSIGNED (`ch = ...`), SEND (`ch <- v`: the send statement),
    DECLARED (`var ch chan T`) or OTHER (the name's expression: a close, a hand-off, a copy)."""
    for f in pkg.files:
        for token in occurrences.name_tokens(f, (channel_name(key),)):
            expr = token.parent if token.type == kinds.FIELD_IDENTIFIER else token
            if expr is None or (token.type == kinds.FIELD_IDENTIFIER and expr.type != kinds.SELECTOR_EXPRESSION):
                continue  # `doneCh: make(chan struct{})` in a literal names it without a use
            if pkg.storage.key(expr) != key:
                continue
            holder = expr.parent
            if holder is None:
                yield OTHER, expr
            elif holder.type == kinds.UNARY_EXPRESSION and holder.child_by_field_name(kinds.F_OPERAND) == expr \
                    and f.text(holder)[:2] == "<-":
                yield RECEIVE, holder
            elif holder.type == kinds.EXPRESSION_LIST and holder.parent is not None \
                    and holder.parent.type == kinds.ASSIGNMENT_STATEMENT \
                    and holder.parent.child_by_field_name(kinds.F_LEFT) == holder:
                yield ASSIGNED, holder.parent
            elif holder.type == kinds.SEND_STATEMENT and holder.child_by_field_name(kinds.F_CHANNEL) == expr:
                yield SEND, holder
            elif holder.type == kinds.VAR_SPEC and expr in holder.children_by_field_name(kinds.F_NAME):
                yield DECLARED, holder
            else:
                yield OTHER, expr


def channel_name(key: StorageKey) -> str:
    return key.path[-1] if key.path else key.root[len("pkg:"):]


def _tokens_in(f: SourceFile, names: tuple[str, ...] | set[str], within: Node) -> list[Node]:
    return [t for t in occurrences.name_tokens(f, names) if within.start_byte <= t.start_byte < within.end_byte]


def _statement_list(body: Node) -> Node | None:
    return next((c for c in body.named_children if c.type == kinds.STATEMENT_LIST), None)


def top_statement(node: Node, lst: Node | None) -> Node | None:
    """The statement of `lst` holding `node` when nothing in between branches (a block, a case,
    a literal): it runs on every path through `lst`."""
    stmt = node
    while stmt.parent is not None and stmt.parent != lst:
        if stmt.parent.type in (kinds.BLOCK, kinds.COMMUNICATION_CASE, kinds.FUNC_LITERAL,
                                kinds.EXPRESSION_CASE, kinds.DEFAULT_CASE, kinds.TYPE_CASE):
            return None
        stmt = stmt.parent
    return stmt if lst is not None and stmt.parent == lst else None
