"""Joins of a spawned goroutine: the first statement after the spawn, on every path, that waits
for it, in the function that started it.

`join_of(pkg, spawn)` finds it from what the goroutine signals when it is done (`_join_keys`):
- `g.Go(f)`, `wg.Go(f)` on an errgroup or WaitGroup: its `Wait()`;
- `wg.Done()` as the goroutine's last act (deferred, its body's last statement, or right before a
  `return`): `wg.Wait()`; a Done followed by more work, or in a literal of unknown timing, is no
  join;
- a close of, or a send on, a channel after the goroutine's last map write (or deferred): a
  receive from it (`<-done`, `range ch`, or a select whose other cases all leave).
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
from golinter.model.exitjoins import select_join
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
    context: int = -1  # its GOROUTINE context


def join_of(pkg: Package, spawn: Spawn) -> Node | None:
    """The first statement after the spawn, on every path, that waits for the goroutine."""
    unit = spawn.spawner
    assert unit is not None
    waits, chans = _join_keys(pkg, spawn)
    if not waits and not chans:
        return None
    from golinter.parse import query_captures
    # The join is looked for in the function right around the spawn: the unit, or a literal
    # it runs in place (`t.Run(name, func(t *testing.T) { ...; g.Go(f); ...; g.Wait() })`).
    holder = enclosing_function(spawn.site)
    if holder is None or not (unit.start_byte <= holder.start_byte and holder.end_byte <= unit.end_byte):
        holder = unit
    body = holder.child_by_field_name(kinds.F_BODY)
    if body is None or spawn.site.end_byte >= body.end_byte:
        return None
    caps = query_captures(_wait_query(), body, spawn.site.end_byte, body.end_byte)
    f = pkg.file_of(unit)
    for node in sorted(caps.get("wait", []), key=lambda n: n.start_byte):
        if node.start_byte < spawn.site.end_byte:
            continue
        if node.type == kinds.CALL_EXPRESSION:
            fn = node.child_by_field_name(kinds.F_FUNCTION)
            last = fn.child_by_field_name(kinds.F_FIELD) if fn is not None and \
                fn.type == kinds.SELECTOR_EXPRESSION else None
            if last is None or f.text(last) != "Wait":
                continue
        elif node.type == kinds.UNARY_EXPRESSION:
            op = node.child_by_field_name(kinds.F_OPERATOR)
            if op is None or f.text(op) != "<-":
                continue
        if in_literal(node, body):
            continue
        key: StorageKey | None = None
        if node.type == kinds.CALL_EXPRESSION:
            fn = node.child_by_field_name(kinds.F_FUNCTION)
            if fn is not None and fn.type == kinds.SELECTOR_EXPRESSION:
                name = fn.child_by_field_name(kinds.F_FIELD)
                operand = fn.child_by_field_name(kinds.F_OPERAND)
                if name is not None and operand is not None and pkg.text(name) == "Wait":
                    key = pkg.storage.key(operand)
                    if key is None or key not in waits:
                        continue
                else:
                    continue
            else:
                continue
        elif node.type == kinds.UNARY_EXPRESSION:
            op = node.child_by_field_name(kinds.F_OPERATOR)
            operand = node.child_by_field_name(kinds.F_OPERAND)
            if op is None or operand is None or pkg.text(op) != "<-":
                continue
            key = pkg.storage.key(operand)
            if key is None or key not in chans:
                continue
        elif node.type == kinds.RANGE_CLAUSE:
            right = node.child_by_field_name(kinds.F_RIGHT)
            key = pkg.storage.key(right) if right is not None else None
            if key is None or key not in chans:
                continue
        else:
            continue
        select = select_join(pkg, node)
        stmt = guaranteed_after(select if select is not None else node, spawn.site, body)
        if stmt is not None:
            return stmt
    return None

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
