"""Concurrency contexts: which code of a package can run at the same time, and the locks it holds.

`Concurrency.analysis(spawners)` finds the package's contexts and the map accesses each one
makes (through same-package calls, with the lockset at each access):
- goroutines: `go f()`/`go s.m()`/`go func(){...}()`, errgroup `Go`/`TryGo`, `sync.WaitGroup.Go`,
  `time.AfterFunc`, `context.AfterFunc`, `b.RunParallel`, and configured spawners
  ("conc.WaitGroup.Go", "workerpool.Submit"); each with its spawner's code after the spawn
  up to a real join (an AFTER context): `wg.Wait()` when every `wg.Done()` of the goroutine is
  its last act (deferred, the body's last statement, or right before a `return`: a path that
  leaves without Done makes Wait block, not return early; a Done followed by more work, or in a
  literal of unknown timing, is no join),
  errgroup `Wait`, a receive from a channel the goroutine sends on or closes after its writes;
  and in any function, after a receive from a field or package channel that a goroutine started
  once closes or sends on as its last act (model/exitjoins.py); and in another goroutine of the
  spawner, after ranging to the end over a channel of the spawner that one closes as its last
  act (model/closejoins.py);
  goroutines a `_test.go` file starts (and the test's code beside them) keep only the accesses
  in `_test.go` files: a test that drives production code concurrently is testing it;
- handlers: `func(http.ResponseWriter, *http.Request)` literals, functions and methods,
  `ServeHTTP`, gin/echo/fiber handlers, gRPC service methods (types embedding
  `Unimplemented*Server`), outside `_test.go` files (tests feed requests one at a time);
- methods: exported methods of shared types (a sync.Mutex/RWMutex field or embedding), unless
  the type is documented "not safe for concurrent use" or the method is documented to be
  called before Serve/Start/Run, or the method does not lock its receiver on a type whose
  users lock its embedded mutex around calls (model/outerlocks.py) or is called only on values
  still being built (model/setupcalls.py).
Multi-instance contexts (handlers, methods, goroutines started in a loop or by a handler) run
at the same time as themselves. `Analysis.concurrent(a, b)` says whether two contexts can.

Accesses carry two lock facts from model/locksets.py in the context's terms: `load`, the locks
held where a map reached through a local copy was loaded (`m := s.items` under RLock, ranged
after RUnlock), and `fresh`, for a write into a map made fresh in the same locked region
(`s.items = map[K]V{}; s.items[k] = v`), the locks held continuously since it was made.

Each access says whether its storage is shared with other contexts (receiver, package
variables, captured variables, arguments bound to a goroutine) and whether every instance
of a multi-instance context shares it (a map declared inside the loop that starts a
goroutine is per goroutine). Accesses through slice elements (`shards[i][k]`) are left out:
the model does not know which element is whose. Only one package is seen: callers in other
packages, interfaces and func values are not followed.
"""
from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model import occurrences
from golinter.model.batons import holds_baton
from golinter.model.closejoins import drained_before, local_closes
from golinter.model.contexts import (
    AFTER,
    GOROUTINE,
    HANDLER,
    METHOD,
    NOT_SHARED,
    PARALLEL_SUBTEST,
    Access,
    Analysis,
    Context,
    Level,
    Sharing,
    after_class,
    callee_level,
    handler_class,
    method_class,
    passed_in,
    rebase,
)
from golinter.model.entrypoints import (
    HELD_BY_DOC,
    LIVE_MAP_DOC,
    LOCKED_NAME,
    NOT_ENTRY_POINTS,
    NOT_SAFE,
    SETUP_DOC,
    SETUP_METHODS,
    TEST_DOUBLE_FILE,
    component_lifecycle,
    drives_event_loop,
    held_by_doc,
    sets_unguarded_fields,
)
from golinter.model.exitjoins import exit_channels, received_before
from golinter.model.handlers import HANDLER_SIGNS, Handlers
from golinter.model.handoff import handed_off
from golinter.model.lifetimes import is_fresh_value
from golinter.model.locksets import (
    EMPTY,
    FREE,
    HELD,
    LOCAL,
    NONE,
    OUTER,
    PARAM,
    PKG,
    RECV,
    UNKNOWN_LOCKSET,
    Call,
    Lockset,
    Operand,
    Root,
    Site,
    Summary,
    calls_parallel,
    doc_comment,
    site_of,
    type_is_lock,
)
from golinter.model.outerlocks import caller_locked_types, locked_types, locks_receiver
from golinter.model.scopes import ObjKind
from golinter.model.setupcalls import setup_only
from golinter.model.spawnjoins import Spawn, joins_of
from golinter.model.spawnplaces import (
    leaves_loop_after,
    spawned_per_accept,
)
from golinter.model.storage import StorageKey
from golinter.model.testcode import TestCode
from golinter.model.typelite import unparen
from golinter.model.types import Named, Struct
from golinter.testnames import is_double_package

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package

_MAX_DEPTH = 3        # calls followed from a context's own function
_MAX_DEPTH_AFTER = 2  # ... from a spawner's code after a spawn (test bodies call many helpers)

# The context data (model/contexts.py) is re-exported: callers name it from here.
__all__ = [
    "AFTER",
    "GOROUTINE",
    "HANDLER",
    "METHOD",
    "PARALLEL_SUBTEST",
    "Access",
    "Analysis",
    "Concurrency",
    "Context",
]

_ERRGROUP = "golang.org/x/sync/errgroup"
# Built-in spawners: (import path, type or "", method or function) -> index of the func argument.
_SPAWN_METHODS: dict[tuple[str, str, str], int] = {
    (_ERRGROUP, "Group", "Go"): 0, (_ERRGROUP, "Group", "TryGo"): 0, ("sync", "WaitGroup", "Go"): 0,
    ("testing", "B", "RunParallel"): 0, ("testing", "T", "Run"): 1,
}
_PARALLEL_SUBTEST = "testing.T.Run"
_SPAWN_FUNCS: dict[tuple[str, str], int] = {("time", "AfterFunc"): 1, ("context", "AfterFunc"): 1}


def _after_handoff(handed: frozenset[int], root: Root) -> Sharing:
    """The spawner after a hand-off: the variables it replaced hold values the goroutine never saw."""
    if root.kind == LOCAL and root.decl in handed:
        return NOT_SHARED
    return after_class(root)


class Concurrency:
    """Concurrency contexts of one package. Built lazily by `Package.concurrency`."""

    def __init__(self, package: Package) -> None:
        self._pkg = package
        self._memo: dict[tuple[str, ...], Analysis] = {}

    def analysis(self, spawners: tuple[str, ...] = ()) -> Analysis:
        cached = self._memo.get(spawners)
        if cached is None:
            cached = _Builder(self._pkg, spawners).build()
            self._memo[spawners] = cached
        return cached

    def node_at(self, site: Site) -> Node:
        """The node a Site stands for (for findings)."""
        for f in self._pkg.files:
            if f.path == site.path:
                node = f.tree.root_node.descendant_for_byte_range(site.start, site.end)
                if node is not None:
                    while node.parent is not None and node.parent.start_byte == site.start \
                            and node.parent.end_byte == site.end:
                        node = node.parent
                    return node
        raise LookupError(f"no node at {site}")


class _Builder:
    def __init__(self, pkg: Package, spawners: tuple[str, ...]) -> None:
        self.pkg = pkg
        self.spawners = spawners
        self.out = Analysis()
        self.spawns: list[Spawn] = []
        self.handler_lits: dict[int, Node] = {}
        self.decls: dict[Site, Node] = {}
        self.async_lits: set[int] = set()
        self.registrations: dict[Site, Site] = {}  # handler declaration -> first call it is passed to
        self.registered_in: dict[Site, set[str]] = {}  # handler declaration -> files of the calls
        self._driver_memo: dict[int, bool] = {}  # drives_event_loop's answers
        self._live_map_memo: dict[int, bool] = {}  # _hands_out_live_map's answers
        self.spawner_names = frozenset({m for _p, _t, m in _SPAWN_METHODS} | {f for _p, f in _SPAWN_FUNCS}
                                       | {s.rsplit(".", 1)[-1] for s in spawners})
        self.handler_names: frozenset[str] = frozenset()
        self.handlers = Handlers.of(pkg)
        self._shared_memo: dict[str, bool] = {}
        self.calls_by_name: dict[str, list[Node]] = {}
        self.test_paths = frozenset(f.path for f in pkg.files if f.is_test)

    # -- entry -----------------------------------------------------------------------------------
    def build(self) -> Analysis:
        pkg = self.pkg
        lits: list[Node] = []
        locks = pkg.locks
        for f in pkg.files:
            for top in f.tree.root_node.named_children:
                if top.type in kinds.TOP_FUNCTION_KINDS and not f.in_broken(top):
                    self.decls[locks.site(top)] = top
        names = set()
        for decl in self.decls.values():
            name_node = decl.child_by_field_name(kinds.F_NAME)
            f = locks.file_of(decl)
            if name_node is not None and not f.is_test and self._is_handler(decl):
                names.add(f.text(name_node))
        self.handler_names = frozenset(names)
        # No whole-tree query: `go`, the spawner names, the handler names and `func` are found by
        # their text (model/occurrences.py), in document order.
        for f in pkg.files:
            for node in occurrences.go_statements(f):
                if not f.in_broken(node):
                    self._go(node)
            registrations: list[Node] = []
            for token in occurrences.name_tokens(f, self.spawner_names | self.handler_names):
                call = occurrences.selector_call(token)
                if call is not None and not f.in_broken(call) and f.text(token) in self.spawner_names:
                    self._spawner_call(call)
                arg = token.parent if token.type == kinds.FIELD_IDENTIFIER else token  # `s.handleX`, `handleX`
                holder = arg.parent if arg is not None else None
                if holder is not None and holder.type == kinds.ARGUMENT_LIST and holder.parent is not None:
                    registrations.append(holder.parent)
            seen: set[int] = set()
            for node in sorted(registrations, key=lambda n: (n.start_byte, -n.end_byte)):
                if node.id in seen:
                    continue
                seen.add(node.id)
                fn = node.child_by_field_name(kinds.F_FUNCTION)
                if fn is None or fn.type != kinds.SELECTOR_EXPRESSION or fn.child_by_field_name(kinds.F_FIELD) is None \
                        or f.in_broken(node):
                    continue
                args_node = node.child_by_field_name(kinds.F_ARGUMENTS)
                if self.handler_names and args_node is not None and args_node.type == kinds.ARGUMENT_LIST and any(
                        f.text(a).rsplit(".", 1)[-1] in self.handler_names for a in args_node.named_children
                        if a.type in (kinds.IDENTIFIER, kinds.SELECTOR_EXPRESSION)):
                    self._note_registration(node)
            if not f.is_test and any(sign in f.src for sign in HANDLER_SIGNS):
                lits += [n for n in occurrences.func_literals(f) if not f.in_broken(n)]
        for lit in lits:
            if not self._in_test(lit) and self._is_handler(lit):
                self.handler_lits[lit.id] = lit
                self.async_lits.add(lit.id)
        for spawn in self.spawns:
            self._place(spawn)
        self._goroutines()
        self._handlers()
        self._methods()
        self._exit_joins()
        self._evidence()
        self._snapshots()
        return self.out

    def _calls_named(self, name: str) -> list[Node]:
        """Calls `name(...)` and `x.name(...)` of the package, outside broken code (built on demand:
        only functions whose entry lockset is inferred from their callers ask)."""
        found = self.calls_by_name.get(name)
        if found is None:
            found = []
            for f in self.pkg.files:
                for token in occurrences.name_tokens(f, (name,)):
                    call = occurrences.selector_call(token) if token.type == kinds.FIELD_IDENTIFIER \
                        else occurrences.identifier_call(token)
                    if call is not None and not f.in_broken(call):
                        found.append(call)
            self.calls_by_name[name] = found
        return found

    def _snapshots(self) -> None:
        """Writes to maps loaded from an atomic.Value/atomic.Pointer: published snapshots that
        readers use without a lock."""
        pkg = self.pkg
        loads = {f.path: positions for f in pkg.files if (positions := occurrences.offsets(f.src, b".Load()"))}
        if not loads:
            return
        lits = [sp.unit for sp in self.spawns if sp.unit.type == kinds.FUNC_LITERAL] + list(self.handler_lits.values())
        for decl in self.decls.values():
            f = pkg.locks.file_of(decl)
            marks = loads.get(f.path)
            i = bisect.bisect_left(marks, decl.start_byte) if marks else 0
            if not marks or i == len(marks) or marks[i] + 7 > decl.end_byte:
                continue  # no `.Load()` in the declaration's text
            units = [decl] + [lit for lit in lits if decl.start_byte <= lit.start_byte < decl.end_byte
                              and pkg.file_of(lit).path == f.path]
            for unit in units:
                self.out.snapshot_writes += [a for a in pkg.locks.summary(unit).accesses if a.write and a.snapshot]

    # -- spawns -----------------------------------------------------------------------------------
    def _go(self, stmt: Node) -> None:
        call = next((c for c in stmt.named_children if c.type == kinds.CALL_EXPRESSION), None)
        if call is None:
            return
        fn = call.child_by_field_name(kinds.F_FUNCTION)
        args_node = call.child_by_field_name(kinds.F_ARGUMENTS)
        if fn is None:
            return
        args = [unparen(a) for a in (args_node.named_children if args_node is not None else [])
                if a.type != kinds.COMMENT]
        spawn = self._target(stmt, unparen(fn), args, call, "go")
        if spawn is not None and spawn.spawner is not None:
            # What the goroutine was handed and the spawner replaced is the goroutine's alone,
            # and what the spawner holds in that variable afterwards is not the goroutine's.
            handed = [handed_off(self.pkg, stmt, a, spawn.spawner) for a in args]
            spawn.args = tuple(None if h is not None else op for h, op in zip(handed, spawn.args))
            spawn.handed = frozenset(h for h in handed if h is not None)

    def _target(self, site: Node, fn: Node, args: list[Node], call: Node | None, how: str) -> Spawn | None:
        """The goroutine body: a literal, or a same-package function/method (value); the spawn
        recorded, or None when the body is not known."""
        pkg = self.pkg
        spawner = self._unit_of(site)
        if fn.type == kinds.FUNC_LITERAL:
            self.async_lits.add(fn.id)
            self.spawns.append(Spawn(site, fn, spawner, None,
                                      tuple(self._operand(spawner, a) for a in args), None, how=how))
            return self.spawns[-1]
        decl: Node | None = None
        recv: Operand | None = None
        if call is not None:
            decl = pkg.types.callee_decl(call)
        elif fn.type == kinds.IDENTIFIER:
            obj = pkg.scopes.resolve(fn)
            if obj is not None and obj.kind is ObjKind.FUNC and obj.package_level:
                decl = obj.decl
        elif fn.type == kinds.SELECTOR_EXPRESSION:
            operand = fn.child_by_field_name(kinds.F_OPERAND)
            name = fn.child_by_field_name(kinds.F_FIELD)
            if operand is not None and name is not None and pkg.types.import_path_of(operand) is None:
                decl = pkg.types.method_decl(pkg.types.type_of(operand), pkg.text(name))
        if decl is None or decl.type not in kinds.TOP_FUNCTION_KINDS:
            return None
        if decl.type == kinds.METHOD_DECLARATION and fn.type == kinds.SELECTOR_EXPRESSION:
            operand = fn.child_by_field_name(kinds.F_OPERAND)
            recv = self._operand(spawner, unparen(operand)) if operand is not None else None
        self.spawns.append(Spawn(site, decl, spawner, recv,
                                  tuple(self._operand(spawner, a) for a in args), None, how=how))
        return self.spawns[-1]

    def _spawner_call(self, call: Node) -> None:
        fn = call.child_by_field_name(kinds.F_FUNCTION)
        args_node = call.child_by_field_name(kinds.F_ARGUMENTS)
        if fn is None or args_node is None:
            return
        args = [unparen(a) for a in args_node.named_children if a.type != kinds.COMMENT]
        index, how = self._spawner_arg(fn, len(args))
        if index < 0 or index >= len(args):
            return
        if how == _PARALLEL_SUBTEST and not calls_parallel(self.pkg, args[index]):
            return  # a sequential subtest runs inline
        self._target(call, args[index], [], None, how)

    def _spawner_arg(self, fn: Node, nargs: int) -> tuple[int, str]:
        pkg = self.pkg
        name_node = fn.child_by_field_name(kinds.F_FIELD) if fn.type == kinds.SELECTOR_EXPRESSION else None
        if name_node is None or pkg.text(name_node) not in self.spawner_names:
            return -1, ""  # cheap text test before any resolution
        q = pkg.types.qualified(fn)
        if q is not None:
            if q in _SPAWN_FUNCS:
                return _SPAWN_FUNCS[q], f"{q[0].rsplit('/', 1)[-1]}.{q[1]}"
            for extra in self.spawners:
                parts = extra.split(".")
                if len(parts) == 2 and parts[1] == q[1] and q[0].rsplit("/", 1)[-1] == parts[0]:
                    return nargs - 1, extra
            return -1, ""
        operand = fn.child_by_field_name(kinds.F_OPERAND)
        name_node = fn.child_by_field_name(kinds.F_FIELD)
        if operand is None or name_node is None:
            return -1, ""
        recv_type = pkg.types.deref(pkg.types.type_of(operand))
        name = pkg.text(name_node)
        recv = recv_type if isinstance(recv_type, Named) else self._made_by(operand)
        if recv is None or not recv.pkg:
            return -1, ""
        index = _SPAWN_METHODS.get((recv.pkg, recv.name, name))
        if index is not None:
            return index, f"{recv.pkg.rsplit('/', 1)[-1]}.{recv.name}.{name}"
        for extra in self.spawners:
            parts = extra.split(".")
            if len(parts) == 3 and parts[1:] == [recv.name, name] and recv.pkg.rsplit("/", 1)[-1] == parts[0]:
                return nargs - 1, extra
        return -1, ""

    def _made_by(self, operand: Node) -> Named | None:
        """`wp := workerpool.New(8)` (a result type the model does not know): a value of some type
        of package workerpool; matched by package and method name against configured spawners."""
        pkg = self.pkg
        if operand.type != kinds.IDENTIFIER:
            return None
        obj = pkg.scopes.resolve(operand)
        if obj is None or obj.value is None or obj.value_count != 1:
            return None
        value = unparen(obj.value)
        fn = value.child_by_field_name(kinds.F_FUNCTION) if value.type == kinds.CALL_EXPRESSION else None
        q = pkg.types.qualified(fn) if fn is not None else None
        if q is None:
            return None
        last = q[0].rsplit("/", 1)[-1]
        for extra in self.spawners:
            parts = extra.split(".")
            if len(parts) == 3 and parts[0] == last:
                return Named(q[0], parts[1])
        return None

    def _operand(self, unit: Node | None, expr: Node) -> Operand | None:
        return self.pkg.locks.operand(unit, expr) if unit is not None else None

    def _unit_of(self, node: Node) -> Node | None:
        """The unit (declaration or async literal) whose code `node` is part of; None when it sits in
        a literal of unknown timing (not run inline by its unit)."""
        between: list[Node] = []
        cur = node.parent
        unit: Node | None = None
        while cur is not None:
            if cur.type in kinds.TOP_FUNCTION_KINDS:
                unit = cur
                break
            if cur.type == kinds.FUNC_LITERAL:
                if cur.id in self.async_lits or self._is_spawned_literal(cur):
                    unit = cur
                    break
                between.append(cur)
            cur = cur.parent
        if unit is None:
            return None
        if between:
            inline = self.pkg.locks.summary(unit).inline
            if any(site_of(self.pkg, lit) not in inline for lit in between):
                return None
        return unit

    def _is_spawned_literal(self, lit: Node) -> bool:
        parent = lit.parent
        if parent is not None and parent.type == kinds.CALL_EXPRESSION and parent.parent is not None \
                and parent.parent.type == kinds.GO_STATEMENT:
            self.async_lits.add(lit.id)
            return True
        if parent is not None and parent.type == kinds.ARGUMENT_LIST and parent.parent is not None:
            fn = parent.parent.child_by_field_name(kinds.F_FUNCTION)
            args = [a for a in parent.named_children if a.type != kinds.COMMENT]
            if fn is not None and fn.type == kinds.SELECTOR_EXPRESSION:
                index, how = self._spawner_arg(fn, len(args))
                if how == _PARALLEL_SUBTEST and not calls_parallel(self.pkg, lit):
                    return False
                if 0 <= index < len(args) and args[index] == lit:
                    self.async_lits.add(lit.id)
                    return True
        if not self._in_test(lit) and self._is_handler(lit):
            self.async_lits.add(lit.id)
            return True
        return False

    # -- placing a spawn: loop, join, instances ------------------------------------------------------
    def _place(self, spawn: Spawn) -> None:
        unit = spawn.spawner
        if unit is None:
            return
        loop: Node | None = None
        cur = spawn.site.parent
        while cur is not None and cur != unit:
            if cur.type == kinds.FOR_STATEMENT and loop is None:
                loop = cur
            cur = cur.parent
        if loop is not None and leaves_loop_after(spawn.site, loop):
            loop = None  # `go run(); break`: one goroutine per pass through the code, not per iteration
        if loop is not None and spawn.how == "go" and holds_baton(self.pkg, spawn.site, spawn.unit):
            loop = None  # restarted after taking a one-token channel it gives back: one at a time
        if loop is not None and self.pkg.file_of(spawn.site).is_test \
                and spawned_per_accept(spawn.site, loop, self.pkg.text):
            loop = None  # a test's fake server: its one client is served a request at a time
        spawn.loop = loop
        if not self._touches_shared(spawn):
            return  # joins and instances only matter for goroutines that touch shared maps
        spawn.join, spawn.joined = joins_of(self.pkg, spawn)
        joined_in_loop = loop is not None and spawn.join is not None \
            and loop.start_byte <= spawn.join.start_byte < loop.end_byte
        if spawn.how == "testing.B.RunParallel":
            spawn.multi = True
            spawn.boundary = (spawn.unit.start_byte, spawn.unit.end_byte)
        elif spawn.how == _PARALLEL_SUBTEST:
            spawn.multi = loop is not None
            spawn.boundary = (loop.start_byte, loop.end_byte) if loop is not None else None
        elif loop is not None and not joined_in_loop:
            spawn.multi = True
            spawn.boundary = (loop.start_byte, loop.end_byte)
        elif self._is_handler_unit(unit):
            spawn.multi = spawn.per_request = True
            body = unit.child_by_field_name(kinds.F_BODY)  # the receiver outlives the request
            spawn.boundary = (body.start_byte, body.end_byte) if body is not None else None
            params = unit.child_by_field_name(kinds.F_PARAMETERS)
            spawn.request_params = (params.start_byte, params.end_byte) if params is not None else None

    def _touches_shared(self, spawn: Spawn) -> bool:
        """Whether the goroutine (through its calls) accesses any map it shares with others."""
        start = len(self.out.accesses)
        probe = Context(-1, GOROUTINE, "", self.pkg.locks.site(spawn.unit), site_of(self.pkg, spawn.site), False, False)
        self._collect(probe, spawn.unit, EMPTY, self._goroutine_level(spawn))
        touches = any(a.shared for a in self.out.accesses[start:])
        del self.out.accesses[start:]
        return touches

    # -- contexts ------------------------------------------------------------------------------------
    def _goroutines(self) -> None:
        """A GOROUTINE context per spawn, and an AFTER context for its spawner's code that runs
        while it may (partners: the goroutine, and goroutines started in that region)."""
        pkg = self.pkg
        base = len(self.out.contexts)
        count = len(self.spawns)
        partners: dict[int, set[int]] = {base + i: set() for i in range(2 * count)}
        for i, spawn in enumerate(self.spawns):
            if spawn.spawner is None:
                continue
            after = base + count + i
            partners[after].add(base + i)
            partners[base + i].add(after)
            for j, other in enumerate(self.spawns):
                parallel = spawn.how == other.how == _PARALLEL_SUBTEST
                if j != i and other.spawner == spawn.spawner and (parallel or self._in_region(spawn, other.site.start_byte)):
                    partners[base + i].add(base + j)  # the spawner's own code after j is j's AFTER context
                    partners[base + j].add(base + i)
        for i, spawn in enumerate(self.spawns):
            what = "the goroutine" if spawn.how == "go" else \
                PARALLEL_SUBTEST if spawn.how == _PARALLEL_SUBTEST else f"the func run by {spawn.how}"
            ctx = Context(base + i, GOROUTINE, what, pkg.locks.site(spawn.unit), site_of(pkg, spawn.site),
                          spawn.multi, ambient=spawn.join is None and spawn.how != _PARALLEL_SUBTEST,
                          spawn=base + i,
                          in_loop=spawn.multi and spawn.loop is not None, partners=frozenset(partners[base + i]),
                          per_request=spawn.per_request,
                          spawner=self._unit_name(spawn.spawner) if spawn.spawner is not None else "")
            self.out.contexts.append(ctx)
            spawn.context = ctx.index
            self._collect(ctx, spawn.unit, EMPTY, self._goroutine_level(spawn))
        touching = {a.context for a in self.out.accesses if a.shared}
        for i, spawn in enumerate(self.spawns):
            unit = spawn.spawner
            index = base + count + i
            name = self._unit_name(unit) if unit is not None else "the spawner"
            ctx = Context(index, AFTER, name, pkg.locks.site(unit) if unit is not None else site_of(pkg, spawn.site),
                          site_of(pkg, spawn.site), False, False, spawn=base + i,
                          partners=frozenset(partners[index]))
            self.out.contexts.append(ctx)
            if unit is None or (base + i) not in touching:
                continue  # a goroutine that touches no shared map cannot race with its spawner
            classify = after_class if not spawn.handed else functools.partial(_after_handoff, spawn.handed)
            self._collect(ctx, unit, self._entry(unit), Level(classify, lambda r, k: k),
                          keep=functools.partial(self._after_spawn, spawn))

    def _after_spawn(self, spawn: Spawn, pos: int, root: Root | None) -> bool:
        """The spawner's own access at `pos` (through `root`) can meet the goroutine: in the region,
        and not a later iteration's fresh map (`deps := make(...)` in the loop body, filled before
        `go wait(deps)`: each iteration makes its own, terraform's dag walker)."""
        if not self._in_region(spawn, pos):
            return False
        loop = spawn.loop
        if root is None or root.kind != LOCAL or loop is None or pos >= spawn.site.start_byte:
            return True
        body = loop.child_by_field_name(kinds.F_BODY)
        return body is None or not body.start_byte <= root.decl < body.end_byte \
            or not self._made_fresh(spawn.site, root.decl)

    def _made_fresh(self, near: Node, decl: int) -> bool:
        """The local declared at byte `decl` (of the file holding `near`) is bound to a new map,
        slice or struct: `make(...)`, a composite literal, `new(T)`, `&T{...}`."""
        root_node = self.pkg.file_of(near).tree.root_node
        ident = root_node.named_descendant_for_byte_range(decl, decl)
        obj = self.pkg.scopes.resolve(ident) if ident is not None and ident.type == kinds.IDENTIFIER else None
        return obj is not None and obj.value is not None and obj.value_count == 1 \
            and is_fresh_value(self.pkg, obj.value, made=True)

    def _in_region(self, spawn: Spawn, pos: int) -> bool:
        """Whether spawner code at byte `pos` runs while the goroutine may: after the spawn and
        before the join, or anywhere in the loop that starts it (later iterations)."""
        if spawn.how == _PARALLEL_SUBTEST:
            return False  # parallel subtests start when the test function has returned
        site, join, loop = spawn.site, spawn.join, spawn.loop
        if any(start <= pos < end for start, end in spawn.joined):
            return False  # in a deferred literal, after it waited for the goroutine
        end = join.start_byte if join is not None else (spawn.spawner.end_byte if spawn.spawner else 0)
        if site.end_byte <= pos < end:
            return True
        if loop is not None and (join is None or not loop.start_byte <= join.start_byte < loop.end_byte):
            return loop.start_byte <= pos < loop.end_byte and not (site.start_byte <= pos < site.end_byte)
        return False

    def _goroutine_level(self, spawn: Spawn) -> Level:
        """Roots of a goroutine body: captured variables and bound arguments are the spawner's;
        those declared inside the instance boundary (the loop) are per goroutine."""
        boundary = spawn.boundary
        path = self.pkg.file_of(spawn.site).path

        params = spawn.request_params

        def per_instance(root: Root) -> bool:
            return any(b is not None and b[0] <= d < b[1] for b in (boundary, params) for d in (root.decl, root.element))

        def spawner_class(op: Operand | None) -> Sharing:
            if op is None or op.root.kind in (NONE,):
                return NOT_SHARED
            return (True, not per_instance(op.root))

        def classify(root: Root) -> Sharing:
            if root.kind == PKG:
                return (True, True)
            if root.kind == OUTER:
                return (True, not per_instance(root))
            if root.kind == RECV:
                return spawner_class(spawn.recv)
            if root.kind == PARAM:
                return spawner_class(spawn.args[root.index] if root.index < len(spawn.args) else None)
            return NOT_SHARED

        def resolve(root: Root, key: StorageKey) -> StorageKey | None:
            if root.kind == RECV:
                return rebase(key, root, path, spawn.recv)
            if root.kind == PARAM:
                return rebase(key, root, path, spawn.args[root.index] if root.index < len(spawn.args) else None)
            return key

        return Level(classify, resolve)

    def _handlers(self) -> None:
        pkg = self.pkg
        units: list[tuple[Node, Site, str]] = []
        for lit in self.handler_lits.values():
            units.append((lit, self._registration(lit), "the handler"))
        for site, decl in self.decls.items():
            if not self._is_handler(decl) or self._test_support(decl):
                continue
            if site in self.registered_in and all(p.endswith("_test.go") for p in self.registered_in[site]):
                continue  # served only by tests' servers (httptest), one request at a time
            name_node = decl.child_by_field_name(kinds.F_NAME)
            name = pkg.text(name_node) if name_node is not None else "handler"
            origin = self.registrations.get(site, site_of(pkg, name_node) if name_node is not None else site)
            units.append((decl, origin, name))
        for unit, origin, name in units:
            registered = not pkg.locks.site(unit).contains(origin)
            ctx = Context(len(self.out.contexts), HANDLER, name, pkg.locks.site(unit), origin, True, True,
                          registered=registered)
            self.out.contexts.append(ctx)
            self._collect(ctx, unit, EMPTY, Level(handler_class, lambda r, k: k))

    def _methods(self) -> None:
        pkg = self.pkg
        for (type_name, method), decls in sorted(pkg.scopes.methods.items()):
            if len(decls) != 1 or not method[:1].isupper() or method in NOT_ENTRY_POINTS or method in SETUP_METHODS:
                continue
            if not self._shared_type(type_name) or self._test_support(decls[0]):
                continue
            decl = decls[0]
            if type_name in caller_locked_types(pkg) and not locks_receiver(pkg, decl):
                continue  # its users take its embedded lock around calls (model/outerlocks.py)
            if sets_unguarded_fields(pkg, decl, type_name):
                continue  # a set-up setter: runs before the value is shared (model/entrypoints.py)
            if not locks_receiver(pkg, decl) and setup_only(pkg, type_name, method, self._calls_named(method)):
                continue  # called only on values still being built (model/setupcalls.py)
            if pkg.locks.file_of(decl).in_broken(decl) or self._is_handler(decl) or SETUP_DOC.search(doc_comment(pkg, decl)):
                continue
            name_node = decl.child_by_field_name(kinds.F_NAME)
            assert name_node is not None
            # A method that runs an event loop (`for { select { ... } }`) is driven by one goroutine
            # at a time (geth's snap Syncer.Sync): not assumed to run beside itself.
            ctx = Context(len(self.out.contexts), METHOD, method, pkg.locks.site(decl), site_of(pkg, name_node),
                          not drives_event_loop(pkg, decl, self._driver_memo), True,
                          phased=component_lifecycle(pkg, type_name, method))
            self.out.contexts.append(ctx)
            self._collect(ctx, decl, self._entry(decl), Level(method_class, lambda r, k: k))

    def _exit_joins(self) -> None:
        """Code after a receive from a channel a goroutine closes or sends on as its last act runs
        after that goroutine, in whichever function it is (model/exitjoins.py)."""
        touching = {a.context for a in self.out.accesses if a.shared}
        self._drain_joins(touching)
        exits = {spawn.context: keys for spawn in self.spawns
                 if spawn.context in touching and not spawn.multi and spawn.unit.type in kinds.FUNCTION_KINDS
                 and (keys := exit_channels(self.pkg, spawn.unit))}
        if not exits:
            return
        units = {ctx.unit: ctx.index for ctx in self.out.contexts if ctx.index not in exits}
        for site, index in units.items():
            unit = self.decls.get(site)
            if unit is None:
                continue
            for goroutine, keys in exits.items():
                pos = received_before(self.pkg, unit, keys)
                if pos is not None:
                    self.out.ended[(goroutine, index)] = pos

    def _drain_joins(self, touching: set[int]) -> None:
        """A goroutine's code after ranging to the end over a channel of its spawner that another
        goroutine, started once, closes as its last act runs after that one (model/closejoins.py)."""
        for spawn in self.spawns:
            if spawn.context not in touching or spawn.multi or spawn.spawner is None \
                    or spawn.unit.type != kinds.FUNC_LITERAL:
                continue
            keys = local_closes(self.pkg, spawn.unit, spawn.spawner)
            for other in self.spawns if keys else ():
                if other is not spawn and other.unit.type == kinds.FUNC_LITERAL:
                    pos = drained_before(self.pkg, other.unit, keys)
                    if pos is not None:
                        self.out.ended[(spawn.context, other.context)] = pos

    def _test_support(self, decl: Node) -> bool:
        """Declared in a `_test.go` file, a test double's file (`test_backend.go`, `*_mock.go`), a
        package named for doubles (`mock`, `fakes`), or a method of a double or a test harness
        (model/testcode.py: `FakeQuerier`, raft's `cluster`)."""
        f = self.pkg.locks.file_of(decl)
        return f.is_test or TEST_DOUBLE_FILE.search(f.path.rsplit("/", 1)[-1]) is not None \
            or is_double_package(self.pkg.name) or TestCode.for_package(self.pkg).in_test_function(decl)

    def _shared_type(self, name: str) -> bool:
        """A type with a mutex (field, embedded, or in an embedded struct) whose doc does not say it
        is not safe for concurrent use."""
        pkg = self.pkg
        cached = self._shared_memo.get(name)
        if cached is not None:
            return cached
        obj = pkg.scopes.package_obj(name)
        if obj is None or obj.decl is None or NOT_SAFE.search(doc_comment(pkg, obj.decl)) \
                or any((name, m) in pkg.scopes.methods for m in ("Lock", "RLock")):
            # A type with Lock methods of its own leaves the locking to its callers (terraform's
            # InstanceDiff: `func (d *InstanceDiff) Lock() { d.mu.Lock() }`, exported maps).
            self._shared_memo[name] = False
            return False
        types = pkg.types
        stack: list[tuple[Named | Struct, int]] = [(Named("", name), 0)]
        has_lock = has_map = False
        while stack:
            t, depth = stack.pop()
            u = types.underlying(t) if isinstance(t, Named) else t
            if not isinstance(u, Struct) or depth > 3:
                continue
            for fld in u.fields:
                has_lock = has_lock or (type_is_lock(fld.type) and self._may_guard_maps(t, u, fld.name))
                has_map = has_map or types.map_of(fld.type) is not None
                inner = types.deref(fld.type)
                if fld.embedded and isinstance(inner, Named) and not inner.pkg:
                    stack.append((inner, depth + 1))
                elif isinstance(fld.type, Struct):
                    stack.append((fld.type, depth + 1))
        # a type without map fields of its own has no map for its methods to guard, and one whose
        # mutex nothing in the package locks guards nothing with it (its owner's lock does)
        shared = has_lock and has_map and name in locked_types(pkg)
        self._shared_memo[name] = shared
        return shared

    def _may_guard_maps(self, owner: Named | Struct, struct: Struct, lock: str) -> bool:
        """False when the lock's comment names the fields it covers and none is a map
        (`cacheMu sync.Mutex // Mutex covering the cache`): the type's maps are its owner's to guard."""
        if not isinstance(owner, Named):
            return True
        scope = self.pkg.locks.lock_scope(owner.name, lock)
        return scope is None or any(f.name in scope and self.pkg.types.map_of(f.type) is not None
                                    for f in struct.fields)

    def _entry(self, decl: Node, infer: bool = True) -> Lockset:
        """Locks held when a function starts: none, unless it is named `*Locked`/`*NoLock` or
        documented "must be held" (then the receiver's lock named in the doc, or its only lock;
        Unknown when that cannot be told)."""
        pkg = self.pkg
        if decl.type not in kinds.TOP_FUNCTION_KINDS:
            return EMPTY
        name_node = decl.child_by_field_name(kinds.F_NAME)
        name = pkg.text(name_node) if name_node is not None else ""
        doc = doc_comment(pkg, decl)
        from golinter.model.scopes import receiver_type_name
        recv = receiver_type_name(pkg.file_of(decl), decl) if decl.type == kinds.METHOD_DECLARATION else None
        if not LOCKED_NAME.search(name) and held_by_doc(doc) != HELD_BY_DOC:
            # only this package calls an unexported function, or any method of an unexported type
            local = name[:1].islower() or (recv is not None and recv[:1].islower())
            return self._called_with(decl, name) if infer and local else EMPTY
        if recv is None:
            return UNKNOWN_LOCKSET
        locks = self._lock_fields(recv)
        named = [f for f in locks if re.search(rf"\b{re.escape(f)}\b", doc)]
        chosen = named if named else locks if len(locks) == 1 else []
        if len(chosen) != 1:
            return UNKNOWN_LOCKSET
        return Lockset.make([(StorageKey(f"type:{recv}", (chosen[0],)), HELD)])

    def _called_with(self, decl: Node, name: str) -> Lockset:
        """An unexported function every same-package call site of which holds lock L runs with L
        held (one pass: the callers' own entries are not inferred)."""
        pkg = self.pkg
        common: dict[StorageKey, int] | None = None
        for call in self._calls_named(name):
            if pkg.types.callee_decl(call) != decl:
                continue
            unit = self._unit_of(call)
            if unit is None or (call.parent is not None and call.parent.type == kinds.GO_STATEMENT):
                return EMPTY
            site = site_of(pkg, call)
            record = next((c for c in pkg.locks.summary(unit).calls if c.site == site), None)
            if record is None:
                return EMPTY
            held = record.transfer.apply(self._entry(unit, infer=False))
            if held.unknown:
                return EMPTY
            here = {k: st for k, st in held.locks if st != FREE and k.root.startswith(("type:", "pkg:"))}
            common = here if common is None else {k: st for k, st in common.items() if here.get(k) == st}
            if not common:
                return EMPTY
        return Lockset.make(common.items()) if common else EMPTY

    def _lock_fields(self, type_name: str) -> list[str]:
        u = self.pkg.types.underlying(Named("", type_name))
        if not isinstance(u, Struct):
            return []
        return [f.name for f in u.fields if type_is_lock(f.type)]

    # -- handlers ----------------------------------------------------------------------------------
    def _is_handler(self, func: Node) -> bool:
        return self.handlers.is_handler(func)

    def _is_handler_unit(self, unit: Node) -> bool:
        return not self._in_test(unit) and self._is_handler(unit)

    def _in_test(self, node: Node) -> bool:
        """In a `_test.go` file or inside a function taking a *testing.T, B, F or testing.TB
        (`func (c *retryCase) Setup(t *testing.T)` in an ordinary file): a test feeds the
        handlers declared there one request at a time, as in a `_test.go` file."""
        return TestCode.for_package(self.pkg).in_test_function(node)

    def _registration(self, lit: Node) -> Site:
        parent = lit.parent
        if parent is not None and parent.type == kinds.ARGUMENT_LIST and parent.parent is not None:
            return site_of(self.pkg, parent.parent)
        return site_of(self.pkg, lit)

    def _note_registration(self, call: Node) -> None:
        """`mux.HandleFunc("/x", s.handleX)`, `r.GET("/x", listItems)`: remember where a function or
        method value is handed over."""
        pkg = self.pkg
        args_node = call.child_by_field_name(kinds.F_ARGUMENTS)
        for arg in (args_node.named_children if args_node is not None else []):
            arg = unparen(arg)
            last = arg.child_by_field_name(kinds.F_FIELD) if arg.type == kinds.SELECTOR_EXPRESSION else arg
            if last is None or pkg.text(last) not in self.handler_names:
                continue  # not named like a handler: no resolution
            decl: Node | None = None
            if arg.type == kinds.IDENTIFIER:
                obj = pkg.scopes.resolve(arg)
                if obj is not None and obj.kind is ObjKind.FUNC and obj.package_level:
                    decl = obj.decl
            elif arg.type == kinds.SELECTOR_EXPRESSION:
                operand = arg.child_by_field_name(kinds.F_OPERAND)
                name = arg.child_by_field_name(kinds.F_FIELD)
                if operand is not None and name is not None and pkg.types.import_path_of(operand) is None:
                    decl = pkg.types.method_decl(pkg.types.type_of(operand), pkg.text(name))
            if decl is not None:
                self.registrations.setdefault(site_of(pkg, decl), site_of(pkg, call))
                self.registered_in.setdefault(site_of(pkg, decl), set()).add(pkg.file_of(call).path)

    def _unit_name(self, unit: Node) -> str:
        name_node = unit.child_by_field_name(kinds.F_NAME) if unit.type in kinds.TOP_FUNCTION_KINDS else None
        return self.pkg.text(name_node) if name_node is not None else "the enclosing function"

    # -- accesses ------------------------------------------------------------------------------------
    def _collect(self, ctx: Context, unit: Node, entry: Lockset, level: Level,
                 keep: Callable[[int, Root | None], bool] | None = None) -> None:
        """Every map access the context makes: its unit's own, then through same-package calls
        (up to _MAX_DEPTH), each with its lockset and sharing in the context's terms. `keep`
        filters by position in the unit (the accesses and calls of a spawner's region)."""
        pkg = self.pkg
        # A goroutine a test starts (and the test's own code alongside it) drives the code under
        # test: its races count only in the test's files, not in the production code it calls.
        tests_only = ctx.kind in (GOROUTINE, AFTER) and ctx.origin.path in self.test_paths
        stack: list[tuple[Summary, Lockset, Level, tuple[Call, ...], int, frozenset[Site]]] = [
            (pkg.locks.summary(unit), entry, level, (), 0, frozenset({pkg.locks.site(unit)}))]
        while stack:
            summary, at_entry, lvl, chain, depth, seen = stack.pop()
            via = chain[0].site if chain else None
            for a in summary.accesses:
                if a.sliced:
                    continue
                key = lvl.resolve(a.root, a.key)
                if key is None:
                    continue
                shared, instance = lvl.classify(a.root)
                lockset = a.transfer.apply(at_entry)
                load = a.load.apply(at_entry) if a.load is not None else None
                if a.returned:
                    if depth > 0 or not lockset.any_held() or self._hands_out_live_map(unit):
                        continue
                    lockset, load = EMPTY, lockset  # the caller reads it after the unlock
                pos = via.start if via is not None else (summary.unit.end if a.deferred else a.site.start)
                if keep is not None and via is None and not keep(pos, a.root):
                    continue
                site, map_site = a.site, a.map_site
                passed = passed_in(chain, key) if chain and key != a.key else None
                if passed is not None:  # a map handed to a helper: the finding goes on the call
                    site, map_site = passed
                if tests_only and site.path not in self.test_paths:
                    continue
                fresh: tuple[StorageKey, ...] = ()
                if a.fresh is not None:
                    made = a.fresh.apply(at_entry)
                    fresh = tuple(k for k in made.held() if lockset.state(k) == HELD)
                self.out.accesses.append(Access(ctx.index, key, a.write, site, map_site, lockset, shared,
                                                instance, via, a.returned, pos, load, fresh))
            if depth >= (_MAX_DEPTH_AFTER if ctx.kind == AFTER else _MAX_DEPTH):
                continue
            for call in summary.calls:
                callee = self.decls.get(call.callee)
                if callee is None or call.callee in seen:
                    continue
                if keep is not None and via is None and not keep(summary.unit.end if call.deferred else call.site.start, None):
                    continue
                stack.append((pkg.locks.summary(callee), call.transfer.apply(at_entry), callee_level(lvl, call),
                              chain + (call,), depth + 1, seen | {call.callee}))

    def _hands_out_live_map(self, unit: Node) -> bool:
        """An accessor documented to return the map itself (entrypoints.LIVE_MAP_DOC)."""
        found = self._live_map_memo.get(unit.id)
        if found is None:
            found = self._live_map_memo[unit.id] = unit.type in kinds.TOP_FUNCTION_KINDS \
                and LIVE_MAP_DOC.search(doc_comment(self.pkg, unit)) is not None
        return found

    def _evidence(self) -> None:
        """Which locks guard each storage: held around some access, or named by an annotation.
        Writes in func literals that methods hand out or store (`return func() { c.mu.Lock();
        delete(c.fns, id); ... }`, run later by whoever holds them: no context of their own)
        count too: they are the package's own code, locking as it means to."""
        found: dict[StorageKey, set[StorageKey]] = {}
        for a in self.out.accesses:
            if a.returned or a.lockset.unknown or not a.write:
                continue  # writes under a lock show the map is meant to be guarded by it
            for lock in a.lockset.any_held():
                if self._meant_for(lock, a.key):
                    found.setdefault(a.key, set()).add(lock)
        for key, lock in self._detached_locked_writes():
            if self._meant_for(lock, key):
                found.setdefault(key, set()).add(lock)
        self.out.evidence = {k: tuple(sorted(v, key=lambda s: (s.root, s.path))) for k, v in found.items()}
        self.out.annotated = self._annotated

    def _detached_locked_writes(self) -> Iterator[tuple[StorageKey, StorageKey]]:
        """(map, lock) for each write under a lock in a func literal of a METHOD context's unit
        that does not run as part of it (nor is a goroutine or handler of its own)."""
        pkg = self.pkg
        units = [self.decls[ctx.unit] for ctx in self.out.contexts if ctx.kind == METHOD and ctx.unit in self.decls]
        literals: dict[str, list[Node]] = {}  # file path -> its func literals, found once
        for unit in units:
            f = pkg.locks.file_of(unit)
            if f.src.find(b"func", unit.start_byte + 4, unit.end_byte) < 0:
                continue  # no literal inside
            inline = set(pkg.locks.summary(unit).inline)
            if f.path not in literals:
                literals[f.path] = occurrences.func_literals(f)
            for lit in literals[f.path]:
                if not unit.start_byte < lit.start_byte < unit.end_byte or lit.id in self.async_lits \
                        or pkg.locks.site(lit) in inline:
                    continue
                for a in pkg.locks.summary(lit).accesses:
                    if a.returned or a.sliced or not a.write:
                        continue
                    lockset = a.transfer.apply(EMPTY)
                    if not lockset.unknown:
                        for lock in lockset.any_held():
                            yield a.key, lock

    def _meant_for(self, lock: StorageKey, key: StorageKey) -> bool:
        """Whether holding `lock` around a write of `key` shows it guards it: not when the lock's
        comment names the fields it covers and this is not one (`m.items[n], m.cache = tx, nil`
        under `cacheMu // Mutex covering the cache`)."""
        if lock.root != key.root or not lock.is_field or len(lock.path) != 1 or not key.path:
            return True
        scope = self.pkg.locks.lock_scope(lock.root[len("type:"):], lock.path[0])
        return scope is None or key.path[0] in scope

    def _annotated(self, key: StorageKey) -> StorageKey | None:
        """`items map[K]V // guarded by mu`: type:T.mu for type:T.items."""
        if not key.root.startswith("type:") or len(key.path) != 1:
            return None
        name = key.root[len("type:"):]
        objs = self.pkg.scopes.package_objs(name)
        if not objs or objs[0].kind is not ObjKind.TYPE:
            return None
        guard = self.pkg.locks.field_guards(name).get(key.path[0])
        return StorageKey(key.root, (guard,)) if guard is not None else None
