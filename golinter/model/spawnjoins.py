"""Joins of a spawned goroutine: the first statement after the spawn, on every path, that waits
for it, in the function that started it.

`joins_of(pkg, spawn)` finds it from what the goroutine signals when it is done (`_join_keys`):
- `g.Go(f)`, `wg.Go(f)` on an errgroup or WaitGroup: its `Wait()`;
- the literal of `time.AfterFunc(d, func() {...})` or `context.AfterFunc` as a statement of its own
  (it runs at most once): what it signals when done, as for a `go` statement below;
- `wg.Done()` as the goroutine's last act (deferred, its body's last statement, or right before a
  `return`): `wg.Wait()`; a Done followed by more work, or in a literal of unknown timing, is no
  join;
- a close of, or a send on, a channel after the goroutine's last map write (or deferred): a
  receive from it (`<-done`, `range ch`, or a select whose other cases all leave);
- in a deferred literal of the spawner (it runs at exit, wherever it sits), the code after such a
  wait among the literal's top statements: `defer func() { close(stop); <-done; v.closeAll() }()`.
Parameters and the receiver of the goroutine's function are re-rooted at what the spawn binds
to them (`spawner_key`), so `go worker(wg)` with `defer wg.Done()` in `worker` joins at the
spawner's `wg.Wait()`. `Spawn` is the record the concurrency model keeps of each spawn.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.contexts import rebase
from golinter.model.exitjoins import select_join, top_statement
from golinter.model.locksets import PARAM, RECV, Operand
from golinter.model.package import enclosing_function
from golinter.model.spawnplaces import (
    guaranteed_after,
    in_deferred,
    in_literal,
    is_last_statement,
    leaves_after,
    runs_in_body,
)

if TYPE_CHECKING:
    from tree_sitter import Node, Query

    from golinter.model.package import Package
    from golinter.model.storage import StorageKey


@lru_cache(maxsize=1)
def _wait_query() -> Query:
    from golinter.parse import compile_query
    return compile_query("[(call_expression) (unary_expression) (range_clause)] @wait")


@lru_cache(maxsize=1)
def _deferred_literal_query() -> Query:
    from golinter.parse import compile_query
    return compile_query("(defer_statement (call_expression function: (func_literal) @lit))")


@lru_cache(maxsize=1)
def _signal_query() -> Query:
    from golinter.parse import compile_query
    return compile_query("[(call_expression) (send_statement)] @signal")


@dataclass
class Spawn:
    """One spawn: where (`site`, the `go` statement or spawner call), what runs (`unit`), in which
    function (`spawner`), what it is given (`recv`, `args`), and what the model settles about it:
    the loop starting it, its join, whether several instances run at once and where."""

    site: Node
    unit: Node
    spawner: Node | None
    recv: Operand | None
    args: tuple[Operand | None, ...]
    loop: Node | None
    join: Node | None = None
    multi: bool = False
    boundary: tuple[int, int] | None = None
    how: str = "go"
    per_request: bool = False
    request_params: tuple[int, int] | None = None  # w, r of the handler that starts it
    handed: frozenset[int] = frozenset()  # spawner locals handed to it and replaced (model/handoff.py)
    joined: tuple[tuple[int, int], ...] = ()  # spans of deferred literals that run after its join
    context: int = -1  # its GOROUTINE context


def joins_of(pkg: Package, spawn: Spawn) -> tuple[Node | None, tuple[tuple[int, int], ...]]:
    """(the first statement after the spawn, on every path, that waits for the goroutine; the spans
    of deferred literals that run after waiting for it)."""
    waits, chans = _join_keys(pkg, spawn)
    body = _holder_body(spawn)
    if (not waits and not chans) or body is None:
        return None, ()
    return _join(pkg, spawn, body, waits, chans), _deferred_joins(pkg, body, waits, chans)


def _join(pkg: Package, spawn: Spawn, body: Node, waits: set[StorageKey], chans: set[StorageKey]) -> Node | None:
    if spawn.site.end_byte >= body.end_byte:
        return None
    from golinter.parse import query_captures
    caps = query_captures(_wait_query(), body, spawn.site.end_byte, body.end_byte)
    for node in sorted(caps.get("wait", []), key=lambda n: n.start_byte):
        if node.start_byte < spawn.site.end_byte or not _waits_for(pkg, node, waits, chans) or in_literal(node, body):
            continue
        select = select_join(pkg, node)
        stmt = guaranteed_after(select if select is not None else node, spawn.site, body)
        if stmt is not None:
            return stmt
    return None


def _deferred_joins(pkg: Package, body: Node, waits: set[StorageKey],
                    chans: set[StorageKey]) -> tuple[tuple[int, int], ...]:
    """Byte spans of the spawner's deferred literals that run after waiting for the goroutine:
    in `defer func() { close(stop); <-done; v.closeAll() }()`, the code after the literal's
    top-level receive from a channel the goroutine closes as its last act runs after it (a
    deferred literal runs at exit, wherever it sits)."""
    from golinter.parse import query_captures
    spans: list[tuple[int, int]] = []
    for lit in query_captures(_deferred_literal_query(), body, body.start_byte, body.end_byte).get("lit", []):
        lit_body = lit.child_by_field_name(kinds.F_BODY)
        if lit_body is None or in_literal(lit, body):
            continue  # a defer inside another literal runs when that one returns
        lst = next((c for c in lit_body.named_children if c.type == kinds.STATEMENT_LIST), None)
        caps = query_captures(_wait_query(), lit_body, lit_body.start_byte, lit_body.end_byte)
        for node in sorted(caps.get("wait", []), key=lambda n: n.start_byte):
            if not _waits_for(pkg, node, waits, chans) or in_literal(node, lit_body):
                continue
            select = select_join(pkg, node)
            stmt = top_statement(select if select is not None else node, lst)
            if stmt is not None:
                spans.append((stmt.end_byte, lit_body.end_byte))
                break
    return tuple(spans)


def _holder_body(spawn: Spawn) -> Node | None:
    """The body of the function right around the spawn: the spawner, or a literal it runs in place
    (`t.Run(name, func(t *testing.T) { ...; g.Go(f); ...; g.Wait() })`), where joins are looked for."""
    unit = spawn.spawner
    assert unit is not None
    holder = enclosing_function(spawn.site)
    if holder is None or not (unit.start_byte <= holder.start_byte and holder.end_byte <= unit.end_byte):
        holder = unit
    return holder.child_by_field_name(kinds.F_BODY)


def _waits_for(pkg: Package, node: Node, waits: set[StorageKey], chans: set[StorageKey]) -> bool:
    """`node` (a call, unary expression or range clause) waits for the goroutine: `wg.Wait()` on one
    of `waits`, `<-ch` or `range ch` on one of `chans`."""
    if node.type == kinds.RANGE_CLAUSE:
        right = node.child_by_field_name(kinds.F_RIGHT)
        return right is not None and pkg.storage.key(right) in chans
    holder: Node | None = node  # `<-ch`: the operator and operand are the unary expression's own
    word, keys, name_field = "<-", chans, kinds.F_OPERATOR
    if node.type == kinds.CALL_EXPRESSION:  # `wg.Wait()`: the selector's
        holder = node.child_by_field_name(kinds.F_FUNCTION)
        word, keys, name_field = "Wait", waits, kinds.F_FIELD
        if holder is None or holder.type != kinds.SELECTOR_EXPRESSION:
            return False
    elif node.type != kinds.UNARY_EXPRESSION:
        return False
    name = holder.child_by_field_name(name_field) if holder is not None else None
    operand = holder.child_by_field_name(kinds.F_OPERAND) if holder is not None else None
    return name is not None and operand is not None and pkg.text(name) == word and pkg.storage.key(operand) in keys


def _join_keys(pkg: Package, spawn: Spawn) -> tuple[set[StorageKey], set[StorageKey]]:
    """(WaitGroups/errgroups whose Wait joins the goroutine, channels it signals on when done)."""
    waits: set[StorageKey] = set()
    chans: set[StorageKey] = set()
    if spawn.site.type == kinds.CALL_EXPRESSION:  # g.Go(f), wg.Go(f): g.Wait() joins
        fn = spawn.site.child_by_field_name(kinds.F_FUNCTION)
        operand = fn.child_by_field_name(kinds.F_OPERAND) if fn is not None else None
        key = pkg.storage.key(operand) if operand is not None else None
        if key is not None and spawn.how in ("errgroup.Group.Go", "errgroup.Group.TryGo", "sync.WaitGroup.Go"):
            waits.add(key)
        if not _runs_once(spawn):
            return waits, chans
    body = spawn.unit.child_by_field_name(kinds.F_BODY)
    if body is None:
        return waits, chans
    summary = pkg.locks.summary(spawn.unit)
    last_write = max((a.site.end for a in summary.accesses), default=0)
    early: set[StorageKey] = set()  # a Done after which the goroutine goes on: not a join
    from golinter.parse import query_captures
    f = pkg.file_of(spawn.unit)
    caps = query_captures(_signal_query(), body, body.start_byte, body.end_byte)
    for node in sorted(caps.get("signal", []), key=lambda n: n.start_byte):
        if node.type == kinds.CALL_EXPRESSION:
            fn = node.child_by_field_name(kinds.F_FUNCTION)
            last = fn.child_by_field_name(kinds.F_FIELD) if fn is not None and \
                fn.type == kinds.SELECTOR_EXPRESSION else fn
            if last is None or f.text(last) not in ("Done", "close"):
                continue  # cheap name test before climbing
        if not runs_in_body(node, body):
            fn = node.child_by_field_name(kinds.F_FUNCTION)
            operand = fn.child_by_field_name(kinds.F_OPERAND) if fn is not None and \
                fn.type == kinds.SELECTOR_EXPRESSION else None
            key = spawner_key(pkg, spawn, operand) if operand is not None else None
            if key is not None:
                early.add(key)  # a Done in a literal that runs who knows when
            continue
        deferred = in_deferred(node, body)
        if node.type == kinds.CALL_EXPRESSION:
            fn = node.child_by_field_name(kinds.F_FUNCTION)
            args_node = node.child_by_field_name(kinds.F_ARGUMENTS)
            if fn is None:
                continue
            if fn.type == kinds.SELECTOR_EXPRESSION:
                name = fn.child_by_field_name(kinds.F_FIELD)
                operand = fn.child_by_field_name(kinds.F_OPERAND)
                if name is not None and operand is not None and pkg.text(name) == "Done":
                    key = spawner_key(pkg, spawn, operand)
                    if key is not None:
                        final = deferred or is_last_statement(node, body) or leaves_after(node)
                        (waits if final else early).add(key)
            elif fn.type == kinds.IDENTIFIER and pkg.scopes.is_builtin(fn, "close") and args_node is not None \
                    and (deferred or node.start_byte > last_write) and args_node.named_children:
                key = spawner_key(pkg, spawn, args_node.named_children[0])
                if key is not None:
                    chans.add(key)
        elif node.type == kinds.SEND_STATEMENT and (deferred or node.start_byte > last_write):
            channel = node.child_by_field_name(kinds.F_CHANNEL)
            key = spawner_key(pkg, spawn, channel) if channel is not None else None
            if key is not None:
                chans.add(key)
    return waits - early, chans

def _runs_once(spawn: Spawn) -> bool:
    """`time.AfterFunc(d, f)` or `context.AfterFunc(ctx, f)` as a statement of its own: f runs at
    most once (nothing keeps the Timer to Reset it), so what it signals when done joins it as a
    `go` statement's body would (`defer wg.Done()` in f, then `wg.Wait()`)."""
    parent = spawn.site.parent
    return spawn.how in ("time.AfterFunc", "context.AfterFunc") and spawn.unit.type == kinds.FUNC_LITERAL \
        and parent is not None and parent.type == kinds.EXPRESSION_STATEMENT


def spawner_key(pkg: Package, spawn: Spawn, expr: Node) -> StorageKey | None:
    """The storage key, in the spawner's terms, of an expression in the goroutine body
    (parameters and the receiver re-rooted at what the spawn binds them to)."""
    key = pkg.storage.key(expr)
    if key is None:
        return None
    root = pkg.locks.root(spawn.unit, expr)
    path = pkg.file_of(expr).path
    if root.kind == PARAM:
        return rebase(key, root, path, spawn.args[root.index] if root.index < len(spawn.args) else None)
    if root.kind == RECV:
        return rebase(key, root, path, spawn.recv)
    return key
