"""Control-flow facts about loops: what a range loop visits, how control leaves it, and what
its body does that depends on which entries it visits.

- `map_range(loop)`: a `for ... range M` over a map, or over a live std view of one
  (`maps.Keys/Values/All(M)`, language >= 1.23), with the variables bound to the current
  key and value. Copies (`slices.Collect(maps.Keys(m))`, x/exp `maps.Keys`, `maps.Clone`,
  key slices) are not maps and give None.
- `key_role(range, site)`: whether a mutation's key is the current entry's key, the current
  value, another key, or Unknown.
- `exits(stmt)`: how a statement can complete (falls through, returns, breaks or continues
  a given statement, goes to a label), computed bottom-up with an explicit stack.
- `leaves_loop(node, loop)`: every path from the statement holding `node` leaves `loop`
  (break, return, `goto` out, `continue` of an outer loop, panic and other calls that do not
  return) before `loop` starts its next iteration.
- `leaves_before_end(node, stmt)`: every path from the statement holding `node` leaves the
  statement `stmt` (return, panic, a jump out of it) without completing it.
- `exclusive(a, b)`: no single pass through the function runs both statements: different
  branches of an if/else or cases of a switch, or the earlier one always leaves first.
- `order_dependent(range, skip)`: the first thing the body does whose outcome depends on which
  entries are visited: an effect (see summaries.effects_in) or leaving the loop on a condition.
- `in_fixpoint(node, range)`: the insert at `node` sits in a loop nest that repeats until a
  flag set beside it, or `len(M)`, says nothing changed.

Everything stays inside one function; Unknown (an unresolved label, a header we do not model)
makes `leaves_loop` False and `key_role` UNKNOWN.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model import stdlib
from golinter.model.effects import Effect
from golinter.model.typelite import unparen
from golinter.model.types import Named
from golinter.parse import path_down, walk_named

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from tree_sitter import Node

    from golinter.model.package import Package
    from golinter.model.scopes import Obj
    from golinter.model.summaries import MutationSite, Summaries

Exit = tuple[str, int | str]
FALL: Exit = ("fall", 0)
RETURN: Exit = ("return", 0)
UNKNOWN_EXIT: Exit = ("unknown", 0)

_SWITCHES = frozenset({kinds.EXPRESSION_SWITCH_STATEMENT, kinds.TYPE_SWITCH_STATEMENT, kinds.SELECT_STATEMENT})
_CASES = frozenset({kinds.EXPRESSION_CASE, kinds.DEFAULT_CASE, kinds.TYPE_CASE, kinds.COMMUNICATION_CASE})
_BREAKABLE = _SWITCHES | {kinds.FOR_STATEMENT}
_CONDITIONAL = _SWITCHES | _CASES | {kinds.IF_STATEMENT, kinds.FOR_STATEMENT}
_JUMPS = frozenset({kinds.BREAK_STATEMENT, kinds.CONTINUE_STATEMENT, kinds.GOTO_STATEMENT,
                    kinds.RETURN_STATEMENT, kinds.EXPRESSION_STATEMENT})


@dataclass(frozen=True, eq=False)
class MapRange:
    """A range loop over map `map_expr`; `key`/`value` are the bound identifiers (None when
    blank or absent); `view` is "" for `range M`, else "keys", "values" or "all"."""

    loop: Node
    clause: Node
    body: Node
    map_expr: Node
    key: Node | None
    value: Node | None
    view: str


class Flow:
    """Loop facts for one package; memoised by node id."""

    def __init__(self, package: Package, summaries: Summaries) -> None:
        self._pkg = package
        self._sum = summaries
        self._exits: dict[int, frozenset[Exit]] = {}
        self._targets: dict[int, Node] = {}
        self._labels: dict[int, dict[str, Node]] = {}

    @staticmethod
    def for_package(pkg: Package) -> Flow:
        """The package's provider, built on first use and kept on the Package."""
        return pkg.fact(_flow_of)

    @property
    def summaries(self) -> Summaries:
        return self._sum

    # -- what a loop visits ------------------------------------------------------------------------
    def map_range(self, loop: Node) -> MapRange | None:
        """`for k, v := range M` over a map M, or over std `maps.Keys/Values/All(M)` (>= 1.23)."""
        clause = next((c for c in loop.named_children if c.type == kinds.RANGE_CLAUSE), None)
        body = loop.child_by_field_name(kinds.F_BODY)
        right = clause.child_by_field_name(kinds.F_RIGHT) if clause is not None else None
        if clause is None or body is None or right is None:
            return None
        left = clause.child_by_field_name(kinds.F_LEFT)
        names = [unparen(n) for n in (left.named_children if left is not None else [])]
        if any(n.type != kinds.IDENTIFIER for n in names):
            return None  # `for s.k = range m`: a key we cannot follow
        bound: list[Node | None] = [n if self._pkg.text(n) != "_" else None for n in names] + [None, None]
        map_expr, view = self._ranged_map(loop, unparen(right))
        if map_expr is None:
            return None
        if view == "values":
            return MapRange(loop, clause, body, map_expr, None, bound[0], view)
        return MapRange(loop, clause, body, map_expr, bound[0], bound[1], view)

    def ranged_operand(self, loop: Node) -> Node | None:
        """Syntax only: the expression a range loop would visit as a map, `X` of `range X` or
        of `range maps.Keys(X)` (also Values, All); None for other loops."""
        clause = next((c for c in loop.named_children if c.type == kinds.RANGE_CLAUSE), None)
        right = clause.child_by_field_name(kinds.F_RIGHT) if clause is not None else None
        right = unparen(right) if right is not None else None
        if right is None or right.type != kinds.CALL_EXPRESSION:
            return right
        fn = right.child_by_field_name(kinds.F_FUNCTION)
        field = fn.child_by_field_name(kinds.F_FIELD) if fn is not None and fn.type == kinds.SELECTOR_EXPRESSION \
            else None
        args = right.child_by_field_name(kinds.F_ARGUMENTS)
        named = [a for a in (args.named_children if args is not None else []) if a.type != kinds.COMMENT]
        if field is None or field.type != kinds.FIELD_IDENTIFIER or len(named) != 1 \
                or self._pkg.text(field) not in ("Keys", "Values", "All"):
            return right
        return named[0]

    def _ranged_map(self, loop: Node, right: Node) -> tuple[Node | None, str]:
        if right.type == kinds.CALL_EXPRESSION:
            fn = right.child_by_field_name(kinds.F_FUNCTION)
            args = right.child_by_field_name(kinds.F_ARGUMENTS)
            q = self._pkg.types.qualified(fn) if fn is not None else None
            view = stdlib.LIVE_MAP_VIEWS.get(q) if q is not None else None
            arg_nodes = [a for a in (args.named_children if args is not None else []) if a.type != kinds.COMMENT]
            if view is None or len(arg_nodes) != 1 or self._pkg.lang_version(loop) < stdlib.LIVE_MAP_VIEWS_SINCE:
                return None, ""
            return (arg_nodes[0], view) if self._pkg.types.expr_map(arg_nodes[0]) is not None else (None, "")
        return (right, "") if self._pkg.types.expr_map(right) is not None else (None, "")

    @staticmethod
    def same_block(a: Node, b: Node, loop: Node) -> bool:
        """`a` and `b` sit in statements of the same statement list inside `loop`."""
        sa, sb = _anchor(a, loop), _anchor(b, loop)
        return sa is not None and sb is not None and sa.parent == sb.parent


    # -- exits ----------------------------------------------------------------------------------------
    def exits(self, stmt: Node) -> frozenset[Exit]:
        """How `stmt` can complete: FALL, RETURN, ("break"|"continue", target id), ("goto", label)."""
        stack = [stmt]
        while stack:
            node = stack[-1]
            if node.id in self._exits:
                stack.pop()
                continue
            parts = self._parts(node)
            missing = [p for p in parts if p.id not in self._exits]
            if missing:
                stack += missing
                continue
            stack.pop()
            self._exits[node.id] = self._combine(node, parts)
        return self._exits[stmt.id]

    def _parts(self, node: Node) -> list[Node]:
        t = node.type
        if t == kinds.STATEMENT_LIST:
            return [c for c in node.named_children if c.type != kinds.COMMENT]
        if t == kinds.BLOCK:
            return [c for c in node.named_children if c.type == kinds.STATEMENT_LIST]
        if t == kinds.IF_STATEMENT:
            return [c for c in (node.child_by_field_name(kinds.F_CONSEQUENCE),
                                node.child_by_field_name(kinds.F_ALTERNATIVE)) if c is not None]
        if t == kinds.FOR_STATEMENT:
            body = node.child_by_field_name(kinds.F_BODY)
            return [body] if body is not None else []
        if t in _SWITCHES:
            return [s for case in node.named_children if case.type in _CASES
                    for s in case.named_children if s.type == kinds.STATEMENT_LIST]
        if t == kinds.LABELED_STATEMENT:
            return [c for c in node.named_children if c.type not in (kinds.LABEL_NAME, kinds.COMMENT)]
        return []

    def _combine(self, node: Node, parts: list[Node]) -> frozenset[Exit]:
        t = node.type
        got = [self._exits[p.id] for p in parts]
        if t == kinds.STATEMENT_LIST:
            acc: set[Exit] = set()
            for ex in got:
                acc |= ex - {FALL}
                if FALL not in ex:
                    return frozenset(acc)
            return frozenset(acc | {FALL})
        if t == kinds.BLOCK:
            return got[0] if got else frozenset({FALL})
        if t == kinds.IF_STATEMENT:
            alt = got[1] if len(got) > 1 else frozenset({FALL})
            return got[0] | alt if got else frozenset({FALL})
        if t == kinds.LABELED_STATEMENT:
            return got[0] if got else frozenset({FALL})
        if t == kinds.FOR_STATEMENT:
            body = got[0] if got else frozenset({FALL})
            own = {("break", node.id), ("continue", node.id), FALL}
            falls = not self._infinite(node) or ("break", node.id) in body
            return frozenset((body - own) | ({FALL} if falls else set()))
        if t in _SWITCHES:
            return self._combine_switch(node, got)
        return self._leaf_exits(node)

    def _combine_switch(self, node: Node, got: list[frozenset[Exit]]) -> frozenset[Exit]:
        cases = [c for c in node.named_children if c.type in _CASES]
        union: set[Exit] = set()
        for ex in got:
            union |= ex
        empty_case = any(not any(s.type == kinds.STATEMENT_LIST for s in c.named_children) for c in cases)
        no_default = node.type != kinds.SELECT_STATEMENT and not any(c.type == kinds.DEFAULT_CASE for c in cases)
        falls = FALL in union or ("break", node.id) in union or (empty_case and bool(cases)) or no_default
        union.discard(("break", node.id))
        union.discard(FALL)
        return frozenset(union | ({FALL} if falls else set()))

    def _leaf_exits(self, node: Node) -> frozenset[Exit]:
        t = node.type
        if t == kinds.RETURN_STATEMENT:
            return frozenset({RETURN})
        if t in (kinds.BREAK_STATEMENT, kinds.CONTINUE_STATEMENT):
            target = self._jump_target(node)
            if target is None:
                return frozenset({UNKNOWN_EXIT})
            self._targets[target.id] = target
            return frozenset({("break" if t == kinds.BREAK_STATEMENT else "continue", target.id)})
        if t == kinds.GOTO_STATEMENT:
            label = next((c for c in node.named_children if c.type == kinds.LABEL_NAME), None)
            return frozenset({("goto", self._pkg.text(label))}) if label is not None else frozenset({UNKNOWN_EXIT})
        if t == kinds.FALLTHROUGH_STATEMENT:
            return frozenset()  # continues in the next case, whose exits the switch already counts
        if t == kinds.EXPRESSION_STATEMENT and self._no_return(node):
            return frozenset({RETURN})
        return frozenset({FALL})

    def _infinite(self, loop: Node) -> bool:
        """`for { ... }` and `for ;; { ... }`: only a jump ends it."""
        for c in loop.named_children:
            if c.type == kinds.FOR_CLAUSE:
                return c.child_by_field_name(kinds.F_CONDITION) is None
            if c.type not in (kinds.BLOCK, kinds.COMMENT):
                return False
        return True

    def _jump_target(self, jump: Node) -> Node | None:
        """The statement a break or continue leaves: the labelled one, else the innermost."""
        label_node = next((c for c in jump.named_children if c.type == kinds.LABEL_NAME), None)
        label = self._pkg.text(label_node) if label_node is not None else None
        wanted = _BREAKABLE if jump.type == kinds.BREAK_STATEMENT else frozenset({kinds.FOR_STATEMENT})
        node = jump.parent
        while node is not None and node.type not in kinds.FUNCTION_KINDS:
            if label is None and node.type in wanted:
                return node
            if label is not None and node.type == kinds.LABELED_STATEMENT:
                name = next((c for c in node.named_children if c.type == kinds.LABEL_NAME), None)
                inner = self._parts(node)
                if name is not None and self._pkg.text(name) == label:
                    return inner[0] if inner else None
            node = node.parent
        return None

    def _no_return(self, stmt: Node) -> bool:
        """`panic(...)`, `os.Exit`, `log.Fatal*`, `t.Fatal*` and friends."""
        call = next((c for c in stmt.named_children if c.type != kinds.COMMENT), None)
        if call is None or unparen(call).type != kinds.CALL_EXPRESSION:
            return False
        fn_node = unparen(call).child_by_field_name(kinds.F_FUNCTION)
        if fn_node is None:
            return False
        fn = unparen(fn_node)
        if fn.type == kinds.IDENTIFIER:
            return self._pkg.scopes.is_builtin(fn, "panic")
        q = self._pkg.types.qualified(fn)
        if q is not None:
            return q in stdlib.STD_NORETURN_FUNCS
        operand = fn.child_by_field_name(kinds.F_OPERAND)
        field = fn.child_by_field_name(kinds.F_FIELD)
        if operand is None or field is None:
            return False
        recv = self._pkg.types.deref(self._pkg.types.type_of(operand))
        return isinstance(recv, Named) and (recv.pkg, recv.name, self._pkg.text(field)) in stdlib.STD_NORETURN_METHODS

    def _label(self, near: Node, name: str) -> Node | None:
        """The labeled statement `name:` in the function holding `near`."""
        func = near.parent
        while func is not None and func.type not in kinds.FUNCTION_KINDS:
            func = func.parent
        if func is None:
            return None
        labels = self._labels.get(func.id)
        if labels is None:
            labels = {}
            for node in walk_named(func, frozenset({kinds.FUNC_LITERAL})):
                if node.type == kinds.LABELED_STATEMENT:
                    label = next((c for c in node.named_children if c.type == kinds.LABEL_NAME), None)
                    if label is not None:
                        labels.setdefault(self._pkg.text(label), node)
            self._labels[func.id] = labels
        return labels.get(name)

    # -- leaving a loop ----------------------------------------------------------------------------
    def leaves_loop(self, node: Node, loop: Node) -> bool:
        """Every path from the statement holding `node` leaves `loop` before its next iteration."""
        body = loop.child_by_field_name(kinds.F_BODY)
        anchor = _anchor(node, loop)
        if anchor is None or body is None:
            return False
        work: list[Node] = []
        first = self.exits(anchor)
        if not self.all_leave(first - {FALL}, loop, body, work):
            return False
        if FALL in first:
            work.append(anchor)
        seen: set[int] = set()
        while work:
            stmt = work.pop()
            if stmt.id not in seen:
                seen.add(stmt.id)
                if not self._after(stmt, loop, body, work):
                    return False
        return True

    def _after(self, stmt: Node, loop: Node, body: Node, work: list[Node]) -> bool:
        """Every path from the end of `stmt` (inside `loop`) leaves `loop`."""
        cur = stmt
        for _ in range(512):
            parent = cur.parent
            if parent is None:
                return False
            t = parent.type
            if t == kinds.STATEMENT_LIST:
                rest = self._rest_leaves(cur, lambda ex: self.all_leave(ex, loop, body, work))
                if rest is not None:
                    return rest
            elif t == kinds.BLOCK and parent == body:
                return False  # the next iteration
            elif t not in (kinds.BLOCK, kinds.IF_STATEMENT, kinds.LABELED_STATEMENT) \
                    and t not in _CASES and t not in _SWITCHES:
                return False  # the end of an inner loop's body or of a func literal
            cur = parent
        return False

    def _rest_leaves(self, stmt: Node, leave: Callable[[frozenset[Exit]], bool]) -> bool | None:
        """The statements after `stmt` in its list: False when one may complete in a way `leave`
        rejects (a fallthrough too), True when one never falls through to the next, None when the
        list's end is reached (the caller climbs on)."""
        for sib in _following(stmt):
            if sib.type == kinds.FALLTHROUGH_STATEMENT:
                return False
            ex = self.exits(sib)
            if not leave(ex - {FALL}):
                return False
            if FALL not in ex:
                return True
        return None

    def all_leave(self, exits: Iterable[Exit], loop: Node, body: Node, work: list[Node] | None) -> bool:
        """Each exit leaves `loop`, or (with `work`) breaks out of a statement inside it, whose
        end is queued on `work`."""
        for kind, ref in exits:
            if kind == "return":
                continue
            if kind == "goto" and isinstance(ref, str):
                label = self._label(loop, ref)
                if label is None or _contains(body, label):
                    return False
                continue
            target = self._targets.get(ref) if isinstance(ref, int) else None
            if target is None:
                return False
            outer = target == loop or _contains(target, loop)
            if kind == "continue" and (target == loop or not outer):
                return False
            if kind == "break" and not outer:
                if work is None or not _contains(body, target):
                    return False
                work.append(target)
        return True

    # -- what depends on iteration order -------------------------------------------------------------
    def order_dependent(self, rng: MapRange, skip: Callable[[MutationSite], bool]) -> Effect | None:
        """The first effect of the loop body (summaries.effects_in, mutations where `skip` holds
        excluded) or the first exit from the loop taken on a condition; None when neither."""
        found = self._sum.effects.effects_in(rng.body, rng.loop, skip)
        for node in self._sum.region_nodes(rng.body):
            if node.type in _JUMPS and self._conditional(node, rng.body):
                ex = self.exits(node)
                if FALL not in ex and ex and self.all_leave(ex, rng.loop, rng.body, None):
                    found.append(Effect(node, "leaves the loop on a condition"))
        return min(found, key=lambda e: e.node.start_byte) if found else None

    @staticmethod
    def _conditional(node: Node, body: Node) -> bool:
        """`node` sits under a branch inside `body`, and not in a func literal (whose `return`
        leaves the literal, not the loop)."""
        between = path_down(body, node)
        if between is None:  # not in body: every ancestor
            between = []
            parent = node.parent
            while parent is not None:
                between.append(parent)
                parent = parent.parent
        types = {n.type for n in between}
        return kinds.FUNC_LITERAL not in types and not types.isdisjoint(_CONDITIONAL)

    # -- fix-point loops -----------------------------------------------------------------------------
    def in_fixpoint(self, node: Node, rng: MapRange) -> bool:
        """An enclosing non-range loop repeats on a flag assigned beside the statement holding
        `node` (`changed = true`), or on `len(M)`: read in its header, or in the condition of an
        if inside it (outside the range loop) whose branch leaves it."""
        anchor = _anchor(node, rng.loop)
        if anchor is None or anchor.parent is None:
            return False
        flags = self._flags(anchor.parent, rng.loop)
        outer = rng.loop.parent
        while outer is not None and outer.type not in kinds.FUNCTION_KINDS:
            if outer.type == kinds.FOR_STATEMENT and not any(c.type == kinds.RANGE_CLAUSE
                                                             for c in outer.named_children):
                for cond in self._repeat_conditions(outer, rng.loop):
                    if self._mentions(cond, flags, rng.map_expr):
                        return True
            outer = outer.parent
        return False

    def _flags(self, stmts: Node, loop: Node) -> list[Obj]:
        """Variables declared outside `loop` and assigned by a statement of the list `stmts`."""
        out: list[Obj] = []
        for stmt in stmts.named_children:
            target: Node | None = None
            if stmt.type == kinds.ASSIGNMENT_STATEMENT:
                left = stmt.child_by_field_name(kinds.F_LEFT)
                targets = left.named_children if left is not None else []
                target = targets[0] if len(targets) == 1 else None
            elif stmt.type == kinds.INC_STATEMENT and stmt.named_children:
                target = stmt.named_children[0]
            if target is None or unparen(target).type != kinds.IDENTIFIER:
                continue
            obj = self._pkg.scopes.resolve(unparen(target))
            if obj is not None and obj.ident is not None and not _contains(loop, obj.ident):
                out.append(obj)
        return out

    def _repeat_conditions(self, outer: Node, loop: Node) -> list[Node]:
        out = [c for c in outer.named_children if c.type not in (kinds.BLOCK, kinds.COMMENT)]
        body = outer.child_by_field_name(kinds.F_BODY)
        if body is None:
            return out
        for node in walk_named(body, frozenset({kinds.FUNC_LITERAL})):
            if node.type != kinds.IF_STATEMENT or _contains(loop, node):
                continue
            cond = node.child_by_field_name(kinds.F_CONDITION)
            cons = node.child_by_field_name(kinds.F_CONSEQUENCE)
            if cond is not None and cons is not None \
                    and any(self.all_leave([e], outer, body, None) for e in self.exits(cons) - {FALL}):
                out.append(cond)
        return out

    def _mentions(self, cond: Node, flags: list[Obj], map_expr: Node) -> bool:
        for node in walk_named(cond):
            if node.type == kinds.IDENTIFIER:
                obj = self._pkg.scopes.resolve(node)
                if obj is not None and obj in flags:
                    return True
            elif node.type == kinds.CALL_EXPRESSION:
                fn = node.child_by_field_name(kinds.F_FUNCTION)
                args = self._call_args(node)
                if fn is not None and self._pkg.scopes.is_builtin(unparen(fn), "len") and len(args) == 1 \
                        and self._sum.same_map(args[0], map_expr):
                    return True
        return False

    @staticmethod
    def _call_args(call: Node) -> list[Node]:
        args = call.child_by_field_name(kinds.F_ARGUMENTS)
        return [a for a in (args.named_children if args is not None else []) if a.type != kinds.COMMENT]

    # -- one path ------------------------------------------------------------------------------------
    def leaves_before_end(self, node: Node, stmt: Node) -> bool:
        """Every path from the statement holding `node` (inside the statement `stmt`, or `stmt`
        itself) leaves `stmt` without completing it: by return, panic and other calls that do not
        return, break or continue of a statement around `stmt`, or goto a label after it. False
        when some path may reach the end of `stmt`, and on Unknown (an unresolved jump, a func
        literal or fallthrough on the way, a goto backwards)."""
        anchor = _statement_in(node, stmt)
        if anchor is None:
            return False
        work: list[Node] = []
        first = self.exits(anchor)
        if not self._all_leave_stmt(first - {FALL}, stmt, work):
            return False
        if FALL in first:
            work.append(anchor)
        seen: set[int] = set()
        while work:
            current = work.pop()
            if current.id not in seen:
                seen.add(current.id)
                if not self._after_in(current, stmt, work):
                    return False
        return True

    def _after_in(self, inner: Node, stmt: Node, work: list[Node]) -> bool:
        """Every path from the end of `inner` (inside `stmt`) leaves `stmt` without completing it."""
        cur = inner
        for _ in range(512):
            if cur == stmt:
                return False
            parent = cur.parent
            if parent is None:
                return False
            t = parent.type
            if t == kinds.STATEMENT_LIST:
                rest = self._rest_leaves(cur, lambda ex: self._all_leave_stmt(ex, stmt, work))
                if rest is not None:
                    return rest
            elif t == kinds.FOR_STATEMENT:
                # the end of a loop body: the loop runs again and ends the ways the whole loop can
                ex = self.exits(parent)
                if not self._all_leave_stmt(ex - {FALL}, stmt, work):
                    return False
                if FALL not in ex:
                    return True
            elif t not in (kinds.BLOCK, kinds.IF_STATEMENT, kinds.LABELED_STATEMENT) \
                    and t not in _CASES and t not in _SWITCHES:
                return False  # a func literal, a header we do not model
            cur = parent
        return False

    def _all_leave_stmt(self, exits: Iterable[Exit], stmt: Node, work: list[Node]) -> bool:
        """Each exit leaves `stmt` without completing it, or jumps to the end of a statement
        inside it (queued on `work`: a continue of an inner loop counts as reaching its end)."""
        for kind, ref in exits:
            if kind == "return":
                continue
            if kind == "goto" and isinstance(ref, str):
                label = self._label(stmt, ref)
                if label is None or label.start_byte < stmt.end_byte:
                    return False
                continue
            target = self._targets.get(ref) if isinstance(ref, int) else None
            if target is None or target == stmt:
                return False  # unknown, or `stmt` itself ends (break) or runs again (continue)
            if _contains(target, stmt):
                continue
            if not _contains(stmt, target):
                return False
            work.append(target)
        return True

    def exclusive(self, a: Node, b: Node) -> bool:
        """No single pass through the function holding `a` and `b` runs both: they sit in the two
        branches of an if/else, in different cases of a switch or select without fallthrough, or
        every path from the earlier one leaves the statement holding it (in the statement list
        holding both) before the later one is reached (`leaves_before_end`). Loops are not
        unrolled: a `continue` of a loop around both counts as leaving. False on Unknown and when
        a func literal holds one of them but not the other."""
        above: dict[int, Node] = {}
        child: Node | None = None
        cur: Node | None = a
        while cur is not None:
            if child is not None:
                above[cur.id] = child
            child = cur
            if cur.type in kinds.FUNCTION_KINDS:
                break
            cur = cur.parent
        child_b: Node | None = None
        common: Node | None = b
        while common is not None and common.id not in above and common != a:
            if common.type in kinds.FUNCTION_KINDS:
                return False
            child_b = common
            common = common.parent
        if common is None or child_b is None or common.id not in above:
            return False
        child_a = above[common.id]
        t = common.type
        if t == kinds.IF_STATEMENT:
            branches = {common.child_by_field_name(kinds.F_CONSEQUENCE), common.child_by_field_name(kinds.F_ALTERNATIVE)}
            return child_a in branches and child_b in branches
        if t in _SWITCHES:
            falls = any(s.type == kinds.FALLTHROUGH_STATEMENT for s in walk_named(common, frozenset({kinds.FUNC_LITERAL})))
            return child_a.type in _CASES and child_b.type in _CASES and not falls
        if t == kinds.STATEMENT_LIST:
            earlier, holder = (a, child_a) if child_a.start_byte < child_b.start_byte else (b, child_b)
            return self.leaves_before_end(earlier, holder)
        return False


def _statement_in(node: Node, stmt: Node) -> Node | None:
    """The innermost statement (an element of a statement list) holding `node` inside `stmt`,
    or `stmt` itself; None when a function boundary comes first."""
    cur = node
    while cur != stmt:
        parent = cur.parent
        if parent is None or parent.type in kinds.FUNCTION_KINDS:
            return None
        if parent.type == kinds.STATEMENT_LIST:
            return cur
        cur = parent
    return stmt


def _anchor(node: Node, loop: Node) -> Node | None:
    """The statement (an element of a statement list inside `loop`) holding `node`; None when
    `node` sits in an inner loop's header."""
    cur = node
    while cur.parent is not None and cur != loop:
        if cur.parent.type == kinds.STATEMENT_LIST:
            inner = cur
            while inner.type == kinds.LABELED_STATEMENT and inner.named_children:
                inner = inner.named_children[-1]
            return None if inner.type == kinds.FOR_STATEMENT else cur
        cur = cur.parent
    return None


def _following(stmt: Node) -> list[Node]:
    out: list[Node] = []
    sib = stmt.next_named_sibling
    while sib is not None:
        if sib.type != kinds.COMMENT:
            out.append(sib)
        sib = sib.next_named_sibling
    return out


def _contains(outer: Node, inner: Node) -> bool:
    """`inner` lies strictly inside `outer` (same file)."""
    return outer != inner and outer.start_byte <= inner.start_byte and inner.end_byte <= outer.end_byte


def _flow_of(pkg: Package) -> Flow:
    from golinter.model.summaries import Summaries
    return Flow(pkg, Summaries.for_package(pkg))
