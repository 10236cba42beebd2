"""Side effects: what a statement region does that outlives it.

`Effects.effects_in(region, scope, skip)` lists, in document order, the operations of `region`
whose result is visible outside `scope` (the variables `scope` declares are its own):
sends, goroutines started, writes to variables declared outside `scope`, writes through
pointers, maps and slices that `scope` did not make itself (`e.seen = true` on a ranged
`*Entry`), `append` into such a slice, `close`/`delete`/`clear`/`copy` on outside storage,
calls of function values held outside (callbacks), same-package calls whose summary has
effects or mutates another map, and std calls from the table of output calls
(stdlib.STD_EFFECT_FUNCS/METHODS). Methods of foreign types and unknown calls are not assumed
to have effects (Unknown is silence). Mutation sites for which `skip` holds (the map a rule is
judging) are not effects.

The provider belongs to a Summaries (`summaries.effects`), which uses it for the `effects`
bit of function summaries; code that does not run there and then (go, defer, func literals
not called on the spot) is left out as in summaries.region_nodes, except that a `go`
statement is itself an effect.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model import stdlib
from golinter.model.scopes import ObjKind
from golinter.model.typelite import unparen
from golinter.model.types import Func, Map, Named, Pointer, Slice

if TYPE_CHECKING:
    from collections.abc import Callable

    from tree_sitter import Node

    from golinter.model.package import Package
    from golinter.model.scopes import Obj
    from golinter.model.summaries import MutationSite, Summaries

_INC_DEC = frozenset({kinds.INC_STATEMENT, kinds.DEC_STATEMENT})
_PURE_BUILTINS = frozenset({"len", "cap", "make", "new", "min", "max", "complex", "real", "imag",
                            "append", "panic", "recover"})


@dataclass(frozen=True, eq=False)
class Effect:
    """Something a region does that outlives it; `what` reads "appends to out"."""

    node: Node
    what: str


class Effects:
    """Effect facts for one package, on behalf of its Summaries."""

    def __init__(self, package: Package, summaries: Summaries) -> None:
        self._pkg = package
        self._sum = summaries

    def effects_in(self, region: Node, scope: Node, skip: Callable[[MutationSite], bool],
                   callees: list[Node] | None = None) -> list[Effect]:
        """Effects of `region` visible outside `scope` (its locals are `scope`'s declarations).
        Mutation sites for which `skip` holds are not effects. With `callees`, same-package
        calls are collected there instead of being judged by their summaries."""
        out: list[Effect] = []
        for node in self._sum.region_nodes(region):
            t = node.type
            if t == kinds.GO_STATEMENT:
                out.append(Effect(node, "starts a goroutine"))
            elif t == kinds.SEND_STATEMENT:
                channel = node.child_by_field_name(kinds.F_CHANNEL)
                out.append(Effect(node, f"sends on {self._pkg.text(channel) if channel else 'a channel'}"))
            elif t == kinds.ASSIGNMENT_STATEMENT or t in _INC_DEC:
                out += self._write_effects(node, scope, skip)
            elif t == kinds.CALL_EXPRESSION:
                effect = self._call_effect(node, scope, skip, callees)
                if effect is not None:
                    out.append(effect)
        return out

    def _write_effects(self, stmt: Node, scope: Node, skip: Callable[[MutationSite], bool]) -> list[Effect]:
        if stmt.type in _INC_DEC:
            targets = stmt.named_children[:1]
            verb = "counts in"
        else:
            left = stmt.child_by_field_name(kinds.F_LEFT)
            right = stmt.child_by_field_name(kinds.F_RIGHT)
            targets = left.named_children if left is not None else []
            verb = "updates" if self._sum.operator(stmt) != "=" else "writes"
            values = right.named_children if right is not None else []
            if len(targets) == 1 and len(values) == 1 and _is_call_to(self._pkg, values[0], "append"):
                verb = "appends to"
        out: list[Effect] = []
        for target in targets:
            site = self._sum.insert_site(target)
            if site is not None and skip(site):
                continue
            if self.escapes(target, scope):
                out.append(Effect(target, f"{verb} {self._pkg.text(target)}"))
        return out

    def _call_effect(self, call: Node, scope: Node, skip: Callable[[MutationSite], bool],
                     callees: list[Node] | None) -> Effect | None:
        fn_node = call.child_by_field_name(kinds.F_FUNCTION)
        if fn_node is None:
            return None
        fn = unparen(fn_node)
        name = self._pkg.text(fn)
        args = _args(call)
        if fn.type == kinds.IDENTIFIER:
            obj = self._pkg.scopes.resolve(fn)
            if obj is not None and obj.kind is ObjKind.BUILTIN:
                return self._builtin_effect(call, obj.name, args, scope, skip)
            if obj is not None and obj.kind is ObjKind.VAR and not self.declared_in(obj, scope) \
                    and isinstance(self._pkg.types.underlying(self._pkg.types.type_of(fn)), Func):
                return Effect(call, f"calls {name}")
        callee = self._pkg.types.callee_decl(call)
        if callee is not None:
            if callees is not None:
                callees.append(callee)
                return None
            if self._sum.of(callee).effects:
                return Effect(call, f"calls {name}")
            for site in self._sum.call_sites(call):
                if not skip(site) and (site.base_expr is None or self.escapes(site.base_expr, scope, deref=True)):
                    return Effect(call, f"calls {name}")
            return None
        return self._selector_call_effect(call, fn, name, scope)

    def _builtin_effect(self, call: Node, builtin: str, args: list[Node], scope: Node,
                        skip: Callable[[MutationSite], bool]) -> Effect | None:
        if builtin in _PURE_BUILTINS or not args:
            return None
        if builtin == "delete":
            site = self._sum.delete_site(call)
            if site is not None and skip(site):
                return None
        if builtin in ("delete", "clear", "copy", "close") and self.escapes(args[0], scope, deref=True):
            verb = {"delete": "deletes from", "clear": "clears", "copy": "copies into", "close": "closes"}[builtin]
            return Effect(call, f"{verb} {self._pkg.text(args[0])}")
        if builtin in ("print", "println"):
            return Effect(call, "prints")
        return None

    def _selector_call_effect(self, call: Node, fn: Node, name: str, scope: Node) -> Effect | None:
        """Std output calls, std methods that write their receiver, and func-typed fields."""
        q = self._pkg.types.qualified(fn)
        if q is not None:
            return Effect(call, f"calls {name}") if q in stdlib.STD_EFFECT_FUNCS else None
        if fn.type != kinds.SELECTOR_EXPRESSION:
            return None
        operand = fn.child_by_field_name(kinds.F_OPERAND)
        field = fn.child_by_field_name(kinds.F_FIELD)
        if operand is None or field is None:
            return None
        recv = self._pkg.types.type_of(operand)
        method = self._pkg.text(field)
        if isinstance(self._pkg.types.underlying(self._pkg.types.field(recv, method)), Func):
            return Effect(call, f"calls {name}") if self.escapes(operand, scope, deref=True) else None
        base = self._pkg.types.deref(recv)
        if isinstance(base, Named) and (base.pkg, base.name, method) in stdlib.STD_EFFECT_METHODS \
                and self.escapes(operand, scope, deref=True):
            return Effect(call, f"calls {name}")
        return None

    def escapes(self, target: Node, scope: Node, *, deref: bool = False) -> bool:
        """Writing `target` is visible outside `scope`: it is rooted in a variable declared
        outside, or reaches through a pointer, map or slice that `scope` did not make. With
        `deref`, `target` itself is written through (a map passed to delete, a receiver)."""
        steps = 1 if deref else 0
        node = unparen(target)
        for _ in range(16):
            if node.type == kinds.IDENTIFIER:
                break
            operand = node.child_by_field_name(kinds.F_OPERAND)
            if operand is None or node.type not in (kinds.SELECTOR_EXPRESSION, kinds.INDEX_EXPRESSION,
                                                    kinds.UNARY_EXPRESSION):
                return False
            steps += 1
            node = unparen(operand)
        else:
            return False
        obj = self._pkg.scopes.resolve(node)
        if obj is None or obj.kind is not ObjKind.VAR:
            return False
        if not self.declared_in(obj, scope):
            return True
        if steps == 0 or _made_locally(self._pkg, obj):
            return False
        return isinstance(self._pkg.types.underlying(self._pkg.types.type_of(node)), (Pointer, Map, Slice))

    def declared_in(self, obj: Obj, scope: Node) -> bool:
        if obj.package_level or obj.ident is None or obj.file is None:
            return False
        return obj.file is self._pkg.file_of(scope) and scope.start_byte <= obj.ident.start_byte < scope.end_byte



def _is_call_to(pkg: Package, expr: Node, builtin: str) -> bool:
    expr = unparen(expr)
    if expr.type != kinds.CALL_EXPRESSION:
        return False
    fn = expr.child_by_field_name(kinds.F_FUNCTION)
    return fn is not None and pkg.scopes.is_builtin(unparen(fn), builtin)


def _made_locally(pkg: Package, obj: Obj) -> bool:
    """The variable holds something its own declaration made: `make(...)`, `new(T)`, `T{}`,
    `&T{}`, or the zero value of `var x T`."""
    if obj.value is None:
        return obj.decl is not None and obj.decl.type == kinds.VAR_SPEC
    if obj.value_count != 1 or obj.value.type == kinds.RANGE_CLAUSE:
        return False
    value = unparen(obj.value)
    if value.type == kinds.UNARY_EXPRESSION:
        operand = value.child_by_field_name(kinds.F_OPERAND)
        value = unparen(operand) if operand is not None else value
    if value.type == kinds.COMPOSITE_LITERAL:
        return True
    return _is_call_to(pkg, value, "make") or _is_call_to(pkg, value, "new")


def _args(call: Node) -> list[Node]:
    args = call.child_by_field_name(kinds.F_ARGUMENTS)
    return [a for a in (args.named_children if args is not None else []) if a.type != kinds.COMMENT]
