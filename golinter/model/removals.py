"""Removals: how code takes elements out of a slice, and what stays behind.

Facts for retention rules (GML005), shapes shown in each docstring:
- `removal_shape(value)`: for the right-hand side of `s = value`, which evident removal it is
  ("pop", "reset", "filter", "front", "middle", "helper", or a `slices` function name), "" when it
  is not evidently a removal (`s[:len(s)]`, `s[:n+1]`, `s[i:j]`);
- `helper_removes(decl)`: a same-package function that shrinks its first (slice) parameter;
- `zeroes_in_function(key, stmt)`: the function holding `stmt` zeroes slots of `key`;
- `refilled(key, stmt)`: after `s = s[:0]`, the function (or a callee, two levels) appends to s;
- `pointer_kind(t)`: "pointer" when values of t hold pointers the GC follows, "string" for
  strings only, "" for pointer-free or Unknown types;
- `head_known_nil(stmt, target)`: `s = s[1:]` where the code just checked that `s[0]` is nil (a
  queue whose abandoned slots are set to nil and skipped), so the dropped element holds nothing.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.bounds import preceding
from golinter.model.filters import filled_at, keeps_every
from golinter.model.mutations import Mutations, Op
from golinter.model.package import enclosing_function
from golinter.model.spawnplaces import statements_after
from golinter.model.typelite import unparen
from golinter.model.types import (
    UNKNOWN,
    Array,
    Basic,
    Chan,
    Func,
    Interface,
    Map,
    Pointer,
    Slice,
    Struct,
    Type,
    TypeParam,
)

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package
    from golinter.model.storage import StorageKey


SLICES_REMOVERS = frozenset({"Delete", "DeleteFunc", "Compact", "CompactFunc"})


def removal_shape(pkg: Package, value: Node, *, helpers: bool = True) -> str:
    """"pop" `s[:len(s)-1]`, "reset" `s[:0]`, "filter" `s[:n]` after `s[n] = x` (an in-place
    filter), "front" `s[i:]`, "middle" `append(s[:i], s[j:]...)` with j evidently past i (see
    `drops_middle`), "helper" (a same-package function shrinking its argument; only with
    `helpers`), or the slices function; "" for anything else (`s[:len(s)]`, `s[:n+1]`, `s[i:j]`,
    insertions `append(s[:i], append([]T{x}, s[i:]...)...)`)."""
    v = unparen(value)
    if v.type == kinds.CALL_EXPRESSION:
        fn = v.child_by_field_name(kinds.F_FUNCTION)
        args = v.child_by_field_name(kinds.F_ARGUMENTS)
        first = args.named_children[0] if args is not None and args.named_children else None
        if fn is None or first is None:
            return ""
        q = pkg.types.qualified(fn)
        if q is not None:
            return q[1] if q[0] == "slices" and q[1] in SLICES_REMOVERS else ""
        if pkg.scopes.is_builtin(fn, "append"):
            return "middle" if drops_middle(pkg, v) else ""
        decl = pkg.types.callee_decl(v) if helpers else None
        return "helper" if decl is not None and helper_removes(pkg, decl) else ""
    start = v.child_by_field_name(kinds.F_START)
    end = v.child_by_field_name(kinds.F_END)
    operand = v.child_by_field_name(kinds.F_OPERAND)
    if operand is None or v.child_by_field_name(kinds.F_CAPACITY) is not None:
        return ""
    zero_start = start is None or pkg.consts.int_value(start) == 0
    if end is None or is_len_of(pkg, end, operand):
        return "" if zero_start else "front"
    if not zero_start:
        return ""  # a window `s[i:j]`: whether it shrinks is not evident
    if pkg.consts.int_value(end) == 0:
        return "reset"
    if _is_len_minus(pkg, end, operand):
        return "pop"
    if unparen(end).type == kinds.IDENTIFIER:
        assign = filled_at(pkg, operand, unparen(end))
        if assign is not None and not keeps_every(pkg, assign, operand, unparen(end)):
            return "filter"
    return ""  # `s[:n]` for an n of unknown relation to len(s) may grow the slice


def drops_middle(pkg: Package, call: Node) -> bool:
    """`append(s[:i], s[j:]...)` where the tail `s[j:]` (or `s[j:len(s)]`) is the same storage as
    the head `s[:i]` and j is evidently past i: constants (`s[:0]`, `s[1:]`), `i` and `i+1` (or
    `i-1` and `i`), `i` and `i+k`. Not insertions or remove-and-insert (`append(s[:i],
    append([]T{x}, s[i:]...)...)`: the length does not shrink), full slice expressions (`s[:i:i]`
    copies) or tails of unknown relation (`s[j:]` after a search)."""
    args = call.child_by_field_name(kinds.F_ARGUMENTS)
    parts = [a for a in (args.named_children if args is not None else []) if a.type != kinds.COMMENT]
    if len(parts) != 2 or parts[1].type != kinds.VARIADIC_ARGUMENT or not parts[1].named_children:
        return False
    head, tail = unparen(parts[0]), unparen(parts[1].named_children[0])
    if head.type != kinds.SLICE_EXPRESSION or tail.type != kinds.SLICE_EXPRESSION:
        return False
    if head.child_by_field_name(kinds.F_CAPACITY) is not None or tail.child_by_field_name(kinds.F_CAPACITY) is not None:
        return False
    h_operand, t_operand = head.child_by_field_name(kinds.F_OPERAND), tail.child_by_field_name(kinds.F_OPERAND)
    if h_operand is None or t_operand is None or not pkg.storage.same(h_operand, t_operand):
        return False
    h_start, i = head.child_by_field_name(kinds.F_START), head.child_by_field_name(kinds.F_END)
    j, t_end = tail.child_by_field_name(kinds.F_START), tail.child_by_field_name(kinds.F_END)
    if h_start is not None and pkg.consts.int_value(h_start) != 0:
        return False
    if i is None or j is None or (t_end is not None and not is_len_of(pkg, t_end, t_operand)):
        return False
    return _evidently_past(pkg, j, i)


def _evidently_past(pkg: Package, j: Node, i: Node) -> bool:
    """j > i for every value: both constants, the same base with larger constant offset
    (`i+1` past `i`), or `i + k` for a non-constant k (a count of dropped elements)."""
    ci, cj = pkg.consts.int_value(i), pkg.consts.int_value(j)
    if ci is not None or cj is not None:
        return ci is not None and cj is not None and cj > ci
    base_i, off_i = _linear(pkg, i)
    base_j, off_j = _linear(pkg, j)
    if _same_value(pkg, base_i, base_j):
        return off_j > off_i
    jj = unparen(j)
    op = jj.child_by_field_name(kinds.F_OPERATOR) if jj.type == kinds.BINARY_EXPRESSION else None
    if op is None or pkg.text(op) != "+":
        return False
    left, right = jj.child_by_field_name(kinds.F_LEFT), jj.child_by_field_name(kinds.F_RIGHT)
    return left is not None and right is not None and any(
        _same_value(pkg, side, i) and unparen(other).type in (kinds.IDENTIFIER, kinds.SELECTOR_EXPRESSION)
        for side, other in ((left, right), (right, left)))


def _linear(pkg: Package, expr: Node) -> tuple[Node, int]:
    """`x + c`, `c + x`, `x - c` as (x, ±c) for a constant c; anything else as (expr, 0)."""
    e = unparen(expr)
    op = e.child_by_field_name(kinds.F_OPERATOR) if e.type == kinds.BINARY_EXPRESSION else None
    left, right = e.child_by_field_name(kinds.F_LEFT), e.child_by_field_name(kinds.F_RIGHT)
    if op is None or left is None or right is None or pkg.text(op) not in ("+", "-"):
        return e, 0
    c = pkg.consts.int_value(right)
    if c is not None:
        return unparen(left), c if pkg.text(op) == "+" else -c
    c = pkg.consts.int_value(left)
    if c is not None and pkg.text(op) == "+":
        return unparen(right), c
    return e, 0


def _same_value(pkg: Package, a: Node, b: Node) -> bool:
    """The same variable (`i` and `i`), or the same field chain of variables (`q.head`)."""
    a, b = unparen(a), unparen(b)
    if a.type == kinds.IDENTIFIER and b.type == kinds.IDENTIFIER:
        return pkg.scopes.same_object(a, b)
    if a.type != kinds.SELECTOR_EXPRESSION or b.type != kinds.SELECTOR_EXPRESSION or pkg.text(a) != pkg.text(b):
        return False
    root = a
    while root.type == kinds.SELECTOR_EXPRESSION:
        operand = root.child_by_field_name(kinds.F_OPERAND)
        if operand is None:
            return False
        root = operand
    return root.type == kinds.IDENTIFIER


def _is_len_minus(pkg: Package, end: Node, operand: Node) -> bool:
    """`len(s)-1`, with `last := len(s) - 1` or `n := len(s)` (`s[:n-1]`) standing for their values."""
    e = _value_of(pkg, unparen(end))
    if e.type != kinds.BINARY_EXPRESSION:
        return False
    op = e.child_by_field_name(kinds.F_OPERATOR)
    left = e.child_by_field_name(kinds.F_LEFT)
    return op is not None and pkg.text(op) == "-" and left is not None \
        and is_len_of(pkg, _value_of(pkg, unparen(left)), operand)


def _value_of(pkg: Package, e: Node) -> Node:
    """For a variable declared once by `x := v` in a statement list or an if's initializer (not a
    loop counter), v; otherwise e itself."""
    if e.type != kinds.IDENTIFIER:
        return e
    obj = pkg.scopes.resolve(e)
    if obj is None or obj.value is None or obj.value_count != 1 or obj.decl is None \
            or obj.decl.type != kinds.SHORT_VAR_DECLARATION or obj.decl.parent is None \
            or obj.decl.parent.type not in (kinds.STATEMENT_LIST, kinds.IF_STATEMENT):
        return e
    return unparen(obj.value)


def helper_removes(pkg: Package, decl: Node) -> bool:
    """`func remove(subs []*Sub, s *Sub) []*Sub` that returns, or assigns back to its first
    parameter, an evident removal from it (see `removal_shape`): `return append(subs[:i],
    subs[i+1:]...)`, `subs = subs[:n]`, `return slices.Delete(subs, i, i+1)`. Insertions
    (`append(subs[:i], append([]*Sub{s}, subs[i:]...)...)`) are not removals."""
    from golinter.parse import walk_named
    params = decl.child_by_field_name(kinds.F_PARAMETERS)
    body = decl.child_by_field_name(kinds.F_BODY)
    first = next((p for p in (params.named_children if params is not None else [])
                  if p.type == kinds.PARAMETER_DECLARATION), None)
    names = first.children_by_field_name(kinds.F_NAME) if first is not None else []
    if not names or body is None:
        return False
    param = pkg.scopes.resolve(names[0])
    if param is None:
        return False
    for node in walk_named(body, frozenset({kinds.FUNC_LITERAL})):
        value: Node | None = None
        if node.type == kinds.RETURN_STATEMENT:
            results = next((c for c in node.named_children if c.type == kinds.EXPRESSION_LIST), None)
            value = results.named_children[0] if results is not None and results.named_children else None
        elif node.type == kinds.ASSIGNMENT_STATEMENT:
            left, right = node.child_by_field_name(kinds.F_LEFT), node.child_by_field_name(kinds.F_RIGHT)
            if left is not None and right is not None and len(left.named_children) == 1 == len(right.named_children) \
                    and unparen(left.named_children[0]).type == kinds.IDENTIFIER \
                    and pkg.scopes.resolve(unparen(left.named_children[0])) == param:
                value = right.named_children[0]
        target = _removed_from(value) if value is not None else None
        if value is not None and target is not None and unparen(target).type == kinds.IDENTIFIER \
                and pkg.scopes.resolve(unparen(target)) == param and removal_shape(pkg, value, helpers=False):
            return True
    return False


def _removed_from(value: Node) -> Node | None:
    """The slice a removal value takes from: `s` in `s[:n]`, `append(s[:i], ...)`, `slices.Delete(s, ...)`."""
    v = unparen(value)
    if v.type == kinds.CALL_EXPRESSION:
        args = v.child_by_field_name(kinds.F_ARGUMENTS)
        first = next((a for a in (args.named_children if args is not None else []) if a.type != kinds.COMMENT), None)
        if first is None:
            return None
        v = unparen(first)
    return v.child_by_field_name(kinds.F_OPERAND) if v.type == kinds.SLICE_EXPRESSION else v


def is_len_of(pkg: Package, expr: Node | None, operand: Node) -> bool:
    """`len(s)` of the same storage as `operand`."""
    if expr is None or unparen(expr).type != kinds.CALL_EXPRESSION:
        return False
    call = unparen(expr)
    fn = call.child_by_field_name(kinds.F_FUNCTION)
    args = call.child_by_field_name(kinds.F_ARGUMENTS)
    if fn is None or args is None or not pkg.scopes.is_builtin(fn, "len") or len(args.named_children) != 1:
        return False
    return pkg.storage.same(args.named_children[0], operand)


def zeroes_in_function(pkg: Package, key: StorageKey, stmt: Node) -> bool:
    """`s[len(s)-1] = nil`, `clear(s[n:])`, `clear(s)`, `s[i] = T{}` in the same function (on a
    slice, `clear(s)` zeroes every element up to its length)."""
    top = top_function(stmt)
    return top is not None and any((u.op is Op.ZERO and u.detail != "copy") or u.op is Op.CLEAR
                                   for u in Mutations.of(pkg).uses_in(key, top))


def handed_out_whole(pkg: Package, key: StorageKey, stmt: Node) -> bool:
    """`items := s; s = s[:0]; return items` (gf's GetRegisteredCallbacks): the function copies the
    slice's header before emptying it and returns the copy, so the slots it empties are its
    result, held by the caller (clearing them would break it)."""
    top = top_function(stmt)
    uses = Mutations.of(pkg).uses_in(key, top) if top is not None else ()
    src = pkg.file_of(stmt).src
    aliases = {u.detail[len("copy:"):].encode() for u in uses
               if u.op is Op.READ and u.detail.startswith("copy:") and u.start < stmt.start_byte}
    return any(u.op is Op.ESCAPE and u.detail == "return" and u.start > stmt.start_byte
               and src[u.start:u.end] in aliases for u in uses)


def refilled(pkg: Package, key: StorageKey, stmt: Node) -> bool:
    """After `s = s[:0]`, the same function appends to s, or a same-package function it calls
    does (two call levels: `expand1` calling `expand0`), or every caller of the function
    assigns the field right after the call (`req.reset(); req.Entries = entries`)."""
    from golinter.parse import walk_named
    func = top_function(stmt)
    if func is None:
        return False
    if key.is_field and _callers_replace(pkg, key, func):
        return True
    mutations = Mutations.of(pkg)
    if any(u.op is Op.APPEND and u.start > stmt.start_byte for u in mutations.uses_in(key, func)):
        return True
    todo: list[tuple[Node, int, int]] = [(func, stmt.end_byte, 0)]
    seen = {func.id}
    while todo:
        current, after, depth = todo.pop()
        for node in walk_named(current):
            if node.type != kinds.CALL_EXPRESSION or node.start_byte < after:
                continue
            decl = pkg.types.callee_decl(node)
            if decl is None or decl.id in seen:
                continue
            seen.add(decl.id)
            if any(u.op is Op.APPEND for u in mutations.uses_in(key, decl)):
                return True
            if depth < 1:
                todo.append((decl, decl.start_byte, depth + 1))
    return False


def _callers_replace(pkg: Package, key: StorageKey, func: Node) -> bool:
    """Every same-package call of `func` (at least one, outside tests) is a statement followed
    directly by `X.f = ...` of the field `key`: the reset slice is dropped for a new one."""
    from golinter.model.origins import Origins
    calls = Origins.of(pkg).calls_to(func)
    if not calls:
        return False
    for call in calls:
        stmt = call.parent
        rest = statements_after(stmt) if stmt is not None and stmt.type == kinds.EXPRESSION_STATEMENT else None
        nxt = rest[0] if rest else None
        if nxt is None or nxt.type != kinds.ASSIGNMENT_STATEMENT:
            return False
        op = nxt.child_by_field_name(kinds.F_OPERATOR)
        left = nxt.child_by_field_name(kinds.F_LEFT)
        if (op is not None and pkg.text(op) != "=") or left is None \
                or not any(pkg.storage.key(t) == key for t in left.named_children):
            return False
    return True


def refilled_at_once(pkg: Package, key: StorageKey, stmt: Node) -> bool:
    """The one-element removal `stmt` (`s = s[:last]`, `s = append(s[:i], s[i+1:]...)`) is
    followed on every path by `s = append(s, x)`, which writes the vacated slot again (the
    capacity did not change): in the same statement list with nothing that may jump in between,
    after the if or else arm that ends with it, or after a `break` that ends the loop holding it
    or a `goto` forward to a label (remove,
    then re-add at the end: `for i, r := range known { if r.host == h { ...; known =
    known[:last]; break } }` then `known = append(known, r)`)."""
    lst, after = stmt.parent, stmt.end_byte
    for _hop in range(8):
        if lst is None or lst.type != kinds.STATEMENT_LIST:
            return False
        resume: tuple[Node | None, int] | None = None
        for later in lst.named_children:
            if later.start_byte < after or later.type == kinds.COMMENT:
                continue
            if appends_one(pkg, key, _unlabeled(later)):
                return True
            if later.type == kinds.BREAK_STATEMENT and not later.named_children:
                loop = _loop_broken(lst)
                resume = (loop.parent, loop.end_byte) if loop is not None else None
                break
            if later.type == kinds.GOTO_STATEMENT:
                target = _label_target(pkg, later)
                resume = (target.parent, target.start_byte) if target is not None else None
                break
            if may_jump(pkg, later):
                return False
        else:
            resume = _after_if(lst)  # the end of an if or else arm: the path goes on after the if
        if resume is None:
            return False
        lst, after = resume
    return False


def _after_if(lst: Node) -> tuple[Node | None, int] | None:
    """For the statements of an if or else arm, where the path goes on: after the whole if
    (the outermost of an else-if chain), in the statement list holding it."""
    block = lst.parent
    node = block.parent if block is not None and block.type == kinds.BLOCK else None
    if node is None or node.type != kinds.IF_STATEMENT:
        return None
    while node.parent is not None and node.parent.type == kinds.IF_STATEMENT:
        node = node.parent
    return node.parent, node.end_byte


def _unlabeled(stmt: Node) -> Node:
    """`found: s = append(s, x)` -> the assignment."""
    if stmt.type == kinds.LABELED_STATEMENT:
        inner = [c for c in stmt.named_children if c.type not in (kinds.LABEL_NAME, kinds.COMMENT)]
        if inner:
            return inner[0]
    return stmt


def _label_target(pkg: Package, goto: Node) -> Node | None:
    """The labeled statement a `goto` jumps forward to, in a statement list holding the goto."""
    label = next((c for c in goto.named_children if c.type == kinds.LABEL_NAME), None)
    if label is None:
        return None
    name = pkg.text(label)
    node = goto.parent
    while node is not None and node.type not in kinds.FUNCTION_KINDS:
        if node.type == kinds.STATEMENT_LIST:
            for c in node.named_children:
                if c.type == kinds.LABELED_STATEMENT and c.start_byte > goto.end_byte:
                    own = c.child_by_field_name(kinds.F_LABEL)
                    if own is not None and pkg.text(own) == name:
                        return c
        node = node.parent
    return None


def appends_one(pkg: Package, key: StorageKey, stmt: Node) -> bool:
    """`s = append(s, x)`: one element, no spread."""
    return appended_one(pkg, key, stmt) is not None


def appended_one(pkg: Package, key: StorageKey, stmt: Node) -> Node | None:
    """`x` of `s = append(s, x)` (one element, no spread), else None."""
    values = appended_values(pkg, key, stmt)
    if values is None or len(values) != 1 or b"..." in pkg.file_of(stmt).src[values[0].start_byte:stmt.end_byte]:
        return None
    return values[0]


def appended_values(pkg: Package, key: StorageKey, stmt: Node) -> list[Node] | None:
    """What `s = append(s, ...)` appends to storage `key` (`xs` of `append(s, xs...)` too), else None."""
    if stmt.type != kinds.ASSIGNMENT_STATEMENT:
        return None
    left, right = stmt.child_by_field_name(kinds.F_LEFT), stmt.child_by_field_name(kinds.F_RIGHT)
    op = stmt.child_by_field_name(kinds.F_OPERATOR)
    if left is None or right is None or (op is not None and pkg.text(op) != "=") \
            or len(left.named_children) != 1 or len(right.named_children) != 1:
        return None
    call = unparen(right.named_children[0])
    fn = call.child_by_field_name(kinds.F_FUNCTION) if call.type == kinds.CALL_EXPRESSION else None
    args = call.child_by_field_name(kinds.F_ARGUMENTS) if fn is not None else None
    if fn is None or args is None or not pkg.scopes.is_builtin(fn, "append"):
        return None
    values = [a for a in args.named_children if a.type != kinds.COMMENT]
    if len(values) < 2 or not pkg.storage.key(left.named_children[0]) == key == pkg.storage.key(values[0]):
        return None
    return values[1:]


def if_around(stmt: Node) -> Node | None:
    """The if statement whose consequence block holds `stmt` directly, or None."""
    lst = stmt.parent
    block = lst.parent if lst is not None and lst.type == kinds.STATEMENT_LIST else None
    branch = block.parent if block is not None and block.type == kinds.BLOCK else None
    if branch is None or branch.type != kinds.IF_STATEMENT or branch.child_by_field_name(kinds.F_CONSEQUENCE) != block:
        return None
    return branch


def _loop_broken(lst: Node) -> Node | None:
    """The for statement an unlabeled `break` in `lst` leaves (None inside a switch or select,
    whose `break` ends only them, or a func literal)."""
    node = lst.parent
    while node is not None:
        if node.type == kinds.FOR_STATEMENT:
            return node
        if node.type in (kinds.EXPRESSION_SWITCH_STATEMENT, kinds.TYPE_SWITCH_STATEMENT, kinds.SELECT_STATEMENT,
                         kinds.FUNC_LITERAL) or node.type in kinds.TOP_FUNCTION_KINDS:
            return None
        node = node.parent
    return None


_JUMPS = (b"return", b"goto", b"continue", b"break", b"panic", b"Exit", b"Fatal")


def may_jump(pkg: Package, stmt: Node) -> bool:
    """A statement that may leave the path (by its words: conservative)."""
    src = pkg.file_of(stmt).src
    return any(src.find(word, stmt.start_byte, stmt.end_byte) >= 0 for word in _JUMPS)


def top_function(node: Node) -> Node | None:
    func = enclosing_function(node)
    while func is not None and func.type == kinds.FUNC_LITERAL:
        func = enclosing_function(func)
    return func


def pointer_kind(pkg: Package, t: Type) -> str:
    """"pointer" when values of t hold pointers the GC follows (pointers, slices, maps, chans,
    funcs, interfaces, structs or arrays holding any), "string" for strings only, "" for
    pointer-free or Unknown types."""
    stack: list[tuple[Type, int]] = [(t, 0)]
    found = ""
    while stack:
        current, depth = stack.pop()
        u = pkg.types.underlying(current)
        if u is UNKNOWN or isinstance(u, TypeParam) or depth > 4:
            return ""
        if isinstance(u, (Pointer, Slice, Map, Chan, Func, Interface)):
            return "pointer"
        if isinstance(u, Basic) and u.name in ("string", "untyped string"):
            found = "string"
        elif isinstance(u, Struct):
            stack += [(f.type, depth + 1) for f in u.fields]
        elif isinstance(u, Array):
            stack.append((u.elem, depth + 1))
    return found


_LEAVES = (kinds.RETURN_STATEMENT, kinds.BREAK_STATEMENT, kinds.CONTINUE_STATEMENT, kinds.GOTO_STATEMENT)


def head_known_nil(pkg: Package, stmt: Node, target: Node) -> bool:
    """`if s[0] != nil { return s[0] }; s = s[1:]`, or `if s[0] == nil { s = s[1:]; ... }`: the
    front removal `stmt` drops an element the code just saw was nil."""
    value = stmt.child_by_field_name(kinds.F_RIGHT)
    slice_expr = unparen(value.named_children[0]) if value is not None and value.named_children else None
    start = slice_expr.child_by_field_name(kinds.F_START) if slice_expr is not None \
        and slice_expr.type == kinds.SLICE_EXPRESSION else None
    if start is None or pkg.consts.int_value(start) != 1:
        return False
    name = pkg.text(target)
    before = next(preceding(stmt), None)
    if before is not None and before.type == kinds.IF_STATEMENT and _head_test(pkg, before, name) == "!=" \
            and before.child_by_field_name(kinds.F_ALTERNATIVE) is None:
        body = before.child_by_field_name(kinds.F_CONSEQUENCE)
        lst = next((c for c in body.named_children if c.type == kinds.STATEMENT_LIST), None) if body is not None else None
        last = [c for c in lst.named_children if c.type != kinds.COMMENT][-1:] if lst is not None else []
        return bool(last) and last[0].type in _LEAVES
    branch = if_around(stmt)
    lst = stmt.parent
    first = next((c for c in lst.named_children if c.type != kinds.COMMENT), None) if lst is not None else None
    return branch is not None and first == stmt and _head_test(pkg, branch, name) == "=="


def _head_test(pkg: Package, branch: Node, name: str) -> str:
    """The operator of an if's condition `name[0] != nil` / `name[0] == nil` ("" for anything else)."""
    cond = branch.child_by_field_name(kinds.F_CONDITION)
    cond = unparen(cond) if cond is not None else None
    if cond is None or cond.type != kinds.BINARY_EXPRESSION or branch.child_by_field_name(kinds.F_INITIALIZER):
        return ""
    left, right = cond.child_by_field_name(kinds.F_LEFT), cond.child_by_field_name(kinds.F_RIGHT)
    op = cond.child_by_field_name(kinds.F_OPERATOR)
    if left is None or right is None or op is None or right.type != kinds.NIL:
        return ""
    left = unparen(left)
    index = left.child_by_field_name(kinds.F_INDEX) if left.type == kinds.INDEX_EXPRESSION else None
    operand = left.child_by_field_name(kinds.F_OPERAND) if index is not None else None
    if operand is None or index is None or pkg.text(operand) != name or pkg.consts.int_value(index) != 0:
        return ""
    return pkg.text(op)
