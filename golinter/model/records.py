"""Records: maps made once per loop iteration (one per record) and kept past the loop.

`Records(pkg, derivation).per_record(map_expr)` answers, for the map a statement writes, whether
it is a per-record map: made fresh in the body of a `for` loop of the same function and
stored, in that body, into a container that outlives the loop, so that every iteration's map
stays reachable at once (a parsed CSV file as `[]map[string]string`, header maps per request
kept in a slice, label sets per series kept in a registry). Shapes:

- made: `rec := make(map[K]V, n)` or `rec := map[K]V{...}` declared in the loop body and bound
  once; or a field initialised in a struct literal bound once in the body,
  `s := &Sample{Labels: map[string]string{}}` (the map is `s.Labels`);
- kept: `out = append(out, X)` or `c[k] = X` (a slice, array or map element), where X is the
  map, a composite literal holding it (`Record{Fields: rec}`, `&Sample{...}`), or a local of
  the body bound once to such a literal; and the container `c` is rooted outside the loop (a
  local declared before it, a parameter, a receiver's field, a package variable).
The map may also be made by a same-package function called per record: `parse(b)` makes a map
outside any loop of its own and returns it (`return rec`, `return rec, nil`), and a call of it in
a loop is kept as above (`out = append(out, parse(b))`, `rec, err := parse(b)` then kept). The
code that runs once per record (`region`) is then that function's body, not the loop's.
Not kept (None): a container the loop resets or prunes (`out = out[:0]`, `batch = nil`,
`delete(c, k)`, `clear(c)`: bounded batches), single slots (`s.last = rec`), sends, returns,
calls (the callee may drop the map), captures by func literals, maps assigned more than once.

Facts are memoised per map variable; Unknown (an expression this module does not follow) is None.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.mutations import word_offsets
from golinter.model.package import enclosing_function
from golinter.model.scopes import ObjKind
from golinter.model.typelite import unparen
from golinter.model.types import Map

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.derivation import Derivation
    from golinter.model.package import Package
    from golinter.model.scopes import Obj

_WRAPPERS = frozenset({kinds.LITERAL_ELEMENT, kinds.KEYED_ELEMENT, kinds.LITERAL_VALUE,
                       kinds.COMPOSITE_LITERAL, kinds.PARENTHESIZED_EXPRESSION})
_PATH_KINDS = frozenset({kinds.SELECTOR_EXPRESSION, kinds.INDEX_EXPRESSION, kinds.UNARY_EXPRESSION,
                         kinds.PARENTHESIZED_EXPRESSION})


@dataclass(frozen=True, slots=True, eq=False)
class PerRecordMap:
    """A map made once per iteration of `loop` (by `made`) and stored by statement `kept` into
    `container`, which outlives the loop. `region` runs once per record: the loop body, or the
    body of the function that makes the map when `call`, in the loop, calls it."""

    loop: Node
    made: Node
    kept: Node
    container: Node
    region: Node
    call: Node | None = None


class Records:
    """Per-record map facts for one package."""

    def __init__(self, package: Package, derivation: Derivation) -> None:
        self._pkg = package
        self._der = derivation
        self._memo: dict[tuple[str, int, str, str], PerRecordMap | None] = {}

    def per_record(self, map_expr: Node) -> PerRecordMap | None:
        """For `rec` (or `s.Labels`) in `rec[k] = v`: the per-record map it denotes, or None."""
        expr = unparen(map_expr)
        root = expr.child_by_field_name(kinds.F_OPERAND) if expr.type == kinds.SELECTOR_EXPRESSION else expr
        obj = self._pkg.scopes.resolve(unparen(root)) if root is not None and unparen(root).type == kinds.IDENTIFIER \
            else None
        if obj is None or obj.kind is not ObjKind.VAR or obj.package_level:
            return None
        field = self._pkg.text(expr.child_by_field_name(kinds.F_FIELD) or expr) if expr != root else ""
        memo_key = (*obj.key, field)
        if memo_key not in self._memo:
            self._memo[memo_key] = self._per_record(expr)
        return self._memo[memo_key]

    def _per_record(self, expr: Node) -> PerRecordMap | None:
        found = self._made(expr)
        if found is None:
            return None
        carrier, made, field = found
        loop = self._loop_of(carrier)
        return self._kept_here(carrier, made, loop) if loop is not None else self._kept_by_caller(carrier, made, field)

    def in_field_loop(self, node: Node, per: PerRecordMap) -> bool:
        """`node` runs in a loop nested in the per-record region (`for _, f := range fields`
        inside the record loop or the per-record function): the record has many keys, one per
        field, which is what makes them recur across records."""
        loop = self._loop_around(node)
        while loop is not None and per.region.start_byte <= loop.start_byte < per.region.end_byte:
            if loop != per.loop:
                return True
            loop = self._loop_around(loop)
        return False

    # -- made per iteration --------------------------------------------------------------
    def _made(self, expr: Node) -> tuple[Obj, Node, str] | None:
        """(the local holding the map or its struct, the map's make/literal, the field name)."""
        if expr.type == kinds.IDENTIFIER:
            if not self._bound_to_literal(expr):
                return None  # cheap test first: most maps written are not made on the spot
            obj = self._der.bound_once(expr)
            value = self._single_value(obj)
            if obj is None or value is None or not self._fresh_map(value):
                return None
            return obj, value, ""
        if expr.type != kinds.SELECTOR_EXPRESSION:
            return None
        operand = expr.child_by_field_name(kinds.F_OPERAND)
        field = expr.child_by_field_name(kinds.F_FIELD)
        if operand is None or field is None or unparen(operand).type != kinds.IDENTIFIER \
                or not self._bound_to_literal(unparen(operand)):
            return None
        obj = self._der.bound_once(unparen(operand))
        value = self._single_value(obj)
        if obj is None or value is None:
            return None
        if value.type == kinds.UNARY_EXPRESSION and self._pkg.text(value).startswith("&"):
            inner = value.child_by_field_name(kinds.F_OPERAND)
            value = unparen(inner) if inner is not None else value
        made = self._literal_field(value, self._pkg.text(field))
        return (obj, made, self._pkg.text(field)) if made is not None else None

    def _bound_to_literal(self, ident: Node) -> bool:
        """`x` is a local whose declaration gives it `make(...)`, `T{...}` or `&T{...}`."""
        obj = self._pkg.scopes.resolve(ident)
        value = self._single_value(obj) if obj is not None and obj.kind is ObjKind.VAR \
            and not obj.package_level else None
        if value is not None and value.type == kinds.UNARY_EXPRESSION:
            operand = value.child_by_field_name(kinds.F_OPERAND)
            value = unparen(operand) if operand is not None else None
        if value is None or value.type not in (kinds.CALL_EXPRESSION, kinds.COMPOSITE_LITERAL):
            return False
        fn = value.child_by_field_name(kinds.F_FUNCTION)
        return value.type == kinds.COMPOSITE_LITERAL or (fn is not None and self._pkg.text(fn) == "make")

    def _single_value(self, obj: Obj | None) -> Node | None:
        if obj is None or obj.value is None or obj.value_count != 1 or obj.value.type == kinds.RANGE_CLAUSE:
            return None
        return unparen(obj.value)

    def _fresh_map(self, value: Node) -> bool:
        """`make(map[K]V, n)`, `map[K]V{...}`, `Header{}` for a named map type."""
        if value.type == kinds.CALL_EXPRESSION:
            fn = value.child_by_field_name(kinds.F_FUNCTION)
            if fn is None or not self._pkg.scopes.is_builtin(unparen(fn), "make"):
                return False
        elif value.type != kinds.COMPOSITE_LITERAL:
            return False
        return isinstance(self._pkg.types.underlying(self._pkg.types.type_of(value)), Map)

    def _literal_field(self, literal: Node, name: str) -> Node | None:
        """`Sample{Labels: map[string]string{}}`: the fresh map given to field `name`."""
        if literal.type != kinds.COMPOSITE_LITERAL:
            return None
        body = literal.child_by_field_name(kinds.F_BODY)
        for elem in body.named_children if body is not None else []:
            parts = [c for c in elem.named_children if c.type != kinds.COMMENT]
            if elem.type != kinds.KEYED_ELEMENT or len(parts) != 2 or self._pkg.text(parts[0]) != name:
                continue
            value = unparen(parts[1].named_children[0] if parts[1].named_children else parts[1])
            return value if self._fresh_map(value) else None
        return None

    # -- kept past the loop --------------------------------------------------------------
    def _kept_here(self, carrier: Obj, made: Node, loop: Node) -> PerRecordMap | None:
        body = loop.child_by_field_name(kinds.F_BODY)
        kept = self._kept(loop, {carrier}) if body is not None else None
        return PerRecordMap(loop, made, kept[0], kept[1], body) if kept is not None and body is not None else None

    def _kept_by_caller(self, carrier: Obj, made: Node, field: str) -> PerRecordMap | None:
        """`func parse(b []byte) map[string]string { rec := ...; return rec }` called in a loop
        that keeps its result: `out = append(out, parse(b))`, `rec, err := parse(b)` then kept."""
        func = enclosing_function(made)
        body = func.child_by_field_name(kinds.F_BODY) if func is not None else None
        position = self._returned_at(func, carrier) if func is not None and not field else None
        if func is None or body is None or position is None or func.type == kinds.FUNC_LITERAL:
            return None
        from golinter.model.origins import Origins
        origins = Origins.of(self._pkg)
        for call in origins.calls_to(func):
            loop = self._loop_around(call)
            caller = enclosing_function(call)
            if loop is None or caller == func:
                continue  # a recursive call walks one tree's nested maps, not a stream of records
            if caller is not None and caller.type != kinds.FUNC_LITERAL \
                    and any(enclosing_function(back) == func for back in origins.calls_to(caller)):
                continue  # the same through a helper that func calls (normalizeValue <-> normalizeMap)
            kept = self._kept(loop, set(), call, position)
            if kept is not None:
                return PerRecordMap(loop, made, kept[0], kept[1], body, call)
        return None

    def _returned_at(self, func: Node, carrier: Obj) -> int | None:
        """The result position at which `func` returns the local `carrier` (`return rec, nil`: 0).
        Return statements are found by a byte search for the keyword (cheaper than a walk)."""
        f = self._pkg.file_of(func)
        root = f.tree.root_node
        for offset in word_offsets(f.src[func.start_byte:func.end_byte], b"return"):
            start = func.start_byte + offset
            node = root.named_descendant_for_byte_range(start, start + 6)
            if node is None or node.type != kinds.RETURN_STATEMENT or not node.named_children \
                    or enclosing_function(node) != func:
                continue
            values = node.named_children[0]
            results = values.named_children if values.type == kinds.EXPRESSION_LIST else [values]
            for i, result in enumerate(results):
                result = unparen(result)
                if result.type == kinds.IDENTIFIER and self._pkg.scopes.resolve(result) == carrier:
                    return i
        return None

    def _loop_around(self, node: Node) -> Node | None:
        """The innermost `for` whose body holds `node`, in the same function."""
        child, parent = node, node.parent
        while parent is not None and parent.type not in kinds.FUNCTION_KINDS:
            if parent.type == kinds.FOR_STATEMENT and child == parent.child_by_field_name(kinds.F_BODY):
                return parent
            child, parent = parent, parent.parent
        return None

    def _kept(self, loop: Node, carriers: set[Obj], value: Node | None = None,
              position: int = 0) -> tuple[Node, Node] | None:
        """(statement, container): walk the loop body for a statement that stores a carrier (or
        `value`, a call in the body, or a literal or local holding either) into a container
        rooted outside the loop."""
        body = loop.child_by_field_name(kinds.F_BODY)
        if body is None or _over_fixed_set(loop):
            return None
        if value is not None:
            stored = self._stored(value)
            holder = self._holder(stored, body, position)
            if holder is not None:
                carriers.add(holder)
            elif position == 0:
                kept = self._store(stored)
                return kept if kept is not None and self._outlives(kept[1], loop) else None
        if not carriers:
            return None
        queue = list(carriers)
        while queue:
            carrier = queue.pop()
            for node in self._uses(carrier, body):
                stored = self._stored(node)
                holder = self._holder(stored, body)
                if holder is not None:
                    if holder not in carriers:
                        carriers.add(holder)
                        queue.append(holder)
                    continue
                kept = self._store(stored)
                if kept is not None and self._outlives(kept[1], loop):
                    return kept
        return None

    def _uses(self, obj: Obj, body: Node) -> list[Node]:
        """Identifiers in `body` denoting `obj`, outside func literals (found by a byte search
        for the name: a walk of the body, for every map, cost more than the rest of the rule)."""
        f = self._pkg.file_of(body)
        root = f.tree.root_node
        func = enclosing_function(body)
        out: list[Node] = []
        name = obj.name.encode()
        for offset in word_offsets(f.src[body.start_byte:body.end_byte], name):
            start = body.start_byte + offset
            node = root.named_descendant_for_byte_range(start, start + len(name))
            if node is not None and node.type == kinds.IDENTIFIER and node != obj.ident \
                    and enclosing_function(node) == func and self._pkg.scopes.resolve(node) == obj:
                out.append(node)
        return out

    def _loop_of(self, obj: Obj) -> Node | None:
        """The innermost `for` whose body declares `obj`, in the function declaring it."""
        return self._loop_around(obj.ident) if obj.ident is not None else None

    def _stored(self, ident: Node) -> Node:
        """The value that stores `ident` as it is: `ident`, `*s` or `&s`, or the composite literal
        (and its `&`) holding it as an element (`&Sample{Labels: rec}`)."""
        node = ident
        while (parent := node.parent) is not None:
            if parent.type == kinds.KEYED_ELEMENT and node != parent.named_children[-1]:
                return ident  # a key of a literal, not its element
            if parent.type not in _WRAPPERS and not (parent.type == kinds.UNARY_EXPRESSION
                                                     and self._pkg.text(parent)[:1] in ("&", "*")):
                break
            node = parent
        return node if node.type in (kinds.COMPOSITE_LITERAL, kinds.UNARY_EXPRESSION) else ident

    def _holder(self, stored: Node, body: Node, position: int = 0) -> Obj | None:
        """`r := Record{Fields: rec}` in the loop body: r now holds the map; `rec, err := parse(b)`
        with `position` 0: rec holds what parse returns first."""
        if stored.type == kinds.IDENTIFIER:
            return None
        parent = stored.parent
        decl = parent.parent if parent is not None and parent.type == kinds.EXPRESSION_LIST else parent
        if decl is None or decl.type not in (kinds.SHORT_VAR_DECLARATION, kinds.VAR_SPEC):
            return None
        left = decl.child_by_field_name(kinds.F_LEFT) if decl.type == kinds.SHORT_VAR_DECLARATION \
            else decl.child_by_field_name(kinds.F_NAME)
        names = [c for c in (left.named_children if left is not None and left.type == kinds.EXPRESSION_LIST
                             else [left] if left is not None else []) if c.type == kinds.IDENTIFIER]
        if position >= len(names) or (position == 0 and len(names) != 1 and stored.type != kinds.CALL_EXPRESSION):
            return None
        obj = self._der.bound_once(names[position])
        if obj is None or obj.ident is None or obj.value is None or obj.value_index != position \
                or not body.start_byte <= obj.ident.start_byte < body.end_byte:
            return None
        return obj if unparen(obj.value) == unparen(stored) else None

    def _store(self, stored: Node) -> tuple[Node, Node] | None:
        """(statement, container) for `c = append(c, stored)` and `c[k] = stored`."""
        parent = stored.parent
        if parent is not None and parent.type == kinds.ARGUMENT_LIST:
            call = parent.parent
            args = [a for a in parent.named_children if a.type != kinds.COMMENT]
            fn = call.child_by_field_name(kinds.F_FUNCTION) if call is not None else None
            if call is None or fn is None or not self._pkg.scopes.is_builtin(unparen(fn), "append") \
                    or args[0] == stored:
                return None
            stmt = self._single_assignment(call)
            if stmt is None or not self._same(stmt[0], args[0]):
                return None
            return stmt[1], stmt[0]
        stmt = self._single_assignment(stored)
        if stmt is None or unparen(stmt[0]).type != kinds.INDEX_EXPRESSION:
            return None
        container = unparen(stmt[0]).child_by_field_name(kinds.F_OPERAND)
        return (stmt[1], container) if container is not None else None

    def _single_assignment(self, value: Node) -> tuple[Node, Node] | None:
        """For the sole right-hand side of `target = value`: (target, statement)."""
        parent = value.parent
        stmt = parent.parent if parent is not None and parent.type == kinds.EXPRESSION_LIST else None
        if parent is None or stmt is None or stmt.type != kinds.ASSIGNMENT_STATEMENT \
                or stmt.child_by_field_name(kinds.F_RIGHT) != parent:
            return None
        op = stmt.child_by_field_name(kinds.F_OPERATOR)
        left = stmt.child_by_field_name(kinds.F_LEFT)
        if op is None or self._pkg.text(op) != "=" or left is None or len(left.named_children) != 1 \
                or len(parent.named_children) != 1:
            return None
        return left.named_children[0], stmt

    def _outlives(self, container: Node, loop: Node) -> bool:
        """The container is rooted outside the loop and the loop never resets or prunes it."""
        root = unparen(container)
        while root.type in _PATH_KINDS:
            operand = root.child_by_field_name(kinds.F_OPERAND)
            if operand is None:
                return False
            root = unparen(operand)
        obj = self._pkg.scopes.resolve(root) if root.type == kinds.IDENTIFIER else None
        if obj is None or obj.kind is not ObjKind.VAR:
            return False
        if not obj.package_level and (obj.ident is None or loop.start_byte <= obj.ident.start_byte < loop.end_byte):
            return False
        base = unparen(container)
        while base.type == kinds.INDEX_EXPRESSION:
            operand = base.child_by_field_name(kinds.F_OPERAND)
            if operand is None:
                return False
            base = unparen(operand)
        return not self._reset_in(loop, container, base)

    def _reset_in(self, loop: Node, container: Node, base: Node) -> bool:
        """`out = out[:0]`, `batch = nil`, `delete(byID, k)`, `clear(c)` anywhere in the loop."""
        from golinter.parse import walk_named
        for node in walk_named(loop):
            if node.type == kinds.CALL_EXPRESSION:
                fn = node.child_by_field_name(kinds.F_FUNCTION)
                args = node.child_by_field_name(kinds.F_ARGUMENTS)
                first = args.named_children[0] if args is not None and args.named_children else None
                if fn is not None and first is not None and self._same(first, base) and \
                        (self._pkg.scopes.is_builtin(unparen(fn), "delete")
                         or self._pkg.scopes.is_builtin(unparen(fn), "clear")):
                    return True
            if node.type != kinds.ASSIGNMENT_STATEMENT:
                continue
            left = node.child_by_field_name(kinds.F_LEFT)
            right = node.child_by_field_name(kinds.F_RIGHT)
            lefts = left.named_children if left is not None else []
            rights = right.named_children if right is not None else []
            for i, target in enumerate(lefts):
                if not (self._same(target, base) or self._same(target, container)):
                    continue
                value = unparen(rights[i]) if len(rights) == len(lefts) else None
                if value is None or not self._appends_to(value, target):
                    return True
        return False

    def _appends_to(self, value: Node, target: Node) -> bool:
        if value.type != kinds.CALL_EXPRESSION:
            return False
        fn = value.child_by_field_name(kinds.F_FUNCTION)
        args = value.child_by_field_name(kinds.F_ARGUMENTS)
        first = args.named_children[0] if args is not None and args.named_children else None
        return fn is not None and first is not None and self._pkg.scopes.is_builtin(unparen(fn), "append") \
            and self._same(first, target)

    def _same(self, a: Node, b: Node) -> bool:
        """The same storage (`out` twice, `r.series[name]` twice)."""
        return self._pkg.storage.same(a, b) or self._der.same_value(a, b)


def same_function(a: Node, b: Node) -> bool:
    """`a` and `b` run in the same function body (no func literal between them)."""
    return enclosing_function(a) == enclosing_function(b)


def _over_fixed_set(loop: Node) -> bool:
    """`for _, name := range []string{"a", "b"}`: a handful of values written in the source, not
    a stream of records."""
    clause = next((c for c in loop.named_children if c.type == kinds.RANGE_CLAUSE), None)
    right = clause.child_by_field_name(kinds.F_RIGHT) if clause is not None else None
    return right is not None and unparen(right).type == kinds.COMPOSITE_LITERAL
