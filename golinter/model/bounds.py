"""Upper bounds on integer values: whether something caps a variable or field where it is used.

`Bounds(package, untainted)` answers `is_bounded(subject, anchor)`: an upper bound on `subject`
(a variable or a field path, compared by storage identity) holds wherever `anchor` runs, because
- a comparison dominates `anchor`: an enclosing `if n <= max {` (or the `else` of `if n > max {`),
  a tagless `case n <= max:`, or an earlier `if`/`else if` chain or tagless `switch` each of whose
  branches leaves (return, panic, break or continue of an enclosing statement: flow.exits),
  assigns the subject bounded data, or is only taken when the condition bounds it
  (`if n > max { return }`, `if n > max { n = max }`);
- an earlier statement of an enclosing block reassigns it from bounded data (`n = min(n, max)`,
  `n %= k`, `n &= mask`);
- a same-package function called earlier in the function compares the same struct field
  (`if err := req.validate(); err != nil { return }`).
`tag_bounded(selector)` says a decoded field carries a validator maximum in its struct tag.
The other side of a comparison must be untainted: the `untainted(expr, anchor)` callback
(model/taint.py) decides. How large the bound is, is not judged.

Walks are iterative (parent chains, sibling lists, parse.walk_named); conditions are read with a
depth limit, beyond which the answer is "bounded" (silence).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.package import enclosing_function
from golinter.model.scopes import ObjKind
from golinter.model.typelite import unparen
from golinter.model.types import Named

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from tree_sitter import Node, Query

    from golinter.model.package import Package
    from golinter.model.storage import StorageKey

INT_MAX = {"int8": 2**7 - 1, "int16": 2**15 - 1, "int32": 2**31 - 1, "rune": 2**31 - 1, "int64": 2**63 - 1,
           "int": 2**63 - 1, "uint8": 2**8 - 1, "byte": 2**8 - 1, "uint16": 2**16 - 1, "uint32": 2**32 - 1,
           "uint64": 2**64 - 1, "uint": 2**64 - 1, "uintptr": 2**64 - 1}
_UPPER_WHEN_TRUE = {"<": True, "<=": True, "==": True, ">": False, ">=": False, "!=": False}
_MIRROR = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
# go-playground/validator and gin `binding` rules that cap a value: `validate:"required,max=100"`.
_LIMIT_TAG = re.compile(r'(?:validate|binding):"(?:[^"]*,)?(?:max|lte|lt|oneof)=')
_MAX_STEPS = 64
_MAX_DEPTH = 48


class Bounds:
    """Bound facts for one package; memoised by (storage key, anchor id)."""

    def __init__(self, package: Package, untainted: Callable[[Node, Node], bool]) -> None:
        self._pkg = package
        self._untainted = untainted
        self._memo: dict[tuple[StorageKey, int], bool] = {}

    def is_bounded(self, subject: Node, anchor: Node) -> bool:
        """An upper bound on `subject` (a variable or field) holds wherever `anchor` runs."""
        key = self._pkg.storage.key(strip_conversions(self._pkg, subject))
        if key is None:
            return False
        memo = (key, anchor.id)
        if memo not in self._memo:
            self._memo[memo] = False  # cycle guard
            self._memo[memo] = self._dominating_bound(key, anchor) or self._validated(key, anchor)
        return self._memo[memo]

    def _dominating_bound(self, key: StorageKey, anchor: Node) -> bool:
        """Walk from `anchor` up to its function declaration: a guard in an enclosing `if`, or a
        leaving/clamping `if`, a `case`, or a bounded reassignment earlier in an enclosing block."""
        node = anchor
        for _ in range(256):
            parent = node.parent
            if parent is None or parent.type in kinds.TOP_FUNCTION_KINDS:
                return False
            if parent.type == kinds.STATEMENT_LIST:
                if any(self._guards_after(sib, key) for sib in preceding(node)):
                    return True
            elif parent.type == kinds.IF_STATEMENT:
                cond = parent.child_by_field_name(kinds.F_CONDITION)
                branch = {parent.child_by_field_name(kinds.F_CONSEQUENCE): True,
                          parent.child_by_field_name(kinds.F_ALTERNATIVE): False}.get(node)
                if cond is not None and branch is not None and self._implies_upper(cond, key, branch):
                    return True
            elif parent.type == kinds.EXPRESSION_CASE and is_tagless_case(parent):
                values = exprs(parent.child_by_field_name(kinds.F_VALUE))
                if node not in values and values and all(self._implies_upper(v, key, True) for v in values):
                    return True
            node = parent
        return False

    def _guards_after(self, stmt: Node, key: StorageKey) -> bool:
        """After `stmt` runs, the subject is bounded: `if n > max { return }`, `if n > max { n = max }`,
        a tagless switch with a leaving `case n > max`, `n = min(n, max)`, `n %= k`."""
        t = stmt.type
        if t == kinds.IF_STATEMENT:
            return self._if_bounds(stmt, key)
        if t == kinds.EXPRESSION_SWITCH_STATEMENT and stmt.child_by_field_name(kinds.F_VALUE) is None:
            for case in stmt.named_children:
                if case.type != kinds.EXPRESSION_CASE:
                    continue
                values = exprs(case.child_by_field_name(kinds.F_VALUE))
                violated = any(self._implies_upper(v, key, False) for v in values)
                if violated and (self._leaves(case, stmt) or self._assigns(case, key)):
                    return True
            return False
        if t == kinds.ASSIGNMENT_STATEMENT:
            op = stmt.child_by_field_name(kinds.F_OPERATOR)
            lefts = exprs(stmt.child_by_field_name(kinds.F_LEFT))
            rights = exprs(stmt.child_by_field_name(kinds.F_RIGHT))
            if op is None or len(lefts) != 1 or len(rights) != 1 or not self._is_subject(lefts[0], key):
                return False
            sym = self._pkg.text(op)
            if sym in ("%=", "&="):
                return self._untainted(rights[0], stmt)
            return sym == "=" and self._untainted(rights[0], stmt)
        return False

    def _implies_upper(self, cond: Node, key: StorageKey, when: bool, depth: int = 0) -> bool:
        """`cond` evaluating to `when` implies subject <= something untainted."""
        cond = unparen(cond)
        if depth > _MAX_DEPTH:
            return True  # too deep to read: assume a bound (silence)
        if cond.type == kinds.UNARY_EXPRESSION:
            op = cond.child_by_field_name(kinds.F_OPERATOR)
            operand = cond.child_by_field_name(kinds.F_OPERAND)
            if op is not None and operand is not None and self._pkg.text(op) == "!":
                return self._implies_upper(operand, key, not when, depth + 1)
            return False
        if cond.type != kinds.BINARY_EXPRESSION:
            return False
        left = cond.child_by_field_name(kinds.F_LEFT)
        right = cond.child_by_field_name(kinds.F_RIGHT)
        op = cond.child_by_field_name(kinds.F_OPERATOR)
        if left is None or right is None or op is None:
            return False
        sym = self._pkg.text(op)
        if sym in ("&&", "||"):
            either = (sym == "&&") == when  # a && b true: both hold; a || b false: both fail
            parts = [self._implies_upper(left, key, when, depth + 1), self._implies_upper(right, key, when, depth + 1)]
            return any(parts) if either else all(parts)
        if sym not in _UPPER_WHEN_TRUE:
            return False
        if self._is_subject(right, key) and not self._is_subject(left, key):
            left, right, sym = right, left, _MIRROR[sym]
        if not self._is_subject(left, key):
            return False
        if _UPPER_WHEN_TRUE[sym] != when:
            return False
        return self._untainted(right, cond)

    def _is_subject(self, expr: Node, key: StorageKey) -> bool:
        stripped = strip_conversions(self._pkg, expr)
        if stripped.type not in (kinds.IDENTIFIER, kinds.SELECTOR_EXPRESSION):
            return False
        return self._pkg.storage.key(stripped) == key

    def _leaves(self, body: Node, guard: Node) -> bool:
        """Control never goes on after `guard` through `body` (a branch or a case): every exit is a
        return, a call that does not return (panic, os.Exit, log.Fatal), or a break or continue of a
        statement enclosing `guard` (flow.exits). `break` out of the guard's own switch goes on."""
        from golinter.model.flow import RETURN, Flow
        stmts = next((c for c in body.named_children if c.type == kinds.STATEMENT_LIST), None)
        if body.type == kinds.STATEMENT_LIST:
            stmts = body
        if stmts is None:
            return False
        outer = set()
        cur = guard.parent
        while cur is not None and cur.type not in kinds.TOP_FUNCTION_KINDS:
            outer.add(cur.id)
            cur = cur.parent
        for kind, target in Flow.for_package(self._pkg).exits(stmts):
            if (kind, target) == RETURN:
                continue
            if kind in ("break", "continue") and target in outer:
                continue
            return False
        return True

    def _if_bounds(self, stmt: Node, key: StorageKey) -> bool:
        """Every way through an if/else-if chain that goes on after it bounds the subject: the branch
        leaves, assigns it bounded data, or is only taken when the condition bounds it
        (`if n == 0 { n = 10 } else if n > max { n = max }`)."""
        node = stmt
        for _ in range(_MAX_STEPS):
            cond = node.child_by_field_name(kinds.F_CONDITION)
            cons = node.child_by_field_name(kinds.F_CONSEQUENCE)
            alt = node.child_by_field_name(kinds.F_ALTERNATIVE)
            if cond is None or cons is None:
                return False
            if not (self._implies_upper(cond, key, True) or self._leaves(cons, stmt) or self._assigns(cons, key)):
                return False
            if self._implies_upper(cond, key, False):
                return True
            if alt is None:
                return False
            if alt.type != kinds.IF_STATEMENT:
                return self._leaves(alt, stmt) or self._assigns(alt, key)
            node = alt
        return False

    def _assigns(self, block: Node, key: StorageKey) -> bool:
        """The block assigns the subject a value with no unbounded origin (`n = max`)."""
        for stmt in statements(block):
            if stmt.type != kinds.ASSIGNMENT_STATEMENT:
                continue
            lefts = exprs(stmt.child_by_field_name(kinds.F_LEFT))
            rights = exprs(stmt.child_by_field_name(kinds.F_RIGHT))
            for i, target in enumerate(lefts):
                if self._is_subject(target, key):
                    value = rights[i] if len(rights) == len(lefts) else None
                    return value is not None and self._untainted(value, stmt)
        return False

    def _validated(self, key: StorageKey, anchor: Node) -> bool:
        """A struct field compared inside a same-package function called before `anchor`
        (`if err := req.Validate(); err != nil { return }` where Validate checks req.Count)."""
        if not key.is_field:
            return False
        func = outermost_function(anchor)
        if func is None:
            return False
        from golinter.parse import query_captures, walk_named
        calls = query_captures(calls_query(), func, func.start_byte, anchor.start_byte).get("call", [])
        for call in calls:
            if call.start_byte >= anchor.start_byte:
                continue
            callee = self._pkg.types.callee_decl(call)
            body = callee.child_by_field_name(kinds.F_BODY) if callee is not None else None
            if body is None or callee == func:
                continue
            for node in walk_named(body):
                if node.type != kinds.BINARY_EXPRESSION:
                    continue
                op = node.child_by_field_name(kinds.F_OPERATOR)
                if op is None or self._pkg.text(op) not in _UPPER_WHEN_TRUE:
                    continue
                sides = [node.child_by_field_name(kinds.F_LEFT), node.child_by_field_name(kinds.F_RIGHT)]
                if any(s is not None and self._is_subject(s, key) for s in sides):
                    return True
        return False

    def tag_bounded(self, selector: Node) -> bool:
        """`req.Count` where the same-package struct field carries a validator maximum in its tag
        (`Count int `json:"count" validate:"max=100"``): the validation library enforces it."""
        operand = selector.child_by_field_name(kinds.F_OPERAND)
        field = selector.child_by_field_name(kinds.F_FIELD)
        if operand is None or field is None:
            return False
        owner = self._pkg.types.deref(self._pkg.types.type_of(operand))
        obj = self._pkg.scopes.package_obj(owner.name) if isinstance(owner, Named) and not owner.pkg else None
        struct = obj.type_node if obj is not None else None
        if struct is None or struct.type != kinds.STRUCT_TYPE:
            return False
        from golinter.parse import walk_named
        name = self._pkg.text(field)
        for decl in walk_named(struct, skip=frozenset({kinds.STRUCT_TYPE})):
            if decl.type != kinds.FIELD_DECLARATION:
                continue
            tag = decl.child_by_field_name(kinds.F_TAG)
            if tag is not None and any(self._pkg.text(n) == name for n in decl.children_by_field_name(kinds.F_NAME)):
                return _LIMIT_TAG.search(self._pkg.text(tag)) is not None
        return False


@lru_cache(maxsize=1)
def calls_query() -> Query:
    from golinter.parse import compile_query
    return compile_query("(call_expression) @call")


def exprs(node: Node | None) -> list[Node]:
    if node is None:
        return []
    if node.type == kinds.EXPRESSION_LIST:
        return [c for c in node.named_children if c.type != kinds.COMMENT]
    if node.type == kinds.RETURN_STATEMENT:
        lists = [c for c in node.named_children if c.type == kinds.EXPRESSION_LIST]
        return exprs(lists[0]) if lists else []
    return [node]


def call_args(call: Node) -> list[Node]:
    args = call.child_by_field_name(kinds.F_ARGUMENTS)
    return [a for a in (args.named_children if args is not None else []) if a.type != kinds.COMMENT]


def strip_conversions(pkg: Package, expr: Node) -> Node:
    """`int(n)`, `uint64(req.Count)` -> the converted operand (a comparison bounds it either way)."""
    node = unparen(expr)
    for _ in range(8):
        if node.type == kinds.TYPE_CONVERSION_EXPRESSION:
            inner = node.child_by_field_name(kinds.F_OPERAND)
        elif node.type == kinds.CALL_EXPRESSION:
            fn = node.child_by_field_name(kinds.F_FUNCTION)
            args = call_args(node)
            obj = pkg.scopes.resolve(fn) if fn is not None and fn.type == kinds.IDENTIFIER else None
            convert = obj is not None and (obj.kind is ObjKind.TYPE or
                                           (obj.kind is ObjKind.BUILTIN and obj.name in INT_MAX))
            inner = args[0] if convert and len(args) == 1 else None
        else:
            return node
        if inner is None:
            return node
        node = unparen(inner)
    return node


def statements(block: Node) -> list[Node]:
    lists = [c for c in block.named_children if c.type == kinds.STATEMENT_LIST]
    if block.type == kinds.STATEMENT_LIST:
        lists = [block]
    if not lists:
        return []
    return [s for s in lists[0].named_children if s.type != kinds.COMMENT]


def preceding(node: Node) -> Iterator[Node]:
    sib = node.prev_named_sibling
    while sib is not None:
        if sib.type != kinds.COMMENT:
            yield sib
        sib = sib.prev_named_sibling


def is_tagless_case(case: Node) -> bool:
    switch = case.parent
    return switch is not None and switch.type == kinds.EXPRESSION_SWITCH_STATEMENT and \
        switch.child_by_field_name(kinds.F_VALUE) is None


def outermost_function(node: Node) -> Node | None:
    func = enclosing_function(node)
    while func is not None and func.type == kinds.FUNC_LITERAL:
        outer = enclosing_function(func)
        if outer is None:
            return func
        func = outer
    return func
