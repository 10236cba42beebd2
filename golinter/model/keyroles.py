"""Key roles: how the key a mutation names relates to the entry a range loop is visiting.

- `key_role(range, site)` / `expr_role(range, expr)`: CURRENT for the range key (never
  reassigned in the body) and copies of it; for an expression of the range value alone
  (`v.ID`, `string(v.der)`, `v.Key()`), what the package's own inserts say
  (summaries.insert_keys: CURRENT when they key the map that way, OTHER when they key it
  another way, UNKNOWN without evidence); VALUE for the range value itself (a map[K]K);
  OTHER for anything else; UNKNOWN when a name does not resolve.
- `derives_from_key`, `key_grows`, `key_guarded`: whether a key is computed from the current
  one, whether that computation extends it (`k + 1`, `path.Join(k, "x")`), and whether it only
  runs under a condition on the current key (an enclosing `if`, or an earlier
  `if cond { continue }`).
- `key_present(node, M, k)`: `node` runs only when `M` holds `k` (`if v, ok := M[k]; ok {`).

Facts are judged inside one function and one loop; the provider is built on a Flow.
"""
from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model import stdlib
from golinter.model.bounds import preceding
from golinter.model.flow import FALL, _contains
from golinter.model.scopes import ObjKind
from golinter.model.typelite import unparen
from golinter.model.types import UNKNOWN
from golinter.parse import path_down, walk_named

if TYPE_CHECKING:
    from collections.abc import Callable

    from tree_sitter import Node

    from golinter.model.flow import Flow, MapRange
    from golinter.model.package import Package
    from golinter.model.scopes import Obj
    from golinter.model.summaries import MutationSite


class KeyRole(str, Enum):
    CURRENT = "current"  # the key of the entry being visited
    VALUE = "value"  # the value of the entry being visited, used as a key (map[K]K)
    OTHER = "other"
    UNKNOWN = "unknown"


class KeyRoles:
    """Key-role facts for one package; built on the package's Flow."""

    def __init__(self, package: Package, flow: Flow) -> None:
        self._pkg = package
        self._flow = flow
        self._sum = flow.summaries

    @staticmethod
    def for_package(pkg: Package) -> KeyRoles:
        """The package's provider, built on first use and kept on the Package."""
        return pkg.fact(_key_roles_of)

    def key_role(self, rng: MapRange, site: MutationSite) -> KeyRole:
        """The role of the key a mutation site deletes or inserts, relative to the visited entry.
        A key tested equal to the current key or a part of the current value by an enclosing
        `if` (`if p.ID == arg.ID { m[arg.ID] = p }`) is not OTHER."""
        if site.key_expr is None:
            return KeyRole.UNKNOWN
        if site.mutation is not None and site.key_fields:
            element = self._literal_element(site.key_expr, site.key_fields)
            judged = self.expr_role(rng, element) if element is not None else \
                self._value_role(rng, site.key_expr, site.key_fields)
            role = judged if judged is not None else KeyRole.OTHER
        else:
            role = self.expr_role(rng, site.key_expr)
        if role is KeyRole.OTHER and site.mutation is None and self._equated_to_entry(rng, site.node, site.key_expr):
            return KeyRole.UNKNOWN
        return role

    def _literal_element(self, expr: Node, fields: tuple[str, ...]) -> Node | None:
        """`&T{Name: alias}` with fields ("Name",): the expression `alias`."""
        literal = unparen(expr)
        if literal.type == kinds.UNARY_EXPRESSION and self._sum.operator(literal) == "&":
            operand = literal.child_by_field_name(kinds.F_OPERAND)
            literal = unparen(operand) if operand is not None else literal
        body = literal.child_by_field_name(kinds.F_BODY) if literal.type == kinds.COMPOSITE_LITERAL else None
        if body is None or len(fields) != 1:
            return None
        for elem in body.named_children:
            name = elem.child_by_field_name(kinds.F_KEY) if elem.type == kinds.KEYED_ELEMENT else None
            value = elem.child_by_field_name(kinds.F_VALUE) if elem.type == kinds.KEYED_ELEMENT else None
            if name is not None and value is not None and self._pkg.text(name) == fields[0]:
                return value.named_children[0] if value.named_children else value
        return None

    def _equated_to_entry(self, rng: MapRange, node: Node, key: Node) -> bool:
        """An enclosing `if a == b` (a conjunct) equates `key` with something read from the
        current key or value."""
        between = path_down(rng.body, node)
        if between is None:  # not in the body: every ancestor
            between = []
            parent = node.parent
            while parent is not None:
                between.insert(0, parent)
                parent = parent.parent
        for parent, child in reversed(list(zip(between, [*between[1:], node]))):  # innermost first
            cond = parent.child_by_field_name(kinds.F_CONDITION) if parent.type == kinds.IF_STATEMENT else None
            if cond is not None and child == parent.child_by_field_name(kinds.F_CONSEQUENCE):
                for left, right in self._equalities(cond):
                    other = right if self._sum.same_value(left, key) else left if self._sum.same_value(right, key) \
                        else None
                    if other is not None and (self.derives_from_key(rng, other) or self.reads_value(rng, other)):
                        return True
        return False

    def _equalities(self, cond: Node) -> list[tuple[Node, Node]]:
        out: list[tuple[Node, Node]] = []
        for c in _conjuncts(cond):
            op = c.child_by_field_name(kinds.F_OPERATOR)
            left, right = c.child_by_field_name(kinds.F_LEFT), c.child_by_field_name(kinds.F_RIGHT)
            if c.type == kinds.BINARY_EXPRESSION and op is not None and op.type == "==" \
                    and left is not None and right is not None:
                out.append((unparen(left), unparen(right)))
        return out

    def expr_role(self, rng: MapRange, expr: Node) -> KeyRole:
        """`k` (the range key, not reassigned) and its copies are CURRENT; an expression of the
        range value alone (`v.ID`, `string(v.der)`) is judged by the package's insert sites; the
        range value itself is VALUE; anything else is OTHER."""
        for _ in range(4):
            e = unparen(expr)
            if e.type != kinds.IDENTIFIER:
                judged = self._value_role(rng, e)
                return judged if judged is not None else KeyRole.OTHER
            obj = self._pkg.scopes.resolve(e)
            if obj is None:
                return KeyRole.UNKNOWN
            if rng.key is not None and self._pkg.scopes.same_object(e, rng.key):
                return KeyRole.CURRENT if not self._sum.assigned_in(rng.body, obj) else KeyRole.UNKNOWN
            if rng.value is not None and self._pkg.scopes.same_object(e, rng.value):
                if self._sum.assigned_in(rng.body, obj):
                    return KeyRole.UNKNOWN
                return KeyRole.CURRENT if self._template_role(rng, "#") is KeyRole.CURRENT else KeyRole.VALUE
            copied = self._copy_in(obj, rng.body)
            if copied is None:
                return KeyRole.OTHER
            expr = copied
        return KeyRole.UNKNOWN

    def _copy_in(self, obj: Obj, body: Node) -> Node | None:
        """`key := k` declared in the loop body and never reassigned: the copied expression."""
        if obj.kind is not ObjKind.VAR or obj.value is None or obj.value_count != 1 \
                or obj.value.type == kinds.RANGE_CLAUSE or obj.ident is None:
            return None
        if not (body.start_byte <= obj.ident.start_byte < body.end_byte) or self._sum.assigned_in(body, obj):
            return None
        return obj.value

    def _value_role(self, rng: MapRange, expr: Node, fields: tuple[str, ...] = ()) -> KeyRole | None:
        """The role of `expr` (then `.fields`) when it is computed from the current value:
        judged by the inserts when it is a function of the value alone (`v.ID`), UNKNOWN when
        it reads the value some other way (`lri := &v[i]; lri.Name`); None when it does not
        read the value."""
        template = self.value_template(rng, expr)
        if template is None:
            return KeyRole.UNKNOWN if self.reads_value(rng, expr) else None
        return self._template_role(rng, template + "".join("." + f for f in fields))

    def value_template(self, rng: MapRange, expr: Node) -> str | None:
        """`expr` as a function of the current value alone (summaries.value_template), the value
        being the range value variable or a copy `p := M[k]` made in the body."""
        for obj in self._value_objs(rng, expr):
            template = self._sum.value_template(expr, obj)
            if template is not None:
                return template
        return None

    def _value_objs(self, rng: MapRange, expr: Node) -> list[Obj]:
        """Variables read by `expr` that hold the current value, never reassigned in the loop."""
        out: list[Obj] = []
        for ident in walk_named(expr):
            obj = self._pkg.scopes.resolve(ident) if ident.type == kinds.IDENTIFIER else None
            if obj is None or obj in out or self._sum.assigned_in(rng.body, obj):
                continue
            if (rng.value is not None and self._pkg.scopes.same_object(ident, rng.value)) or (
                    obj.value is not None and obj.value_count == 1 and obj.ident is not None
                    and _contains(rng.body, obj.ident) and self._is_current_value(rng, obj.value)):
                out.append(obj)
        return out

    def _is_current_value(self, rng: MapRange, expr: Node) -> bool:
        """`M[k]`: the ranged map at the current key."""
        expr = unparen(expr)
        operand = expr.child_by_field_name(kinds.F_OPERAND)
        index = expr.child_by_field_name(kinds.F_INDEX)
        return expr.type == kinds.INDEX_EXPRESSION and operand is not None and index is not None \
            and self._sum.same_map(operand, rng.map_expr) and self._is_key(rng, index)

    def reads_value(self, rng: MapRange, expr: Node) -> bool:
        """`expr` reads the current value, directly or through variables declared in the loop."""
        def hit(node: Node) -> bool:
            if node.type == kinds.INDEX_EXPRESSION:
                return self._is_current_value(rng, node)
            return node.type == kinds.IDENTIFIER and rng.value is not None \
                and self._pkg.scopes.same_object(node, rng.value)
        return self._reaches(rng, expr, hit)

    def _reaches(self, rng: MapRange, expr: Node, hit: Callable[[Node], bool]) -> bool:
        """A node of `expr`, or of the initialisers of the loop's own variables it reads, is a hit."""
        work, seen = [expr], 0
        while work and seen < 16:
            node = work.pop()
            seen += 1
            for n in walk_named(node):
                if hit(n):
                    return True
                obj = self._pkg.scopes.resolve(n) if n.type == kinds.IDENTIFIER else None
                if obj is not None and obj.kind is ObjKind.VAR and obj.value is not None \
                        and obj.value.type != kinds.RANGE_CLAUSE and obj.ident is not None \
                        and _contains(rng.body, obj.ident) and not self._sum.assigned_in(rng.body, obj):
                    work.append(obj.value)
        return False

    def _template_role(self, rng: MapRange, template: str) -> KeyRole:
        """CURRENT when the package's inserts key the map by this function of the value
        (`M[x.ID] = x`), UNKNOWN when they convert the same field another way (summaries.rewrapped),
        OTHER when they key it by another one, or when the loop binds its own key and inserts
        exist that never key by it; else UNKNOWN."""
        storage = self._pkg.storage.key(rng.map_expr)
        if storage is None:
            return KeyRole.UNKNOWN
        keys = self._sum.insert_keys(storage)
        if template in keys.value_keys:
            return KeyRole.CURRENT
        if any(self._sum.rewrapped(template, t) for t in keys.value_keys):
            return KeyRole.UNKNOWN  # string(#.sid) where inserts use bytesToString(#.sid)
        if keys.value_keys or (rng.key is not None and keys.other > 0):
            return KeyRole.OTHER
        return KeyRole.UNKNOWN

    def derives_from_key(self, rng: MapRange, expr: Node) -> bool:
        """`expr` reads the range key, directly or through a variable declared inside the loop
        from it (`canon := strings.ToLower(k)`; `if k2, ok := strings.CutSuffix(k, "/"); ok`)."""
        return self._reaches(rng, expr, lambda n: self._is_key(rng, n))

    def key_grows(self, rng: MapRange, expr: Node) -> bool:
        """`expr` extends the range key: `k + 1`, `"v2/" + k`, `fmt.Sprintf("%s#", k)`,
        `path.Join(dir, k)` (also through a variable declared in the loop from one). Applied
        again to its own result it gives yet another key."""
        work, seen = [expr], 0
        while work and seen < 16:
            node = unparen(work.pop())
            seen += 1
            if node.type == kinds.IDENTIFIER:
                obj = self._pkg.scopes.resolve(node)
                copied = self._copy_in(obj, rng.body) if obj is not None else None
                if copied is not None:
                    work.append(copied)
                continue
            op = node.child_by_field_name(kinds.F_OPERATOR)
            if node.type == kinds.BINARY_EXPRESSION and op is not None and op.type == "+":
                if self.derives_from_key(rng, node):
                    return True
                continue
            fn = node.child_by_field_name(kinds.F_FUNCTION) if node.type == kinds.CALL_EXPRESSION else None
            q = self._pkg.types.qualified(fn) if fn is not None else None
            if q in stdlib.STD_CONCATENATORS and self.derives_from_key(rng, node):
                return True
        return False

    def key_guarded(self, rng: MapRange, node: Node) -> bool:
        """`node` runs only under a condition on the range key (see derives_from_key): inside an
        `if` or a `switch` case testing it, or after an `if cond { continue }` that skips on it.
        Only keys of some shape get there."""
        child, parent = node, node.parent
        while parent is not None and parent != rng.loop:
            guards: list[Node | None] = []
            if parent.type == kinds.IF_STATEMENT and child == parent.child_by_field_name(kinds.F_CONSEQUENCE):
                guards += [parent.child_by_field_name(kinds.F_CONDITION),
                           parent.child_by_field_name(kinds.F_INITIALIZER)]
            elif parent.type == kinds.EXPRESSION_CASE and parent.parent is not None:
                guards += [parent.parent.child_by_field_name(kinds.F_VALUE), parent.child_by_field_name(kinds.F_VALUE)]
            elif parent.type == kinds.STATEMENT_LIST:
                guards += [part for s in preceding(child) if self._skips(s, rng)
                           for part in (s.child_by_field_name(kinds.F_CONDITION),
                                        s.child_by_field_name(kinds.F_INITIALIZER))]
            if any(part is not None and self.derives_from_key(rng, part) for part in guards):
                return True
            child, parent = parent, parent.parent
        return False

    def key_selected(self, rng: MapRange, node: Node) -> bool:
        """`node` runs only for one current key: under `if k == X` or `strings.EqualFold(k, X)`
        (a conjunct), or in a `case X:` of `switch k`, with X the same on every iteration."""
        child, parent = node, node.parent
        while parent is not None and parent != rng.body:
            if parent.type == kinds.IF_STATEMENT and child == parent.child_by_field_name(kinds.F_CONSEQUENCE):
                cond = parent.child_by_field_name(kinds.F_CONDITION)
                pairs = self._equalities(cond) + self._fold_equalities(cond) if cond is not None else []
                if any(self._is_key(rng, a) and self._invariant(rng, b) or self._is_key(rng, b)
                       and self._invariant(rng, a) for a, b in pairs):
                    return True
            elif parent.type == kinds.EXPRESSION_CASE and parent.parent is not None:
                value = parent.parent.child_by_field_name(kinds.F_VALUE)
                labels = [v for lst in parent.children_by_field_name(kinds.F_VALUE) for v in lst.named_children]
                if value is not None and self._is_key(rng, value) and labels \
                        and all(self._invariant(rng, v) for v in labels):
                    return True
            child, parent = parent, parent.parent
        return False

    def _fold_equalities(self, cond: Node) -> list[tuple[Node, Node]]:
        """`strings.EqualFold(a, b)` conjuncts."""
        out: list[tuple[Node, Node]] = []
        for c in _conjuncts(cond):
            fn = c.child_by_field_name(kinds.F_FUNCTION) if c.type == kinds.CALL_EXPRESSION else None
            args = c.child_by_field_name(kinds.F_ARGUMENTS)
            named = [a for a in (args.named_children if args is not None else []) if a.type != kinds.COMMENT]
            if fn is not None and self._pkg.types.qualified(fn) == ("strings", "EqualFold") and len(named) == 2:
                out.append((unparen(named[0]), unparen(named[1])))
        return out

    def _invariant(self, rng: MapRange, expr: Node) -> bool:
        """`expr` reads nothing the loop declares or assigns: the same value on every iteration."""
        for ident in walk_named(expr):
            if ident.type == kinds.FUNC_LITERAL:
                return False
            obj = self._pkg.scopes.resolve(ident) if ident.type == kinds.IDENTIFIER else None
            if ident.type == kinds.IDENTIFIER and obj is None:
                return False
            if obj is not None and obj.kind is ObjKind.VAR and (
                    (obj.ident is not None and _contains(rng.loop, obj.ident)) or self._sum.assigned_in(rng.body, obj)):
                return False
        return True

    def rekeys_value(self, rng: MapRange, site: MutationSite) -> bool:
        """`m[f(v)] = v` for the current value v (`id := seriesID(info); m[id] = info`): when the
        range reaches the new entry, f of its value gives its own key back."""
        value = self._sum.assigned_value(site) if site.mutation is None else None
        if value is None or site.key_expr is None or unparen(value).type != kinds.IDENTIFIER \
                or not self._value_objs(rng, unparen(value)):
            return False
        key = site.key_expr
        for _ in range(4):
            if self.value_template(rng, key) is not None:
                return True
            obj = self._pkg.scopes.resolve(unparen(key)) if unparen(key).type == kinds.IDENTIFIER else None
            copied = self._copy_in(obj, rng.body) if obj is not None else None
            if copied is None:
                return False
            key = copied
        return False

    def inert_visit(self, rng: MapRange, key: Node) -> bool:
        """Visiting the entry at constant `key` runs nothing: every statement of the body is a
        dispatch on the current key (`switch k { case A: ... }` without default, `if k == A {`
        without else) on constants that all differ from `key`."""
        wanted = self._pkg.consts.value(key)
        stmts = [c for c in rng.body.named_children if c.type == kinds.STATEMENT_LIST]
        body = [s for s in (stmts[0].named_children if stmts else []) if s.type != kinds.COMMENT]
        if wanted is UNKNOWN or rng.key is None or not body:
            return False
        return all(self._dispatch_misses(rng, s, wanted) for s in body)

    def _dispatch_misses(self, rng: MapRange, stmt: Node, wanted: object) -> bool:
        if stmt.type == kinds.EXPRESSION_SWITCH_STATEMENT:
            value = stmt.child_by_field_name(kinds.F_VALUE)
            cases = [c for c in stmt.named_children if c.type in (kinds.EXPRESSION_CASE, kinds.DEFAULT_CASE)]
            if value is None or not self._is_key(rng, value) or any(c.type == kinds.DEFAULT_CASE for c in cases) \
                    or stmt.child_by_field_name(kinds.F_INITIALIZER) is not None:
                return False
            labels = [v for c in cases for lst in c.children_by_field_name(kinds.F_VALUE) for v in lst.named_children]
        elif stmt.type == kinds.IF_STATEMENT:
            cond = stmt.child_by_field_name(kinds.F_CONDITION)
            op = cond.child_by_field_name(kinds.F_OPERATOR) if cond is not None else None
            left = cond.child_by_field_name(kinds.F_LEFT) if cond is not None else None
            right = cond.child_by_field_name(kinds.F_RIGHT) if cond is not None else None
            if op is None or op.type != "==" or left is None or right is None \
                    or stmt.child_by_field_name(kinds.F_ALTERNATIVE) is not None \
                    or stmt.child_by_field_name(kinds.F_INITIALIZER) is not None:
                return False
            labels = [right] if self._is_key(rng, left) else [left] if self._is_key(rng, right) else []
        else:
            return False
        values = [self._pkg.consts.value(v) for v in labels]
        return bool(values) and all(v is not UNKNOWN and v != wanted for v in values)

    def _is_key(self, rng: MapRange, expr: Node) -> bool:
        expr = unparen(expr)
        obj = self._pkg.scopes.resolve(expr) if expr.type == kinds.IDENTIFIER else None
        return rng.key is not None and obj is not None and self._pkg.scopes.same_object(expr, rng.key) \
            and not self._sum.assigned_in(rng.body, obj)

    def _skips(self, stmt: Node, rng: MapRange) -> bool:
        """`if cond { continue }` (or another way out of the iteration) with no else: an early
        skip that the statements after it run only when cond is false."""
        if stmt.type != kinds.IF_STATEMENT or stmt.child_by_field_name(kinds.F_ALTERNATIVE) is not None:
            return False
        cons = stmt.child_by_field_name(kinds.F_CONSEQUENCE)
        exits = self._flow.exits(cons) if cons is not None else frozenset({FALL})
        return bool(exits) and FALL not in exits and all(
            e == ("continue", rng.loop.id) or self._flow.all_leave([e], rng.loop, rng.body, None) for e in exits)

    def key_present(self, node: Node, map_expr: Node, key: Node) -> bool:
        """`node` runs only when `map_expr` already holds `key`: inside the true branch of
        `if v, ok := M[key]; ok {` (or `ok && ...`), with the same map and key expression."""
        child, parent = node, node.parent
        while parent is not None and parent.type not in kinds.FUNCTION_KINDS:
            if parent.type == kinds.IF_STATEMENT and child == parent.child_by_field_name(kinds.F_CONSEQUENCE):
                cond = parent.child_by_field_name(kinds.F_CONDITION)
                if cond is not None and any(self._found_flag(ok, map_expr, key) for ok in _conjuncts(cond)):
                    return True
            child, parent = parent, parent.parent
        return False

    def _found_flag(self, ident: Node, map_expr: Node, key: Node) -> bool:
        """`ok` declared by `v, ok := M[key]` (never reassigned before use: declared once)."""
        if ident.type != kinds.IDENTIFIER:
            return False
        obj = self._pkg.scopes.resolve(ident)
        if obj is None or obj.value is None or obj.value_count != 2 or obj.value_index != 1:
            return False
        read = unparen(obj.value)
        operand = read.child_by_field_name(kinds.F_OPERAND)
        index = read.child_by_field_name(kinds.F_INDEX)
        return (read.type == kinds.INDEX_EXPRESSION and operand is not None and index is not None
                and self._sum.same_map(operand, map_expr) and self._sum.same_value(index, key))


def _conjuncts(cond: Node) -> list[Node]:
    """`a && (b && c)` -> [a, b, c] (unparenthesised); anything else -> [cond]."""
    out: list[Node] = []
    stack = [unparen(cond)]
    while stack:
        node = stack.pop()
        op = node.child_by_field_name(kinds.F_OPERATOR)
        if node.type == kinds.BINARY_EXPRESSION and op is not None and op.type == "&&":
            stack += [unparen(c) for c in (node.child_by_field_name(kinds.F_RIGHT),
                                           node.child_by_field_name(kinds.F_LEFT)) if c is not None]
        else:
            out.append(node)
    return out


def _key_roles_of(pkg: Package) -> KeyRoles:
    from golinter.model.flow import Flow
    return KeyRoles(pkg, Flow.for_package(pkg))
