"""Lock facts as plain data: lock states, transfers (what running code does to locks), locksets
(the locks held at a point), and the records a unit's summary is made of (sites, roots,
operands, map accesses, calls). model/locksets.py computes them; callers compose transfers
along call chains and apply them to an entry lockset.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from tree_sitter import Node

    from golinter.model.package import Package
    from golinter.model.storage import StorageKey

FREE, READ, HELD, MAYBE = 0, 1, 2, 3
Image = tuple[int, int, int, int]
_IDENTITY: Image = (FREE, READ, HELD, MAYBE)
_STATE_NAMES = ("free", "read", "held", "maybe")

OPAQUE = "opaque:"  # root prefix of locks whose storage is unknown, and of sync.Once callbacks


# -- transfers and locksets ----------------------------------------------------------------------

def _meet_state(a: int, b: int) -> int:
    return a if a == b else MAYBE


def key_order(key: StorageKey) -> tuple[str, tuple[str, ...]]:
    return (key.root, key.path)


@dataclass(frozen=True, slots=True)
class Transfer:
    """What running code does to locks: each listed lock maps its entry state to an exit state
    (`image[entry]`); unlisted locks keep their state (`base == -1`) or take the constant `base`."""

    locks: tuple[tuple[StorageKey, Image], ...] = ()
    base: int = -1

    @staticmethod
    def make(items: Iterable[tuple[StorageKey, Image]], base: int = -1) -> Transfer:
        default = _IDENTITY if base < 0 else (base, base, base, base)
        kept = sorted(((k, img) for k, img in items if img != default), key=lambda kv: key_order(kv[0]))
        return Transfer(tuple(kept), base)

    @staticmethod
    def setting(lock: StorageKey, state: int) -> Transfer:
        return Transfer.make([(lock, (state, state, state, state))])

    def image(self, lock: StorageKey) -> Image:
        for k, img in self.locks:
            if k == lock:
                return img
        return _IDENTITY if self.base < 0 else (self.base, self.base, self.base, self.base)

    def then(self, after: Transfer) -> Transfer:
        """This code, then `after`."""
        if not after.locks and after.base < 0:
            return self
        keys = {k for k, _ in self.locks} | {k for k, _ in after.locks}
        base = after.base if after.base >= 0 else self.base
        out = []
        for k in keys:
            first, second = self.image(k), after.image(k)
            out.append((k, (second[first[0]], second[first[1]], second[first[2]], second[first[3]])))
        return Transfer.make(out, base)

    def meet(self, other: Transfer) -> Transfer:
        """Paths joining: a lock whose state differs between them is MAYBE."""
        if self == other:
            return self
        keys = {k for k, _ in self.locks} | {k for k, _ in other.locks}
        if self.base == other.base:
            base = self.base
        else:
            base = MAYBE  # identity on one path, a constant on the other: Unknown
        out = []
        for k in keys:
            a, b = self.image(k), other.image(k)
            out.append((k, (_meet_state(a[0], b[0]), _meet_state(a[1], b[1]), _meet_state(a[2], b[2]),
                            _meet_state(a[3], b[3]))))
        return Transfer.make(out, base)

    def apply(self, entry: Lockset) -> Lockset:
        keys = {k for k, _ in self.locks} | {k for k, _ in entry.locks}
        default = self.base if self.base >= 0 else entry.default
        return Lockset.make(((k, self.image(k)[entry.state(k)]) for k in keys), default)


IDENTITY = Transfer()
UNKNOWN_TRANSFER = Transfer(base=MAYBE)
RESET = Transfer(base=FREE)  # an async start: no locks held


def meet_opt(a: Transfer | None, b: Transfer | None) -> Transfer | None:
    """Meet where None is "no path"."""
    if a is None:
        return b
    if b is None:
        return a
    return a.meet(b)


@dataclass(frozen=True, slots=True)
class Lockset:
    """The state of every lock at a point: listed locks, every other lock `default`."""

    locks: tuple[tuple[StorageKey, int], ...] = ()
    default: int = FREE

    @staticmethod
    def make(items: Iterable[tuple[StorageKey, int]], default: int = FREE) -> Lockset:
        kept = sorted(((k, s) for k, s in items if s != default), key=lambda kv: key_order(kv[0]))
        return Lockset(tuple(kept), default)

    def state(self, lock: StorageKey) -> int:
        for k, s in self.locks:
            if k == lock:
                return s
        return self.default

    def held(self) -> tuple[StorageKey, ...]:
        """Locks held exclusively."""
        return tuple(k for k, s in self.locks if s == HELD)

    def any_held(self) -> tuple[StorageKey, ...]:
        """Locks held exclusively or for reading."""
        return tuple(k for k, s in self.locks if s in (HELD, READ))

    @property
    def unknown(self) -> bool:
        """Some lock's state is Unknown, or an opaque lock is held."""
        return self.default == MAYBE or any(s == MAYBE or (s != FREE and k.root.startswith(OPAQUE))
                                            for k, s in self.locks)

    def describe(self) -> str:
        return ", ".join(f"{k.root}{'.' if k.path else ''}{'.'.join(k.path)}={_STATE_NAMES[s]}"
                         for k, s in self.locks) or "{}"


EMPTY = Lockset()
UNKNOWN_LOCKSET = Lockset(default=MAYBE)


# -- facts -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, order=True)
class Site:
    """A source range: file path and byte offsets (plain data standing for a node)."""

    path: str
    start: int
    end: int

    def contains(self, other: Site) -> bool:
        return self.path == other.path and self.start <= other.start and other.end <= self.end


RECV, PARAM, PKG, LOCAL, OUTER, NONE = "recv", "param", "pkg", "local", "outer", "none"


@dataclass(frozen=True, slots=True)
class Root:
    """What an expression's storage hangs from, seen from its unit: the receiver, parameter
    `index`, a package variable, a local declared in the unit, a variable captured from outside
    the unit (OUTER), or nothing known (NONE: call results, ...). `decl` is the byte offset of
    the declaring identifier (RECV, PARAM, LOCAL, OUTER). `element` is the declaring offset of the
    range variable the path went through (`for _, c := range s.clients { c.tags[k] = v }`): the
    storage is reached from the container, but each iteration has its own element."""

    kind: str
    index: int = -1
    decl: int = -1
    element: int = -1


NO_ROOT = Root(NONE)


@dataclass(frozen=True, slots=True)
class Operand:
    """An expression passed to a call (receiver or argument): its root, storage and place."""

    root: Root
    key: StorageKey | None
    site: Site | None = None


@dataclass(frozen=True, slots=True)
class MapAccess:
    """One read or write of a map. `site` is the access expression, `map_site` the map
    expression (its text names the map). `sliced`: the map is reached through a slice or array
    element (`shards[i][k]`), whose identity the model does not know. `returned`: the map itself
    is returned (the caller reads it later). `deferred`: runs when the unit returns."""

    key: StorageKey
    write: bool
    site: Site
    map_site: Site
    root: Root
    transfer: Transfer
    sliced: bool = False
    returned: bool = False
    deferred: bool = False
    snapshot: Site | None = None  # the map came from atomic.Value/Pointer Load (this call)
    # The map was copied into a local (`m := s.items`) before the access: the transfer at the
    # copy, where the reference was loaded (None: loaded at the access itself).
    load: Transfer | None = None
    # A write into a map freshly made and assigned to this storage earlier in the same locked
    # region (`s.items = map[K]V{}; ...; s.items[k] = v`, no unlock, call or hand-off between):
    # the transfer at that assignment. Only code that loads the field without the lock can see
    # the map before the region ends.
    fresh: Transfer | None = None


Operands = tuple[Operand | None, tuple[Operand | None, ...]]  # (receiver, arguments)


class Call:
    """A synchronous call of a same-package function or method (`callee` is its declaration).
    `recv` and `args` may be given as a function computing them on first use: most calls lead
    to helpers with no map access, whose callers never look at the operands (resolving them
    costs a scope climb each)."""

    __slots__ = ("_operands", "_thunk", "callee", "deferred", "site", "transfer")

    def __init__(self, callee: Site, site: Site, transfer: Transfer, recv: Operand | None = None,
                 args: tuple[Operand | None, ...] = (), deferred: bool = False,
                 operands: Callable[[], Operands] | None = None) -> None:
        self.callee = callee
        self.site = site
        self.transfer = transfer
        self.deferred = deferred
        self._thunk = operands
        self._operands: Operands | None = None if operands is not None else (recv, args)

    def _resolved(self) -> Operands:
        if self._operands is None:
            assert self._thunk is not None
            self._operands, self._thunk = self._thunk(), None
        return self._operands

    @property
    def recv(self) -> Operand | None:
        return self._resolved()[0]

    @property
    def args(self) -> tuple[Operand | None, ...]:
        return self._resolved()[1]

    def __repr__(self) -> str:
        return (f"Call(callee={self.callee!r}, site={self.site!r}, transfer={self.transfer!r}, "
                f"recv={self.recv!r}, args={self.args!r}, deferred={self.deferred!r})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Call):
            return NotImplemented
        return (self.callee, self.site, self.transfer, self.recv, self.args, self.deferred) == \
            (other.callee, other.site, other.transfer, other.recv, other.args, other.deferred)

    def __hash__(self) -> int:
        return hash((self.callee, self.site, self.transfer, self.recv, self.args, self.deferred))


@dataclass(frozen=True, slots=True)
class Summary:
    """Plain facts about one unit (function declaration or func literal) for caching."""

    unit: Site
    accesses: tuple[MapAccess, ...] = ()
    calls: tuple[Call, ...] = ()
    # The whole body, entry to return; None: it never returns, or it takes no lock (no `Lock` in
    # its text) and nothing asked for its flow (callers read it only for units that may lock).
    exit: Transfer | None = None
    param_calls: tuple[tuple[int, Transfer], ...] = ()   # func parameter i is called under ...
    lock_names: tuple[tuple[StorageKey, str], ...] = ()  # source text naming each lock
    copied_locks: tuple[Site, ...] = ()                  # lock calls through a value receiver
    inline: tuple[Site, ...] = ()                        # literals that run as part of this unit
    unsupported: bool = False

    def lock_name(self, lock: StorageKey) -> str | None:
        for k, text in self.lock_names:
            if k == lock:
                return text
        return None


def site_of(pkg: Package, node: Node) -> Site:
    return Site(pkg.file_of(node).path, node.start_byte, node.end_byte)
