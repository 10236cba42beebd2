"""Outer locks: types whose embedded mutex their users lock around calls.

```go
type NSQD struct {
	sync.RWMutex              // embedded: Lock and RLock are part of NSQD's API
	topicMap map[string]*Topic
}
func (n *NSQD) PersistMetadata() error { for _, t := range n.topicMap { ... } }  // takes no lock
func (s *httpServer) doPause() { s.nsqd.Lock(); s.nsqd.PersistMetadata(); s.nsqd.Unlock() }
```

A type that embeds its `sync.Mutex`/`sync.RWMutex` exports `Lock` and `RLock`, and one with an
exported mutex field (`Mu sync.RWMutex // protects the group`) exports the mutex itself; when
code of the package outside the type's own methods locks it on a value of the type (`n.Lock()`,
`g.Mu.Lock()`), the lock is part of the type's contract: its callers take it around calls, as
for a type that declares its own `Lock` method. `caller_locked_types(pkg)` lists those types;
the concurrency model does not take their methods that do not lock their receiver
(`locks_receiver`: `n.Lock()`, `n.RLock()`, `g.Mu.Lock()`) as entry points that run at any
time: their callers hold the lock. A method that locks something else (`topic.Lock()` while
ranging n.topicMap) is still one of those; methods that lock their receiver are still entry
points. An unexported mutex field is the type's own business: its users locking it say nothing.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model import occurrences
from golinter.model.lockcalls import type_is_lock
from golinter.model.scopes import receiver_name, receiver_type_name
from golinter.model.typelite import unparen
from golinter.model.types import Named, Struct

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tree_sitter import Node

    from golinter.model.package import Package, SourceFile

_LOCK_METHODS = ("Lock", "RLock")


def caller_locked_types(pkg: Package) -> frozenset[str]:
    """Same-package types with an embedded mutex that code outside their methods locks."""
    return pkg.fact(_find)


def _find(pkg: Package) -> frozenset[str]:
    found: set[str] = set()
    exports: dict[tuple[str, str], bool] = {}  # (type, field or "" for embedded) -> _exports_lock
    for f in pkg.files:
        if not any(f"{m}()".encode() in f.src for m in _LOCK_METHODS):
            continue
        for call, operand in _lock_method_calls(f, _LOCK_METHODS):
            if f.in_broken(call):
                continue
            owner, field = operand, ""
            if operand.type == kinds.SELECTOR_EXPRESSION:  # `g.Mu.Lock()`: the lock is g's field Mu
                inner, name = operand.child_by_field_name(kinds.F_OPERAND), operand.child_by_field_name(kinds.F_FIELD)
                if inner is not None and name is not None and f.text(name)[:1].isupper():
                    owner, field = inner, f.text(name)
            t = pkg.types.deref(pkg.types.type_of(owner))
            if not isinstance(t, Named) or t.pkg or t.name in found:
                continue
            if (t.name, field) not in exports:
                exports[(t.name, field)] = _exports_lock(pkg, t, field)
            if exports[(t.name, field)] and not _in_method_of(pkg, call, t.name):
                found.add(t.name)
    return frozenset(found)


def locked_types(pkg: Package) -> frozenset[str]:
    """Same-package types whose mutex the package locks somewhere: `x.mu.Lock()`, `x.RLock()`,
    `x.mu.TryLock()` with x of that type (or a pointer to it). A type whose mutex nobody here
    locks guards nothing with it that the package can see."""
    return pkg.fact(_find_locked)


def _find_locked(pkg: Package) -> frozenset[str]:
    found: set[str] = set()
    for f in pkg.files:
        if b"Lock()" not in f.src:
            continue
        for _call, operand in _lock_method_calls(f, _ANY_LOCK_METHODS):
            owner = unparen(operand)
            if owner.type == kinds.SELECTOR_EXPRESSION:  # `x.mu.Lock()`: the lock is x's field
                owner = owner.child_by_field_name(kinds.F_OPERAND) or owner
            t = pkg.types.deref(pkg.types.type_of(owner))
            if isinstance(t, Named) and not t.pkg:
                found.add(t.name)
    return frozenset(found)


_ANY_LOCK_METHODS = ("Lock", "RLock", "TryLock", "TryRLock")


def _lock_method_calls(f: SourceFile, methods: tuple[str, ...]) -> Iterator[tuple[Node, Node]]:
    """(call, operand) of each `x.Lock()` of `f` named by one of `methods`."""
    for token in occurrences.name_tokens(f, methods):
        call = occurrences.selector_call(token)
        selector = token.parent
        operand = selector.child_by_field_name(kinds.F_OPERAND) if selector is not None else None
        if call is not None and operand is not None:
            yield call, operand


def _exports_lock(pkg: Package, t: Named, field: str) -> bool:
    """`t` embeds a mutex (no `field`), or has the exported mutex field `field`."""
    u = pkg.types.underlying(t)
    return isinstance(u, Struct) and any(type_is_lock(fld.type) and (fld.name == field if field else fld.embedded)
                                         for fld in u.fields)


def _in_method_of(pkg: Package, node: Node, type_name: str) -> bool:
    top = pkg.top_level(node)
    return top.type == kinds.METHOD_DECLARATION and receiver_type_name(pkg.file_of(top), top) == type_name


_SELF_LOCK = rb"\.(?:[A-Z]\w*\.)?(?:Try)?R?Lock\(\)"


def locks_receiver(pkg: Package, method: Node) -> bool:
    """`func (n *T) M() { n.Lock(); ... }`: the method takes its receiver's embedded mutex or
    exported mutex field (by its text: `n.Lock()`, `n.RLock()`, `n.TryLock()`, `n.TryRLock()`,
    `n.Mu.Lock()`)."""
    f = pkg.file_of(method)
    name = receiver_name(f, method)
    if name is None:
        return False  # an unnamed receiver cannot be locked
    pattern = re.compile(rb"(?<![\w.])" + re.escape(name.encode()) + _SELF_LOCK)
    return pattern.search(f.src, method.start_byte, method.end_byte) is not None
