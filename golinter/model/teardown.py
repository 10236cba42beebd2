"""Teardown: code that runs while a value is being retired, where emptying a collection without
zeroing it retains nothing that matters (the value itself is about to become garbage).

- `released_at_teardown`: `s = s[:0]` in a Close, Shutdown or Stop method, after a range over s
  that released each element (hugo's `Closers`).
- `called_only_at_teardown`: a helper that the package calls only from Close, Shutdown or Stop
  methods (moby's `messageRing.Drain`, called by `ringLogger.Close`; nats.go's `Endpoint.stop`,
  called by `service.Stop` for every endpoint). A teardown method that hands the value back to a
  pool (`.Put(`) is not a retirement: the value lives on, and so does what its slots hold.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model import occurrences
from golinter.model.bounds import preceding
from golinter.model.removals import top_function
from golinter.model.scopes import receiver_type_name
from golinter.model.typelite import unparen

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package
    from golinter.model.storage import StorageKey

# Methods that end a value's life: what they empty or replace bounds nothing while the value runs.
TEARDOWN_METHODS = frozenset({"Close", "Shutdown", "Stop"})


def released_at_teardown(pkg: Package, key: StorageKey, stmt: Node) -> bool:
    """`s = s[:0]` in a Close, Shutdown or Stop method, after a range over s in the same statement
    list (`for _, c := range cs.cs { c.Close() }; cs.cs = cs.cs[:0]`): the elements were just
    released one by one and the value is being retired, not refilled (hugo's `Closers`)."""
    if not _is_teardown(pkg, top_function(stmt)):
        return False
    for before in preceding(stmt):
        clause = next((c for c in before.named_children if c.type == kinds.RANGE_CLAUSE), None) \
            if before.type == kinds.FOR_STATEMENT else None
        ranged = clause.child_by_field_name(kinds.F_RIGHT) if clause is not None else None
        if ranged is not None and pkg.storage.key(unparen(ranged)) == key:
            return True
    return False


def called_only_at_teardown(pkg: Package, func: Node | None) -> bool:
    """`func` is a package-private function or method (an unexported name, or a method of an
    unexported type) that the package's non-test code calls, and only from Close, Shutdown or Stop
    methods that do not hand a value back to a pool; every mention of its name is such a call."""
    name_node = func.child_by_field_name(kinds.F_NAME) if func is not None else None
    if func is None or name_node is None:
        return False
    name = pkg.text(name_node)
    if name[:1].isupper():
        if func.type != kinds.METHOD_DECLARATION:
            return False
        recv = receiver_type_name(pkg.file_of(func), func)
        if recv is None or recv[:1].isupper():
            return False  # callable from other packages
    calls = 0
    for f in pkg.files:
        if f.is_test:
            continue
        for token in occurrences.name_tokens(f, (name,)):
            if token == name_node:
                continue
            call = occurrences.selector_call(token) if token.type == kinds.FIELD_IDENTIFIER \
                else occurrences.identifier_call(token)
            caller = top_function(call) if call is not None else None
            if caller is None or not _is_teardown(pkg, caller) or b".Put(" in f.src[caller.start_byte:caller.end_byte]:
                return False
            calls += 1
    return calls > 0


def _is_teardown(pkg: Package, func: Node | None) -> bool:
    name = func.child_by_field_name(kinds.F_NAME) if func is not None and func.type == kinds.METHOD_DECLARATION \
        else None
    return name is not None and pkg.text(name) in TEARDOWN_METHODS



