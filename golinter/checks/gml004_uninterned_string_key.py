"""GML004 uninterned-string-key: string map keys allocated per operation inside a loop where the
allocation is wasted, and per-record maps whose keys are allocated once per record.

User prose: rules/GML004-uninterned-string-key.md. Model facts: type-lite (map key types, the
types of converted operands and concatenations), constants (lengths of constant key parts),
derivation (conversions to string types, same-value comparison of keys, strings allocated by
an expression), records (maps made per loop iteration and kept past the loop), scopes (fmt),
per-file language version (unique.Make from 1.23).

Flagged, inside a loop body of the same function:
- updates `m[string(b)]++`, `m[string(b)] += n`, `m[string(b)] = append(m[string(b)], x)` with
  b a []byte or []rune (or a conversion to a named string type): the conversion allocates on
  every write, even when the key exists (lookups `m[string(b)]` do not);
- the same updates with a concatenated key `m[a+":"+b]` (a stored key always allocates), and
  concatenated lookups whose constant parts alone make the key longer than 32 bytes (shorter
  ones use the runtime's 32-byte stack buffer);
- `fmt.Sprint`, `Sprintf` and `Sprintln` keys in lookups, `delete` and updates;
- many small maps: `rec[k] = v` (or `op=`, `++`) where rec is a per-record map (made in the
  loop body and kept past the loop in a container, model/records.py), the insert runs in a loop
  over the record's fields, and k is allocated in the same iteration (derivation.allocation:
  `string(b)`, strings.Clone, fmt.Sprint*, a scanned line, a concatenation with a constant
  part) -> intern the keys.
Not flagged: lookups and deletes with string(b); keys that are variables, fields, parameters
or constants; inserts `m[k] = v` into one map (a new key has to be stored anyway, and nothing
says keys repeat); updates after the loop body already looked the same key up in the same map
(the comma-ok-first fix); per-record keys that are shared (read once, made before the loop),
interned, or substrings of the record (GML007's concern); records not kept; test files.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from golinter import kinds
from golinter.checks.base import Nature, Precision, Rule
from golinter.findings import Level
from golinter.model.derivation import Derivation
from golinter.model.records import Records, same_function
from golinter.model.typelite import unparen
from golinter.model.types import Basic, Named, Slice
from golinter.parse import walk_named

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tree_sitter import Node

    from golinter.findings import Finding
    from golinter.model.package import Package
    from golinter.parse import Match

RULE = Rule(code="GML004", name="uninterned-string-key",
            summary="string map key allocated on every operation in a loop",
            nature=Nature.PERFORMANCE, level=Level.NOTE, precision=Precision.HIGH)

_RECKEY = "[(identifier) (call_expression) (binary_expression) (parenthesized_expression)]"
QUERY = f"""
(index_expression
  operand: (_) @gml004.map
  index: (call_expression function: (identifier) arguments: (argument_list . (_) .)) @gml004.key) @gml004.index
(index_expression
  operand: (_) @gml004.map
  index: (binary_expression operator: "+") @gml004.key) @gml004.index
(index_expression
  operand: (_) @gml004.map
  index: (call_expression
    function: (selector_expression field: (field_identifier) @_gml004.fmt
                                   (#match? @_gml004.fmt "^Sprint(f|ln)?$"))) @gml004.key) @gml004.index
(assignment_statement
  left: (expression_list . (index_expression operand: (_) @gml004.rec index: {_RECKEY} @gml004.reckey) @gml004.insert .))
(inc_statement (index_expression operand: (_) @gml004.rec index: {_RECKEY} @gml004.reckey) @gml004.insert)
(call_expression
  function: (identifier) @_gml004.delete (#eq? @_gml004.delete "delete")
  arguments: (argument_list
    . (_) @gml004.map
    . (call_expression
        function: (selector_expression field: (field_identifier) @_gml004.dfmt
                                       (#match? @_gml004.dfmt "^Sprint(f|ln)?$"))) @gml004.key .)) @gml004.index
"""
# Every match holds one of these (parse.live_ranges skips declarations without): an index expression, `delete(m, fmt.Sprintf(...))`.
QUERY_WORDS = (b"[", b"delete")

KeyKind = Literal["convert", "concat", "format"]
Use = Literal["update", "insert", "lookup"]

_FMT_FUNCS = frozenset({"Sprint", "Sprintf", "Sprintln"})
_BARE_VERBS = frozenset({"%v", "%d", "%s"})  # formats that add nothing to the value
_BYTE_OR_RUNE = frozenset({"byte", "uint8", "rune", "int32"})
_STACK_BUFFER = 32  # runtime tmpBuf: non-escaping concatenations up to 32 bytes stay on the stack
_STRUCT_KEY = "key {m} by a struct of the parts (map[struct{{a, b string}}]V), which does not allocate"


def run(pkg: Package) -> Iterator[Finding]:
    derivation = Derivation(pkg)
    reported: set[int] = set()
    inserts: list[Match] = []
    for hit in pkg.matches(RULE):
        if "gml004.insert" in hit:
            inserts.append(hit)
            continue
        finding = _per_operation(pkg, derivation, hit)
        if finding is not None:
            reported.add(hit["gml004.index"].id)
            yield finding
    records = Records(pkg, derivation)
    for hit in inserts:
        if hit["gml004.insert"].id not in reported:  # an update already reported above
            finding = _per_record(pkg, derivation, records, hit)
            if finding is not None:
                yield finding


def _per_operation(pkg: Package, derivation: Derivation, hit: Match) -> Finding | None:
    """Shapes 1 and 2: `m[string(b)]++`, `m[a+":"+b] += n`, `m[fmt.Sprintf(...)]` in a loop."""
    index, key, map_node = hit["gml004.index"], hit["gml004.key"], hit["gml004.map"]
    body = _loop_body(index)
    if body is None or not _string_keyed(pkg, map_node):
        return None
    kind = _key_kind(pkg, derivation, key)
    if kind is None:
        return None
    message = _message(pkg, kind, _use(pkg, derivation, index), hit)
    if message is None:
        return None
    if kind != "format" and _looked_up_before(derivation, body, index):
        return None  # the write sits on the miss path of a lookup: the comma-ok-first fix
    return pkg.finding(RULE, index, message)


def _per_record(pkg: Package, derivation: Derivation, records: Records, hit: Match) -> Finding | None:
    """Shape 3, many small maps: `rec := make(map[string]string)` in a loop, `rec[string(k)] = v`
    with the key allocated in the same iteration, and `out = append(out, rec)` keeping every
    record's map, so each holds its own copy of the same keys. The map may be made and filled
    by a same-package function whose result the loop keeps (`out = append(out, parse(b))`)."""
    insert, key, map_node = hit["gml004.insert"], hit["gml004.reckey"], hit["gml004.rec"]
    if _loop_body(insert) is None:
        return None  # cheap test first: keys inserted outside loops come once per map
    per = records.per_record(map_node)
    if per is None or not _string_keyed(pkg, map_node) or not records.in_field_loop(insert, per):
        return None  # not a per-record map, or one key per record (nothing says keys recur)
    alloc = derivation.allocation(key)
    if alloc is None or _names_an_entity(pkg, alloc):
        return None
    if not (_within(alloc, per.region) and _within(insert, per.region)) \
            or not (same_function(insert, per.made) and same_function(alloc, per.made)):
        return None  # allocated once before the loop (shared), or in a func literal
    related = [(per.made, f"{pkg.text(map_node)} is made for every record here")]
    if per.call is not None:
        related.append((per.call, "called for every record here"))
    related.append((per.kept, f"and kept in {pkg.text(per.container)} here"))
    if alloc != unparen(key):
        related.insert(0, (alloc, "the key is allocated here"))
    return pkg.finding(RULE, insert, _record_message(pkg, map_node, alloc, per.container), related=related)


# An identifier that names one entity: `ID`, `e.ID()`, `ContainerID`, `userId`, `uuid`.
_IDENTITY = re.compile(r"(?:^|(?<=[a-z0-9_]))(?:ID|Id|UUID|Uuid|GUID|Guid|UID|Uid)$|^(?:id|uuid|guid|uid)$")


def _names_an_entity(pkg: Package, alloc: Node) -> bool:
    """The key is an entity's identifier, or one joined to constants (`"ep-"+e.ID()`,
    `u.UUID`): each record's key then names that record's own entity, no other record repeats
    it, and interning saves nothing (moby's `containers["ep-"+e.ID()]` per network). A number
    formatted into the key (`strconv.Itoa(int(nic.DeviceConfigId))`) is not one: device numbers
    recur across records (telegraf's vsphere NICs)."""
    parts = [unparen(alloc)]
    while parts and parts[-1].type == kinds.BINARY_EXPRESSION:
        concat = parts.pop()
        parts += [unparen(c) for c in (concat.child_by_field_name(kinds.F_LEFT),
                                       concat.child_by_field_name(kinds.F_RIGHT)) if c is not None]
    for part in parts:
        args = part.child_by_field_name(kinds.F_ARGUMENTS) if part.type == kinds.CALL_EXPRESSION else None
        if args is not None and not args.named_children:
            part = part.child_by_field_name(kinds.F_FUNCTION) or part  # a getter: e.ID()
        name = part.child_by_field_name(kinds.F_FIELD) if part.type == kinds.SELECTOR_EXPRESSION else part
        if name is not None and name.type in (kinds.IDENTIFIER, kinds.FIELD_IDENTIFIER) \
                and _IDENTITY.search(pkg.text(name)):
            return True
    return False


def _within(node: Node, body: Node) -> bool:
    return body.start_byte <= node.start_byte < body.end_byte


def _record_message(pkg: Package, map_node: Node, alloc: Node, container: Node) -> str:
    """`unique.Make` from Go 1.23; before, an intern table (a map from each key to itself)."""
    head = (f"keys of per-record map {pkg.text(map_node)} are allocated per record and kept in "
            f"{pkg.text(container)}, one copy per record; ")
    if pkg.lang_version(alloc) >= (1, 23):
        return head + f"intern them with unique.Make({pkg.text(alloc)}).Value()"
    mt = pkg.types.expr_map(map_node)
    key_type = "string"
    if mt is not None and isinstance(mt.key, Named):
        key_type = f"{mt.key.pkg.rsplit('/', 1)[-1]}.{mt.key.name}" if mt.key.pkg else mt.key.name
    return head + f"intern them through one map[{key_type}]{key_type} shared by all records"


def _loop_body(node: Node) -> Node | None:
    """The body of the innermost `for` holding `node` in the same function (a func literal
    is a boundary: it may run once, elsewhere)."""
    child, parent = node, node.parent
    while parent is not None and parent.type not in kinds.FUNCTION_KINDS:
        if parent.type == kinds.FOR_STATEMENT and child == parent.child_by_field_name(kinds.F_BODY):
            return child
        child, parent = parent, parent.parent
    return None


def _string_keyed(pkg: Package, map_node: Node) -> bool:
    """`map[string]V` or `map[Name]V` with Name a named string type."""
    mt = pkg.types.expr_map(map_node)
    return mt is not None and pkg.types.is_string(mt.key)


def _key_kind(pkg: Package, derivation: Derivation, key: Node) -> KeyKind | None:
    """`string(b)` / `Name(b)` of a []byte or []rune; `a + b` of strings; `fmt.Sprint*(...)`."""
    if key.type == kinds.BINARY_EXPRESSION:
        return "concat" if pkg.types.is_string(pkg.types.type_of(key)) else None
    operand = derivation.string_conversion_operand(key)
    if operand is not None:
        u = pkg.types.underlying(pkg.types.type_of(operand))
        if isinstance(u, Slice) and isinstance(elem := pkg.types.underlying(u.elem), Basic) \
                and elem.name in _BYTE_OR_RUNE:
            return "convert"
        return None
    fn = key.child_by_field_name(kinds.F_FUNCTION)
    q = pkg.types.qualified(fn) if fn is not None else None
    return "format" if q is not None and q[0] == "fmt" and q[1] in _FMT_FUNCS else None


def _use(pkg: Package, derivation: Derivation, index: Node) -> Use:
    """update: `m[k]++`, `m[k] op= v`, `m[k] = f(m[k])` (the key is expected to exist);
    insert: any other `m[k] = v`; lookup: everything else (reads, comma-ok, delete)."""
    parent = index.parent
    if parent is None:
        return "lookup"
    if parent.type in (kinds.INC_STATEMENT, kinds.DEC_STATEMENT):
        return "update"
    stmt = parent.parent
    if parent.type != kinds.EXPRESSION_LIST or stmt is None or stmt.type != kinds.ASSIGNMENT_STATEMENT \
            or stmt.child_by_field_name(kinds.F_LEFT) != parent:
        return "lookup"
    op = stmt.child_by_field_name(kinds.F_OPERATOR)
    if op is not None and pkg.text(op) != "=":
        return "update"
    right = stmt.child_by_field_name(kinds.F_RIGHT)
    values = right.named_children if right is not None else []
    if len(parent.named_children) == 1 and len(values) == 1 and _rereads(derivation, values[0], index):
        return "update"
    return "insert"


def _rereads(derivation: Derivation, value: Node, index: Node) -> bool:
    """`m[k] = append(m[k], x)`, `m[k] = m[k] + n`: the value reads the entry it replaces."""
    return any(n.type == kinds.INDEX_EXPRESSION and derivation.same_value(n, index)
               for n in walk_named(value))


def _looked_up_before(derivation: Derivation, body: Node, index: Node) -> bool:
    """`if _, ok := seen[string(b)]; !ok { seen[string(b)] = true }`, `v, ok := m[k]` earlier in
    the loop body: the same map and key were looked up before this write's statement."""
    stmt = index.parent
    while stmt is not None and stmt.parent is not None and stmt.parent.type != kinds.STATEMENT_LIST \
            and stmt.type not in (kinds.INC_STATEMENT, kinds.DEC_STATEMENT, kinds.ASSIGNMENT_STATEMENT):
        stmt = stmt.parent
    start = stmt.start_byte if stmt is not None else index.start_byte
    return any(n.type == kinds.INDEX_EXPRESSION and n.end_byte <= start and derivation.same_value(n, index)
               for n in walk_named(body))


def _message(pkg: Package, kind: KeyKind, use: Use, hit: Match) -> str | None:
    index, key, map_node = hit["gml004.index"], hit["gml004.key"], hit["gml004.map"]
    m, k = pkg.text(map_node), pkg.text(key)
    if kind == "format":
        return _format_message(pkg, key, m) if use != "insert" else None
    if kind == "convert":
        if use == "update":
            return (f"{k} allocates a new string on every update of {m}, even when the key is already "
                    f"there; store pointer values in {m} and update through a lookup"
                    f"{_pointer_example(pkg, index)}, which does not allocate")
        return None
    if use == "update":
        return (f"{k} allocates a new string on every update of {m}, even when the key is already "
                f"there; " + _STRUCT_KEY.format(m=m))
    if use == "lookup" and _constant_bytes(pkg, key) >= _STACK_BUFFER:
        return (f"{k} builds a key longer than {_STACK_BUFFER} bytes on every lookup in {m}, which "
                f"allocates (shorter keys use a stack buffer); key {m} by the variable parts alone "
                f"(a struct for several), which does not allocate")
    return None


def _pointer_example(pkg: Package, index: Node) -> str:
    """` (*m[k]++)` for `m[k]++`, ` (*m[k] += n)` for `m[k] += n`; "" for other updates."""
    stmt = index.parent
    if stmt is not None and stmt.type in (kinds.INC_STATEMENT, kinds.DEC_STATEMENT):
        return f" (*{pkg.text(index)}{'++' if stmt.type == kinds.INC_STATEMENT else '--'})"
    stmt = stmt.parent if stmt is not None else None
    if stmt is None or stmt.type != kinds.ASSIGNMENT_STATEMENT:
        return ""
    op, right = stmt.child_by_field_name(kinds.F_OPERATOR), stmt.child_by_field_name(kinds.F_RIGHT)
    if op is None or right is None or pkg.text(op) == "=":
        return ""
    return f" (*{pkg.text(index)} {pkg.text(op)} {pkg.text(right)})"


def _format_message(pkg: Package, call: Node, m: str) -> str:
    """`m[fmt.Sprintf("%s/%d", a, b)]`: a struct key; `m[fmt.Sprint(id)]` or a lone `%d`: key by
    the value itself; `m[fmt.Sprintf("user-%d", id)]`: key by id instead of its text."""
    fn = call.child_by_field_name(kinds.F_FUNCTION)
    name_node = fn.child_by_field_name(kinds.F_FIELD) if fn is not None else None
    name = pkg.text(name_node) if name_node is not None else "Sprint"
    args = call.child_by_field_name(kinds.F_ARGUMENTS)
    values = [a for a in (args.named_children if args is not None else []) if a.type != kinds.COMMENT]
    bare = name != "Sprintf"
    if name == "Sprintf" and values:
        bare = pkg.consts.value(values[0]) in _BARE_VERBS
        values = values[1:]
    head = f"fmt.{name} formats a new key for {m} on every iteration, allocating each time; "
    if len(values) == 1 and bare:
        return head + f"key {m} by {pkg.text(values[0])} itself, which does not allocate"
    if len(values) == 1:
        return head + f"key {m} by {pkg.text(values[0])} instead of its formatted text, which does not allocate"
    return head + _STRUCT_KEY.format(m=m)


def _constant_bytes(pkg: Package, concat: Node) -> int:
    """Bytes contributed by constant parts of `a + "..." + b`; -1 when every part is constant
    (the compiler folds a constant key). Literals with escapes count 0 (a lower bound)."""
    total, variable = 0, False
    stack = [concat]
    while stack:
        node = unparen(stack.pop())
        op = node.child_by_field_name(kinds.F_OPERATOR) if node.type == kinds.BINARY_EXPRESSION else None
        if op is not None and pkg.text(op) == "+":
            stack += [c for c in (node.child_by_field_name(kinds.F_LEFT), node.child_by_field_name(kinds.F_RIGHT))
                      if c is not None]
            continue
        value = pkg.consts.value(node)
        if isinstance(value, str):
            total += len(value.encode())
        elif node.type not in kinds.STRING_LITERAL_KINDS:
            variable = True
    return total if variable else -1
