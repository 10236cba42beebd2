"""Concurrency contexts as data: the contexts of a package (methods of shared types, handlers,
goroutines and their spawners' code after the spawn), the map accesses each makes, and the
analysis that pairs them; and the levels that read an inlined callee's roots and storage in the
terms of the context that calls it. model/concurrency.py finds them.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from golinter.model.lockfacts import NONE, OUTER, PARAM, PKG, RECV, Lockset, Operand, Root
from golinter.model.storage import StorageKey

if TYPE_CHECKING:
    from golinter.model.lockfacts import Call, MapAccess, Site

METHOD, HANDLER, GOROUTINE, AFTER = "method", "handler", "goroutine", "after"
PARALLEL_SUBTEST = "the parallel subtest"


@dataclass(frozen=True, slots=True)
class Context:
    """Code that runs as one thread of control. `name` is how messages call it ("Get", "handler
    handleStats", "the goroutine"); `origin` where it comes from (the method's name, the
    registration, the spawn); `unit` its function. AFTER contexts are the spawner's own code
    after spawn `spawn` (the index of the goroutine context). `partners`: the non-ambient
    contexts this one runs alongside (a goroutine: its AFTER context and the goroutines started
    while it runs; an AFTER context: its goroutine)."""

    index: int
    kind: str
    name: str
    unit: Site
    origin: Site
    multi: bool
    ambient: bool
    spawn: int = -1
    in_loop: bool = False
    partners: frozenset[int] = frozenset()
    registered: bool = False  # HANDLER: `origin` is the call that registers it
    per_request: bool = False  # GOROUTINE: started by a handler, once per request
    spawner: str = ""          # GOROUTINE: the function that starts it
    phased: bool = False       # METHOD: its framework calls it when no other method runs


@dataclass(frozen=True, slots=True)
class Access:
    """One map access as a context makes it. `via`: the call in the context's own function that
    reaches it (None when the access is there). `shared`: the storage is visible to other
    contexts; `instance_shared`: every instance of this context sees the same storage."""

    context: int
    key: StorageKey
    write: bool
    site: Site
    map_site: Site
    lockset: Lockset
    shared: bool
    instance_shared: bool
    via: Site | None = None
    returned: bool = False
    pos: int = 0
    load: Lockset | None = None  # the locks where the map was loaded, when not at the access
    fresh: tuple[StorageKey, ...] = ()  # a write into a map made fresh in a region these locks hold


@dataclass
class Analysis:
    contexts: list[Context] = field(default_factory=list)
    accesses: list[Access] = field(default_factory=list)
    evidence: dict[StorageKey, tuple[StorageKey, ...]] = field(default_factory=dict)
    snapshot_writes: list[MapAccess] = field(default_factory=list)
    # (goroutine context, other context) -> the position in the other's function after which
    # the goroutine has ended (a receive from a channel it closes or sends on as its last act)
    ended: dict[tuple[int, int], int] = field(default_factory=dict)

    def concurrent(self, a: Context, b: Context) -> bool:
        """Whether contexts a and b (a may be b) can run at the same time."""
        if a.index == b.index:
            return a.multi
        if (a.phased and b.kind in (METHOD, HANDLER)) or (b.phased and a.kind in (METHOD, HANDLER)):
            return False  # a lifecycle method (entrypoints.component_lifecycle)
        if a.kind == AFTER or b.kind == AFTER or (a.kind == GOROUTINE and b.kind == GOROUTINE):
            # goroutines meet when one starts while the other runs in the same function; two
            # goroutines started from unrelated places may be ordered by hand-offs the model
            # does not see (a restarted worker replacing a dead one)
            return b.index in a.partners or a.index in b.partners
        return a.ambient and b.ambient

    def ended_before(self, goroutine: Context, access: Access) -> bool:
        """The goroutine has ended by the time `access` runs (model/exitjoins.py)."""
        pos = self.ended.get((goroutine.index, access.context))
        return pos is not None and access.pos >= pos

    annotated: Callable[[StorageKey], StorageKey | None] | None = None  # the lock an annotation names
    _guards: dict[StorageKey, tuple[StorageKey, ...]] = field(default_factory=dict)

    def guards(self, key: StorageKey) -> tuple[StorageKey, ...]:
        """Locks some code holds around this storage, or that an annotation names (evidence that
        it is meant to be guarded). `evidence` holds the first; annotations are read on demand."""
        found = self._guards.get(key)
        if found is None:
            locks = set(self.evidence.get(key, ()))
            noted = self.annotated(key) if self.annotated is not None else None
            if noted is not None:
                locks.add(noted)
            found = self._guards[key] = tuple(sorted(locks, key=lambda s: (s.root, s.path)))
        return found


Sharing = tuple[bool, bool]  # (shared, instance_shared)
NOT_SHARED: Sharing = (False, False)


@dataclass(frozen=True)
class Level:
    """How one inlined function's roots and keys read in the context's terms."""

    classify: Callable[[Root], Sharing]
    resolve: Callable[[Root, StorageKey], StorageKey | None]


def after_class(root: Root) -> Sharing:
    """The spawner's own code: anything with a root may be what the goroutine touches."""
    return (True, True) if root.kind != NONE else NOT_SHARED


def handler_class(root: Root) -> Sharing:
    """Handler roots: the receiver, package variables and captured variables outlive the request."""
    return (True, True) if root.kind in (RECV, PKG, OUTER) else NOT_SHARED


def method_class(root: Root) -> Sharing:
    return (True, True) if root.kind in (RECV, PKG) else NOT_SHARED


def callee_level(parent: Level, call: Call) -> Level:
    path = call.callee.path

    def operand(root: Root) -> Operand | None:
        if root.kind == RECV:
            return call.recv
        if root.kind == PARAM and 0 <= root.index < len(call.args):
            return call.args[root.index]
        return None

    def classify(root: Root) -> Sharing:
        if root.kind == PKG:
            return (True, True)
        if root.kind in (RECV, PARAM):
            op = operand(root)
            return parent.classify(op.root) if op is not None else NOT_SHARED
        return NOT_SHARED

    def resolve(root: Root, key: StorageKey) -> StorageKey | None:
        if root.kind not in (RECV, PARAM):
            return key
        op = operand(root)
        if op is None or op.key is None:
            return None if key.root == f"local:{path}:{root.decl}" else key
        base = parent.resolve(op.root, op.key)
        if base is None:
            return None if key.root == f"local:{path}:{root.decl}" else key
        return rebase(key, root, path, Operand(op.root, base))

    return Level(classify, resolve)


def passed_in(chain: tuple[Call, ...], key: StorageKey) -> tuple[Site, Site] | None:
    """The call, nearest the access, that hands this storage to a helper as an argument
    (`keys(c.fields)` for `for k := range m` in keys): (the call, the argument), else None."""
    for call in reversed(chain):
        for op in call.args:
            if op is not None and op.key is not None and op.site is not None and op.key.root == key.root \
                    and key.path[:len(op.key.path)] == op.key.path and op.root.kind != NONE:
                return call.site, op.site
    return None


def rebase(key: StorageKey, root: Root, path: str, op: Operand | None) -> StorageKey | None:
    """A key rooted at a parameter (`local:<param>` + path) re-rooted at the bound argument."""
    if key.root != f"local:{path}:{root.decl}":
        return key
    if op is None or op.key is None:
        return None
    return StorageKey(op.key.root, op.key.path + key.path)
