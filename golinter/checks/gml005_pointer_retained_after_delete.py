"""GML005 pointer-retained-after-delete: values that stay reachable after the code removed them.

User prose: rules/GML005-pointer-retained-after-delete.md. Four shapes, on long-lived storage only:
1. also-held: a value put into map M is also appended to / inserted into collection C in the
   same function, on one path (flow.exclusive); M is deleted from, C is never pruned anywhere
   -> warning on the add to C;
2. tombstone: `M[k] = nil` on a map of pointer-like values -> note (silent when the package
   reads M with comma-ok, ranges its keys or takes len(M): nil then means "known missing");
3. slice removal by reslicing (`s = s[:len(s)-1]`, `s = s[1:]`, `s = append(s[:i], s[i+1:]...)`,
   `s = s[:n]`; evident removals only, not insertions: removals.removal_shape) of pointer-like
   elements without zeroing the dropped slots in the function -> warning (string elements: note);
4. a map of slices whose slice is shrunk in place but whose key is never deleted -> note.
Model facts: storage identity, lifetimes, mutations (package-wide uses), removals, co-held elements
(a slice whose elements a never-pruned map also keeps: silent), flow (one path), type-lite, scopes.
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.checks.base import Nature, Precision, Rule
from golinter.findings import Level
from golinter.model import occurrences
from golinter.model.coheld import kept_by_map
from golinter.model.filters import drops_only_nils
from golinter.model.mutations import Mutations, Op, word_offsets
from golinter.model.package import enclosing_function
from golinter.model.pools import makes_when_empty, pushed_back_by_defer
from golinter.model.removals import (
    SLICES_REMOVERS,
    handed_out_whole,
    head_known_nil,
    may_jump,
    pointer_kind,
    refilled,
    refilled_at_once,
    removal_shape,
    top_function,
    zeroes_in_function,
)
from golinter.model.swaps import copies_last_down
from golinter.model.teardown import TEARDOWN_METHODS, called_only_at_teardown, released_at_teardown
from golinter.model.typelite import unparen
from golinter.model.types import (
    STRING,
    Array,
    Chan,
    Func,
    Interface,
    Map,
    Named,
    Pointer,
    Slice,
    Struct,
    Type,
)
from golinter.model.windows import makes_room, trims_window

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tree_sitter import Node, Query

    from golinter.findings import Finding
    from golinter.model.package import Package, SourceFile
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
(assignment_statement
  left: (expression_list (_) (_))
  right: (expression_list (slice_expression))) @gml005.multi
"""
# Every match holds one of these (parse.live_ranges skips declarations without): an index or slice expression, `append`, `slices.Delete`/`Compact`.
QUERY_WORDS = (b"[", b"append", b"Delete", b"Compact")

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
    for hit in pkg.matches(RULE):
        if "gml005.tombstone" in hit:
            yield from _tombstone(pkg, hit)
        elif "gml005.reslice" in hit:
            yield from _reslice(pkg, hit)
        elif "gml005.multi" in hit:
            for pair in _slice_pairs(pkg, hit["gml005.multi"]):
                yield from _reslice(pkg, pair)
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
    if not _nil_means_absent(pkg, map_type.elem) or pkg.lifetimes.is_fresh_owner(hit["gml005.map"]):
        return
    if Mutations.of(pkg).ops(key) & {Op.COMMA_OK, Op.RANGE_KEYS, Op.LEN, Op.LEN_BOUND, Op.ESCAPE}:
        return
    name, k = pkg.text(hit["gml005.map"]), pkg.text(hit["gml005.key"])
    yield pkg.finding(RULE, hit["gml005.tombstone"],
                      f"{name}[{k}] = nil keeps the key and its slot in {name} forever; use delete({name}, {k}), "
                      "which drops the key and zeroes the slot", level=Level.NOTE)


def _nil_means_absent(pkg: Package, elem: Type) -> bool:
    """Pointers, funcs, chans and named interfaces (`net.Conn`, `http.Handler`): nil is "none".
    Not `error` (nil means success), `any`, slices or maps (nil is an empty value)."""
    u = pkg.types.underlying(elem)
    if isinstance(u, (Pointer, Func, Chan)):
        return True
    return isinstance(u, Interface) and isinstance(elem, Named) and u.name not in ("error", "any")


# -- 3. and 4. removals by reslicing ---------------------------------------------------------------

def _slice_pairs(pkg: Package, stmt: Node) -> Iterator[Match]:
    """`a, b = a[:0], b[:0]`, `head, q = q[0], q[1:]`: each target assigned a slice of itself, as
    the one-target hits of the query give them."""
    left, right = stmt.child_by_field_name(kinds.F_LEFT), stmt.child_by_field_name(kinds.F_RIGHT)
    op = stmt.child_by_field_name(kinds.F_OPERATOR)
    targets = left.named_children if left is not None else []
    values = right.named_children if right is not None else []
    if op is None or pkg.text(op) != "=" or len(targets) != len(values):
        return
    for target, value in zip(targets, values):
        inner = unparen(value)
        operand = inner.child_by_field_name(kinds.F_OPERAND) if inner.type == kinds.SLICE_EXPRESSION else None
        if operand is not None:
            # the finding goes on the target: two in one statement must not share a position
            yield {"gml005.target": target, "gml005.operand": operand, "gml005.value": value, "gml005.reslice": stmt,
                   "gml005.at": target}


def _reslice(pkg: Package, hit: Match) -> Iterator[Finding]:
    target, operand, value = hit["gml005.target"], hit["gml005.operand"], hit["gml005.value"]
    key = pkg.storage.key(target)
    if key is None or key != pkg.storage.key(operand):
        return
    shape = removal_shape(pkg, value)
    if not shape:
        return
    inner = unparen(target)
    if inner.type == kinds.INDEX_EXPRESSION:
        yield from _emptied_key(pkg, hit, inner)
        return
    if "[]" in key.path or shape == "helper":
        return
    slice_type = pkg.types.underlying(pkg.types.type_of(target))
    kind = pointer_kind(pkg, slice_type.elem) if isinstance(slice_type, Slice) else ""
    if not kind or (kind == "string" and shape in ("front", "reset")):
        return  # consumed arguments and reused string buffers: nothing worth a note
    if not pkg.lifetimes.is_long_lived(key) or pkg.lifetimes.is_fresh_owner(target):
        return
    reslice = hit["gml005.reslice"]
    func = top_function(reslice)
    if zeroes_in_function(pkg, key, reslice):
        return
    if shape == "filter" and _filters_nils(pkg, value):
        return  # the filter dropped only nils: the slots past the end hold nothing more
    if shape == "reset" and refilled(pkg, key, reslice):
        return  # `s = s[:0]` then appends: the reuse idiom overwrites the slots
    if shape == "reset" and handed_out_whole(pkg, key, reslice):
        return  # `items := s; s = s[:0]; return items`: the emptied slots are the function's result
    if shape == "reset" and released_at_teardown(pkg, key, reslice):
        return  # Close released each element, then emptied the slice: the value is being retired
    if called_only_at_teardown(pkg, func):
        return  # a helper only Close, Shutdown or Stop calls: the value is being retired
    if _drops_one(pkg, shape, value) and refilled_at_once(pkg, key, reslice):
        return  # remove, then re-add at the end: the append writes the vacated slot
    if shape == "pop" and pushed_back_by_defer(pkg, key, reslice):
        return  # a pool: the popped element is appended back before the function returns
    if shape in SLICES_REMOVERS and (pkg.lang_version(value) >= (1, 22) or pkg.runtime_version >= (1, 22)):
        return  # slices.Delete and friends zero the tail since Go 1.22
    if shape in ("front", "pop") and func is not None and isinstance(slice_type, Slice) and (
            _free_list(pkg, key, func, slice_type, Op.APPEND) or makes_when_empty(pkg, key, func, slice_type.elem)):
        return  # a pool: get hands out the element it removes (or a new one), put appends it back
    if shape == "front" and head_known_nil(pkg, reslice, target):
        return  # the code just saw the dropped head is nil: an abandoned slot skipped
    if shape == "front" and (trims_window(pkg, key, reslice) or makes_room(pkg, key, reslice)):
        return  # a window of the latest n, trimmed right after or before each append: bounded by the slack
    if kept_by_map(pkg, key) is not None:
        return  # every element is also kept by a map nothing prunes: zeroing the slot frees nothing
    name = pkg.text(target)
    elem = slice_type.elem if isinstance(slice_type, Slice) else None
    zero = _zero_value(pkg, elem) if elem is not None else None
    advice = _advice(pkg, shape, name, value, zero)
    taken = _taken_before(pkg, key, reslice)
    if taken is not None:  # `taken := q[:n:n]; q = q[n:]`: zeroing the slots first would empty `taken`
        advice += f", but copy out what line {taken} takes from it beforehand (slices.Clone): that slice shares the slots"
    yield pkg.finding(RULE, hit.get("gml005.at", reslice), f"this removal from {name} {_left_behind(pkg, shape, key, reslice, value, kind, zero, name)}; "
                                     f"{advice}", level=Level.NOTE if kind == "string" else Level.WARNING)


def _left_behind(pkg: Package, shape: str, key: StorageKey, reslice: Node, value: Node, kind: str,
                 zero: str | None, name: str) -> str:
    """What the removal leaves past the slice's new length. A middle removal copies the tail down
    and a swap-remove (`s[i] = s[n-1]; s = s[:n-1]`) moves the last element: the slots left
    behind hold copies of elements still in the slice (model/swaps.py), which they keep reachable
    once those leave it in turn; the removed element stays itself only when it was last."""
    held = "string" if kind == "string" else "pointer"
    end = unparen(value).child_by_field_name(kinds.F_END) if shape == "pop" else None
    if shape == "middle" or (end is not None and copies_last_down(pkg, key, reslice, end)):
        noun = held if zero in ("nil", '""') else "element"
        if shape == "pop" or _drops_one(pkg, shape, value):
            return (f"leaves a copy of its old last {noun} in the backing array past the new length, which keeps it "
                    f"reachable after it leaves {name} "
                    f"(or keeps the removed {noun} itself, when that was last)")
        return (f"leaves copies of its old last {noun}s in the backing array past the new length, which keep them "
                f"reachable after they leave {name} "
                f"(or keep the removed {noun}s themselves, when those were last)")
    what = f"{held}s" if zero in ("nil", '""') else f"elements, and the {held}s they hold,"  # `[]T` of structs
    return f"leaves the dropped {what} in its backing array, where they stay reachable until it is reallocated"


def _taken_before(pkg: Package, key: StorageKey, stmt: Node) -> int | None:
    """The line where the function, before the removal `stmt`, keeps the slice or part of it in
    another variable (`taken := q.pending[:n:n]`): those elements share the backing array."""
    top = top_function(stmt)
    uses = Mutations.of(pkg).uses_in(key, top) if top is not None else ()
    return next((u.line for u in uses if u.op is Op.ESCAPE and u.detail == "copied" and u.start < stmt.start_byte), None)


def _filters_nils(pkg: Package, value: Node) -> bool:
    """`s = s[:n]` after keeping the non-nil elements of s (model/filters.py)."""
    inner = unparen(value)
    operand, end = inner.child_by_field_name(kinds.F_OPERAND), inner.child_by_field_name(kinds.F_END)
    return operand is not None and end is not None and drops_only_nils(pkg, unparen(operand), unparen(end))


def _drops_one(pkg: Package, shape: str, value: Node) -> bool:
    """`s[:len(s)-1]` or `s[:last]`, `append(s[:i], s[i+1:]...)`: one element leaves."""
    inner = unparen(value)
    if shape == "pop" and inner.type == kinds.SLICE_EXPRESSION:
        end = inner.child_by_field_name(kinds.F_END)
        text = pkg.text(end).replace(" ", "") if end is not None else ""
        return text.endswith("-1") or (end is not None and end.type == kinds.IDENTIFIER)
    if shape == "middle" and inner.type == kinds.CALL_EXPRESSION:
        args = inner.child_by_field_name(kinds.F_ARGUMENTS)
        values = [a for a in args.named_children if a.type != kinds.COMMENT] if args is not None else []
        tail = unparen(values[1]) if len(values) == 2 else None
        if tail is not None and tail.type == kinds.VARIADIC_ARGUMENT and tail.named_children:
            tail = unparen(tail.named_children[0])  # `s[i+1:]...`
        start = tail.child_by_field_name(kinds.F_START) if tail is not None and tail.type == kinds.SLICE_EXPRESSION else None
        if start is None:
            return False
        head = unparen(values[0])
        end = head.child_by_field_name(kinds.F_END) if head.type == kinds.SLICE_EXPRESSION else None
        i, j = (pkg.consts.int_value(end) if end is not None else None), pkg.consts.int_value(start)
        return pkg.text(start).replace(" ", "").endswith("+1") or (i is not None and j == i + 1)  # `s[:0], s[1:]`
    return False


def _zero_value(pkg: Package, elem: Type) -> str | None:
    """How the fix writes the element type's zero value: `nil`, `""`, `T{}` for a struct or array
    type this package declares; None when no short literal fits (the fix says "zero" then)."""
    u = pkg.types.underlying(elem)
    if isinstance(u, (Pointer, Slice, Map, Chan, Func, Interface)):
        return "nil"
    if u == STRING:
        return '""'
    if isinstance(elem, Named) and not elem.pkg and isinstance(u, (Struct, Array)):
        return f"{elem.name}{{}}"
    return None


def _advice(pkg: Package, shape: str, name: str, value: Node, zero: str | None) -> str:
    modern = pkg.lang_version(value) >= (1, 22)
    has_clear = pkg.lang_version(value) >= (1, 21)
    end = unparen(value).child_by_field_name(kinds.F_END) if unparen(value).type == kinds.SLICE_EXPRESSION else None
    to_zero = f"to {zero}" if zero is not None else "to their zero value"
    if shape == "reset":
        return f"clear({name}) first (Go 1.21)" if has_clear else f"set the elements of {name} {to_zero} first"
    if shape == "filter" and end is not None:
        tail = f"{name}[{pkg.text(end)}:]"
        return f"clear({tail}) first (Go 1.21), or use slices.DeleteFunc (Go 1.22)" if has_clear \
            else f"set the elements of {tail} {to_zero} first"
    last = f"{name}[len({name})-1]"
    set_last = f"set {last} = {zero}" if zero is not None else \
        (f"clear({name}[len({name})-1:])" if has_clear else f"zero {last}")
    if shape == "pop":
        end_text = pkg.text(end).replace(" ", "") if end is not None else ""
        if end_text.startswith("len(") and "-" in end_text and not end_text.endswith("-1"):  # `s[:len(s)-n]`
            tail = f"{name}[{end_text}:]"
            return f"clear({tail}) before reslicing (Go 1.21)" if has_clear else f"set the elements of {tail} {to_zero} first"
        return f"{set_last} before reslicing"
    if shape == "front":
        start = unparen(value).child_by_field_name(kinds.F_START)
        if start is not None and pkg.consts.int_value(start) == 1:
            first = f"{name}[0] = {zero}" if zero is not None else f"clear({name}[:1])" if has_clear else f"zero {name}[0]"
            return f"set {first} first" if zero is not None else f"{first} first"
        head = f"{name}[:{pkg.text(start)}]" if start is not None else None
        if head is not None and has_clear:
            return f"clear({head}) first (Go 1.21)"
        if head is not None:
            return f"set the elements of {head} {to_zero} first"
        return f"set the dropped elements {to_zero} first"
    if shape == "middle":
        one = _drops_one(pkg, shape, value)
        if modern:
            return f"use slices.Delete, which zeroes the tail (Go 1.22), or zero {last if one else 'the vacated tail'} after a copy"
        return f"copy the tail down, {set_last if one else 'zero the vacated tail'}, then reslice"
    if shape in SLICES_REMOVERS:
        return f"before Go 1.22 slices.{shape} does not zero the tail: clear the old tail after it"
    if has_clear:
        return f"clear the dropped tail first (clear({name}[n:])) or use slices.DeleteFunc (Go 1.22)"
    return f"set the dropped elements {to_zero} first"


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
    top = top_function(stmt)
    if top is None or any(u.op is Op.DELETE for u in Mutations.of(pkg).uses_in(key, top)):
        return
    if _free_list(pkg, key, top, pkg.types.underlying(map_type.elem)):
        return  # borrow pops, release appends back: an empty entry is the pool's "none idle" state
    if _appended_right_after(pkg, stmt, target):
        return  # replace-or-add: `m[k] = slices.DeleteFunc(m[k], ...)` then `m[k] = append(m[k], x)`
    if _empty_entries_intended(pkg, key):
        return
    name, k = pkg.text(operand), pkg.text(index)
    yield pkg.finding(RULE, hit.get("gml005.at", stmt), f"{name}[{k}] can become empty here but its key stays, so keys with empty slices "
                                  f"accumulate in {name}; delete({name}, {k}) when the slice is empty",
                      level=Level.NOTE)


def _appended_right_after(pkg: Package, stmt: Node, target: Node) -> bool:
    """A later statement of the same list, with nothing between that may jump, is
    `m[k] = append(m[k], x)` on the same entry (same text) with one element: the entry is never
    left empty (moby's referrers: filter out the old descriptor, then add the new one)."""
    entry = "".join(pkg.text(target).split())
    lst = stmt.parent
    for later in lst.named_children if lst is not None and lst.type == kinds.STATEMENT_LIST else ():
        if later.start_byte < stmt.end_byte or later.type == kinds.COMMENT:
            continue
        left = later.child_by_field_name(kinds.F_LEFT) if later.type == kinds.ASSIGNMENT_STATEMENT else None
        right = later.child_by_field_name(kinds.F_RIGHT) if left is not None else None
        if left is not None and right is not None and len(left.named_children) == 1 \
                and "".join(pkg.text(left.named_children[0]).split()) == entry:
            value = unparen(right.named_children[0]) if len(right.named_children) == 1 else None
            args = value.child_by_field_name(kinds.F_ARGUMENTS) \
                if value is not None and value.type == kinds.CALL_EXPRESSION else None
            fn = value.child_by_field_name(kinds.F_FUNCTION) if value is not None else None
            items = [a for a in args.named_children if a.type != kinds.COMMENT] if args is not None else []
            return fn is not None and pkg.scopes.is_builtin(unparen(fn), "append") and len(items) == 2 \
                and "".join(pkg.text(items[0]).split()) == entry and items[1].type != kinds.VARIADIC_ARGUMENT
        if may_jump(pkg, later):
            return False
    return False


def _empty_entries_intended(pkg: Package, key: StorageKey) -> bool:
    """The package itself stores an empty entry (`s.subs[c] = nil`: an empty slice under a key is
    a state it means), or replaces or clears the whole map outside a teardown method
    (`s.subs = make(...)` on a restart), which drops the emptied keys with the rest."""
    return any((u.op in (Op.REPLACE, Op.CLEAR) and u.func_name not in TEARDOWN_METHODS)
               or (u.op is Op.INSERT and u.detail in ("nil", "zero")) for u in Mutations.of(pkg).uses(key))


def _free_list(pkg: Package, key: StorageKey, func: Node, slice_type: Type, put_back: Op = Op.INSERT) -> bool:
    """A pool of idle values: the removing function hands out an element (it returns the slice's
    element type), another function puts values back (`m[k] = append(m[k], v)` for a map of
    slices, `s = append(s, v)` for a slice, `put_back` APPEND), and some caller gives back what
    it borrowed: `pr := p.borrow(k); defer p.release(k, pr)`, `c, err := f.get(); f.put(&c, err)`."""
    name_node = func.child_by_field_name(kinds.F_NAME)
    if name_node is None or not isinstance(slice_type, Slice) \
            or slice_type.elem not in pkg.types.signature(func).results:
        return False
    mutations = Mutations.of(pkg)
    releases = {use.func_name for use in mutations.uses(key)
                if use.op is put_back and use.func_start != func.start_byte and use.func_name
                and (put_back is Op.APPEND or _appends_back(pkg, mutations.node_of(use)))}
    # A map of slices: some caller giving back is enough (sarama); a slice: every caller must.
    return bool(releases) and _borrowed_and_released(pkg, pkg.text(name_node), releases, every=put_back is Op.APPEND)


def _appends_back(pkg: Package, node: Node | None) -> bool:
    """The insert at `node` is `m[k] = append(m[k], ...)`."""
    stmt = node
    for _ in range(4):
        if stmt is None or stmt.type == kinds.ASSIGNMENT_STATEMENT:
            break
        stmt = stmt.parent
    if stmt is None or stmt.type != kinds.ASSIGNMENT_STATEMENT:
        return False
    left, right = stmt.child_by_field_name(kinds.F_LEFT), stmt.child_by_field_name(kinds.F_RIGHT)
    call = unparen(right.named_children[0]) if right is not None and len(right.named_children) == 1 else None
    fn = call.child_by_field_name(kinds.F_FUNCTION) if call is not None and call.type == kinds.CALL_EXPRESSION else None
    args = call.child_by_field_name(kinds.F_ARGUMENTS) if call is not None and fn is not None else None
    return left is not None and fn is not None and args is not None and bool(args.named_children) \
        and pkg.scopes.is_builtin(fn, "append") and pkg.text(args.named_children[0]) == pkg.text(left)


def _borrowed_and_released(pkg: Package, borrow: str, releases: set[str], every: bool = False) -> bool:
    """Some function does `x := recv.borrow(...)` and later passes x (or &x) to one of `releases`;
    with `every`, each call of borrow outside test files does so, in its own function."""
    found = [released for f, released in _borrow_sites(pkg, borrow, releases) if not (every and f.is_test)]
    return bool(found) and (all(found) if every else any(found))


def _borrow_sites(pkg: Package, borrow: str, releases: set[str]) -> Iterator[tuple[SourceFile, bool]]:
    """Each call of `borrow` (its file), and whether it is `x := recv.borrow(...)` whose function
    later passes x or &x to one of `releases`."""
    for f in pkg.files:
        for token in occurrences.name_tokens(f, (borrow,)):
            call = occurrences.selector_call(token) or occurrences.identifier_call(token)
            if call is None:
                continue  # the declaration, a method value
            exprs = call.parent
            decl = exprs.parent if exprs is not None and exprs.type == kinds.EXPRESSION_LIST else None
            left = decl.child_by_field_name(kinds.F_LEFT) if decl is not None and decl.type in (
                kinds.SHORT_VAR_DECLARATION, kinds.ASSIGNMENT_STATEMENT) else None
            taker = enclosing_function(call)
            if left is None or taker is None or not left.named_children:
                yield f, False
                continue
            held = f.text(left.named_children[0])
            yield f, any(_passes(f, back, held) for release in occurrences.name_tokens(f, releases)
                         if (back := occurrences.selector_call(release) or occurrences.identifier_call(release))
                         is not None and call.end_byte <= back.start_byte < taker.end_byte)


def _passes(f: SourceFile, call: Node, held: str) -> bool:
    """`call` has the variable `held`, or its address, among its arguments."""
    args = call.child_by_field_name(kinds.F_ARGUMENTS)
    return args is not None and any(f.text(a).removeprefix("&") == held and a.type in (
        kinds.IDENTIFIER, kinds.UNARY_EXPRESSION) for a in args.named_children)


# -- 1. also-held --------------------------------------------------------------------------------

def _also_held(pkg: Package, hit: Match) -> Iterator[Finding]:
    """`s.items[id] = job; s.order = append(s.order, job)` where Remove deletes from s.items and
    nothing ever prunes s.order."""
    coll, held, stmt = hit["gml005.coll"], hit["gml005.held"], hit["gml005.add"]
    func = enclosing_function(stmt)
    if func is None or all(insert == stmt for insert in _inserts_naming(pkg.file_of(stmt).src, func, held)):
        return  # syntax first: most appends put nothing into a map of the same function
    ckey = pkg.storage.key(coll)
    if ckey is None or "[]" in ckey.path:
        return
    if "gml005.base" in hit:  # type tests before the package-wide lifetimes are built
        if pkg.storage.key(hit["gml005.base"]) != ckey or not isinstance(
                pkg.types.underlying(pkg.types.type_of(coll)), Slice):
            return
    elif pkg.types.expr_map(coll) is None:
        return
    if not pkg.lifetimes.is_long_lived(ckey) or pkg.lifetimes.is_fresh_owner(coll):
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
        node = mutations.node_of(deletes[0])
        if node is not None:
            related.append((node, f"deleted from {m_name} here, but not from {c_name}"))
        yield pkg.finding(RULE, stmt, f"{c_name} only grows: what is put into {m_name} here is also kept in "
                                      f"{c_name}, and when {where} deletes it from {m_name}, {c_name} still holds "
                                      f"it; remove it from {c_name} there too, or prune {c_name}", related=related)
        return


def _inserts_naming(src: bytes, func: Node, held: Node) -> list[Node]:
    """The inserts `M[k] = v` (one target, one value) in `func`, nested literals included, whose
    key or value is an identifier spelt like `held`: a superset of what `_inserts_of` keeps,
    found from the name's occurrences in the text and the nodes there (its query of every insert
    of the function cost more than the rest of the rule; it runs only for what passes here)."""
    name = src[held.start_byte:held.end_byte]
    found: list[Node] = []
    for offset in word_offsets(src[func.start_byte:func.end_byte], name):
        start = func.start_byte + offset
        ident = func.named_descendant_for_byte_range(start, start + len(name))
        if ident is None or ident.type != kinds.IDENTIFIER or ident.start_byte != start \
                or ident.end_byte != start + len(name):
            continue
        insert = _insert_holding(ident)
        if insert is not None:
            found.append(insert)
    return found


def _insert_holding(ident: Node) -> Node | None:
    """The insert `M[ident] = v` or `M[k] = ident` (one target, one value: comments count, as
    for a query's `. X .`) that `ident` is the key or value of."""
    parent = ident.parent
    if parent is None:
        return None
    is_key = parent.type == kinds.INDEX_EXPRESSION
    if is_key and parent.child_by_field_name(kinds.F_INDEX) != ident:
        return None
    exprs = parent.parent if is_key else parent
    stmt = exprs.parent if exprs is not None else None
    if stmt is None or stmt.type != kinds.ASSIGNMENT_STATEMENT:
        return None
    left, right = stmt.child_by_field_name(kinds.F_LEFT), stmt.child_by_field_name(kinds.F_RIGHT)
    target = _only_named_child(left) if left is not None else None
    value = _only_named_child(right) if right is not None else None
    if target is None or value is None or target.type != kinds.INDEX_EXPRESSION \
            or target.child_by_field_name(kinds.F_OPERAND) is None or target.child_by_field_name(kinds.F_INDEX) is None:
        return None
    return stmt if (target == parent if is_key else value == ident) else None


def _only_named_child(exprs: Node) -> Node | None:
    """The single named child (comments count, as for a query's `. X .`) of an expression list."""
    if exprs.type != kinds.EXPRESSION_LIST or exprs.named_child_count != 1:
        return None
    return exprs.named_child(0)


def _inserts_of(pkg: Package, stmt: Node, held: Node, ckey: StorageKey) -> list[tuple[Node, StorageKey]]:
    """Inserts `M[k] = v` in the function holding `stmt`, into another long-lived map, whose
    key or value is the same variable as `held`, and that can run on one path with `stmt` (not
    in the other branch, nor after a branch that returns: `if len(ids) == 0 { C = append(C, c);
    return nil }; M[id] = c` never holds c in both)."""
    from golinter.model.flow import Flow
    from golinter.parse import query_captures
    func = enclosing_function(stmt)
    if func is None:
        return []
    flow = Flow.for_package(pkg)
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
                and pkg.lifetimes.is_long_lived(mkey) and not flow.exclusive(insert, stmt):
            out.append((operand, mkey))
    return out
