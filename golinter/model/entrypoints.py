"""Which functions are entry points of a shared type, and what their names and docs say.

GML003 treats the exported methods of a type holding a mutex as entry points any goroutine may
call, concurrently with each other. These are the exceptions and the documented facts it reads:
- methods the fmt/errors machinery calls, decoders (`UnmarshalJSON`, `DecodeRLP`, ...) and set-up
  methods (`Init`, `Setup`), which run before the value is shared;
- test doubles kept beside production code (`test_backend.go`, `*_mock.go`);
- types documented as not safe for concurrent use, methods documented to run in a sequential
  phase, and functions documented to run with the lock held (`held_by_doc`);
- methods that drive an event loop (`for { select { ... } }`), run by one goroutine at a time;
- lifecycle methods of an OpenTelemetry collector component (`component_lifecycle`): the
  collector calls `Start` and `Shutdown` one component at a time, before any other component
  uses it and after every user has shut down, so they never run beside its other methods;
- set-up setters (`sets_unguarded_fields`): a method that assigns, without locking its receiver,
  a field declared above a lock commented "guards the fields below". Those fields are left
  unguarded by design (set once, read without the lock), so the method must run before the
  value is shared, or it would race on its own writes (etcd's `RaftCluster.SetID`).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.bounds import calls_query
from golinter.model.spawnplaces import in_literal

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package

# Methods the fmt and errors machinery call on a value the caller holds (often under the
# caller's lock, through an interface the model does not follow), and ServeHTTP (a handler).
NOT_ENTRY_POINTS = frozenset({"String", "GoString", "Error", "Format", "ServeHTTP",
                               # decoders fill the value being decoded, not yet shared
                               "UnmarshalJSON", "UnmarshalText", "UnmarshalBinary", "UnmarshalYAML",
                               "UnmarshalTOML", "GobDecode", "DecodeRLP", "DecodeMsg", "UnmarshalMsg"})
# Test doubles kept beside production code: `test_backend.go`, `client_mock.go`, `mock_store.go`.
TEST_DOUBLE_FILE = re.compile(r"(^test_|^mock_|^fake_|_mocks?\.go$|_fakes?\.go$)")
NOT_SAFE = re.compile(r"not\s+(safe\s+for\s+concurrent|goroutine[- ]safe|thread[- ]safe|concurrency[- ]safe)",
                       re.IGNORECASE)
# An accessor documented to hand out the map itself ("Map returns the underlying map that is being
# written to", "Values returns the raw backing map"): callers take on its locking, by contract.
LIVE_MAP_DOC = re.compile(r"\breturns?\b[^.]*\b(underlying|raw|backing|internal)\b[^.]*\bmap\b", re.IGNORECASE)
# Methods that by their name set the object up before it is shared (`Init` of go-ethereum's
# tx pools, which load the journal and then start serving): not entry points that run
# concurrently with the others.
SETUP_METHODS = frozenset({"Init", "Initialize", "Initialise", "Setup", "SetUp"})
# A method documented to run in a sequential phase (set-up before serving, a final pass).
SETUP_DOC = re.compile(r"\bbefore\b[^.]*\b(Serve|Start|Run|Listen|serving|starting|any other)|\bafter all\b|"
                    r"\bnot\b[^.]*\bconcurrently\b|\bduring (set-?up|initiali[sz]ation)\b", re.IGNORECASE)
_HELD_DOC = re.compile(r"must be (held|locked)|callers? (must|should|needs? to|is expected to) (hold|acquire|lock)|"
                       r"expects? the caller to (hold|acquire|lock)|\bmu held\b|locks? held|must hold|"
                       r"with \S+ (held|locked)|while holding|assumes? \S+ is (held|locked)|"
                       r"requires? \S+ to be (held|locked)|"
                       # nats: "Lock should be held.", "Lock is held on entry.", "Lock is assumed held.",
                       # "Lock for fs should be held.", "mset.clMu lock must be held."
                       r"\blocks?\b[^.;]*?\b(should|must|needs? to|assumed?|expected)\b[^.;]*?\bheld\b|"
                       r"\bheld (on |upon )?(entry|entering)\b", re.IGNORECASE)
# A sentence that says the lock is NOT held ("Lock should not be held.", "Lock MUST NOT be held
# upon entry.", "Lock does NOT need to be held", "must not be called while holding mu").
_NEGATION = re.compile(r"\b(not|never|no longer|without)\b|n't\b", re.IGNORECASE)
# "Read lock should be held", "At least a read lock must be held": a read lock, maybe more.
_READ_DOC = re.compile(r"\bread[- ]?locks?\b|\bRLock\b|\bat least\b", re.IGNORECASE)
# "Lock should be held on the owning account": somebody else's lock.
_ELSEWHERE = re.compile(r"\bheld (on|upon|for|by) (?!entry\b|entering\b)(the |its |parent |general )",
                        re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n\s*\n|;\s*")
HELD_BY_DOC, NOT_BY_DOC, UNKNOWN_BY_DOC = "held", "", "unknown"


def held_by_doc(doc: str) -> str:
    """What a function's doc says about the lock at entry: HELD_BY_DOC ("Lock should be held.",
    "Caller must hold s.mu"), UNKNOWN_BY_DOC (held, but a read lock or somebody else's: "Read lock
    should be held", "Lock should be held on the owning account"), else NOT_BY_DOC (nothing said,
    or said not held: "Lock should not be held.", "Lock MUST NOT be held upon entry."). Only
    HELD_BY_DOC starts the function with its receiver's lock held; the others leave the entry to
    its callers (an unexported function whose callers all hold the lock)."""
    text = re.sub(r"^\s*//\s?|^\s*/?\*+/?\s?", "", doc, flags=re.MULTILINE).replace("\n", " ")
    verdict = NOT_BY_DOC
    for sentence in _SENTENCE.split(text):
        m = _HELD_DOC.search(sentence)
        if m is None or _NEGATION.search(sentence, 0, m.end()):
            continue
        if _READ_DOC.search(sentence) or _ELSEWHERE.search(sentence):
            verdict = UNKNOWN_BY_DOC
            continue
        return HELD_BY_DOC
    return verdict


LOCKED_NAME = re.compile(r"(Locked|locked|NoLock)$")

def runs_event_loop(pkg: Package, decl: Node) -> bool:
    """The function's own statements include `for { select { ... } }`: an endless loop whose body
    waits on channels (a driver loop, not a call that returns)."""
    f = pkg.file_of(decl)
    body = decl.child_by_field_name(kinds.F_BODY)
    if body is None or f.src.find(b"select", body.start_byte, body.end_byte) < 0:
        return False
    stmts = next((c for c in body.named_children if c.type == kinds.STATEMENT_LIST), None)
    for stmt in (stmts.named_children if stmts is not None else ()):
        loop_body = stmt.child_by_field_name(kinds.F_BODY) if stmt.type == kinds.FOR_STATEMENT else None
        if loop_body is None or any(c != loop_body and c.type != kinds.COMMENT for c in stmt.named_children):
            continue  # not a loop, or one with a condition, clause or range
        inner = next((c for c in loop_body.named_children if c.type == kinds.STATEMENT_LIST), None)
        if inner is not None and any(c.type == kinds.SELECT_STATEMENT for c in inner.named_children):
            return True
    return False


def drives_event_loop(pkg: Package, decl: Node, memo: dict[int, bool], depth: int = 2) -> bool:
    """The function runs an event loop itself, or calls (outside literals) a same-package function
    that does, up to `depth` calls down: geth's `Sync` calls `downloadState`, whose body is
    `for { select { ... } }`. Such a method is a driver: one goroutine runs it at a time."""
    key = decl.id * 4 + depth
    found = memo.get(key)
    if found is not None:
        return found
    memo[key] = False  # a cycle of calls answers no
    found = runs_event_loop(pkg, decl)
    body = decl.child_by_field_name(kinds.F_BODY)
    if not found and depth > 0 and body is not None:
        from golinter.parse import query_captures
        calls = query_captures(calls_query(), body, body.start_byte, body.end_byte).get("call", [])
        found = any(callee is not None and callee != decl and not in_literal(call, body)
                    and drives_event_loop(pkg, callee, memo, depth - 1)
                    for call in calls for callee in (pkg.types.callee_decl(call),))
    memo[key] = found
    return found


def sets_unguarded_fields(pkg: Package, decl: Node, type_name: str) -> bool:
    """The method assigns `recv.f` for a field f declared above the type's first lock that
    guards the fields below it, and does not lock its receiver (module docstring)."""
    from golinter.model.lockcalls import type_is_lock
    from golinter.model.occurrences import may_assign
    from golinter.model.outerlocks import locks_receiver
    from golinter.model.types import Named, Struct
    guards = pkg.locks.field_guards(type_name)
    if not guards:
        return False
    u = pkg.types.underlying(Named("", type_name))
    if not isinstance(u, Struct):
        return False
    names = [fld.name for fld in u.fields]
    locks = [names.index(lock) for lock in set(guards.values()) if lock in names]
    if not locks:
        return False
    unguarded = [fld.name for fld in u.fields[:min(locks)]
                 if fld.name not in guards and not fld.embedded and not type_is_lock(fld.type)]
    from golinter.model.scopes import receiver_name
    recv = receiver_name(pkg.file_of(decl), decl)
    if not unguarded or recv is None or locks_receiver(pkg, decl):
        return False
    src = pkg.file_of(decl).src
    return any(may_assign(src, f"{recv}.{name}".encode(), decl.start_byte, decl.end_byte) for name in unguarded)


# The collector's component.Component: `Start(ctx, host component.Host) error` and
# `Shutdown(ctx) error`, called by the service in dependency order, one component at a time.
_OTEL_COMPONENT = "go.opentelemetry.io/collector/component"
# Telegraf's telegraf.Output: "Connect is only called once when the plugin starts", "Close will not
# be called until all writes have finished, and Write() will not be called once Close() has been,
# so locking is not necessary" (its output.go).
_TELEGRAF = "github.com/influxdata/telegraf"
LIFECYCLE_METHODS = frozenset({"Start", "Shutdown", "Connect", "Close"})


def component_lifecycle(pkg: Package, type_name: str, method: str) -> bool:
    """`method` is a lifecycle method that never runs beside the type's other methods (it still
    runs beside the goroutines the type starts): Start or Shutdown of a type whose Start takes a
    `component.Host` of the OpenTelemetry collector; Connect or Close of a Telegraf output (its
    Write takes `[]telegraf.Metric`)."""
    if method in ("Start", "Shutdown"):
        found = _param_types(pkg, type_name, "Start", 2)
        return found is not None and found[1] == (_OTEL_COMPONENT, "Host", False)
    if method in ("Connect", "Close"):
        found = _param_types(pkg, type_name, "Write", 1)
        return found is not None and found[0] == (_TELEGRAF, "Metric", True)
    return False


def _param_types(pkg: Package, type_name: str, method: str,
                 count: int) -> list[tuple[str | None, str, bool]] | None:
    """(import path, name, a slice of it?) of each of the `count` parameter types of the method,
    which are qualified types (`component.Host`, `[]telegraf.Metric`); None otherwise."""
    decl = pkg.scopes.method_decl(type_name, method)
    params = decl.child_by_field_name(kinds.F_PARAMETERS) if decl is not None else None
    if decl is None or params is None:
        return None
    f = pkg.file_of(decl)
    types = [t for d in params.named_children if d.type == kinds.PARAMETER_DECLARATION
             for t in (d.child_by_field_name(kinds.F_TYPE),) if t is not None]
    if len(types) != count:
        return None
    out: list[tuple[str | None, str, bool]] = []
    for t in types:
        sliced = t.type == kinds.SLICE_TYPE
        elem = t.child_by_field_name(kinds.F_ELEMENT) if sliced else t
        package = elem.child_by_field_name(kinds.F_PACKAGE) if elem is not None else None
        name = elem.child_by_field_name(kinds.F_NAME) if elem is not None else None
        if elem is None or elem.type != kinds.QUALIFIED_TYPE or package is None or name is None:
            out.append((None, "", sliced))
            continue
        out.append((pkg.scopes.import_path(f, f.text(package)), f.text(name), sliced))
    return out
