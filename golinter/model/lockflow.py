"""The lock flow of one function body: how each statement changes the locks held (lock calls,
helpers that take a lock, `if mu.TryLock() {`), through if/else, switch, select, for (fix point at
the loop head), labeled break/continue and early exits, then the transfer from the body's entry
to every statement; deferred unlocks run at exit. Explicit stacks, no recursion over the tree.
model/locksets.py records map accesses and calls at the points this gives.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.lockcalls import ACQUIRE, RELEASE, TRY
from golinter.model.lockfacts import FREE, IDENTITY, UNKNOWN_TRANSFER, Transfer, meet_opt
from golinter.model.scopes import ObjKind
from golinter.model.typelite import unparen

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.locksets import _UnitBuilder
    from golinter.model.package import Package
    from golinter.model.storage import StorageKey


_SEQUENCE = frozenset({kinds.STATEMENT_LIST})
_SWITCHES = frozenset({kinds.EXPRESSION_SWITCH_STATEMENT, kinds.TYPE_SWITCH_STATEMENT})
_CASES = frozenset({kinds.EXPRESSION_CASE, kinds.TYPE_CASE, kinds.DEFAULT_CASE, kinds.COMMUNICATION_CASE})
_RETURN = ("return", "")


@dataclass
class _Effect:
    """How a statement leaves: falling through (`fall`), or jumping (break/continue with a label,
    return), each with the transfer from the statement's entry."""

    fall: Transfer | None
    jumps: dict[tuple[str, str], Transfer] = field(default_factory=dict)


_PLAIN = _Effect(IDENTITY)


def _merge_jumps(into: dict[tuple[str, str], Transfer], jumps: dict[tuple[str, str], Transfer],
                 before: Transfer) -> None:
    for k, t in jumps.items():
        moved = before.then(t)
        into[k] = moved if k not in into else into[k].meet(moved)


class LockFlow:
    """Lock flow through one function body: effects bottom-up, then entry transfers top-down,
    both with explicit stacks (no recursion over the tree)."""

    def __init__(self, builder: _UnitBuilder, func: Node, lazy: bool = False) -> None:
        """`lazy`: run the flow when a point is first asked for, not now. Only for a body whose
        flow has no side effects (no lock call, no helper that locks: nothing to name, no other
        unit to summarise) and no goto: most units record no access and ask for no point."""
        self.b = builder
        self.func = func
        self.body = func.child_by_field_name(kinds.F_BODY)
        self.effects: dict[int, _Effect] = {}
        self.heads: dict[int, Transfer] = {}       # for statement -> loop head (relative to its entry)
        self.entries: dict[int, Transfer | None] = {}
        self.has_goto = False
        self.exit: Transfer | None = None
        self._defers: list[tuple[int, StorageKey]] | None = None
        self._kid_memo: dict[int, list[Node]] = {}
        self.pending = lazy
        if not lazy:
            self._run()

    def _run(self) -> None:
        self.pending = False
        if self.body is not None:
            self._effects()
            self._entries()
            eff = self.effects.get(self.body.id, _PLAIN)
            self.exit = meet_opt(eff.fall, eff.jumps.get(_RETURN))

    # -- children ----------------------------------------------------------------------------
    def _kids(self, node: Node) -> list[Node]:
        """_children, remembered: phase 1 lists every node's children once, the effects and
        phase 2 ask again (each list costs a few calls into tree-sitter per child)."""
        found = self._kid_memo.get(node.id)
        if found is None:
            found = self._kid_memo[node.id] = self._children(node)
        return found

    @staticmethod
    def _children(node: Node) -> list[Node]:
        t = node.type
        if t == kinds.BLOCK:
            return [c for c in node.named_children if c.type == kinds.STATEMENT_LIST]
        if t == kinds.STATEMENT_LIST:
            return [c for c in node.named_children if c.type != kinds.COMMENT]
        if t == kinds.IF_STATEMENT:
            return [c for c in (node.child_by_field_name(kinds.F_CONSEQUENCE),
                                node.child_by_field_name(kinds.F_ALTERNATIVE)) if c is not None]
        if t == kinds.FOR_STATEMENT:
            body = node.child_by_field_name(kinds.F_BODY)
            return [body] if body is not None else []
        if t in _SWITCHES or t == kinds.SELECT_STATEMENT:
            return [c for c in node.named_children if c.type in _CASES]
        if t in _CASES:
            return [c for c in node.named_children if c.type == kinds.STATEMENT_LIST]
        if t == kinds.LABELED_STATEMENT:
            return [c for c in node.named_children if c.type not in (kinds.LABEL_NAME, kinds.COMMENT)]
        return []

    # -- phase 1 -----------------------------------------------------------------------------
    def _effects(self) -> None:
        assert self.body is not None
        stack: list[tuple[Node, bool]] = [(self.body, False)]
        while stack:
            node, done = stack.pop()
            if not done:
                stack.append((node, True))
                for c in self._kids(node):
                    stack.append((c, False))
                continue
            self.effects[node.id] = self._effect(node)

    def _eff(self, node: Node | None) -> _Effect:
        if node is None:
            return _PLAIN
        return self.effects.get(node.id, _PLAIN)

    def _effect(self, node: Node) -> _Effect:
        t = node.type
        if t == kinds.BLOCK:
            kids = self._kids(node)
            return self._eff(kids[0]) if kids else _PLAIN
        if t == kinds.STATEMENT_LIST or t in _CASES:
            return self._sequence(self._kids(node) if t == kinds.STATEMENT_LIST else
                                  [s for c in self._kids(node) for s in self._kids(c)])
        if t == kinds.EXPRESSION_STATEMENT:
            return self._expression_effect(node)
        if t == kinds.RETURN_STATEMENT:
            return _Effect(None, {_RETURN: IDENTITY})
        if t in (kinds.BREAK_STATEMENT, kinds.CONTINUE_STATEMENT):
            label = next((self.b.f.text(c) for c in node.named_children if c.type == kinds.LABEL_NAME), "")
            return _Effect(None, {("break" if t == kinds.BREAK_STATEMENT else "continue", label): IDENTITY})
        if t == kinds.GOTO_STATEMENT:
            self.has_goto = True
            return _Effect(None)
        if t == kinds.IF_STATEMENT:
            return self._if_effect(node)
        if t == kinds.FOR_STATEMENT:
            return self._for_effect(node)
        if t in _SWITCHES or t == kinds.SELECT_STATEMENT:
            return self._switch_effect(node)
        if t == kinds.LABELED_STATEMENT:
            kids = self._kids(node)
            return self._eff(kids[0]) if kids else _PLAIN
        if t in (kinds.SHORT_VAR_DECLARATION, kinds.ASSIGNMENT_STATEMENT) and self._keeps_lock_result(node):
            return _Effect(UNKNOWN_TRANSFER)
        if t == kinds.DEFER_STATEMENT:
            call = next((c for c in node.named_children if c.type == kinds.CALL_EXPRESSION), None)
            inner = call.child_by_field_name(kinds.F_FUNCTION) if call is not None else None
            if inner is not None and inner.type == kinds.CALL_EXPRESSION:  # defer s.locked()()
                return _Effect(self.b.call_transfer(inner))
        return _PLAIN

    def _keeps_lock_result(self, stmt: Node) -> bool:
        """`g := s.mu.Lock("why")`: a lock whose Lock returns a guard to unlock later (loki's
        obslock). Which lock the guard releases is not known: the lockset is Unknown from here."""
        src = self.b.f.src
        if src.find(b"Lock(", stmt.start_byte, stmt.end_byte) < 0:
            return False
        right = stmt.child_by_field_name(kinds.F_RIGHT)
        for expr in (right.named_children if right is not None else ()):
            fn = unparen(expr).child_by_field_name(kinds.F_FUNCTION) if unparen(expr).type == kinds.CALL_EXPRESSION else None
            name = fn.child_by_field_name(kinds.F_FIELD) if fn is not None and fn.type == kinds.SELECTOR_EXPRESSION else None
            if name is not None and (self.b.f.text(name) in ACQUIRE or self.b.f.text(name) in TRY):
                return True
        return False

    def _sequence(self, stmts: list[Node]) -> _Effect:
        cur: Transfer | None = IDENTITY
        jumps: dict[tuple[str, str], Transfer] = {}
        for stmt in stmts:
            if cur is None:
                break
            eff = self._eff(stmt)
            _merge_jumps(jumps, eff.jumps, cur)
            cur = cur.then(eff.fall) if eff.fall is not None else None
        return _Effect(cur, jumps)

    def _expression_effect(self, node: Node) -> _Effect:
        expr = next((c for c in node.named_children if c.type != kinds.COMMENT), None)
        if expr is None or expr.type != kinds.CALL_EXPRESSION:
            return _PLAIN
        exit_kind = self.b.exit_kind(expr)
        if exit_kind == "exit":
            return _Effect(None)
        if exit_kind == "panic":
            return _Effect(None, {_RETURN: IDENTITY})
        return _Effect(self.b.call_transfer(expr))

    def _branches(self, node: Node) -> tuple[Transfer | None, Transfer | None]:
        """(true-branch, false-branch) transfers of an if condition: `if mu.TryLock() {`; None for
        a branch a constant condition never takes (`if debug {` with `const debug = false`)."""
        cond = node.child_by_field_name(kinds.F_CONDITION)
        if cond is None:
            return IDENTITY, IDENTITY
        constant = const_bool(self.b.pkg, cond)
        if constant is not None:
            return (IDENTITY, None) if constant else (None, IDENTITY)
        cond = unparen(cond)
        negated = False
        if cond.type == kinds.UNARY_EXPRESSION:
            op = cond.child_by_field_name(kinds.F_OPERATOR)
            inner = cond.child_by_field_name(kinds.F_OPERAND)
            if op is not None and self.b.f.text(op) == "!" and inner is not None:
                cond, negated = unparen(inner), True
        if cond.type != kinds.CALL_EXPRESSION:
            return IDENTITY, IDENTITY
        found = self.b.lock_call(cond)
        if found is None or found[1] not in TRY:
            return IDENTITY, IDENTITY
        lock, method = found
        taken = Transfer.setting(lock, TRY[method]) if lock is not None else IDENTITY
        return (IDENTITY, taken) if negated else (taken, IDENTITY)

    def _if_effect(self, node: Node) -> _Effect:
        on_true, on_false = self._branches(node)
        cons = self._eff(node.child_by_field_name(kinds.F_CONSEQUENCE))
        alt_node = node.child_by_field_name(kinds.F_ALTERNATIVE)
        alt = self._eff(alt_node) if alt_node is not None else _PLAIN
        jumps: dict[tuple[str, str], Transfer] = {}
        if on_true is not None:
            _merge_jumps(jumps, cons.jumps, on_true)
        if on_false is not None:
            _merge_jumps(jumps, alt.jumps, on_false)
        fall = meet_opt(on_true.then(cons.fall) if cons.fall is not None and on_true is not None else None,
                        on_false.then(alt.fall) if alt.fall is not None and on_false is not None else None)
        return _Effect(fall, jumps)

    def _label(self, node: Node) -> str:
        parent = node.parent
        if parent is not None and parent.type == kinds.LABELED_STATEMENT:
            label = next((c for c in parent.named_children if c.type == kinds.LABEL_NAME), None)
            return self.b.f.text(label) if label is not None else ""
        return ""

    def _for_effect(self, node: Node) -> _Effect:
        body = self._eff(node.child_by_field_name(kinds.F_BODY))
        label = self._label(node)
        own = {("break", ""), ("continue", ""), ("break", label), ("continue", label)} if label else \
            {("break", ""), ("continue", "")}
        back = meet_opt(body.fall, meet_opt(body.jumps.get(("continue", "")),
                                            body.jumps.get(("continue", label)) if label else None))
        head = IDENTITY
        for _ in range(8):  # the lattice is tiny: a few rounds reach the fix point
            nxt = IDENTITY.meet(head.then(back)) if back is not None else IDENTITY
            if nxt == head:
                break
            head = nxt
        self.heads[node.id] = head
        breaks = meet_opt(body.jumps.get(("break", "")), body.jumps.get(("break", label)) if label else None)
        body_node = node.child_by_field_name(kinds.F_BODY)
        header = [c for c in node.named_children if c != body_node and c.type != kinds.COMMENT]
        bounded = bool(header) and not (header[0].type == kinds.FOR_CLAUSE
                                        and header[0].child_by_field_name(kinds.F_CONDITION) is None)
        fall = meet_opt(head if bounded else None, head.then(breaks) if breaks is not None else None)
        jumps: dict[tuple[str, str], Transfer] = {}
        _merge_jumps(jumps, {k: v for k, v in body.jumps.items() if k not in own}, head)
        return _Effect(fall, jumps)

    def _switch_effect(self, node: Node) -> _Effect:
        label = self._label(node)
        fall: Transfer | None = None
        jumps: dict[tuple[str, str], Transfer] = {}
        cases = self._kids(node)
        for case in cases:
            eff = self._eff(case)
            fall = meet_opt(fall, eff.fall)
            fall = meet_opt(fall, eff.jumps.get(("break", "")))
            if label:
                fall = meet_opt(fall, eff.jumps.get(("break", label)))
            _merge_jumps(jumps, {k: v for k, v in eff.jumps.items()
                                 if k != ("break", "") and (not label or k != ("break", label))}, IDENTITY)
        if node.type in _SWITCHES and not any(c.type == kinds.DEFAULT_CASE for c in cases):
            fall = meet_opt(fall, IDENTITY)  # no case matched
        return _Effect(fall, jumps)

    # -- phase 2 -----------------------------------------------------------------------------
    def _entries(self) -> None:
        assert self.body is not None
        stack: list[tuple[Node, Transfer | None]] = [(self.body, IDENTITY)]
        while stack:
            node, entry = stack.pop()
            self.entries[node.id] = entry
            t = node.type
            if t == kinds.STATEMENT_LIST:
                cur = entry
                for stmt in self._kids(node):
                    stack.append((stmt, cur))
                    if cur is not None:
                        fall = self._eff(stmt).fall
                        cur = cur.then(fall) if fall is not None else None
            elif t == kinds.IF_STATEMENT:
                on_true, on_false = self._branches(node)
                cons = node.child_by_field_name(kinds.F_CONSEQUENCE)
                alt = node.child_by_field_name(kinds.F_ALTERNATIVE)
                if cons is not None:
                    stack.append((cons, entry.then(on_true) if entry is not None and on_true is not None else None))
                if alt is not None:
                    stack.append((alt, entry.then(on_false) if entry is not None and on_false is not None else None))
            elif t == kinds.FOR_STATEMENT:
                head = entry.then(self.heads.get(node.id, IDENTITY)) if entry is not None else None
                self.entries[-node.id - 1] = head  # the loop head: condition and post statement
                for c in self._kids(node):
                    stack.append((c, head))
            else:
                for c in self._kids(node):
                    stack.append((c, entry))

    def point(self, node: Node) -> tuple[Transfer | None, bool]:
        """(transfer from the body's entry to `node`, deferred?). None: unreachable or unknown."""
        if self.pending:
            self._run()
        deferred = False
        cur: Node | None = node
        prev: Node | None = None
        while cur is not None and cur != self.func:
            if cur.type == kinds.DEFER_STATEMENT:
                deferred = True
            if cur.type == kinds.FOR_STATEMENT and prev is not None and prev.type != kinds.RANGE_CLAUSE \
                    and prev != cur.child_by_field_name(kinds.F_BODY):
                init = prev.child_by_field_name(kinds.F_INITIALIZER) if prev.type == kinds.FOR_CLAUSE else None
                if init is None or not (init.start_byte <= node.start_byte < init.end_byte):
                    return self.entries.get(-cur.id - 1), deferred  # condition, post statement: loop head
            if cur.id in self.entries and cur.type not in (kinds.BLOCK, kinds.STATEMENT_LIST):
                return self.entries[cur.id], deferred
            prev, cur = cur, cur.parent
        return None, deferred

    def after_defers(self) -> Transfer | None:
        """The body's effect once its deferred unlocks have run (what a caller sees)."""
        if self.pending:
            self._run()
        if self.exit is None or self.body is None:
            return self.exit
        return self._release_deferred(self.exit, -1)

    def _release_deferred(self, out: Transfer, after: int) -> Transfer:
        for start, lock in self._deferred_unlocks():
            if start > after:
                out = out.then(Transfer.setting(lock, FREE))
        return out

    def _deferred_unlocks(self) -> list[tuple[int, StorageKey]]:
        """`defer mu.Unlock()` statements of this body (not of nested literals): (start, lock)."""
        if self._defers is None:
            assert self.body is not None
            self._defers = []
            for node in self._defer_statements():
                call = next((c for c in node.named_children if c.type == kinds.CALL_EXPRESSION), None)
                found = self.b.lock_call(call) if call is not None else None
                if found is not None and found[0] is not None and found[1] in RELEASE:
                    self._defers.append((node.start_byte, found[0]))
        return self._defers

    def _defer_statements(self) -> list[Node]:
        """The defer statements of this body outside nested literals, in document order: found
        by their keyword's text and one descent each, not by walking the whole body."""
        assert self.body is not None
        body, src = self.body, self.b.f.src
        start, end = body.start_byte, body.end_byte
        inner = [(s, e) for s, e in self.b.lit_spans if start <= s and e <= end]
        out: list[Node] = []
        pos = src.find(b"defer", start, end)
        while pos >= 0:
            if not any(s <= pos < e for s, e in inner):
                node = body.named_descendant_for_byte_range(pos, pos + 5)  # the keyword is anonymous
                if node is not None and node.type == kinds.DEFER_STATEMENT and node.start_byte == pos:
                    out.append(node)
            pos = src.find(b"defer", pos + 5, end)
        return out

    def deferred_exit(self, defer_stmt: Node) -> Transfer | None:
        """The locks when a deferred call runs: the state at return, after the unlocks deferred
        later (defers run last-in first-out)."""
        if self.pending:
            self._run()
        if self.exit is None:
            return None
        return self._release_deferred(self.exit, defer_stmt.start_byte)


def const_bool(pkg: Package, cond: Node) -> bool | None:
    """A constant boolean condition: `debug` with `const debug = false`, `!debug`, `false`."""
    cond = unparen(cond)
    if cond.type == kinds.UNARY_EXPRESSION:
        op = cond.child_by_field_name(kinds.F_OPERATOR)
        inner = cond.child_by_field_name(kinds.F_OPERAND)
        if op is None or inner is None or pkg.text(op) != "!":
            return None
        negated = const_bool(pkg, inner)
        return None if negated is None else not negated
    if cond.type in (kinds.TRUE, kinds.FALSE):
        return cond.type == kinds.TRUE
    if cond.type != kinds.IDENTIFIER:
        return None
    obj = pkg.scopes.resolve(cond)
    if obj is None or obj.kind is not ObjKind.CONST or obj.value is None or obj.value_count != 1:
        return None
    literal = unparen(obj.value)
    if literal.type in (kinds.TRUE, kinds.FALSE):
        return literal.type == kinds.TRUE
    return None
