"""GML005 pointer-retained-after-delete: values that stay reachable after the code removed them.

User prose: rules/GML005-pointer-retained-after-delete.md. Four shapes, on long-lived storage only:
1. also-held: a value put into map M is also appended to / inserted into collection C in the
   same function; M is deleted from, C is never pruned anywhere -> warning on the add to C;
2. tombstone: `M[k] = nil` on a map of pointer-like values -> note (silent when the package
   reads M with comma-ok, ranges its keys or takes len(M): nil then means "known missing");
3. slice removal by reslicing (`s = s[:len(s)-1]`, `s = s[1:]`, `s = append(s[:i], s[i+1:]...)`,
   `s = s[:n]`) of pointer-like elements without zeroing the dropped slots in the function ->
   warning (string elements: note);
4. a map of slices whose slice is shrunk in place but whose key is never deleted -> note.
Model facts: storage identity, lifetimes, mutations (package-wide uses), type-lite, scopes.
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.checks.base import Nature, Precision, Rule
from golinter.findings import Level
from golinter.model.mutations import Mutations, Op, Use
from golinter.model.package import enclosing_function
from golinter.model.typelite import unparen
from golinter.model.types import (
    UNKNOWN, Array, Basic, Chan, Func, Interface, Map, Pointer, Slice, Struct, Type, TypeParam,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tree_sitter import Node, Query

    from golinter.findings import Finding
    from golinter.model.package import Package
    from golinter.model.storage import StorageKey
    from golinter.parse import Match

RULE = Rule(code="GML005", name="pointer-retained-after-delete",
            summary="removed values stay reachable from long-lived storage",
            nature=Nature.MEMORY, level=Level.WARNING, precision=Precision.HIGH)

QUERY = """
(assignment_statement
  left: (expression_list . (index_expression operand: (_) @gml005.map index: (_) @gml005.key) .)
  right: (expression_list . (nil) .)) @gml005.tombstone
(assignment_statement
  left: (expression_list . (_) @gml005.target .)
  right: (expression_list . (slice_expression operand: (_) @gml005.operand) @gml005.value .)) @gml005.reslice
(assignment_statement
  left: (expression_list . (_) @gml005.target .)
  right: (expression_list . (call_expression
    function: (identifier) @_append (#eq? @_append "append")
    arguments: (argument_list . (slice_expression operand: (_) @gml005.operand))) @gml005.value .)) @gml005.reslice
(assignment_statement
  left: (expression_list . (_) @gml005.target .)
  right: (expression_list . (call_expression
    function: (selector_expression field: (field_identifier) @_del
      (#any-of? @_del "Delete" "DeleteFunc" "Compact" "CompactFunc"))
    arguments: (argument_list . (_) @gml005.operand)) @gml005.value .)) @gml005.reslice
(assignment_statement
  left: (expression_list . (index_expression) @gml005.target .)
  right: (expression_list . (call_expression
    function: (identifier) @_helper (#not-eq? @_helper "append")
    arguments: (argument_list . (index_expression) @gml005.operand)) @gml005.value .)) @gml005.reslice
(assignment_statement
  left: (expression_list . (_) @gml005.coll .)
  right: (expression_list . (call_expression
    function: (identifier) @_add (#eq? @_add "append")
    arguments: (argument_list . (_) @gml005.base (identifier) @gml005.held)) .)) @gml005.add
(assignment_statement
  left: (expression_list . (index_expression operand: (_) @gml005.coll index: (_) @gml005.index) .)
  right: (expression_list . (identifier) @gml005.held .)) @gml005.add
"""

_INSERTS = """
(assignment_statement
  left: (expression_list . (index_expression operand: (_) @map index: (_) @key) .)
  right: (expression_list . (_) @value .)) @insert
"""


@lru_cache(maxsize=1)
def _inserts_query() -> Query:
    from golinter.parse import compile_query
    return compile_query(_INSERTS)


def run(pkg: Package) -> Iterator[Finding]:
    for hit in pkg.matches(RULE, include_tests=False):
        if "gml005.tombstone" in hit:
            yield from _tombstone(pkg, hit)
        elif "gml005.reslice" in hit:
            yield from _reslice(pkg, hit)
        elif "gml005.add" in hit:
            yield from _also_held(pkg, hit)


# -- 2. tombstones -------------------------------------------------------------------------------

def _tombstone(pkg: Package, hit: Match) -> Iterator[Finding]:
    """`s.sessions[id] = nil` on a long-lived map of pointer-like values, never read with comma-ok,
    ranged over for its keys or measured with len (then nil is a deliberate "known missing")."""
    map_type = pkg.types.expr_map(hit["gml005.map"])
    key = pkg.storage.key(hit["gml005.map"])
    if map_type is None or key is None or "[]" in key.path or not pkg.lifetimes.is_long_lived(key):
        return
    if _pointers(pkg, map_type.elem) != "pointer" or pkg.lifetimes.is_fresh_owner(hit["gml005.map"]):
        return
    if Mutations.of(pkg).ops(key) & {Op.COMMA_OK, Op.RANGE_KEYS, Op.LEN, Op.LEN_BOUND, Op.ESCAPE}:
        return
    name, k = pkg.text(hit["gml005.map"]), pkg.text(hit["gml005.key"])
    yield pkg.finding(RULE, hit["gml005.tombstone"],
                      f"{name}[{k}] = nil keeps the key and its slot in {name} forever; use delete({name}, {k}), "
                      "which drops the key and zeroes the slot", level=Level.NOTE)


# -- 3. and 4. removals by reslicing ---------------------------------------------------------------

def _reslice(pkg: Package, hit: Match) -> Iterator[Finding]:
    target, operand, value = hit["gml005.target"], hit["gml005.operand"], hit["gml005.value"]
    key = pkg.storage.key(target)
    if key is None or key != pkg.storage.key(operand):
        return
    shape = _removal_shape(pkg, value)
    if not shape:
        return
    inner = unparen(target)
    if inner.type == kinds.INDEX_EXPRESSION:
        yield from _emptied_key(pkg, hit, inner)
        return
    if "[]" in key.path or shape == "helper":
        return
    slice_type = pkg.types.underlying(pkg.types.type_of(target))
    kind = _pointers(pkg, slice_type.elem) if isinstance(slice_type, Slice) else ""
    if not kind or (kind == "string" and shape in ("front", "reset")):
        return  # consumed arguments and reused string buffers: nothing worth a note
    if not pkg.lifetimes.is_long_lived(key) or pkg.lifetimes.is_fresh_owner(target):
        return
    if _zeroes_in_function(pkg, key, hit["gml005.reslice"]):
        return
    if shape == "reset" and _refilled(pkg, key, hit["gml005.reslice"]):
        return  # `s = s[:0]` then appends: the reuse idiom overwrites the slots
    if shape in _SLICES_FUNCS and (pkg.lang_version(value) >= (1, 22) or pkg.runtime_version >= (1, 22)):
        return  # slices.Delete and friends zero the tail since Go 1.22
    name = pkg.text(target)
    what = "strings" if kind == "string" else "pointers"
    yield pkg.finding(RULE, hit["gml005.reslice"],
                      f"this removal from {name} leaves the dropped {what} in its backing array, where they stay "
                      f"reachable until it is reallocated; {_advice(pkg, shape, name, value)}",
                      level=Level.NOTE if kind == "string" else Level.WARNING)


_SLICES_FUNCS = frozenset({"Delete", "DeleteFunc", "Compact", "CompactFunc"})


def _removal_shape(pkg: Package, value: Node) -> str:
    """"pop" `s[:len(s)-1]`, "reset" `s[:0]`, "filter" `s[:n]` after `s[n] = x` (an in-place
    filter), "front" `s[i:]`, "middle" `append(s[:i], s[j:]...)`, "helper" (a same-package
    function shrinking its argument), or the slices function; "" for anything else (`s[:len(s)]`,
    `s[:n+1]`, `s[i:j]`)."""
    v = unparen(value)
    if v.type == kinds.CALL_EXPRESSION:
        fn = v.child_by_field_name(kinds.F_FUNCTION)
        args = v.child_by_field_name(kinds.F_ARGUMENTS)
        first = args.named_children[0] if args is not None and args.named_children else None
        if fn is None or first is None:
            return ""
        q = pkg.types.qualified(fn)
        if q is not None:
            return q[1] if q[0] == "slices" and q[1] in _SLICES_FUNCS else ""
        if pkg.scopes.is_builtin(fn, "append"):
            return "middle" if unparen(first).type == kinds.SLICE_EXPRESSION else ""
        decl = pkg.types.callee_decl(v)
        return "helper" if decl is not None and _helper_removes(pkg, decl) else ""
    start = v.child_by_field_name(kinds.F_START)
    end = v.child_by_field_name(kinds.F_END)
    operand = v.child_by_field_name(kinds.F_OPERAND)
    if operand is None or v.child_by_field_name(kinds.F_CAPACITY) is not None:
        return ""
    zero_start = start is None or pkg.consts.int_value(start) == 0
    if end is None or _is_len_of(pkg, end, operand):
        return "" if zero_start else "front"
    if not zero_start:
        return ""  # a window `s[i:j]`: whether it shrinks is not evident
    if pkg.consts.int_value(end) == 0:
        return "reset"
    if _is_len_minus(pkg, end, operand):
        return "pop"
    if unparen(end).type == kinds.IDENTIFIER and _filled_at(pkg, operand, unparen(end)):
        return "filter"
    return ""  # `s[:n]` for an n of unknown relation to len(s) may grow the slice


def _is_len_minus(pkg: Package, end: Node, operand: Node) -> bool:
    """`len(s)-1`, or `last` declared as `last := len(s) - 1` (not a loop counter)."""
    e = unparen(end)
    if e.type == kinds.IDENTIFIER:
        obj = pkg.scopes.resolve(e)
        if obj is None or obj.value is None or obj.value_count != 1 or obj.decl is None \
                or obj.decl.type != kinds.SHORT_VAR_DECLARATION or obj.decl.parent is None \
                or obj.decl.parent.type != kinds.STATEMENT_LIST:
            return False
        e = unparen(obj.value)
    if e.type != kinds.BINARY_EXPRESSION:
        return False
    op = e.child_by_field_name(kinds.F_OPERATOR)
    return op is not None and pkg.text(op) == "-" and _is_len_of(pkg, e.child_by_field_name(kinds.F_LEFT), operand)


def _filled_at(pkg: Package, operand: Node, n: Node) -> bool:
    """An in-place filter before `s = s[:n]`: the function assigns `s[n] = x`."""
    from golinter.parse import walk_named
    func = enclosing_function(operand)
    body = func.child_by_field_name(kinds.F_BODY) if func is not None else None
    if body is None:
        return False
    for node in walk_named(body):
        if node.start_byte >= operand.start_byte:
            break
        if node.type == kinds.INDEX_EXPRESSION and node.parent is not None \
                and node.parent.type == kinds.EXPRESSION_LIST and node.parent.parent is not None \
                and node.parent.parent.type == kinds.ASSIGNMENT_STATEMENT:
            index = node.child_by_field_name(kinds.F_INDEX)
            target = node.child_by_field_name(kinds.F_OPERAND)
            if index is not None and target is not None and index.type == kinds.IDENTIFIER \
                    and pkg.scopes.same_object(index, n) and pkg.storage.same(target, operand):
                return True
    return False


def _helper_removes(pkg: Package, decl: Node) -> bool:
    """`func remove(subs []*Sub, s *Sub) []*Sub` whose body shrinks its first parameter:
    `append(subs[:i], subs[i+1:]...)`, `subs[:n]`, `slices.Delete(subs, ...)`."""
    from golinter.parse import walk_named
    params = decl.child_by_field_name(kinds.F_PARAMETERS)
    body = decl.child_by_field_name(kinds.F_BODY)
    first = next((p for p in (params.named_children if params is not None else [])
                  if p.type == kinds.PARAMETER_DECLARATION), None)
    names = first.children_by_field_name(kinds.F_NAME) if first is not None else []
    if not names or body is None:
        return False
    param = pkg.scopes.resolve(names[0])
    for node in walk_named(body):
        target: Node | None = None
        if node.type == kinds.SLICE_EXPRESSION and node.child_by_field_name(kinds.F_END) is not None:
            target = node.child_by_field_name(kinds.F_OPERAND)
        elif node.type == kinds.CALL_EXPRESSION:
            fn = node.child_by_field_name(kinds.F_FUNCTION)
            q = pkg.types.qualified(fn) if fn is not None else None
            args = node.child_by_field_name(kinds.F_ARGUMENTS)
            if q is not None and q[0] == "slices" and q[1] in _SLICES_FUNCS and args is not None and args.named_children:
                target = args.named_children[0]
        if target is not None and unparen(target).type == kinds.IDENTIFIER \
                and param is not None and pkg.scopes.resolve(unparen(target)) == param:
            return True
    return False


def _is_len_of(pkg: Package, expr: Node | None, operand: Node) -> bool:
    """`len(s)` of the same storage as `operand`."""
    if expr is None or unparen(expr).type != kinds.CALL_EXPRESSION:
        return False
    call = unparen(expr)
    fn = call.child_by_field_name(kinds.F_FUNCTION)
    args = call.child_by_field_name(kinds.F_ARGUMENTS)
    if fn is None or args is None or not pkg.scopes.is_builtin(fn, "len") or len(args.named_children) != 1:
        return False
    return pkg.storage.same(args.named_children[0], operand)


def _zeroes_in_function(pkg: Package, key: StorageKey, stmt: Node) -> bool:
    """`s[len(s)-1] = nil`, `clear(s[n:])`, `s[i] = T{}` in the same function."""
    top = _top_function(stmt)
    return top is not None and any(u.op is Op.ZERO and u.detail != "copy"
                                   for u in Mutations.of(pkg).uses_in(key, top))


def _refilled(pkg: Package, key: StorageKey, stmt: Node) -> bool:
    """After `s = s[:0]`, the same function appends to s, or a same-package function it calls
    does (two call levels: `expand1` calling `expand0`)."""
    from golinter.parse import walk_named
    func = _top_function(stmt)
    if func is None:
        return False
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


def _top_function(node: Node) -> Node | None:
    func = enclosing_function(node)
    while func is not None and func.type == kinds.FUNC_LITERAL:
        func = enclosing_function(func)
    return func


def _advice(pkg: Package, shape: str, name: str, value: Node) -> str:
    modern = pkg.lang_version(value) >= (1, 22)
    has_clear = pkg.lang_version(value) >= (1, 21)
    end = unparen(value).child_by_field_name(kinds.F_END) if unparen(value).type == kinds.SLICE_EXPRESSION else None
    if shape == "reset":
        return f"clear({name}) first (Go 1.21)" if has_clear else f"set the elements of {name} to nil first"
    if shape == "filter" and end is not None:
        tail = f"{name}[{pkg.text(end)}:]"
        return f"clear({tail}) first (Go 1.21), or use slices.DeleteFunc (Go 1.22)" if has_clear \
            else f"set the elements of {tail} to nil first"
    if shape == "pop":
        return f"set {name}[len({name})-1] = nil before reslicing"
    if shape == "front":
        return f"set the dropped elements to nil first ({name}[0] = nil for one)"
    if shape == "middle":
        if modern:
            return f"use slices.Delete, which zeroes the tail (Go 1.22), or zero {name}[len({name})-1] after a copy"
        return f"copy the tail down, set {name}[len({name})-1] = nil, then reslice"
    if shape in _SLICES_FUNCS:
        return f"before Go 1.22 slices.{shape} does not zero the tail: clear the old tail after it"
    if has_clear:
        return f"clear the dropped tail first (clear({name}[n:])) or use slices.DeleteFunc (Go 1.22)"
    return "set the dropped elements to nil first"


def _emptied_key(pkg: Package, hit: Match, target: Node) -> Iterator[Finding]:
    """`s.subs[topic] = remove(s.subs[topic], id)` (here: a reslice of the same entry) on a
    long-lived map of slices, with no `delete(s.subs, topic)` in the function."""
    operand = target.child_by_field_name(kinds.F_OPERAND)
    index = target.child_by_field_name(kinds.F_INDEX)
    if operand is None or index is None:
        return
    map_type = pkg.types.expr_map(operand)
    key = pkg.storage.key(operand)
    if map_type is None or key is None or "[]" in key.path or not pkg.lifetimes.is_long_lived(key):
        return
    if not isinstance(pkg.types.underlying(map_type.elem), Slice) or pkg.lifetimes.is_fresh_owner(operand):
        return
    source = unparen(hit["gml005.operand"])
    source_index = source.child_by_field_name(kinds.F_INDEX) if source.type == kinds.INDEX_EXPRESSION else None
    if source_index is None or pkg.text(source_index) != pkg.text(index):
        return
    stmt = hit["gml005.reslice"]
    top = _top_function(stmt)
    if top is None or any(u.op is Op.DELETE for u in Mutations.of(pkg).uses_in(key, top)):
        return
    name, k = pkg.text(operand), pkg.text(index)
    yield pkg.finding(RULE, stmt, f"{name}[{k}] can become empty here but its key stays, so keys with empty slices "
                                  f"accumulate in {name}; delete({name}, {k}) when the slice is empty",
                      level=Level.NOTE)


# -- 1. also-held --------------------------------------------------------------------------------

def _also_held(pkg: Package, hit: Match) -> Iterator[Finding]:
    """`s.items[id] = job; s.order = append(s.order, job)` where Remove deletes from s.items and
    nothing ever prunes s.order."""
    coll, held, stmt = hit["gml005.coll"], hit["gml005.held"], hit["gml005.add"]
    ckey = pkg.storage.key(coll)
    if ckey is None or "[]" in ckey.path or not pkg.lifetimes.is_long_lived(ckey) or pkg.lifetimes.is_fresh_owner(coll):
        return
    if "gml005.base" in hit:
        if pkg.storage.key(hit["gml005.base"]) != ckey or not isinstance(
                pkg.types.underlying(pkg.types.type_of(coll)), Slice):
            return
    elif pkg.types.expr_map(coll) is None:
        return
    inserts = _inserts_of(pkg, stmt, held, ckey)
    mutations = Mutations.of(pkg)
    if not inserts or mutations.is_pruned(ckey):
        return
    for insert, mkey in inserts:
        deletes = [u for u in mutations.uses(mkey) if u.op is Op.DELETE]
        if not deletes:
            continue
        m_name, c_name = pkg.text(insert), pkg.text(coll)
        where = deletes[0].func_name or "a function"
        related = [(insert, f"also put into {m_name} here")]
        node = _node_of(pkg, deletes[0])
        if node is not None:
            related.append((node, f"deleted from {m_name} here, but not from {c_name}"))
        yield pkg.finding(RULE, stmt, f"{c_name} only grows: what is put into {m_name} here is also kept in "
                                      f"{c_name}, and when {where} deletes it from {m_name}, {c_name} still holds "
                                      f"it; remove it from {c_name} there too, or prune {c_name}", related=related)
        return


def _inserts_of(pkg: Package, stmt: Node, held: Node, ckey: StorageKey) -> list[tuple[Node, StorageKey]]:
    """Inserts `M[k] = v` in the function holding `stmt`, into another long-lived map, whose
    key or value is the same variable as `held`."""
    from golinter.parse import query_captures
    func = enclosing_function(stmt)
    if func is None:
        return []
    out: list[tuple[Node, StorageKey]] = []
    caps = query_captures(_inserts_query(), func, func.start_byte, func.end_byte)
    for insert in caps.get("insert", []):
        left = insert.child_by_field_name(kinds.F_LEFT)
        right = insert.child_by_field_name(kinds.F_RIGHT)
        index = left.named_children[0] if left is not None and left.named_children else None
        if index is None or right is None or index.type != kinds.INDEX_EXPRESSION or insert == stmt:
            continue
        operand = index.child_by_field_name(kinds.F_OPERAND)
        mkey = pkg.storage.key(operand) if operand is not None else None
        if operand is None or mkey is None or mkey == ckey or "[]" in mkey.path or pkg.types.expr_map(operand) is None:
            continue
        candidates = [index.child_by_field_name(kinds.F_INDEX)] + list(right.named_children[:1])
        if any(c is not None and c.type == kinds.IDENTIFIER and pkg.scopes.same_object(c, held) for c in candidates) \
                and pkg.lifetimes.is_long_lived(mkey):
            out.append((operand, mkey))
    return out


def _node_of(pkg: Package, use: Use) -> Node | None:
    for f in pkg.files:
        if f.path == use.path:
            return f.tree.root_node.descendant_for_byte_range(use.start, use.end)
    return None


# -- element types ---------------------------------------------------------------------------------

def _pointers(pkg: Package, t: Type) -> str:
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
