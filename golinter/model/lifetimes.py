"""Lifetimes: which storage is long-lived, on evidence of sharing (SPEC section 4).

Long-lived storage outlives the call that touches it, so what it holds stays reachable:
- package-level variables (`pkg:` keys, any path below them);
- fields of shared types (`type:T` keys). A same-package named type T is shared when
  * it holds a sync.Mutex / sync.RWMutex or a sync/atomic value as a field, embeds one, or
    holds one in an embedded or anonymous struct field ("field of *Cache, which holds a
    sync.Mutex"); an embedded pointer (`*DB` in a pooled appender) is a handle to a shared
    value, not a lock of the type's own;
  * one of its methods is started as a goroutine or by a spawner: `go s.run()`,
    `g.Go(s.run)`, `wg.Go(s.run)`, `time.AfterFunc(d, s.expire)`, `context.AfterFunc(ctx, s.stop)`;
  * it serves requests: it has `ServeHTTP`, a method with a handler signature
    (`func(http.ResponseWriter, *http.Request)`, gin `*gin.Context`, echo `echo.Context`, fiber
    `*fiber.Ctx`), a method value or value of it is passed to `HandleFunc`/`Handle`, or it embeds
    a gRPC `Unimplemented*Server`;
  * a value of it is stored in a package variable (`var std = &Logger{}`, `var plugins
    map[string]*Plugin`).
  Being held by a shared value is no evidence by itself: a type checker's state referenced
  from a locked cache entry is still per-run state (precision first);
- local variables captured by an async context: a `go func(){...}()` literal, a literal passed
  to a spawner, or a handler literal (`http.HandleFunc("/", func(w, r) {...})`).
Everything else (parsers, decoders, builders, per-request structs, returned maps) is not: a
struct field alone is no evidence. Unknown storage (no key) is not long-lived. Evidence found
in `_test.go` files (benchmark sinks, test servers) does not count.

`is_fresh_owner(expr)` answers a related question: whether the storage belongs to a value made
in the same function (`c := &Cache{}`), which nobody else can hold yet (constructors).

The facts are computed once per package on first use; plain data keyed by type name and
StorageKey. Concurrency contexts proper (joins, multi-instance) live in model/concurrency.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.handlers import is_http_handler
from golinter.model.mutations import word_offsets
from golinter.model.scopes import ObjKind
from golinter.model.storage import StorageKey
from golinter.model.types import Array, Map, Named, Pointer, Slice, Struct, Type

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package

_SYNC_LOCKS = frozenset({"Mutex", "RWMutex"})
_SPAWNER_METHODS = frozenset({"Go", "TryGo"})  # errgroup.Group, sync.WaitGroup (1.25), conc pools
_SPAWNER_FUNCS = frozenset({("time", "AfterFunc"), ("context", "AfterFunc")})
_REGISTER_FUNCS = frozenset({"HandleFunc", "Handle"})
_INTERESTING_CALLS = _SPAWNER_METHODS | _REGISTER_FUNCS | {name for _path, name in _SPAWNER_FUNCS}

class Lifetimes:
    """Long-lived storage of one package. Built lazily by `Package.lifetimes`."""

    def __init__(self, package: Package) -> None:
        self._pkg = package
        self._declared: dict[str, str] = {}          # type name -> reason from declarations alone
        self._holders: _Holders | None = None
        self._later: dict[str, str] | None = None    # type name -> reason from code (see _evidence)
        self._captured: dict[StorageKey, str] = {}  # captured local -> reason

    # -- public API ----------------------------------------------------------------------
    def is_long_lived(self, key: StorageKey | None) -> bool:
        """True when the storage is long-lived on evidence; False when not or unknown."""
        return bool(self.why_long_lived(key))

    def shared_types(self) -> frozenset[str]:
        """Names of the same-package types whose fields are long-lived."""
        holders = self._declarations()
        declared = {name for name in holders.types.keys() | holders.vars.keys() if self._reason(name)}
        return frozenset(declared | self._evidence().keys())

    def why_long_lived(self, key: StorageKey | None) -> str:
        """A short reason for messages ("package-level", "field of *Cache, which holds a
        sync.Mutex"); "" when the storage is not long-lived or unknown."""
        if key is None:
            return ""
        if key.is_package_var:
            return "package-level"
        owner = key.owner_type
        if owner is not None:
            reason = self._reason(owner)
            return f"field of *{owner}, which {reason}" if reason else ""
        if key.root.startswith("local:"):
            self._evidence()  # captures are found with the evidence from code
            return self._captured.get(StorageKey(key.root), "")
        return ""

    def is_fresh_owner(self, expr: Node) -> bool:
        """`p := &Package{...}; p.imports = p.imports[:n]`: the storage `expr` belongs to a value
        made in the same function (composite literal or new), which is not shared yet: a
        constructor or builder at work, whatever its type's lifetime."""
        pkg = self._pkg
        root = _unparen(expr)
        while root.type in (kinds.SELECTOR_EXPRESSION, kinds.INDEX_EXPRESSION):
            operand = root.child_by_field_name(kinds.F_OPERAND)
            if operand is None:
                return False
            root = _unparen(operand)
        if root.type != kinds.IDENTIFIER or root == _unparen(expr):
            return False
        obj = pkg.scopes.resolve(root)
        if obj is None or obj.kind is not ObjKind.VAR or obj.package_level or obj.ident is None:
            return False
        if obj.value is not None and obj.value_count == 1 and is_fresh_value(pkg, obj.value):
            return True
        from golinter.model.package import enclosing_function
        from golinter.parse import walk_named
        func = enclosing_function(obj.ident)  # the function declaring the variable, not a closure
        body = func.child_by_field_name(kinds.F_BODY) if func is not None else None
        if body is None:
            return False
        for node in walk_named(body):
            if node.start_byte >= root.start_byte:
                break
            if node.type != kinds.ASSIGNMENT_STATEMENT:
                continue
            left = node.child_by_field_name(kinds.F_LEFT)
            right = node.child_by_field_name(kinds.F_RIGHT)
            lefts = left.named_children if left is not None else []
            rights = right.named_children if right is not None else []
            for lhs, rhs in zip(lefts, rights):
                if lhs.type == kinds.IDENTIFIER and pkg.scopes.resolve(lhs) == obj and is_fresh_value(pkg, rhs):
                    return True
        return False

    def type_reason(self, name: str) -> str:
        """Why same-package type `name` is shared ("holds a sync.Mutex"), or ""."""
        return self._reason(name)

    # -- building ------------------------------------------------------------------------
    # The first reason found wins, in this order: the package's declarations in index order (a
    # type's own fields, package variables holding it), then methods with handler signatures,
    # then go statements, handler literals and spawner and registration calls, file by file.
    # One type's reason needs the declarations of that type and of the variables only, so the
    # fields of every other type are not looked at (the code is, once per package).
    def _reason(self, name: str) -> str:
        declared = self._declared.get(name)
        if declared is None:
            declared = self._declared[name] = self._declared_reason(name)
        return declared or self._evidence().get(name, "")

    def _declared_reason(self, name: str) -> str:
        """What the declarations say of type `name`: its own fields, or a package variable
        holding it, whichever comes first in the package index."""
        holders = self._declarations()
        position = holders.types.get(name)
        var = holders.vars.get(name)
        if position is not None and (var is None or position < var[0]):
            reason = self._intrinsic_reason(name)
            if reason:
                return reason
        return f"is stored in package variable {var[1]}" if var is not None else ""

    def _declarations(self) -> _Holders:
        """Index positions of the package's types, and the first package variable holding each
        same-package type (test files excluded: a benchmark sink or fixture is no evidence)."""
        if self._holders is None:
            pkg = self._pkg
            holders = _Holders({}, {})
            for position, (name, objs) in enumerate(pkg.scopes.package_objects(ObjKind.TYPE, ObjKind.VAR)):
                obj = objs[0]
                if obj.file is not None and obj.file.is_test:
                    continue
                if obj.kind is ObjKind.TYPE:
                    holders.types[name] = position
                elif obj.kind is ObjKind.VAR and len(objs) == 1 and name != "_":
                    for held in self._held_types(pkg.types.obj_type(obj)):
                        holders.vars.setdefault(held, (position, name))
            self._holders = holders
        return self._holders

    def _evidence(self) -> dict[str, str]:
        """Reasons from code: handler methods, go statements, spawner and registration calls
        (handler literals and goroutines fill `_captured`)."""
        if self._later is None:
            self._later = {}
            self._build(self._later)
        return self._later

    def _build(self, shared: dict[str, str]) -> None:
        pkg = self._pkg
        for (recv, method), decls in pkg.scopes.methods.items():
            if len(decls) == 1 and not pkg.file_of(decls[0]).is_test and is_http_handler(pkg, decls[0]):
                what = "serves http requests" if method == "ServeHTTP" else f"has handler method {method}"
                shared.setdefault(recv, what)
        for f in pkg.files:
            if f.is_test:
                continue
            root = f.tree.root_node
            # Keywords and names are found by a byte search (a whole-tree query costs a quarter
            # of the parse on large generated files); the node at each hit tells what it is.
            for start in word_offsets(f.src, b"go"):
                stmt = root.named_descendant_for_byte_range(start, start + 2)
                call = stmt.named_children[0] if stmt is not None and stmt.type == kinds.GO_STATEMENT \
                    and stmt.named_children else None
                fn = call.child_by_field_name(kinds.F_FUNCTION) if call is not None else None
                if fn is not None and not f.in_broken(fn):
                    self._spawned(fn, "go", shared)
            for start in word_offsets(f.src, b"func"):
                lit = root.named_descendant_for_byte_range(start, start + 4)
                if lit is not None and lit.type == kinds.FUNC_LITERAL and lit.start_byte == start \
                        and not f.in_broken(lit) and is_http_handler(pkg, lit):
                    self._capture(lit, f"captured by the handler at line {lit.start_point[0] + 1}")
            for word in _INTERESTING_CALLS:  # spawner and registration calls, found by name
                for start in word_offsets(f.src, word.encode()):
                    name_node = root.named_descendant_for_byte_range(start, start + len(word))
                    if name_node is not None and name_node.type in (kinds.IDENTIFIER, kinds.FIELD_IDENTIFIER) \
                            and name_node.end_byte - name_node.start_byte == len(word) and not f.in_broken(name_node):
                        self._call(name_node, shared)

    def _intrinsic_reason(self, name: str) -> str:
        """`type Cache struct { mu sync.Mutex; ... }`, `struct{ sync.RWMutex }`,
        `hits atomic.Int64`, `struct{ state struct{ sync.Mutex; n int } }`, a gRPC server."""
        types = self._pkg.types
        stack: list[tuple[Type, int]] = [(Named("", name), 0)]
        while stack:
            t, depth = stack.pop()
            u = types.underlying(t)
            if not isinstance(u, Struct) or depth > 4:
                continue
            for fld in u.fields:
                lock = _sync_name(fld.type)
                if lock:
                    return f"holds a {lock}"
                ft = fld.type
                if fld.embedded and isinstance(types.deref(ft), Named):
                    held = types.deref(ft)
                    assert isinstance(held, Named)
                    if held.name.startswith("Unimplemented") and held.name.endswith("Server"):
                        return f"is a gRPC service ({held.name})"
                    if not held.pkg and not isinstance(ft, Pointer):
                        # an embedded *DB is a handle to a shared value (a pooled appender, a
                        # transaction), not a lock of its own
                        stack.append((held, depth + 1))
                elif isinstance(ft, Struct):
                    stack.append((ft, depth + 1))
        return ""

    def _held_types(self, t: Type) -> list[str]:
        """Same-package named types whose values `t` holds: T, *T, []*T, map[K]*T, [N]T."""
        types = self._pkg.types
        out: list[str] = []
        base = types.deref(t)
        if isinstance(base, Named) and not base.pkg:
            out.append(base.name)
        u = types.underlying(t)
        if isinstance(u, (Map, Slice, Array)):
            elem = types.deref(u.elem)
            if isinstance(elem, Named) and not elem.pkg:
                out.append(elem.name)
        return out

    def _spawned(self, fn: Node, how: str, shared: dict[str, str]) -> None:
        """`go s.run()` / `g.Go(s.run)`: the receiver's type is shared; `go func(){...}()`
        captures."""
        fn = _unparen(fn)
        if fn.type == kinds.FUNC_LITERAL:
            self._capture(fn, f"captured by the goroutine at line {fn.start_point[0] + 1}")
            return
        target = self._method_value(fn)
        if target is not None:
            shared.setdefault(target[0], f"has method {target[1]} started by {how}")

    def _method_value(self, expr: Node) -> tuple[str, str] | None:
        """`s.run` where s is a T or *T of this package and run is T's method: (T, run)."""
        if expr.type != kinds.SELECTOR_EXPRESSION:
            return None
        operand = expr.child_by_field_name(kinds.F_OPERAND)
        method = expr.child_by_field_name(kinds.F_FIELD)
        if operand is None or method is None:
            return None
        recv = self._pkg.types.deref(self._pkg.types.type_of(operand))
        name = self._pkg.text(method)
        if isinstance(recv, Named) and not recv.pkg and self._pkg.scopes.method_decl(recv.name, name) is not None:
            return (recv.name, name)
        return None

    def _call(self, name_node: Node, shared: dict[str, str]) -> None:
        """Spawner calls (`g.Go(f)`, `time.AfterFunc(d, f)`) and handler registrations
        (`mux.HandleFunc(p, s.handle)`, `http.Handle(p, s)`, literals)."""
        pkg = self._pkg
        name = pkg.text(name_node)
        if name not in _INTERESTING_CALLS:
            return
        call = name_node.parent
        if call is not None and call.type == kinds.SELECTOR_EXPRESSION:
            call = call.parent
        if call is None or call.type != kinds.CALL_EXPRESSION:
            return
        args_node = call.child_by_field_name(kinds.F_ARGUMENTS)
        args = [a for a in (args_node.named_children if args_node is not None else []) if a.type != kinds.COMMENT]
        fn = call.child_by_field_name(kinds.F_FUNCTION)
        qualified = pkg.types.qualified(fn) if fn is not None else None
        if qualified is not None and qualified in _SPAWNER_FUNCS and len(args) == 2:
            self._spawned(args[1], f"{qualified[0]}.{qualified[1]}", shared)
        elif name in _SPAWNER_METHODS and qualified is None and len(args) == 1 \
                and name_node.type == kinds.FIELD_IDENTIFIER:
            self._spawned(args[0], name, shared)
        elif name in _REGISTER_FUNCS and len(args) == 2 and pkg.types.callee_decl(call) is None:
            handler = _unparen(args[1])
            if handler.type == kinds.FUNC_LITERAL:
                self._capture(handler, f"captured by the handler at line {handler.start_point[0] + 1}")
                return
            target = self._method_value(handler)
            if target is not None:
                shared.setdefault(target[0], f"has method {target[1]} registered with {name}")
                return
            for held in self._held_types(pkg.types.type_of(handler)):
                shared.setdefault(held, f"is registered with {name}")

    def _capture(self, lit: Node, reason: str) -> None:
        """Locals declared outside an async literal and used inside it are long-lived."""
        from golinter.parse import walk_named
        pkg = self._pkg
        body = lit.child_by_field_name(kinds.F_BODY)
        if body is None:
            return
        for node in walk_named(body):
            if node.type != kinds.IDENTIFIER:
                continue
            obj = pkg.scopes.resolve(node)
            if obj is None or obj.kind is not ObjKind.VAR or obj.package_level or obj.ident is None:
                continue
            if lit.start_byte <= obj.ident.start_byte < lit.end_byte:
                continue  # declared inside the literal (its own parameters included)
            key = pkg.storage.obj_key(obj)
            if key is not None and key.root.startswith("local:"):
                self._captured.setdefault(StorageKey(key.root), reason)


@dataclass
class _Holders:
    """`types`: index position of each type; `vars`: held type -> (position, name) of the first
    package variable holding it."""

    types: dict[str, int]
    vars: dict[str, tuple[int, str]]


def _sync_name(t: Type) -> str:
    """"sync.Mutex" for sync.Mutex / *sync.Mutex, "atomic.Int64" for sync/atomic types, else ""."""
    if isinstance(t, Pointer):
        t = t.elem
    if isinstance(t, Named):
        if t.pkg == "sync" and t.name in _SYNC_LOCKS:
            return f"sync.{t.name}"
        if t.pkg == "sync/atomic":
            return f"atomic.{t.name}"
    return ""


def is_fresh_value(pkg: Package, value: Node, *, made: bool = False) -> bool:
    """`&T{...}`, `T{...}`, `new(T)`; with `made`, `make(...)` too."""
    v = _unparen(value)
    if v.type == kinds.UNARY_EXPRESSION:
        inner = v.child_by_field_name(kinds.F_OPERAND)
        v = _unparen(inner) if inner is not None else v
    if v.type == kinds.COMPOSITE_LITERAL:
        return True
    if v.type == kinds.CALL_EXPRESSION:
        fn = v.child_by_field_name(kinds.F_FUNCTION)
        return fn is not None and (pkg.scopes.is_builtin(fn, "new") or (made and pkg.scopes.is_builtin(fn, "make")))
    return False


def _unparen(node: Node) -> Node:
    while node.type == kinds.PARENTHESIZED_EXPRESSION and node.named_children:
        node = node.named_children[0]
    return node
