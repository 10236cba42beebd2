"""Locksets: which locks are held at each map access of a function, as transfers from its entry.

`Locksets.summary(func)` analyses one function declaration or func literal (a *unit*) and
returns plain data: every map access (storage, read or write, root, and the lock transfer
from the unit's entry to the access), every same-package call (with its transfer and the
roots of its receiver and arguments), the transfer of the whole body (for helpers that take
or release a lock), and the transfers under which the unit calls its func-typed parameters
(`withLock(func(){...})`). Callers compose transfers along call chains and apply them to an
entry lockset; nothing here decides which code runs concurrently (model/concurrency.py).

Flow: if/else, switch, select, for (fix point at the loop head), labeled break/continue,
early exits (return, panic, os.Exit, log.Fatal*, t.Fatal*, runtime.Goexit, `select {}`).
`x.Lock()`/`RLock()` acquire, `Unlock`/`RUnlock` release, `defer mu.Unlock()` holds to the
end, `if mu.TryLock() {` holds in the true branch, a same-package helper whose body takes a
lock (`s.lock()`, `defer s.locked()()`) takes it at the call. A lock reached through a value
receiver is a copy and changes nothing. A lock whose storage is unknown is *opaque*: whoever
asks about it gets Unknown.

Literals: immediately invoked ones, deferred ones (at exit, after the unlocks deferred later),
known synchronous callbacks (sort.Slice, slices.SortFunc, maps.DeleteFunc, sync.Map.Range,
t.Run, ...) and literals passed to same-package helpers that call their func parameter (with the
helper's locks at that call) are part of the enclosing unit. `once.Do` callbacks hold an opaque
lock (ordered by the Once, not by a mutex). Every other literal is left out: either it is a unit
of its own (goroutines, handlers: model/concurrency.py) or its lockset is Unknown.

States per lock: FREE, READ (RLock), HELD, MAYBE (differs between paths: Unknown). Functions
containing `goto` are unsupported (no accesses).

Parts: model/lockfacts.py (states, transfers, locksets, the summary records; re-exported here),
model/lockcalls.py (which lock a call takes, guard annotations), model/lockflow.py (the flow
through one body); this module records a unit's accesses and calls and serves summaries.
"""
from __future__ import annotations

import bisect
import functools
from functools import lru_cache
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.accessshapes import (
    PURE_BUILTINS,
    address_of,
    atomic_load,
    is_assigned,
    map_use,
    returned_values,
    through_slice,
)
from golinter.model.lockcalls import (
    ACQUIRE,
    LOCK_TYPES,
    TRY,
    cond_locks,
    doc_comment,
    lock_call,
    lock_key,
    lock_notes,
    type_is_lock,
)
from golinter.model.lockfacts import (
    EMPTY,
    FREE,
    HELD,
    IDENTITY,
    LOCAL,
    MAYBE,
    NO_ROOT,
    NONE,
    OPAQUE,
    OUTER,
    PARAM,
    PKG,
    READ,
    RECV,
    RESET,
    UNKNOWN_LOCKSET,
    UNKNOWN_TRANSFER,
    Call,
    Lockset,
    MapAccess,
    Operand,
    Operands,
    Root,
    Site,
    Summary,
    Transfer,
    key_order,
    meet_opt,
    site_of,
)
from golinter.model.lockflow import LockFlow
from golinter.model.occurrences import offsets
from golinter.model.scopes import ObjKind
from golinter.model.storage import StorageKey
from golinter.model.typelite import unparen
from golinter.model.types import Named

if TYPE_CHECKING:

    from tree_sitter import Node, Query

    from golinter.model.package import Package, SourceFile
    from golinter.model.scopes import Obj


# The lock facts (model/lockfacts.py) are re-exported: callers name them from here.
__all__ = [
    "EMPTY",
    "FREE",
    "HELD",
    "IDENTITY",
    "LOCAL",
    "MAYBE",
    "NONE",
    "NO_ROOT",
    "OPAQUE",
    "OUTER",
    "PARAM",
    "PKG",
    "READ",
    "RECV",
    "RESET",
    "UNKNOWN_LOCKSET",
    "UNKNOWN_TRANSFER",
    "Call",
    "Lockset",
    "Locksets",
    "MapAccess",
    "Operand",
    "Root",
    "Site",
    "Summary",
    "Transfer",
    "calls_parallel",
    "doc_comment",
    "meet_opt",
    "site_of",
    "type_is_lock",
]

_TESTING_TYPES = frozenset({"T", "B", "F", "TB"})
_TESTING_EXITS = frozenset({"Fatal", "Fatalf", "FailNow", "Skip", "Skipf", "SkipNow"})
_EXIT_FUNCS = frozenset({("os", "Exit"), ("log", "Fatal"), ("log", "Fatalf"), ("log", "Fatalln")})
_PANIC_FUNCS = frozenset({("log", "Panic"), ("log", "Panicf"), ("log", "Panicln"), ("runtime", "Goexit"),
                          ("github.com/stretchr/testify/require", "Fail"),
                          ("github.com/stretchr/testify/require", "FailNow")})
_LOGGER_EXITS = frozenset({"Fatal", "Fatalf", "Fatalln", "Panic", "Panicf", "Panicln"})
_EXIT_NAMES = _LOGGER_EXITS | _TESTING_EXITS | {f for _p, f in _EXIT_FUNCS | _PANIC_FUNCS}

# Synchronous callbacks: (import path, function) -> index of the func argument.
_SYNC_FUNCS: dict[tuple[str, str], int] = {
    ("sort", "Slice"): 1, ("sort", "SliceStable"): 1, ("sort", "Search"): 1,
    ("slices", "SortFunc"): 1, ("slices", "SortStableFunc"): 1, ("slices", "IndexFunc"): 1,
    ("slices", "ContainsFunc"): 1, ("slices", "DeleteFunc"): 1, ("slices", "BinarySearchFunc"): 2,
    ("slices", "MaxFunc"): 1, ("slices", "MinFunc"): 1, ("slices", "CompactFunc"): 1,
    ("slices", "EqualFunc"): 2, ("maps", "DeleteFunc"): 1, ("maps", "EqualFunc"): 2,
    ("strings", "Map"): 0, ("strings", "FieldsFunc"): 1, ("strings", "IndexFunc"): 1,
    ("strings", "TrimFunc"): 1, ("bytes", "FieldsFunc"): 1,
    ("path/filepath", "Walk"): 1, ("path/filepath", "WalkDir"): 1, ("io/fs", "WalkDir"): 2,
}
# Synchronous callbacks of std methods: (import path, type, method) -> index of the func argument.
_SYNC_METHODS: dict[tuple[str, str, str], int] = {
    ("sync", "Map", "Range"): 0, ("testing", "T", "Run"): 1, ("testing", "B", "Run"): 1,
    ("testing", "F", "Run"): 1,
}

# Std map operations: (import path, function) -> (written argument indexes, read argument indexes).
_MAP_FUNCS: dict[tuple[str, str], tuple[tuple[int, ...], tuple[int, ...]]] = {
    ("maps", "Copy"): ((0,), (1,)), ("maps", "Insert"): ((0,), ()), ("maps", "DeleteFunc"): ((0,), ()),
    ("maps", "Clone"): ((), (0,)), ("maps", "Keys"): ((), (0,)), ("maps", "Values"): ((), (0,)),
    ("maps", "All"): ((), (0,)), ("maps", "Equal"): ((), (0, 1)), ("maps", "EqualFunc"): ((), (0, 1)),
    ("golang.org/x/exp/maps", "Keys"): ((), (0,)), ("golang.org/x/exp/maps", "Values"): ((), (0,)),
    ("golang.org/x/exp/maps", "Clone"): ((), (0,)), ("golang.org/x/exp/maps", "Copy"): ((0,), (1,)),
    ("golang.org/x/exp/maps", "Clear"): ((0,), ()), ("golang.org/x/exp/maps", "DeleteFunc"): ((0,), ()),
    ("encoding/json", "Marshal"): ((), (0,)), ("encoding/json", "MarshalIndent"): ((), (0,)),
}
_READER_PACKAGES = frozenset({"fmt"})  # every argument is read (fmt.Println(m) ranges over m)
_UNMARSHAL_FUNCS = frozenset({("encoding/json", "Unmarshal"), ("encoding/xml", "Unmarshal")})
# Methods of std named map types: (import path, type) -> (writing methods, reading methods).
_MAP_TYPE_METHODS: dict[tuple[str, str], tuple[frozenset[str], frozenset[str]]] = {
    ("net/http", "Header"): (frozenset({"Set", "Add", "Del"}), frozenset({"Get", "Values", "Clone", "Write"})),
    ("net/url", "Values"): (frozenset({"Set", "Add", "Del"}), frozenset({"Get", "Has", "Encode"})),
}


# -- the provider ------------------------------------------------------------------------------

class Locksets:
    """Lock facts for one package. Built lazily by `Package.locks`; memoised by node id."""

    def __init__(self, package: Package) -> None:
        self._pkg = package
        self._summaries: dict[int, Summary] = {}
        self._busy: set[int] = set()
        self._lock_names: dict[StorageKey, str] = {}
        self._assigned: dict[int, dict[StorageKey, list[int]]] = {}
        self._conds: dict[StorageKey, StorageKey] | None = None
        # top-level functions by node id: their file, site and whether they call a lock method
        # (tree-sitter nodes do not know their file: finding it climbs to the root)
        self._decl_files: dict[int, SourceFile] = {}
        self._sites: dict[int, Site] = {}
        self._may: dict[int, bool] = {}
        for f in package.files:
            marks = offsets(f.src, b"Lock()")
            for top in f.tree.root_node.named_children:
                if top.type in kinds.TOP_FUNCTION_KINDS:
                    key, start, end = top.id, top.start_byte, top.end_byte
                    self._decl_files[key] = f
                    self._sites[key] = Site(f.path, start, end)
                    # b"Lock()" in the declaration's text, without copying the text out
                    i = bisect.bisect_left(marks, start)
                    self._may[key] = i < len(marks) and marks[i] + 6 <= end
        scopes = package.scopes
        functions = list(scopes.package_objects(ObjKind.FUNC))
        self.func_names = frozenset(n for n, _objs in functions)
        self.method_names = frozenset(m for _t, m in scopes.methods)
        # Methods of the package's types that may be map types (any but struct types): only a
        # call of one, or of a std map type's method, can be `_map_method`'s.
        self.map_method_names = _MAP_METHOD_NAMES | frozenset(
            m for t, m in scopes.methods if not _is_struct_type(scopes.package_objs(t)))
        self.lock_helpers = frozenset(
            name for decl_name, decls in ((m, d) for (_t, m), d in scopes.methods.items())
            for name in [decl_name] for d in decls if self.may_lock(d)) | frozenset(
            n for n, objs in functions if objs[0].decl is not None and self.may_lock(objs[0].decl))
        self.lock_helper_bytes = frozenset(name.encode() for name in self.lock_helpers)
        self._guards: dict[str, tuple[dict[str, str], dict[str, frozenset[str]]]] = {}

    def file_of(self, node: Node) -> SourceFile:
        """The file of a node; at once for a top-level function."""
        f = self._decl_files.get(node.id)
        return f if f is not None else self._pkg.file_of(node)

    def site(self, node: Node) -> Site:
        """site_of, remembered for units (declarations, literals)."""
        found = self._sites.get(node.id)
        if found is None:
            found = self._sites[node.id] = site_of(self._pkg, node)
        return found

    def may_lock(self, func: Node) -> bool:
        """A cheap text test: does the function's body call a lock method at all?"""
        found = self._may.get(func.id)
        if found is None:
            found = self._may[func.id] = _may_lock(self._pkg, func)
        return found

    def summary(self, unit: Node) -> Summary:
        """Facts of a function declaration, method declaration or func literal."""
        cached = self._summaries.get(unit.id)
        if cached is not None:
            return cached
        if unit.id in self._busy or len(self._busy) > 6:  # recursion through helpers: Unknown
            return Summary(self.site(unit), exit=UNKNOWN_TRANSFER, unsupported=True)
        self._busy.add(unit.id)
        try:
            result = _UnitBuilder(self._pkg, self, unit).build()
        finally:
            self._busy.discard(unit.id)
        self._summaries[unit.id] = result
        for k, text in result.lock_names:
            self._lock_names.setdefault(k, text)
        return result

    def assigned(self, func: Node) -> dict[StorageKey, list[int]]:
        """Storage assigned whole (`s.items = ...`) in a function: key -> statement positions."""
        cached = self._assigned.get(func.id)
        if cached is None:
            from golinter.parse import walk_named
            cached = {}
            for node in walk_named(func):
                if node.type != kinds.ASSIGNMENT_STATEMENT:
                    continue
                left = node.child_by_field_name(kinds.F_LEFT)
                for target in (left.named_children if left is not None else []):
                    if target.type in (kinds.SELECTOR_EXPRESSION, kinds.IDENTIFIER):
                        k = self._pkg.storage.key(target)
                        if k is not None:
                            cached.setdefault(k, []).append(node.start_byte)
            self._assigned[func.id] = cached
        return cached

    def root(self, unit: Node, expr: Node) -> Root:
        """The root of `expr`'s storage seen from `unit` (a function declaration or literal)."""
        return _UnitBuilder(self._pkg, self, unit).root(expr)

    def operand(self, unit: Node, expr: Node) -> Operand:
        """`expr` as passed from `unit` to a call or goroutine: its root and storage."""
        return _UnitBuilder(self._pkg, self, unit).operand(expr)

    def cond_lock(self, cond: StorageKey) -> StorageKey | None:
        """The mutex a sync.Cond stored at `cond` wraps, when the package shows it."""
        if self._conds is None:
            self._conds = cond_locks(self._pkg)
        return self._conds.get(cond)

    def ends_in_exit(self, case: Node) -> bool:
        """A case (or block) whose last statement leaves the function: return, panic, os.Exit,
        log.Fatal, t.Fatal, require.Fail."""
        lst = next((c for c in case.named_children if c.type == kinds.STATEMENT_LIST), None)
        stmts = [c for c in (lst.named_children if lst is not None else []) if c.type != kinds.COMMENT]
        if not stmts:
            return False
        last = stmts[-1]
        if last.type == kinds.RETURN_STATEMENT:
            return True
        call = last.named_children[0] if last.type == kinds.EXPRESSION_STATEMENT and last.named_children else None
        if call is None or call.type != kinds.CALL_EXPRESSION:
            return False
        from golinter.model.package import enclosing_function
        func = enclosing_function(case)
        return func is not None and _UnitBuilder(self._pkg, self, func).exit_kind(call) != ""

    def lock_name(self, lock: StorageKey) -> str:
        """Source text naming a lock ("s.mu"), from the first unit that used it."""
        text = self._lock_names.get(lock)
        if text is not None:
            return text
        return ".".join((lock.root.split(":", 1)[-1],) + lock.path) if lock.path else lock.root.split(":")[-1]

    def lock_key(self, operand: Node) -> StorageKey | None:
        """The lock `operand.Lock()` takes: `s.mu` -> type:Server.mu, `s.Lock()` with an embedded
        sync.Mutex -> type:Server.Mutex, an unknown one -> an opaque key; None for a copy (value
        receiver)."""
        return lock_key(self._pkg, operand)

    def lock_call(self, call: Node) -> tuple[StorageKey | None, str] | None:
        """(lock, method) for `x.Lock()`, `x.RUnlock()`, `x.TryLock()`...; lock None for a copy."""
        return lock_call(self._pkg, call)

    def field_guards(self, type_name: str) -> dict[str, str]:
        """Annotated guards of a struct's fields: field -> lock field name, from `// guarded by mu`,
        `// protected by mu`, `// +checklocks:mu`, and `mu sync.Mutex // guards following fields`
        (up to the next blank line)."""
        return self._lock_notes(type_name)[0]

    def lock_scope(self, type_name: str, lock: str) -> frozenset[str] | None:
        """The fields the comment of the struct's lock field `lock` names (`cacheMu sync.Mutex //
        Mutex covering the cache`): it is meant to guard those alone. None: the comment names none."""
        return self._lock_notes(type_name)[1].get(lock)

    def _lock_notes(self, type_name: str) -> tuple[dict[str, str], dict[str, frozenset[str]]]:
        found = self._guards.get(type_name)
        if found is None:
            found = self._guards[type_name] = lock_notes(self._pkg, type_name)
        return found


# -- one unit ---------------------------------------------------------------------------------------

class _UnitBuilder:
    """Builds one unit's Summary: its own body and the bodies of the literals that run as part of it."""

    def __init__(self, pkg: Package, provider: Locksets, unit: Node) -> None:
        self.pkg = pkg
        self.provider = provider
        self.unit = unit
        self.f = provider.file_of(unit)
        self.unit_site = Site(self.f.path, unit.start_byte, unit.end_byte)
        self._imports = pkg.scopes.imports.get(self.f.path, {})
        self.lock_names: dict[StorageKey, str] = {}
        self.copied: set[Site] = set()
        self.accesses: list[MapAccess] = []
        self.calls: list[Call] = []
        self.param_calls: dict[int, Transfer] = {}
        self.lit_spans: list[tuple[int, int]] = []  # byte ranges of the literals inside the unit
        self._param_index = self._params()
        self._param_names = frozenset(self.f.text(n) for n in self._param_nodes)

    def _site(self, node: Node) -> Site:
        return Site(self.f.path, node.start_byte, node.end_byte)

    # -- helpers the flow uses --------------------------------------------------------------------
    def lock_call(self, call: Node) -> tuple[StorageKey | None, str] | None:
        found = lock_call(self.pkg, call, self.f.text)
        if found is not None:
            fn = call.child_by_field_name(kinds.F_FUNCTION)
            operand = fn.child_by_field_name(kinds.F_OPERAND) if fn is not None else None
            if found[0] is None:
                self.copied.add(self._site(call))
            elif operand is not None:
                self.lock_names.setdefault(found[0], self._lock_text(found[0], operand))
        return found

    def _lock_text(self, lock: StorageKey, operand: Node) -> str:
        text = self.pkg.text(operand)
        if lock.path and lock.path[-1] in LOCK_TYPES and not text.endswith(lock.path[-1]):
            return f"{text}.{lock.path[-1]}"  # s.Lock() on an embedded sync.Mutex: s.Mutex
        return text

    def exit_kind(self, call: Node) -> str:
        """"exit" (os.Exit, log.Fatal: no defers), "panic" (panic, t.Fatal, Goexit: defers run), ""."""
        pkg = self.pkg
        fn = call.child_by_field_name(kinds.F_FUNCTION)
        if fn is None:
            return ""
        fn = unparen(fn)
        if fn.type == kinds.IDENTIFIER:
            return "panic" if self.f.text(fn) == "panic" and pkg.scopes.is_builtin(fn, "panic") else ""
        last = fn.child_by_field_name(kinds.F_FIELD) if fn.type == kinds.SELECTOR_EXPRESSION else None
        if last is None or self.f.text(last) not in _EXIT_NAMES:
            return ""
        if fn.type != kinds.SELECTOR_EXPRESSION:
            return ""
        q = pkg.types.qualified(fn)
        if q is not None:
            return "exit" if q in _EXIT_FUNCS else "panic" if q in _PANIC_FUNCS else ""
        name_node = fn.child_by_field_name(kinds.F_FIELD)
        operand = fn.child_by_field_name(kinds.F_OPERAND)
        if name_node is None or operand is None:
            return ""
        name = pkg.text(name_node)
        recv = pkg.types.deref(pkg.types.type_of(operand))
        if isinstance(recv, Named) and recv.pkg == "testing" and recv.name in _TESTING_TYPES \
                and name in _TESTING_EXITS:
            return "panic"
        if isinstance(recv, Named) and recv.pkg == "log" and recv.name == "Logger" and name in _LOGGER_EXITS:
            return "exit" if name.startswith("Fatal") else "panic"
        return ""

    def call_transfer(self, call: Node) -> Transfer:
        """The lock effect of a call statement: a lock method, or a same-package helper's body."""
        found = self.lock_call(call)
        if found is not None:
            lock, method = found
            if lock is None or method in TRY:
                return IDENTITY
            return Transfer.setting(lock, ACQUIRE.get(method, FREE))
        fn = call.child_by_field_name(kinds.F_FUNCTION)
        name_node = fn.child_by_field_name(kinds.F_FIELD) if fn is not None and fn.type == kinds.SELECTOR_EXPRESSION \
            else fn
        if name_node is None or self.f.text(name_node) not in self.provider.lock_helpers:
            return IDENTITY
        callee = self.pkg.types.callee_decl(call)
        if callee is None or callee == self.unit or not self.provider.may_lock(callee):
            return IDENTITY
        summary = self.provider.summary(callee)
        if summary.exit is None:
            return IDENTITY
        shared = [(k, img) for k, img in summary.exit.locks if k.root.startswith(("type:", "pkg:"))]
        if summary.exit.base >= 0:
            return UNKNOWN_TRANSFER
        return Transfer.make(shared)

    # -- building ------------------------------------------------------------------------------------
    def build(self) -> Summary:
        from golinter.parse import query_captures
        caps = query_captures(_unit_query(), self.unit, self.unit.start_byte, self.unit.end_byte)
        lits = sorted((n for n in caps.get("lit", []) if n != self.unit), key=lambda n: n.start_byte)
        nodes = sorted(caps.get("access", []), key=lambda n: n.start_byte)
        self.lit_spans = [(lit.start_byte, lit.end_byte) for lit in lits]
        top = LockFlow(self, self.unit, lazy=not lits and self._flow_is_quiet(nodes))
        if top.has_goto:
            return Summary(self.unit_site, exit=UNKNOWN_TRANSFER, unsupported=True)
        # literals in document order: each one's owner (the innermost enclosing literal, or the
        # unit) is settled before it
        flows: dict[int, tuple[LockFlow, Transfer] | None] = {}
        inline: list[Site] = []
        for lit, owner in zip(lits, _innermost(lits, lits)):
            parent = (top, IDENTITY) if owner is None else flows.get(owner.id)
            if parent is None:
                flows[lit.id] = None  # inside a literal that is not part of this unit
                continue
            lit_entry = self._literal_entry(lit, parent[0], parent[1])
            if lit_entry is None:
                flows[lit.id] = None
                continue
            flow = LockFlow(self, lit)
            if flow.has_goto:
                return Summary(self.unit_site, exit=UNKNOWN_TRANSFER, unsupported=True)
            flows[lit.id] = (flow, lit_entry)
            inline.append(self._site(lit))
        for node, owner in zip(nodes, _innermost(nodes, lits)):
            where = (top, IDENTITY) if owner is None else flows.get(owner.id)
            if where is not None:
                self._access(node, where[0], where[1])
        names = tuple(sorted(self.lock_names.items(), key=lambda kv: key_order(kv[0])))
        exit_ = None if top.pending else top.after_defers()  # pending: no lock, nobody asks
        return Summary(self.unit_site, tuple(self.accesses), tuple(self.calls), exit_,
                       tuple(sorted(self.param_calls.items())), names, tuple(sorted(self.copied)),
                       tuple(sorted(inline)))

    def _flow_is_quiet(self, nodes: list[Node]) -> bool:
        """Whether running the unit's flow can wait until a point is asked for: it names no lock
        (no `Lock` in the text: lock methods all hold it), summarises no helper (no call of a
        function that may lock) and meets no goto, so when it runs changes nothing else."""
        src = self.f.src[self.unit.start_byte:self.unit.end_byte]
        if b"Lock" in src or b"goto" in src:
            return False
        helpers = self.provider.lock_helper_bytes
        whole = self.f.src
        for node in nodes:
            if node.type != kinds.CALL_EXPRESSION:
                continue
            fn = node.child_by_field_name(kinds.F_FUNCTION)
            name = fn.child_by_field_name(kinds.F_FIELD) if fn is not None and fn.type == kinds.SELECTOR_EXPRESSION \
                else fn
            if name is None:
                continue
            raw = whole[name.start_byte:name.end_byte]
            if raw in helpers or (not raw.isascii() and self.f.text(name) in self.provider.lock_helpers):
                return False
        return True

    def _at(self, node: Node, flow: LockFlow, entry: Transfer) -> tuple[Transfer | None, bool]:
        point, deferred = flow.point(node)
        if point is None:
            return None, deferred
        if deferred:
            stmt = node
            while stmt.type != kinds.DEFER_STATEMENT and stmt.parent is not None:
                stmt = stmt.parent
            point = flow.deferred_exit(stmt)
            if point is None:
                return None, deferred
        return entry.then(point), deferred

    def _literal_entry(self, lit: Node, flow: LockFlow, entry: Transfer) -> Transfer | None:
        """The transfer at the start of a literal that runs as part of this unit, else None."""
        parent = lit.parent
        while parent is not None and parent.type == kinds.PARENTHESIZED_EXPRESSION:
            parent = parent.parent
        if parent is None:
            return None
        if parent.type == kinds.CALL_EXPRESSION and unparen(parent.child_by_field_name(kinds.F_FUNCTION) or lit) == lit:
            grand = parent.parent
            if grand is not None and grand.type == kinds.GO_STATEMENT:
                return None  # a goroutine: its own unit
            at, _deferred = self._at(parent, flow, entry)
            return at  # immediately invoked, or deferred (at exit)
        if parent.type != kinds.ARGUMENT_LIST or parent.parent is None:
            return None
        call = parent.parent
        index = [c for c in parent.named_children if c.type != kinds.COMMENT].index(lit) \
            if lit in parent.named_children else -1
        how = self._callback(call, index)
        if how is None:
            return None
        at, _deferred = self._at(call, flow, entry)
        if at is None:
            return None
        return at.then(how)

    def _callback(self, call: Node, index: int) -> Transfer | None:
        """How a func argument at `index` runs: synchronously under the caller's locks (IDENTITY),
        under a helper's locks, under a Once (opaque), or not known (None)."""
        pkg = self.pkg
        fn = call.child_by_field_name(kinds.F_FUNCTION)
        if fn is None:
            return None
        fn = unparen(fn)
        q = pkg.types.qualified(fn) if fn.type == kinds.SELECTOR_EXPRESSION else None
        if q is not None:
            return IDENTITY if _SYNC_FUNCS.get(q) == index else None
        if fn.type == kinds.SELECTOR_EXPRESSION:
            operand = fn.child_by_field_name(kinds.F_OPERAND)
            name_node = fn.child_by_field_name(kinds.F_FIELD)
            if operand is not None and name_node is not None:
                recv = pkg.types.deref(pkg.types.type_of(operand))
                name = pkg.text(name_node)
                if isinstance(recv, Named) and recv.pkg:
                    if recv.pkg == "sync" and recv.name == "Once" and name == "Do":
                        key = pkg.storage.key(operand)
                        once = StorageKey(OPAQUE + "once:" + (key.root + ".".join(key.path) if key else pkg.text(operand)))
                        return Transfer.setting(once, HELD)
                    if _SYNC_METHODS.get((recv.pkg, recv.name, name)) == index:
                        args_node = call.child_by_field_name(kinds.F_ARGUMENTS)
                        arg = [a for a in args_node.named_children if a.type != kinds.COMMENT][index] \
                            if args_node is not None else None
                        if recv.pkg == "testing" and arg is not None and calls_parallel(pkg, arg):
                            return None  # a parallel subtest: it runs after the test function returns
                        return IDENTITY
                    return None
        callee = pkg.types.callee_decl(call)
        if callee is None:
            return None
        summary = self.provider.summary(callee)
        for i, t in summary.param_calls:
            if i == index:
                return Transfer.make([(k, img) for k, img in t.locks if k.root.startswith(("type:", "pkg:"))],
                                     t.base)
        return None

    # -- roots ---------------------------------------------------------------------------------------
    def _params(self) -> dict[int, int]:
        """Declaring identifier offset -> parameter index (receiver: -1) of the unit."""
        out: dict[int, int] = {}
        self._param_nodes: list[Node] = []
        recv = self.unit.child_by_field_name(kinds.F_RECEIVER)
        for decl in (recv.named_children if recv is not None else []):
            for n in decl.children_by_field_name(kinds.F_NAME):
                out[n.start_byte] = -1
        plist = self.unit.child_by_field_name(kinds.F_PARAMETERS)
        i = 0
        for decl in (plist.named_children if plist is not None else []):
            if decl.type not in (kinds.PARAMETER_DECLARATION, kinds.VARIADIC_PARAMETER_DECLARATION):
                continue
            names = decl.children_by_field_name(kinds.F_NAME)
            for n in names:
                out[n.start_byte] = i
                self._param_nodes.append(n)
                i += 1
            if not names:
                i += 1
        return out

    def root(self, expr: Node) -> Root:
        """The root of an expression's storage seen from this unit (following `m := s.items`
        copies and range variables to what they come from)."""
        root = self._root(expr)
        return root

    def _root(self, expr: Node) -> Root:
        pkg = self.pkg
        node = unparen(expr)
        element = -1
        for _ in range(12):
            t = node.type
            if t in (kinds.SELECTOR_EXPRESSION, kinds.INDEX_EXPRESSION, kinds.SLICE_EXPRESSION):
                inner = node.child_by_field_name(kinds.F_OPERAND)
                if inner is None:
                    return NO_ROOT
                if t == kinds.SELECTOR_EXPRESSION and pkg.types.import_path_of(inner) is not None:
                    return NO_ROOT  # pkg.Var of another package
                node = unparen(inner)
                continue
            if t == kinds.UNARY_EXPRESSION:
                inner = node.child_by_field_name(kinds.F_OPERAND)
                op = node.child_by_field_name(kinds.F_OPERATOR)
                if inner is None or op is None or pkg.text(op) not in ("*", "&"):
                    return NO_ROOT
                node = unparen(inner)
                continue
            if t != kinds.IDENTIFIER:
                return NO_ROOT
            obj = pkg.scopes.resolve(node)
            if obj is None or obj.kind is not ObjKind.VAR or obj.ident is None:
                return NO_ROOT
            if obj.package_level:
                return Root(PKG, element=element)
            decl = obj.ident.start_byte
            f = pkg.file_of(node)
            inside = f.path == self.unit_site.path and self.unit.start_byte <= decl < self.unit.end_byte
            if not inside:
                return Root(OUTER, decl=decl, element=element)
            if decl in self._param_index:
                index = self._param_index[decl]
                return Root(RECV, decl=decl, element=element) if index < 0 else Root(PARAM, index, decl, element)
            source = self._copied_from(obj.value, obj.value_count, node)
            if source is None:
                return Root(LOCAL, decl=decl, element=element)
            if obj.value is not None and obj.value.type == kinds.RANGE_CLAUSE and element < 0:
                element = decl
            node = source
        return NO_ROOT

    def _copied_from(self, value: Node | None, count: int, ident: Node) -> Node | None:
        """`m := s.items` (storage follows the copy) or `for _, v := range s.items`: the source."""
        if value is None:
            return None
        if value.type == kinds.RANGE_CLAUSE:
            right = value.child_by_field_name(kinds.F_RIGHT)
            return unparen(right) if right is not None else None
        if count != 1:
            return None
        key = self.pkg.storage.key(ident)
        obj = self.pkg.scopes.resolve(ident)
        if key is None or obj is None or obj.ident is None:
            return None
        own = f"local:{self.pkg.file_of(ident).path}:{obj.ident.start_byte}"
        return unparen(value) if key.root != own else None

    def operand(self, expr: Node) -> Operand:
        detached = self._detached(expr, before=expr.start_byte)  # `m := s.items; s.items = ...; sum(m)`
        if detached is not None:
            return Operand(Root(LOCAL), detached, self._site(expr))
        return Operand(self.root(expr), self.pkg.storage.key(expr), self._site(expr))

    # -- accesses ------------------------------------------------------------------------------------
    def _record(self, map_expr: Node, site: Node, write: bool, flow: LockFlow, entry: Transfer,
                returned: bool = False) -> None:
        key = self.pkg.storage.key(map_expr)
        if key is None:
            return
        at, deferred = self._at(site, flow, entry)
        if at is None:
            return
        root = self.root(map_expr)
        detached = self._detached(map_expr)
        if detached is not None:
            key, root = detached, Root(LOCAL)
        load = atomic_load(self.pkg, map_expr)
        copied = self._load_point(map_expr) if detached is None else None
        copy_at = self._at(copied, flow, entry)[0] if copied is not None else None
        fresh = self._fresh(map_expr, key, site, flow, entry) if write and not deferred else None
        self.accesses.append(MapAccess(key, write, self._site(site), self._site(map_expr),
                                       root, at, through_slice(self.pkg, map_expr), returned, deferred,
                                       self._site(load) if load is not None else None, copy_at, fresh))

    def _load_point(self, expr: Node) -> Node | None:
        """`m := s.items` ... `m[k]`: the statement that copied the map out of other storage (the
        last copy in a chain of locals), else None (the access itself loads it)."""
        pkg = self.pkg
        point: Node | None = None
        node = unparen(expr)
        for _ in range(4):
            if node.type != kinds.IDENTIFIER:
                break
            obj = pkg.scopes.resolve(node)
            if obj is None or obj.kind is not ObjKind.VAR or obj.ident is None or obj.package_level:
                break
            source = self._copied_from(obj.value, obj.value_count, node)
            if source is None or obj.value is None or obj.value.type == kinds.RANGE_CLAUSE:
                break
            stmt = obj.ident
            while stmt.parent is not None and stmt.type not in (kinds.SHORT_VAR_DECLARATION, kinds.VAR_SPEC):
                stmt = stmt.parent
            if stmt.type not in (kinds.SHORT_VAR_DECLARATION, kinds.VAR_SPEC):
                break
            point, node = stmt, source
        return point

    def _fresh(self, map_expr: Node, key: StorageKey, site: Node, flow: LockFlow, entry: Transfer) -> Transfer | None:
        """The transfer at `key = map[K]V{}` / `key = make(map[K]V)` when that assignment comes
        earlier in an enclosing statement list and nothing between it and the write (the loops
        around the write included) unlocks, calls code that may, starts or defers code, sends, or
        uses the map other than by indexing it: the write fills a map only this region sees."""
        expr = unparen(map_expr)
        if expr.type not in (kinds.SELECTOR_EXPRESSION, kinds.IDENTIFIER):
            return None
        from golinter.model.package import enclosing_function
        func = enclosing_function(site)
        if func is None or key not in self.provider.assigned(func):
            return None
        stmt, end = site, site.end_byte
        while stmt.parent is not None and stmt != func:
            parent = stmt.parent
            if parent.type == kinds.FUNC_LITERAL:
                return None
            if parent.type == kinds.FOR_STATEMENT:
                end = max(end, parent.end_byte)  # later iterations run the rest of the loop first
            if parent.type == kinds.STATEMENT_LIST:
                for prev in reversed([c for c in parent.named_children if c.end_byte <= stmt.start_byte]):
                    made = self._fresh_assignment(prev, key)
                    if made is True:
                        if not self._quiet_between(prev.end_byte, end, parent, key, expr):
                            return None
                        return self._at(prev, flow, entry)[0]
                    if made is False:
                        return None  # assigned something else: not known fresh
            stmt = parent
        return None

    def _fresh_assignment(self, stmt: Node, key: StorageKey) -> bool | None:
        """True: `key = <new map>`; False: another whole assignment of key; None: neither."""
        if stmt.type != kinds.ASSIGNMENT_STATEMENT:
            return None
        left, right = stmt.child_by_field_name(kinds.F_LEFT), stmt.child_by_field_name(kinds.F_RIGHT)
        if left is None or right is None:
            return None
        targets = [c for c in left.named_children if c.type != kinds.COMMENT]
        values = [unparen(c) for c in right.named_children if c.type != kinds.COMMENT]
        hit = [i for i, t in enumerate(targets) if self.pkg.storage.key(t) == key]
        if not hit:
            return None
        if len(targets) != len(values) or self.f.text(stmt).split("=", 1)[0].rstrip().endswith(("+", "-", "|")):
            return False
        value = values[hit[0]]
        if value.type == kinds.COMPOSITE_LITERAL and self._is_map(value):
            return True
        if value.type == kinds.CALL_EXPRESSION:
            fn = value.child_by_field_name(kinds.F_FUNCTION)
            if fn is not None and fn.type == kinds.IDENTIFIER and self.pkg.scopes.is_builtin(fn, "make") \
                    and self._is_map(value):
                return True
        return False

    def _quiet_between(self, start: int, end: int, scope: Node, key: StorageKey, write_map: Node) -> bool:
        """Nothing in [start, end) of `scope` may release a lock, run other code or pass the map on."""
        from golinter.parse import walk_named
        pkg = self.pkg
        root_obj = self.pkg.scopes.root_object(write_map)
        for node in walk_named(scope):
            if node.end_byte <= start or node.start_byte >= end:
                continue
            t = node.type
            if t in (kinds.GO_STATEMENT, kinds.DEFER_STATEMENT, kinds.SEND_STATEMENT, kinds.FUNC_LITERAL):
                return False
            if t == kinds.CALL_EXPRESSION and node.start_byte >= start:
                if self.lock_call(node) is not None:
                    return False
                fn = node.child_by_field_name(kinds.F_FUNCTION)
                if fn is not None and fn.type == kinds.IDENTIFIER and self.f.src[fn.start_byte:fn.end_byte] in PURE_BUILTINS \
                        and pkg.scopes.is_builtin(fn, self.f.text(fn)):
                    continue
                callee = pkg.types.callee_decl(node)
                if (callee is not None and _may_lock(pkg, callee)) or self._mentions(node, root_obj):
                    return False  # may unlock (a helper, or code handed the map's owner)
            if node.start_byte >= start and t in (kinds.SELECTOR_EXPRESSION, kinds.IDENTIFIER) \
                    and pkg.storage.key(node) == key and not map_use(self.f.src, node):
                return False  # copied, passed, reassigned: someone else may get the map
        return True

    def _mentions(self, call: Node, obj: object | None) -> bool:
        """The call's receiver or arguments name the map's root variable (`a.publish()`, `f(a)`)."""
        from golinter.parse import walk_named
        if obj is None:
            return True
        fn = call.child_by_field_name(kinds.F_FUNCTION)
        return any(node.type == kinds.IDENTIFIER and node != fn and self.pkg.scopes.resolve(node) is obj
                   for node in walk_named(call))

    def _detached(self, expr: Node, before: int | None = None) -> StorageKey | None:
        """`m := t.idle; t.idle = nil` (under the lock): m is the old map, which the function now
        owns alone. Its own local key then, not the field's. With `before`, the field must be
        replaced before that position (an argument passed after the swap)."""
        expr = unparen(expr)
        if expr.type != kinds.IDENTIFIER:
            return None
        obj = self.pkg.scopes.resolve(expr)
        if obj is None or obj.ident is None or obj.value is None or obj.package_level or obj.file is None:
            return None
        own = StorageKey(f"local:{obj.file.path}:{obj.ident.start_byte}")
        source = self.pkg.storage.key(obj.value) if obj.value.type != kinds.RANGE_CLAUSE else None
        if source is None or source == own or self.pkg.storage.key(expr) == own:
            return None
        from golinter.model.package import enclosing_function
        func = enclosing_function(obj.ident)
        if func is not None and any(obj.ident.start_byte < pos and (before is None or pos < before)
                                    for pos in self.provider.assigned(func).get(source, ())):
            return own
        return None

    def _is_map(self, expr: Node) -> bool:
        return self.pkg.types.expr_map(expr) is not None

    def _access(self, node: Node, flow: LockFlow, entry: Transfer) -> None:
        t = node.type
        if t == kinds.INDEX_EXPRESSION:
            operand = node.child_by_field_name(kinds.F_OPERAND)
            if operand is not None and self._is_map(operand):
                self._record(unparen(operand), node, is_assigned(node), flow, entry)
        elif t == kinds.RANGE_CLAUSE:
            right = node.child_by_field_name(kinds.F_RIGHT)
            if right is not None and self._is_map(right):
                self._record(unparen(right), right, False, flow, entry)
        elif t == kinds.RETURN_STATEMENT:
            for expr in returned_values(node):
                e = unparen(expr)
                if e.type in (kinds.IDENTIFIER, kinds.SELECTOR_EXPRESSION, kinds.INDEX_EXPRESSION) and self._is_map(e):
                    self._record(e, e, False, flow, entry, returned=True)
        elif t == kinds.CALL_EXPRESSION:
            self._call(node, flow, entry)

    def _call(self, call: Node, flow: LockFlow, entry: Transfer) -> None:
        pkg = self.pkg
        fn = call.child_by_field_name(kinds.F_FUNCTION)
        args_node = call.child_by_field_name(kinds.F_ARGUMENTS)
        if fn is None:
            return
        fn = unparen(fn)
        text = self.f.text
        # cheap name tests first: most calls are none of these, and resolving costs
        if fn.type == kinds.IDENTIFIER:
            name = text(fn)
            if name not in self.provider.func_names and name not in _BUILTIN_MAP_FUNCS \
                    and name not in self._param_names:
                return
        elif fn.type == kinds.SELECTOR_EXPRESSION:
            field_node = fn.child_by_field_name(kinds.F_FIELD)
            operand = fn.child_by_field_name(kinds.F_OPERAND)
            if field_node is None or operand is None:
                return
            name = text(field_node)
            imported = operand.type == kinds.IDENTIFIER and text(operand) in self._imports
            if name not in self.provider.method_names and name not in _MAP_METHOD_NAMES and (
                    not imported or self._imports[text(operand)] not in _CALL_PATHS):
                return  # `strings.Split(...)`: a package none of whose functions reads or writes a map
        else:
            return
        args = [unparen(a) for a in (args_node.named_children if args_node is not None else [])
                if a.type != kinds.COMMENT]
        if fn.type == kinds.IDENTIFIER and name in self._param_names and self._param_call(fn, call, flow, entry):
            return
        if fn.type == kinds.IDENTIFIER and name in _BUILTIN_MAP_FUNCS and pkg.scopes.is_builtin(fn, name):
            if name in ("delete", "clear") and args and self._is_map(args[0]):
                self._record(args[0], call, True, flow, entry)
            elif name == "len" and args and self._is_map(args[0]):
                self._record(args[0], call, False, flow, entry)
            return
        if fn.type == kinds.SELECTOR_EXPRESSION:
            q = pkg.types.qualified(fn)
            if q is not None:
                self._std_call(q, call, args, flow, entry)
                return
            if name in self.provider.map_method_names and self._map_method(fn, call, flow, entry):
                return
        if call.parent is not None and call.parent.type == kinds.GO_STATEMENT:
            return  # a spawn, not a call
        callee = pkg.types.callee_decl(call)
        if callee is None or callee.type not in kinds.TOP_FUNCTION_KINDS:
            return
        at, deferred = self._at(call, flow, entry)
        if at is None:
            return
        operand = fn.child_by_field_name(kinds.F_OPERAND) \
            if fn.type == kinds.SELECTOR_EXPRESSION and callee.type == kinds.METHOD_DECLARATION else None
        self.calls.append(Call(self.provider.site(callee), self._site(call), at, deferred=deferred,
                               operands=functools.partial(self._operands, operand, args)))

    def _operands(self, recv: Node | None, args: list[Node]) -> Operands:
        """A call's receiver and arguments (computed when a caller follows the call)."""
        return (self.operand(unparen(recv)) if recv is not None else None, tuple(self.operand(a) for a in args))

    def _std_call(self, q: tuple[str, str], call: Node, args: list[Node], flow: LockFlow, entry: Transfer) -> None:
        spec = _MAP_FUNCS.get(q)
        if spec is not None:
            writes, reads = spec
            for i in writes:
                if i < len(args) and self._is_map(args[i]):
                    self._record(args[i], call, True, flow, entry)
            for i in reads:
                if i < len(args) and self._is_map(args[i]):
                    self._record(args[i], call, False, flow, entry)
            return
        if q in _UNMARSHAL_FUNCS and len(args) == 2:
            target = address_of(self.pkg, args[1])
            if target is not None and self._is_map(target):
                self._record(target, call, True, flow, entry)
            return
        if q[0] in _READER_PACKAGES:
            for a in args:
                if a.type in (kinds.IDENTIFIER, kinds.SELECTOR_EXPRESSION) and self._is_map(a):
                    self._record(a, call, False, flow, entry)

    def _map_method(self, fn: Node, call: Node, flow: LockFlow, entry: Transfer) -> bool:
        """`h.Set(k, v)` on an http.Header or url.Values; `json.NewDecoder(r).Decode(&m)`."""
        pkg = self.pkg
        operand = fn.child_by_field_name(kinds.F_OPERAND)
        name_node = fn.child_by_field_name(kinds.F_FIELD)
        if operand is None or name_node is None:
            return False
        operand = unparen(operand)
        name = pkg.text(name_node)
        t = pkg.types.type_of(operand)
        if isinstance(t, Named) and t.pkg:
            methods = _MAP_TYPE_METHODS.get((t.pkg, t.name))
            if methods is not None:
                if name in methods[0] or name in methods[1]:
                    self._record(operand, call, name in methods[0], flow, entry)
                return True
        if isinstance(t, Named) and not t.pkg and pkg.types.map_of(t) is not None:
            use = self._own_map_method(t.name, name)
            if use is not None:  # `type Set map[string]bool; func (s Set) Add(k string) { s[k] = true }`
                self._record(operand, call, use, flow, entry)
                return True
        if name == "Decode" and operand.type == kinds.CALL_EXPRESSION:
            inner = operand.child_by_field_name(kinds.F_FUNCTION)
            if inner is not None and pkg.types.qualified(inner) == ("encoding/json", "NewDecoder"):
                args_node = call.child_by_field_name(kinds.F_ARGUMENTS)
                args = [a for a in (args_node.named_children if args_node is not None else [])
                        if a.type != kinds.COMMENT]
                target = address_of(pkg, args[0]) if len(args) == 1 else None
                if target is not None and self._is_map(target):
                    self._record(target, call, True, flow, entry)
                return True
        return False

    def _own_map_method(self, type_name: str, method: str) -> bool | None:
        """Whether a method of a same-package map type writes (True) or only reads (False) its
        receiver, directly; None when it does neither or is not known."""
        decl = self.pkg.scopes.method_decl(type_name, method)
        if decl is None or decl == self.unit:
            return None
        uses = [a for a in self.provider.summary(decl).accesses if a.root.kind == RECV and not a.key.path]
        if not uses:
            return None
        return any(a.write for a in uses)

    def _param_call(self, fn: Node, call: Node, flow: LockFlow, entry: Transfer) -> bool:
        """`fn()` where fn is a func parameter of the unit: remember the locks at that call
        (`func (s *Store) withLock(fn func()) { s.mu.Lock(); defer s.mu.Unlock(); fn() }`)."""
        obj = self.pkg.scopes.resolve(fn)
        if obj is None or obj.ident is None or obj.kind is not ObjKind.VAR or obj.file is None \
                or obj.file.path != self.unit_site.path:
            return False
        index = self._param_index.get(obj.ident.start_byte, -1)
        if index < 0 or not (self.unit.start_byte <= obj.ident.start_byte < self.unit.end_byte):
            return False
        at, _deferred = self._at(call, flow, entry)
        if at is not None:
            self.param_calls[index] = at.meet(self.param_calls[index]) if index in self.param_calls else at
        return True


_BUILTIN_MAP_FUNCS = frozenset({"delete", "clear", "len"})
# Import paths of the functions _std_call knows. A call of another package's function records
# nothing: its operand, when it is no import (a shadowing local), has no method of that name here.
_CALL_PATHS = frozenset({p for p, _f in _MAP_FUNCS} | {p for p, _f in _UNMARSHAL_FUNCS} | _READER_PACKAGES)


def _is_struct_type(objs: list[Obj]) -> bool:
    """Every declaration of a package-level name is a struct type's (`type T struct{...}`)."""
    return bool(objs) and all(o.kind is ObjKind.TYPE and o.type_node is not None
                              and o.type_node.type == kinds.STRUCT_TYPE for o in objs)


_MAP_METHOD_NAMES = frozenset({m for pair in _MAP_TYPE_METHODS.values() for group in pair for m in group} | {"Decode"})
_UNIT_QUERY = """
(func_literal) @lit
[(index_expression) (call_expression) (range_clause) (return_statement)] @access
"""


@lru_cache(maxsize=1)
def _unit_query() -> Query:
    from golinter.parse import compile_query
    return compile_query(_UNIT_QUERY)


def _innermost(nodes: list[Node], lits: list[Node]) -> list[Node | None]:
    """For each node (in document order), the innermost literal of `lits` (document order) that
    strictly contains it, by one sweep with a stack of open literals."""
    out: list[Node | None] = []
    stack: list[Node] = []
    i = 0
    for node in nodes:
        while i < len(lits) and lits[i].start_byte <= node.start_byte:
            while stack and stack[-1].end_byte <= lits[i].start_byte:
                stack.pop()
            stack.append(lits[i])
            i += 1
        while stack and stack[-1].end_byte <= node.start_byte:
            stack.pop()
        found = None
        for lit in reversed(stack):
            if lit != node and lit.start_byte <= node.start_byte and node.end_byte <= lit.end_byte:
                found = lit
                break
        out.append(found)
    return out


_ACCESS_KINDS = frozenset({kinds.INDEX_EXPRESSION, kinds.RANGE_CLAUSE, kinds.RETURN_STATEMENT,
                           kinds.CALL_EXPRESSION})


def calls_parallel(pkg: Package, lit: Node) -> bool:
    """`t.Run(name, func(t *testing.T) { t.Parallel(); ... })`: the subtest body calls Parallel."""
    if lit.type != kinds.FUNC_LITERAL:
        return False
    f = pkg.file_of(lit)
    return b".Parallel()" in f.src[lit.start_byte:lit.end_byte]


def _may_lock(pkg: Package, func: Node) -> bool:
    """A cheap text test: does the function's body call a lock method at all?"""
    f = pkg.file_of(func)
    body = f.src[func.start_byte:func.end_byte]
    return b"Lock()" in body
