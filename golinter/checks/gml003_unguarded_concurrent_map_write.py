"""GML003 unguarded-concurrent-map-write: a map written by code that can run at the same time
as another access to it, with no lock held exclusively across both.

User prose: rules/GML003-unguarded-concurrent-map-write.md. Model facts: concurrency contexts
(model/concurrency.py: goroutines and their spawners' code up to a join, handlers, methods of
shared types; the accesses each makes with its lockset and sharing), locksets
(model/locksets.py), storage identity. The check pairs accesses to the same storage from
contexts that can run at the same time and reports the unguarded side, once per site.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.checks.base import Nature, Precision, Rule
from golinter.findings import Level
from golinter.model.concurrency import AFTER, GOROUTINE, HANDLER, METHOD, PARALLEL_SUBTEST
from golinter.model.locksets import HELD, READ
from golinter.model.occurrences import go_statements
from golinter.model.package import enclosing_function

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tree_sitter import Node

    from golinter.findings import Finding
    from golinter.model.concurrency import Access, Analysis, Context
    from golinter.model.locksets import MapAccess, Site
    from golinter.model.package import Package
    from golinter.model.storage import StorageKey

RULE = Rule(code="GML003", name="unguarded-concurrent-map-write",
            summary="map written concurrently without a common lock",
            nature=Nature.CRASH, level=Level.ERROR, precision=Precision.HIGH,
            options=(("spawners", ()),), tags=("concurrency", "reliability"), whole_package=True)

# Candidates: goroutines, struct fields of package types (mutexes, gRPC servers), func literals
# handed to calls (spawners, handlers, subtests). No text predicates here: they run in Python
# for every node they test; run() gates on bytes instead.
QUERY = """
(go_statement) @gml003.go
(field_declaration type: (qualified_type)) @gml003.field
(argument_list (func_literal) @gml003.callback)
"""
# Every match holds one of these (parse.live_ranges skips declarations without): `go`, a func literal, a struct field.
QUERY_WORDS = (b"go", b"func", b"struct")
# A package none of whose files holds one of these, nor a `go` statement, has no concurrency the
# model can see. (`go ` as a sign let comments through, "a while ago "; `go` statements are
# found by occurrences.go_statements, which also sees `go(f)()`.)
_SIGNS = (b"Mutex", b"ResponseWriter", b".Go(", b"TryGo(", b"AfterFunc(", b"RunParallel(",
          b"Parallel()", b"Unimplemented", b"gin.Context", b"echo.Context", b"fiber.Ctx")


@dataclass(frozen=True, slots=True)
class _Race:
    """The unguarded access `target` and the access it races with."""

    target: Access
    partner: Access

    def rank(self) -> tuple[int, int, int, int, int]:
        """Prefer a partner in another context, holding a lock, then the access itself in another
        instance, then the earliest in the file."""
        other = 0 if self.partner.context != self.target.context else 1
        guarded = 0 if self.partner.lockset.any_held() else 1
        itself = 0 if self.partner.site == self.target.site else 1
        return (other, guarded, itself, self.partner.site.start, self.partner.context)


def run(pkg: Package) -> Iterator[Finding]:
    spawners = _spawners(pkg)
    if not _has_signs(pkg, spawners):
        return
    analysis = pkg.concurrency.analysis(spawners)
    per_line = _one_per_line(pkg, _races(analysis))
    for line in sorted(per_line):
        yield _finding(pkg, analysis, per_line[line])
    for write in analysis.snapshot_writes:
        if (write.site.path, _line_of(pkg, write.site)) not in per_line:
            yield _snapshot_finding(pkg, write)


def _one_per_line(pkg: Package, races: Iterator[_Race]) -> dict[tuple[str, int], _Race]:
    """One finding per unguarded access site, with its best partner; and one a line (the write
    when a line both reads and writes: `clear(m[k])`)."""
    best: dict[tuple[str, int, int], _Race] = {}
    for race in races:
        site = race.target.site
        where = (site.path, site.start, site.end)
        if where not in best or race.rank() < best[where].rank():
            best[where] = race
    per_line: dict[tuple[str, int], _Race] = {}
    for where in sorted(best):
        race = best[where]
        line = (where[0], _line_of(pkg, race.target.site))
        if line not in per_line or (race.target.write and not per_line[line].target.write):
            per_line[line] = race
    return per_line


def _snapshot_finding(pkg: Package, write: MapAccess) -> Finding:
    """`m := c.table.Load().(map[string]int); m[k] = v`: readers load the same map and read it
    without a lock."""
    conc = pkg.concurrency
    name = pkg.text(conc.node_at(write.map_site))
    assert write.snapshot is not None
    load = conc.node_at(write.snapshot)
    return pkg.finding(RULE, conc.node_at(write.site),
                       f"map {name} is a snapshot published by {pkg.text(load)}, which readers use without a lock; "
                       f"writing it races with them: change a copy and Store that",
                       [(load, "loaded here")])


def _line_of(pkg: Package, site: Site) -> int:
    for f in pkg.files:
        if f.path == site.path:
            return f.line_of_byte(site.start)
    return 0


def _has_signs(pkg: Package, spawners: tuple[str, ...]) -> bool:
    """A cheap byte search before any analysis: mutexes, handlers, spawners, then goroutines."""
    signs = _SIGNS + tuple(s.rsplit(".", 1)[-1].encode() + b"(" for s in spawners)
    return any(sign in f.src for f in pkg.files for sign in signs) \
        or any(go_statements(f) for f in pkg.files)


def _spawners(pkg: Package) -> tuple[str, ...]:
    value = pkg.options(RULE).get("spawners", ())
    return tuple(str(v) for v in value) if isinstance(value, tuple) else ()


def _races(analysis: Analysis) -> Iterator[_Race]:
    """Pairs of accesses to the same storage, one a write, from contexts that can run at the same
    time, with no lock held exclusively across both (and, for methods of shared types, evidence
    that the storage is meant to be guarded)."""
    by_key: dict[StorageKey, list[Access]] = {}
    for a in analysis.accesses:
        if a.shared:
            by_key.setdefault(a.key, []).append(a)
    for key, group in by_key.items():
        own = _own_locks(group)
        for i, a in enumerate(group):
            for b in group[i:]:
                if not (a.write or b.write) or not _can_meet(analysis, a, b):
                    continue
                if _protected(a, b) is not False or _fresh_in_region(a, b) or _fresh_in_region(b, a):
                    continue
                if METHOD in (analysis.contexts[a.context].kind, analysis.contexts[b.context].kind) \
                        and not _rlock_write(a) and not _rlock_write(b) and not _one_side_guarded(analysis, key, a, b):
                    continue  # methods: only "locked here, not there" (setup code, single owners stay silent)
                yield from _sides(a, b, own)


def _can_meet(analysis: Analysis, a: Access, b: Access) -> bool:
    ca, cb = analysis.contexts[a.context], analysis.contexts[b.context]
    if not analysis.concurrent(ca, cb) or analysis.ended_before(ca, b) or analysis.ended_before(cb, a):
        return False
    if ca.index == cb.index:
        return a.instance_shared and b.instance_shared  # two instances of one context
    return True


def _protected(a: Access, b: Access) -> bool | None:
    """True when some lock is held exclusively across both (or read-held by both readers);
    None when a lockset is Unknown."""
    la, lb = a.lockset, b.lockset
    if la.unknown or lb.unknown:
        return None
    for lock in la.any_held():
        sa, sb = la.state(lock), lb.state(lock)
        if (sa == HELD and sb in (HELD, READ)) or (sa == READ and sb == HELD):
            return True
    return False


def _fresh_in_region(w: Access, other: Access) -> bool:
    """`s.items = map[K]V{}; s.items[k] = v` under s.mu: the write fills a map that the other
    side can only have reached through the field while holding s.mu, that is before the map was
    made or after the region ended (copy-on-write publishing)."""
    if not w.fresh:
        return False
    loaded = other.load if other.load is not None else other.lockset
    return not loaded.unknown and any(loaded.state(lock) in (HELD, READ) for lock in w.fresh)


def _one_side_guarded(analysis: Analysis, key: StorageKey, a: Access, b: Access) -> bool:
    """Exactly one side holds a lock the map is written under elsewhere (or annotated with)."""
    guards = frozenset(analysis.guards(key))
    return bool(guards) and _holds_any(a, guards) != _holds_any(b, guards)


def _guarded(x: Access) -> bool:
    """Holds a lock that can protect it: an exclusive one, or a read lock for a read."""
    return bool(x.lockset.held()) or (not x.write and bool(x.lockset.any_held()))


def _holds_any(x: Access, locks: frozenset[StorageKey]) -> bool:
    return not locks.isdisjoint(x.lockset.any_held())


def _rlock_write(x: Access) -> bool:
    """A write while only read locks are held: every RLock holder runs at once."""
    return x.write and not x.lockset.held() and bool(x.lockset.any_held())


def _own_locks(accesses: list[Access]) -> frozenset[StorageKey]:
    """The locks every write of a storage holds (its own lock: `iam.m`, while some writes also
    hold a lock that serialises reloads); none when a write's lockset is Unknown."""
    own: frozenset[StorageKey] | None = None
    for a in accesses:
        if a.write and not a.returned:
            if a.lockset.unknown:
                return frozenset()
            held = frozenset(a.lockset.any_held())
            own = held if own is None else own & held
    return own or frozenset()


def _sides(a: Access, b: Access, own: frozenset[StorageKey]) -> Iterator[_Race]:
    """The finding sits on the unguarded side; when both hold some lock, on the side without
    the map's own lock (`_own_locks`: a write under it is right, a read under another lock is
    not); on the write(s) when that does not tell."""
    ga, gb = _guarded(a), _guarded(b)
    if ga and gb and own:
        ga, gb = _holds_any(a, own), _holds_any(b, own)
    if ga != gb:
        yield _Race(b, a) if ga else _Race(a, b)
        return
    for t in (a, b) if a is not b else (a,):
        if t.write:
            yield _Race(t, b if t is a else a)


# -- messages -----------------------------------------------------------------------------------

def _finding(pkg: Package, analysis: Analysis, race: _Race) -> Finding:
    conc = pkg.concurrency
    t, p = race.target, race.partner
    ctx, pctx = analysis.contexts[t.context], analysis.contexts[p.context]
    node = conc.node_at(t.site)
    name = pkg.text(conc.node_at(t.map_site))
    lock = _lock_name(pkg, analysis, race)
    related: list[tuple[Node, str]] = []
    if p.site != t.site:
        related.append((conc.node_at(p.site), _partner_note(pkg, p, analysis.guards(p.key))))
    if p.via is not None and p.via != t.via and p.via != p.site:
        related.append((conc.node_at(p.via), f"reached from {_who(pkg, pctx, p.via.path)} here"))
    if t.via is not None and t.via != t.site:
        related.append((conc.node_at(t.via), f"reached from {_who(pkg, ctx, t.via.path)} here"))
    for c in (ctx, pctx):
        origin = _origin_note(c)
        if origin and all(conc.node_at(c.origin) != n for n, _ in related):
            related.append((conc.node_at(c.origin), origin))
    message = _message(pkg, race, ctx, pctx, name, lock, analysis.guards(t.key))
    copied = _copied_lock(pkg, node)
    if copied is not None:
        func, call = copied
        message += f" ({func} has a value receiver: its {lock or 'lock'} is a copy)"
        related.append((call, "locks a copy"))
    return pkg.finding(RULE, node, message, related)


def _copied_lock(pkg: Package, node: Node) -> tuple[str, Node] | None:
    """`func (s Stats) Count() { s.mu.Lock() ...`: the method that locks a copy, and the call."""
    func = enclosing_function(node)
    while func is not None and func.type not in kinds.TOP_FUNCTION_KINDS:
        func = enclosing_function(func)
    if func is None:
        return None
    copied = pkg.locks.summary(func).copied_locks
    name = func.child_by_field_name("name")
    if not copied or name is None:
        return None
    return pkg.text(name), pkg.concurrency.node_at(copied[0])


def _message(pkg: Package, race: _Race, ctx: Context, pctx: Context, name: str, lock: str,
             guards: tuple[StorageKey, ...]) -> str:
    t, p = race.target, race.partner
    verb = "written" if t.write else "read"
    pverb = "writes" if p.write else "reads"
    without = f"without {lock}" if lock else "without a lock"
    if t.returned:
        return (f"map {name} is returned to the caller, who reads it after {lock or 'the lock'} is released "
                f"while {_who(pkg, pctx, t.site.path)} {pverb} it; return maps.Clone({name})")
    if _rlock_write(t):
        read_lock = lock or "the lock"
        return (f"map {name} is written while only {read_lock}.RLock is held; RLock holders run at the same "
                f"time, use {read_lock}.Lock")
    if ctx.index == pctx.index and t.site == p.site:
        if ctx.kind == GOROUTINE:
            if ctx.per_request and not ctx.in_loop:
                return f"map {name} is written by the goroutines each request to {ctx.spawner} starts, {without}"
            if "RunParallel" in ctx.name:
                return f"map {name} is written by the b.RunParallel goroutines {without}"
            what = "parallel subtests" if ctx.name == PARALLEL_SUBTEST else "goroutines"
            return f"map {name} is written by {what} started in a loop {without}"
        if ctx.kind == HANDLER:
            return f"map {name} is written by concurrent requests to {_who(pkg, ctx, t.site.path)} {without}"
        return f"map {name} is written by concurrent calls of {ctx.name} {without}"
    who = f"concurrent {_instances(pkg, ctx, t.site.path)}" if ctx.index == pctx.index else _who(pkg, pctx, t.site.path)
    pverb = pverb[:-1] if ctx.index == pctx.index else pverb
    mine, theirs = _held_lock(t, guards), _held_lock(p, guards)
    if mine is not None and theirs is not None:  # each side holds a lock, not the same one
        return (f"map {name} is {verb} here under {_lock_text(pkg, mine, t)} while {who} {pverb} it "
                f"under {_lock_text(pkg, theirs, p)}, a different lock")
    if lock and _guarded(p) and not _guarded(t):
        return f"map {name} is {verb} here without {lock} while {who} {pverb} it"
    return f"map {name} is {verb} here while {who} {pverb} it {without}"


def _instances(pkg: Package, ctx: Context, here: str) -> str:
    if ctx.kind == HANDLER:
        return f"requests to {_who(pkg, ctx, here)}"
    if ctx.kind == GOROUTINE:
        return "goroutines started in a loop" if ctx.in_loop else "goroutines"
    return f"calls of {ctx.name}"


def _who(pkg: Package, ctx: Context, here: str) -> str:
    """How a message written at a place in file `here` names a context."""
    at = _at(pkg, ctx, here)
    if ctx.kind == METHOD:
        return ctx.name
    if ctx.kind == HANDLER:
        if ctx.name == "the handler":
            return f"the handler registered at {at}"
        # `func handler(w, r)`: "requests to handler", not "handler handler"
        return ctx.name if "handler" in ctx.name.lower() else f"handler {ctx.name}"
    if ctx.kind == GOROUTINE:
        return f"{ctx.name} started at {at}"
    if ctx.kind == AFTER:
        return f"{ctx.name} (after the spawn at {at})"
    return ctx.name


def _at(pkg: Package, ctx: Context, here: str) -> str:
    """"line 12" for the context's origin in file `here`, "server_test.go:12" in another file."""
    for f in pkg.files:
        if f.path == ctx.origin.path:
            line = f.line_of_byte(ctx.origin.start)
            return f"line {line}" if f.path == here else f"{os.path.basename(f.path)}:{line}"
    return "line 0"


def _held_lock(a: Access, guards: tuple[StorageKey, ...]) -> StorageKey | None:
    """The lock an access holds (exclusively if any, one that guards the map elsewhere first),
    None for none or an Unknown lockset."""
    if a.lockset.unknown:
        return None
    held = a.lockset.held() or a.lockset.any_held()
    return _pick(held, guards) if held else None


def _pick(held: tuple[StorageKey, ...], guards: tuple[StorageKey, ...]) -> StorageKey:
    """Of several locks held, one the map is guarded by elsewhere, a struct's field before a
    local (`m.mut` for m.folderCfgs, not the per-folder `restartMut` taken around it)."""
    own = {g.root for g in guards if g.is_field}
    return next((lock for lock in held if lock in guards and lock.root in own),
                next((lock for lock in held if lock in guards), held[0]))


def _partner_note(pkg: Package, p: Access, guards: tuple[StorageKey, ...]) -> str:
    if p.returned:  # loaded under the lock, read by the callers after it is released
        loaded = _held_lock(replace(p, lockset=p.load), guards) if p.load is not None else None
        lock = f"under {_lock_text(pkg, loaded, p)} " if loaded is not None else ""
        return f"returned here {lock}to callers, who read it after the unlock"
    verb = "written" if p.write else "read"
    held = _held_lock(p, guards)
    if held is not None:
        return f"{verb} here under {_lock_text(pkg, held, p)}"
    return f"{verb} here without a lock"


def _origin_note(ctx: Context) -> str:
    if ctx.kind == GOROUTINE and ctx.name == PARALLEL_SUBTEST:
        return "parallel subtest started here"
    if ctx.kind == GOROUTINE:
        return "goroutine started here" if ctx.name == "the goroutine" else f"{ctx.name[len('the func run by '):]} starts it here"
    if ctx.kind == HANDLER and ctx.registered:
        return "handler registered here" if ctx.name == "the handler" else f"{ctx.name} registered here"
    return ""


def _lock_name(pkg: Package, analysis: Analysis, race: _Race) -> str:
    """The lock that should guard the map: the one the other side holds, else an evidence lock,
    else the read lock the target holds."""
    evidence = analysis.guards(race.target.key)
    for x in (race.partner, race.target):
        held = x.lockset.held()
        if held:
            return _lock_text(pkg, _pick(held, evidence), race.target)
    if evidence:
        return _lock_text(pkg, evidence[0], race.target)
    for x in (race.partner, race.target):
        held = x.lockset.any_held()
        if held:
            return _lock_text(pkg, held[0], race.target)
    return ""


def _lock_text(pkg: Package, lock: StorageKey, near: Access) -> str:
    """A lock of the map's own struct named the way the access names the map (`c.items` ->
    `c.mu`); other locks as the code first wrote them."""
    if lock.root == near.key.root and near.key.path and lock.path:
        text = pkg.text(pkg.concurrency.node_at(near.map_site))
        suffix = "." + ".".join(near.key.path)
        if text.endswith(suffix) and "[" not in suffix:
            return text[: -len(suffix)] + "." + ".".join(lock.path)
    return pkg.locks.lock_name(lock)
