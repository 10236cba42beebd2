"""Lock calls and lock annotations: which lock `x.Lock()` takes (a field, an embedded mutex, the
mutex a sync.Cond wraps, an opaque one; none through a value receiver), and the guards a
struct's comments name (`// guarded by mu`, `mu sync.Mutex // guards following fields`).
model/locksets.py builds the lock flow of a function on these.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.lockfacts import HELD, OPAQUE, READ
from golinter.model.storage import StorageKey
from golinter.model.typelite import unparen
from golinter.model.types import Named, Pointer, Struct, Type

if TYPE_CHECKING:
    from collections.abc import Callable

    from tree_sitter import Node

    from golinter.model.package import Package

ACQUIRE = {"Lock": HELD, "RLock": READ}
RELEASE = frozenset({"Unlock", "RUnlock"})
TRY = {"TryLock": HELD, "TryRLock": READ}
LOCK_TYPES = frozenset({"Mutex", "RWMutex"})


# -- lock calls ----------------------------------------------------------------------------------

def lock_call(pkg: Package, call: Node, text: Callable[[Node], str] | None = None
               ) -> tuple[StorageKey | None, str] | None:
    fn = call.child_by_field_name(kinds.F_FUNCTION)
    args = call.child_by_field_name(kinds.F_ARGUMENTS)
    if fn is None or fn.type != kinds.SELECTOR_EXPRESSION or (args is not None and args.named_child_count):
        return None
    name_node = fn.child_by_field_name(kinds.F_FIELD)
    operand = fn.child_by_field_name(kinds.F_OPERAND)
    if name_node is None or operand is None:
        return None
    method = (text or pkg.text)(name_node)
    if method not in ACQUIRE and method not in RELEASE and method not in TRY:
        return None
    if pkg.types.qualified(fn) is not None:
        return None  # pkg.Lock(): a package function
    if pkg.types.callee_decl(call) is not None:
        return None  # a method of this package (a wrapper's `Lock` taking its own mutex): a helper
    return (lock_key(pkg, operand), method)


def lock_key(pkg: Package, operand: Node) -> StorageKey | None:
    types = pkg.types
    operand = unparen(operand)
    t = types.type_of(operand)
    base = types.deref(t)
    if is_copy(pkg, operand):
        return None
    if isinstance(base, Named) and not base.pkg:
        embedded = embedded_lock(pkg, base.name) or _foreign_embedded(pkg, base.name)
        if embedded is not None:
            return embedded
    key = pkg.storage.key(operand)
    if key is None:
        return StorageKey(OPAQUE + pkg.text(operand))
    if key.path and key.path[-1] == "L" and operand.type == kinds.SELECTOR_EXPRESSION:
        inner = operand.child_by_field_name(kinds.F_OPERAND)
        if inner is not None and types.deref(types.type_of(inner)) == Named("sync", "Cond"):
            return pkg.locks.cond_lock(StorageKey(key.root, key.path[:-1])) or key
    return key


def cond_locks(pkg: Package) -> dict[StorageKey, StorageKey]:
    """`c.cond = sync.NewCond(&c.mu)` / `&T{cond: sync.NewCond(&mu)}`: the Cond's storage -> the
    storage of the mutex it wraps (`c.cond.L.Lock()` takes c.mu)."""
    out: dict[StorageKey, StorageKey] = {}
    from golinter.parse import walk_named
    for f in pkg.files:
        if b"NewCond(" not in f.src:
            continue
        for node in walk_named(f.tree.root_node):
            if node.type != kinds.CALL_EXPRESSION:
                continue
            fn = node.child_by_field_name(kinds.F_FUNCTION)
            args = node.child_by_field_name(kinds.F_ARGUMENTS)
            if fn is None or args is None or pkg.types.qualified(fn) != ("sync", "NewCond") \
                    or args.named_child_count != 1:
                continue
            arg = unparen(args.named_children[0])
            mutex = pkg.storage.key(arg)
            target = pkg.storage.destination(node)
            if mutex is not None and target is not None:
                out[target] = mutex
    return out


def embedded_lock(pkg: Package, type_name: str) -> StorageKey | None:
    """`type S struct{ sync.Mutex }` (also through embedded same-package structs): the innermost
    embedding type's lock field, type:Base.Mutex."""
    types = pkg.types
    name = type_name
    for _ in range(5):
        u = types.underlying(Named("", name))
        if not isinstance(u, Struct):
            return None
        inner: str | None = None
        for fld in u.fields:
            if not fld.embedded:
                continue
            ft = types.deref(fld.type)
            if isinstance(ft, Named) and ft.name in LOCK_TYPES and ft.pkg:
                return StorageKey(f"type:{name}", (ft.name,))
            if isinstance(ft, Named) and not ft.pkg and inner is None:
                inner = ft.name
        if inner is None:
            return None
        name = inner
    return None


def _foreign_embedded(pkg: Package, type_name: str) -> StorageKey | None:
    """`type Node struct{ x.SafeMutex; ... }` and `n.Lock()`: a lock method promoted from the one
    embedded type that can provide it, of another package (a wrapper golinter cannot see:
    dgraph's `x.SafeMutex`) or of this one declaring `Lock` or `RLock` itself. The lock is that
    field of the type, whichever variable holds the value, as for an embedded `sync.Mutex`."""
    u = pkg.types.underlying(Named("", type_name))
    if not isinstance(u, Struct):
        return None
    methods = pkg.scopes.methods
    providers = [fld for fld in u.fields if fld.embedded and isinstance(ft := pkg.types.deref(fld.type), Named)
                 and (ft.pkg or (ft.name, "Lock") in methods or (ft.name, "RLock") in methods)]
    # a name that says lock (`SafeMutex`, `RWLocker`) beats the rest (`pb.UnimplementedZeroServer`)
    named = [fld for fld in providers if _LOCK_NAME.search(fld.name)]
    providers = named or providers
    if len(providers) > 1:
        return StorageKey(OPAQUE + type_name)  # which one's Lock is promoted is not known here
    return StorageKey(f"type:{type_name}", (providers[0].name,)) if providers else None


_LOCK_NAME = re.compile(r"Mutex|Lock")


def is_copy(pkg: Package, operand: Node) -> bool:
    """`func (c Counter) Get() { c.mu.Lock() }`: the receiver is a copy, and so is its mutex
    (unless reached through a pointer field)."""
    types = pkg.types
    chain: list[Node] = []
    node = operand
    while node.type == kinds.SELECTOR_EXPRESSION:
        chain.append(node)
        inner = node.child_by_field_name(kinds.F_OPERAND)
        if inner is None:
            return False
        node = unparen(inner)
    if node.type != kinds.IDENTIFIER:
        return False
    obj = pkg.scopes.resolve(node)
    if obj is None or obj.decl is None or obj.decl.parent is None:
        return False
    plist = obj.decl.parent
    method = plist.parent
    if method is None or method.type != kinds.METHOD_DECLARATION or method.child_by_field_name(kinds.F_RECEIVER) != plist:
        return False
    if isinstance(types.underlying(types.type_of(node)), Pointer):
        return False
    for sel in chain:  # every step from the receiver to the lock is by value
        if isinstance(types.underlying(types.type_of(sel)), Pointer) and sel != chain[0]:
            return False
    final = types.type_of(operand)
    return not isinstance(types.underlying(final), Pointer) and not isinstance(final, Pointer)


# -- annotations -----------------------------------------------------------------------------------

def lock_notes(pkg: Package, type_name: str) -> tuple[dict[str, str], dict[str, frozenset[str]]]:
    """What a struct's comments say about its locks: the annotated guard of each field (field ->
    lock field name), and the fields a lock's own comment names (lock field name -> names:
    `cacheMu sync.Mutex // Mutex covering the cache`), which it alone is meant to guard."""
    obj = pkg.scopes.package_obj(type_name)
    if obj is None or obj.type_node is None or obj.type_node.type != kinds.STRUCT_TYPE:
        return {}, {}
    flist = next((c for c in obj.type_node.named_children if c.type == kinds.FIELD_DECLARATION_LIST), None)
    if flist is None:
        return {}, {}
    text = obj.file.text if obj.file is not None else pkg.text
    out: dict[str, str] = {}
    lock_comments: dict[str, str] = {}
    fields: set[str] = set()
    current: str | None = None  # lock named by "guards following fields"
    last_row = -1
    children = flist.named_children
    for i, child in enumerate(children):
        if child.start_point[0] > last_row + 1 and last_row >= 0:
            current = None  # a blank line ends "following fields"
        last_row = child.end_point[0]
        if child.type != kinds.FIELD_DECLARATION:
            continue
        names = [text(n) for n in child.children_by_field_name(kinds.F_NAME)]
        fields.update(names)
        comment = _trailing_comment(text, children, i)
        ftype = child.child_by_field_name(kinds.F_TYPE)
        t = pkg.types.type_from_expr(ftype) if ftype is not None else None
        base = pkg.types.deref(t) if t is not None else None
        if isinstance(base, Named) and base.name in LOCK_TYPES and base.pkg:
            names = names or [base.name]  # embedded `sync.Mutex // guards the fields below`: field Mutex
            lower = comment.lower()
            current = names[0] if names and ("guards" in lower or "protects" in lower) else None
            if names:
                lock_comments[names[0]] = f"{_leading_comment(text, children, i)} {comment}"
            continue
        guard = _guard_in_comment(comment) or _guard_in_comment(_leading_comment(text, children, i))
        for n in names:
            if guard is not None:
                out[n] = guard
            elif current is not None:
                out[n] = current
    scopes: dict[str, frozenset[str]] = {}
    for lock, comment in lock_comments.items():
        lower = comment.lower()
        if "follow" in lower or "below" in lower:
            continue  # "guards the following fields": the fields, not words in the comment
        named = frozenset(_WORD.findall(comment)) & (fields - {lock})
        if named:
            scopes[lock] = named
    return out, scopes


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _trailing_comment(text: Callable[[Node], str], children: list[Node], i: int) -> str:
    if i + 1 < len(children) and children[i + 1].type == kinds.COMMENT \
            and children[i + 1].start_point[0] == children[i].end_point[0]:
        return text(children[i + 1])
    return ""


def _leading_comment(text: Callable[[Node], str], children: list[Node], i: int) -> str:
    """The comment on the line above field i (not a trailing comment of the field before it)."""
    above = children[i - 1] if i > 0 else None
    if above is None or above.type != kinds.COMMENT or above.end_point[0] != children[i].start_point[0] - 1:
        return ""
    if i >= 2 and children[i - 2].end_point[0] == above.start_point[0]:
        return ""
    return text(above)


def _guard_in_comment(comment: str) -> str | None:
    lower = comment.lower()
    for marker in ("guarded by ", "protected by ", "+checklocks:"):
        at = lower.find(marker)
        if at >= 0:
            rest = comment[at + len(marker):].strip().split()
            if rest:
                word = rest[0].strip(".,;:()`'\"")
                return word.rsplit(".", 1)[-1] or None
    return None


def doc_comment(pkg: Package, decl: Node) -> str:
    """The comment lines right above a declaration (type spec: above its `type` keyword)."""
    node = decl
    if node.type == kinds.TYPE_SPEC and node.parent is not None and node.parent.type == kinds.TYPE_DECLARATION:
        node = node.parent
    lines: list[str] = []
    prev = node.prev_sibling
    row = node.start_point[0]
    while prev is not None and prev.type == kinds.COMMENT and prev.end_point[0] == row - 1:
        lines.append(pkg.text(prev))
        row = prev.start_point[0]
        prev = prev.prev_sibling
    return "\n".join(reversed(lines))


def type_is_lock(t: Type) -> bool:
    """sync.Mutex / sync.RWMutex (or a look-alike named Mutex/RWMutex from another package), by value
    or pointer."""
    if isinstance(t, Pointer):
        t = t.elem
    return isinstance(t, Named) and bool(t.pkg) and t.name in LOCK_TYPES
