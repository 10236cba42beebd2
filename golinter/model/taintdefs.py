"""Where a value model/taint.py follows is defined, and the environment a definition is read in.

`Definitions(package)` indexes, per outermost function, the assignments and out-parameter calls
(`json.Unmarshal(b, &v)`, `io.ReadFull(r, buf)`, `dec.Decode(&v)`, `conn.Read(buf)`) that define
each storage, and the same-package calls of a function outside test code, whose arguments define
its parameters. `Env` is where an expression is evaluated: the guards that can bound it and the
call level it was reached through. The small helpers read call sites: arguments, parameter
positions, return statements.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.bounds import call_args, calls_query, exprs, outermost_function
from golinter.model.testcode import TestCode
from golinter.model.typelite import unparen

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from tree_sitter import Node

    from golinter.model.package import Package
    from golinter.model.scopes import Obj
    from golinter.model.storage import StorageKey


_PROTO_PATHS = ("google.golang.org/protobuf/proto", "github.com/golang/protobuf/proto")
# Out-parameters: (path, name) -> (source argument, first out argument, all following too?, via).
_OUT_FUNCS: dict[tuple[str, str], tuple[int, int, bool, str]] = {
    ("io", "ReadFull"): (0, 1, False, ""), ("io", "ReadAtLeast"): (0, 1, False, ""),
    ("encoding/json", "Unmarshal"): (0, 1, False, "encoding/json"),
    ("encoding/xml", "Unmarshal"): (0, 1, False, "encoding/xml"),
    ("encoding/binary", "Read"): (0, 2, False, "encoding/binary"),
    ("fmt", "Sscan"): (0, 1, True, ""), ("fmt", "Sscanln"): (0, 1, True, ""), ("fmt", "Sscanf"): (0, 2, True, ""),
    ("fmt", "Fscan"): (0, 1, True, ""), ("fmt", "Fscanln"): (0, 1, True, ""), ("fmt", "Fscanf"): (0, 2, True, ""),
    **{(p, "Unmarshal"): (0, 1, False, "protobuf") for p in _PROTO_PATHS},
}
_OUT_METHODS = frozenset({"Decode", "Read"})   # dec.Decode(&v), conn.Read(buf): the receiver is the source
_MAX_LATER = 3
_MAX_UNWRAP = 64  # `&`, `[:]` layers around an out-parameter


@dataclass(frozen=True, eq=False)
class Env:
    """Where an expression is evaluated: a guard that dominates `anchor` (the definition being
    followed) or one of the `later` points of the same function where the value is then used
    bounds it; `call` is the call that entered this function from `caller` (one level down);
    `level_used` forbids another level."""

    anchor: Node
    call: Node | None = None
    caller: Env | None = None
    level_used: bool = False
    later: tuple[Node, ...] = ()

    @property
    def key(self) -> tuple[int, ...]:
        return (self.anchor.id, self.call.id if self.call is not None else 0, int(self.level_used),
                *(n.id for n in self.later))

    @property
    def points(self) -> tuple[Node, ...]:
        return (self.anchor, *self.later)

    def at(self, site: Node) -> Env:
        """The environment of a definition at `site`, reached from a use at this anchor."""
        if site == self.anchor:
            return self
        return replace(self, anchor=site, later=(self.anchor, *self.later)[:_MAX_LATER])


@dataclass(frozen=True, slots=True)
class Def:
    """One definition of a storage at `site`: `value` (result `index`) or, for an out-parameter,
    `source`."""

    site: Node
    value: Node | None
    index: int = 0
    source: Node | None = None   # out-parameter: the reader/decoder/buffer the data comes from
    via: str = ""


class Definitions:
    """Definitions of storages and call sites of functions in one package; memoised by node ids."""

    def __init__(self, package: Package) -> None:
        self._pkg = package
        self._defs: dict[int, dict[StorageKey, list[Def]]] = {}
        self._callers: dict[str, list[Node]] | None = None

    def of(self, ident: Node, obj: Obj, anchor: Node) -> list[Def]:
        out: list[Def] = []
        if obj.value is not None and obj.ident is not None:
            out.append(Def(obj.decl or obj.ident, obj.value, obj.value_index))
        key = self._pkg.storage.key(ident)
        if key is not None:
            out += [d for d in self.in_function(ident).get(key, ()) if d.site.start_byte < anchor.start_byte]
        return out

    def in_function(self, node: Node) -> dict[StorageKey, list[Def]]:
        """Assignments and out-parameter calls of the outermost function holding `node`."""
        func = outermost_function(node)
        if func is None:
            return {}
        cached = self._defs.get(func.id)
        if cached is None:
            cached = self._index_defs(func)
            self._defs[func.id] = cached
        return cached

    def _index_defs(self, func: Node) -> dict[StorageKey, list[Def]]:
        from golinter.parse import walk_named
        out: dict[StorageKey, list[Def]] = {}

        def add(target: Node, d: Def) -> None:
            key = self._pkg.storage.key(_root(target))
            if key is not None:
                out.setdefault(key, []).append(d)

        for node in walk_named(func):
            t = node.type
            if t in (kinds.ASSIGNMENT_STATEMENT, kinds.SHORT_VAR_DECLARATION):
                op = node.child_by_field_name(kinds.F_OPERATOR)
                if op is not None and self._pkg.text(op) in ("%=", "&=", "<<=", ">>=", "/="):
                    continue  # bounding updates are guards, not sources
                lefts = exprs(node.child_by_field_name(kinds.F_LEFT))
                rights = exprs(node.child_by_field_name(kinds.F_RIGHT))
                for i, target in enumerate(lefts):
                    if len(rights) == len(lefts):
                        add(target, Def(node, rights[i]))
                    elif len(rights) == 1:
                        add(target, Def(node, rights[0], i))
            elif t == kinds.CALL_EXPRESSION:
                for target, d in self._out_params(node):
                    add(target, d)
        return out

    def _out_params(self, call: Node) -> Iterator[tuple[Node, Def]]:
        """`json.Unmarshal(b, &v)`, `io.ReadFull(r, buf)`, `dec.Decode(&v)`, `conn.Read(buf)`."""
        fn = call.child_by_field_name(kinds.F_FUNCTION)
        if fn is None or unparen(fn).type != kinds.SELECTOR_EXPRESSION:
            return
        fn = unparen(fn)
        args = call_args(call)
        q = self._pkg.types.qualified(fn)
        if q is not None:
            rule = _OUT_FUNCS.get(q)
            if rule is None or rule[0] >= len(args):
                return
            source, first, rest, via = rule
            for target in args[first:] if rest else args[first:first + 1]:
                yield target, Def(call, None, source=args[source], via=via)
            return
        name = fn.child_by_field_name(kinds.F_FIELD)
        operand = fn.child_by_field_name(kinds.F_OPERAND)
        if name is not None and operand is not None and self._pkg.text(name) in _OUT_METHODS and len(args) == 1:
            yield args[0], Def(call, None, source=operand)

    def callers_of(self, func: Node) -> list[Node]:
        """Same-package calls of a function or method declaration, outside test code
        (model/testcode.py: `_test.go` files and test-support functions)."""
        name = func.child_by_field_name(kinds.F_NAME)
        if name is None:
            return []
        if self._callers is None:
            from golinter.parse import query_captures
            index: dict[str, list[Node]] = {}
            tests = TestCode.for_package(self._pkg)
            for f in self._pkg.files:
                for call in query_captures(calls_query(), f.tree.root_node).get("call", []):
                    if f.is_test or f.in_broken(call) or tests.is_test_code(call):
                        continue  # tests feed handlers and helpers their own data
                    callee = _callee_name(f.text, call)
                    if callee:
                        index.setdefault(callee, []).append(call)
            self._callers = index
        return [c for c in self._callers.get(self._pkg.text(name), [])
                if self._pkg.types.callee_decl(c) == func]


def argument(call: Node, index: int) -> Node | None:
    """Argument `index` of `call`, None when it has fewer."""
    args = call_args(call)
    return args[index] if 0 <= index < len(args) else None


def param_index(plist: Node, obj: Obj) -> int:
    """The position of parameter `obj` in the parameter list `plist` (-1: not there)."""
    index = 0
    for decl in plist.named_children:
        if decl.type not in (kinds.PARAMETER_DECLARATION, kinds.VARIADIC_PARAMETER_DECLARATION):
            continue
        names = decl.children_by_field_name(kinds.F_NAME)
        for n in names or [decl]:
            if obj.ident is not None and n == obj.ident:
                return index
            index += 1
    return -1


def _root(target: Node) -> Node:
    """`&v` -> v, `buf[:4]` -> buf, `hdr[:]` -> hdr: the storage an out-parameter fills."""
    node = unparen(target)
    for _ in range(_MAX_UNWRAP):
        if node.type not in (kinds.UNARY_EXPRESSION, kinds.SLICE_EXPRESSION):
            return node
        inner = node.child_by_field_name(kinds.F_OPERAND)
        if inner is None:
            return node
        node = unparen(inner)
    return node


def returns(body: Node) -> Iterator[Node]:
    """Return statements of a function body, not those of nested func literals."""
    from golinter.parse import walk_named
    for node in walk_named(body, skip=frozenset({kinds.FUNC_LITERAL})):
        if node.type == kinds.RETURN_STATEMENT:
            yield node


def statement_of(node: Node) -> Node:
    """The statement (or top-level declaration) holding `node`."""
    cur = node
    while cur.parent is not None and cur.parent.type not in (kinds.STATEMENT_LIST, kinds.SOURCE_FILE):
        cur = cur.parent
    return cur


def _callee_name(text: Callable[[Node], str], call: Node) -> str:
    fn = call.child_by_field_name(kinds.F_FUNCTION)
    if fn is None:
        return ""
    fn = unparen(fn)
    if fn.type == kinds.IDENTIFIER:
        return text(fn)
    if fn.type == kinds.SELECTOR_EXPRESSION:
        field = fn.child_by_field_name(kinds.F_FIELD)
        return text(field) if field is not None else ""
    return ""
