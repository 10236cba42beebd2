"""Derivation: which string values are substrings of other strings, followed through locals.

Go strings are immutable and share bytes: `s[i:j]`, `strings.Split`, `strings.Cut`, regexp
`FindString*` and friends return strings that point into `s`, so each keeps all of `s` alive.
This module answers, for one package:

- `substring_of(expr)`: the string expression whose bytes `expr` shares, when `expr` is taken
  out of it by at least one extracting operation (`s[i:j]`, `strings.Split/SplitN/SplitAfter/
  SplitAfterN/Fields/FieldsFunc` and their 1.24 `Seq` iterators, `strings.Lines`,
  `strings.Cut`, `*regexp.Regexp` `FindString`, `FindStringSubmatch`, `FindAllString`,
  `FindAllStringSubmatch`, `path.Base`, `filepath.Base`, `filepath.Ext`). Trimming operations
  (`strings.TrimSpace`, `Trim*`, `TrimPrefix/Suffix`, `CutPrefix/CutSuffix`) and conversions
  to named string types pass the fact through but do not create it: a trimmed string keeps
  only the trimmed bytes besides its own. Locals are followed through their single binding
  (`:=`, `var`, multi-value `strings.Cut`, range variables over split results); a local
  assigned again anywhere in its function is not followed.
  Not substrings (the trace stops): `string(b[i:j])` (a copy), `strings.Clone`,
  `unique.Make(x).Value()`, decoded strings, `bufio.Scanner.Text()`, strconv results,
  `fmt.Sprint*`, concatenations, fields, parameters, results of unknown calls.
- `origin(expr)`: how a string was made at run time, through locals and `string(...)`: the
  whole content of os.ReadFile / io.ReadAll (and io/ioutil), one line from bufio, or a
  conversion of other byte data; None for parameters, fields and anything else.
- `same_value(a, b)`: two expressions denote the same value syntactically: same shape, the
  same objects, the same constants (`m[string(b)]` twice in one loop body).
- `allocation(expr)`: the expression that allocated the string `expr` holds, new and unshared,
  through locals bound once: `string(b)` of a []byte or []rune, `strings.Clone`, `fmt.Sprint*`,
  `(*bufio.Scanner).Text()`, `(*bufio.Reader).ReadString`, a concatenation with a non-empty
  constant part. Not allocations: substrings (they share their source), trims, case mapping,
  `strings.Replace`/`Join`, strconv (each may return its argument or a static string),
  `unique.Make(x).Value()` (the canonical copy), constants, parameters, fields, unknown calls.

Everything is Unknown-safe: when a step is not understood, the answer is None / False.
Results are memoised by node id for the life of the provider (one check run on one package).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from golinter import kinds
from golinter.model.package import enclosing
from golinter.model.scopes import Obj, ObjKind
from golinter.model.typelite import unparen
from golinter.model.types import UNKNOWN, Array, Basic, Named, Pointer, Slice

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package

# strings functions whose result is a slice (or an iterator) of substrings of their first argument.
_SPLITTERS = frozenset({"Split", "SplitN", "SplitAfter", "SplitAfterN", "Fields", "FieldsFunc"})
_SEQ_SPLITTERS = frozenset({"SplitSeq", "SplitAfterSeq", "FieldsSeq", "FieldsFuncSeq", "Lines"})
# strings functions returning their first argument minus some leading/trailing bytes.
_TRIMMERS = frozenset({"TrimSpace", "Trim", "TrimLeft", "TrimRight", "TrimPrefix", "TrimSuffix",
                       "TrimFunc", "TrimLeftFunc", "TrimRightFunc"})
# (import path, name) of functions returning a substring of their first argument.
_EXTRACTORS = frozenset({("path", "Base"), ("path/filepath", "Base"), ("path/filepath", "Ext")})
# *regexp.Regexp methods: how many slice levels their result has over a substring of the argument.
_REGEXP_LEVELS = {"FindString": 0, "FindStringSubmatch": 1, "FindAllString": 1, "FindAllStringSubmatch": 2}
# Functions returning a whole body or file, as the first of (content, error).
WHOLE_READERS = frozenset({("io", "ReadAll"), ("os", "ReadFile"), ("io/ioutil", "ReadAll"),
                           ("io/ioutil", "ReadFile")})

# (import path, name) of functions that always return a new string (one byte or none aside).
_ALLOCATORS = frozenset({("strings", "Clone"), ("fmt", "Sprint"), ("fmt", "Sprintf"), ("fmt", "Sprintln")})

_MAX_STEPS = 32
Step = tuple["Node", int, bool, bool]
_FOLLOWABLE = frozenset({kinds.IDENTIFIER, kinds.INDEX_EXPRESSION, kinds.SLICE_EXPRESSION,
                         kinds.CALL_EXPRESSION, kinds.PARENTHESIZED_EXPRESSION})


@dataclass(frozen=True, slots=True)
class Origin:
    """How a string was made at run time: `kind` "whole" (a whole file or body), "line" (one
    line read from input) or "bytes" (a conversion of other byte data); `via` names the call
    ("os.ReadFile", "bufio.Scanner.Text", "string conversion")."""

    kind: Literal["whole", "line", "bytes"]
    via: str


class Derivation:
    """Substring and same-value facts for one package."""

    def __init__(self, package: Package) -> None:
        self._pkg = package
        self._substr: dict[int, Node | None] = {}
        self._reassigned: dict[tuple[str, int, str], bool] = {}

    # -- public API ----------------------------------------------------------------------
    def substring_of(self, expr: Node) -> Node | None:
        """The expression whose bytes the string `expr` shares, when `expr` is extracted from it
        (`name` in `name, _, _ := strings.Cut(line, "=")` -> `line`); None when `expr` is not
        known to be a substring, or when the source is a constant (static data costs nothing)."""
        key = expr.id
        if key not in self._substr:
            self._substr[key] = self._trace(expr)
        return self._substr[key]

    def origin(self, expr: Node) -> Origin | None:
        """Where the string `expr` was made at run time, through locals and `string(...)`:
        "whole" for the content os.ReadFile / io.ReadAll (ioutil too) returned, "line" for
        `(*bufio.Scanner).Text()` and `(*bufio.Reader).ReadString`, "bytes" for `string(b)` of
        other byte data. None for parameters, fields, constants and unknown calls."""
        node = unparen(expr)
        converted = False
        for _ in range(_MAX_STEPS):
            if node.type == kinds.IDENTIFIER:
                obj = self._local(node)
                if obj is None or obj.value is None or obj.value.type == kinds.RANGE_CLAUSE:
                    break
                if obj.value_count > 1:
                    return self._multi_origin(unparen(obj.value), obj.value_index, converted)
                node = unparen(obj.value)
                continue
            if node.type != kinds.CALL_EXPRESSION:
                break
            if not converted and self._string_conversion(node) is not None:
                operand = unparen(self._args(node)[0])
                if not self._is_bytes(operand):
                    return None
                node, converted = operand, True
                continue
            if not converted and self._method_of(node, "bufio", "Scanner") == "Text":
                return Origin("line", "bufio.Scanner.Text")
            break
        return Origin("bytes", "string conversion") if converted else None

    def allocation(self, expr: Node) -> Node | None:
        """The expression that made the new, unshared string `expr` holds (`string(kb)` for `k`
        in `k := string(kb)`), followed through locals bound once; None when `expr` may share
        its bytes with another string or its origin is not known."""
        node = unparen(expr)
        for _ in range(_MAX_STEPS):
            if node.type == kinds.IDENTIFIER:
                obj = self._local(node)
                if obj is None or obj.value is None or obj.value.type == kinds.RANGE_CLAUSE:
                    return None
                value = unparen(obj.value)
                if obj.value_count > 1:  # `line, err := rd.ReadString('\n')`
                    return value if obj.value_index == 0 and \
                        self._method_of(value, "bufio", "Reader") == "ReadString" else None
                node = value
                continue
            if node.type == kinds.BINARY_EXPRESSION:
                return node if self._allocating_concat(node) else None
            if node.type != kinds.CALL_EXPRESSION:
                return None
            operand = self.string_conversion_operand(node)
            if operand is not None:
                if self._is_bytes(operand) or self._is_runes(operand):
                    return node
                if not self._pkg.types.is_string(self._pkg.types.type_of(operand)):
                    return None
                node = unparen(operand)  # Label(s): a named string type shares s
                continue
            return node if self._allocating_call(node) else None
        return None

    def bound_once(self, ident: Node) -> Obj | None:
        """The function-local variable `ident` names, when it is bound exactly once (never
        assigned again with `=`, `op=`, `++`/`--` or a second `:=`)."""
        return self._local(ident)

    def string_conversion_operand(self, call: Node) -> Node | None:
        """For `string(x)` or `Name(x)` with Name a named string type: `x`. Else None."""
        call = unparen(call)
        if call.type != kinds.CALL_EXPRESSION or self._string_conversion(call) is None:
            return None
        return self._args(call)[0]

    def same_value(self, a: Node, b: Node) -> bool:
        """`a` and `b` have the same shape, identifiers resolving to the same objects (builtins
        by name) and literals with the same text. Calls other than conversions are never the
        same value (each call may return something new)."""
        stack = [(a, b)]
        while stack:
            x, y = stack.pop()
            x, y = unparen(x), unparen(y)
            if x.type != y.type:
                return False
            if x.type == kinds.IDENTIFIER:
                if not self._same_ident(x, y):
                    return False
                continue
            if x.type == kinds.CALL_EXPRESSION and self._conversion_type(x) is None:
                return False
            xs, ys = _operands(x), _operands(y)
            if len(xs) != len(ys):
                return False
            if not xs and self._pkg.text(x) != self._pkg.text(y):
                return False
            if x.type in (kinds.BINARY_EXPRESSION, kinds.UNARY_EXPRESSION) and \
                    _operator(self._pkg, x) != _operator(self._pkg, y):
                return False
            stack.extend(zip(xs, ys))
        return True

    # -- substring trace -------------------------------------------------------------------
    def _trace(self, expr: Node) -> Node | None:
        """Walk back from `expr` through substring operations. `level` counts the slice layers
        between the traced value and a substring (`parts` is level 1, `parts[0]` level 0).
        The source is the last level-0 string reached after the first extraction; when the
        walk ends on the value a local was bound to, the source is that local (`text`, not
        `string(data)` in `text := string(data)`)."""
        node, level, root = unparen(expr), 0, None
        extracted_once = False
        came_from: Node | None = None
        for _ in range(_MAX_STEPS):
            step = self._step(node, level)
            if step is None:
                break
            nxt, level, extracted, plain = step
            came_from = node if plain else None
            node = unparen(nxt)
            extracted_once = extracted_once or extracted
            if extracted_once and level == 0:
                root = node
        if root is None:
            return None
        if came_from is not None and level == 0 and root == node:
            root = came_from
        if isinstance(self._pkg.consts.value(root), str) or root.type in kinds.STRING_LITERAL_KINDS:
            return None
        return root

    def _step(self, node: Node, level: int) -> Step | None:
        """One step back: (the operand, its level, whether this step extracted a substring,
        whether it followed a local to the value it is bound to)."""
        t = node.type
        if t == kinds.IDENTIFIER:
            return self._step_local(node, level)
        if t == kinds.INDEX_EXPRESSION:
            operand = node.child_by_field_name(kinds.F_OPERAND)
            if operand is None or not self._is_sequence(operand):
                return None
            return operand, level + 1, False, False
        if t == kinds.SLICE_EXPRESSION:
            operand = node.child_by_field_name(kinds.F_OPERAND)
            if operand is None:
                return None
            if level == 0 and self._pkg.types.is_string(self._pkg.types.type_of(operand)):
                return operand, 0, True, False
            if level > 0 and self._is_sequence(operand):
                return operand, level, False, False  # parts[1:] holds the same substrings
            return None
        if t == kinds.CALL_EXPRESSION:
            return self._step_call(node, level)
        return None

    def _step_local(self, ident: Node, level: int) -> Step | None:
        obj = self._local(ident)
        if obj is None or obj.value is None:
            return None
        value = obj.value
        if value.type == kinds.RANGE_CLAUSE:
            right = value.child_by_field_name(kinds.F_RIGHT)
            if right is None:
                return None
            seq = self._seq_splitter(unparen(right)) is not None
            if obj.value_index != (0 if seq else 1):
                return None
            return right, level + 1, False, False
        if obj.value_count > 1:
            return self._step_multi(unparen(value), obj.value_index, level)
        if unparen(value).type not in _FOLLOWABLE:
            return None
        return value, level, False, True

    def _step_multi(self, call: Node, index: int, level: int) -> Step | None:
        """`before, after, found := strings.Cut(s, sep)`; `rest, ok := strings.CutPrefix(s, p)`."""
        if call.type != kinds.CALL_EXPRESSION or level != 0:
            return None
        name = self._strings_func(call)
        args = self._args(call)
        if not args:
            return None
        if name == "Cut" and index in (0, 1):
            return args[0], 0, True, False
        if name in ("CutPrefix", "CutSuffix") and index == 0:
            return args[0], 0, False, False
        return None

    def _step_call(self, call: Node, level: int) -> Step | None:
        args = self._args(call)
        if not args:
            return None
        conv = self._string_conversion(call)
        if conv is not None:
            # string(x) from a string x (or a named string type) shares x; from bytes it copies.
            if level == 0 and self._pkg.types.is_string(self._pkg.types.type_of(args[0])):
                return args[0], 0, False, False
            return None
        name = self._strings_func(call)
        if name in _SPLITTERS or name in _SEQ_SPLITTERS:
            return (args[0], level - 1, True, False) if level >= 1 else None
        if name in _TRIMMERS:
            return (args[0], 0, False, False) if level == 0 else None
        fn = call.child_by_field_name(kinds.F_FUNCTION)
        if fn is None:
            return None
        q = self._pkg.types.qualified(fn)
        if q is not None:
            return (args[0], 0, True, False) if q in _EXTRACTORS and level == 0 else None
        depth = self._regexp_levels(fn)
        if depth is not None and level >= depth:
            return args[0], level - depth, True, False
        return None

    # -- helpers -----------------------------------------------------------------------------
    def _local(self, ident: Node) -> Obj | None:
        """The function-local variable `ident` names, when it is bound exactly once."""
        obj = self._pkg.scopes.resolve(ident)
        if obj is None or obj.kind is not ObjKind.VAR or obj.package_level or obj.ident is None:
            return None
        if self._assigned_again(obj) or self._redeclared(obj):
            return None
        return obj

    def _assigned_again(self, obj: Obj) -> bool:
        """`x = ...`, `x op= ...`, `x++`/`x--` anywhere in the top-level function declaring `obj`.
        Occurrences of the name are found by a byte search (a walk of the whole function, for
        every local asked about, cost more than the rest of the rule)."""
        key = obj.key
        cached = self._reassigned.get(key)
        if cached is not None:
            return cached
        found = False
        func = enclosing(obj.ident, kinds.TOP_FUNCTION_KINDS) if obj.ident is not None else None
        if func is not None:
            from golinter.model.mutations import word_offsets
            f = self._pkg.file_of(func)
            root = f.tree.root_node
            for offset in word_offsets(f.src[func.start_byte:func.end_byte], obj.name.encode()):
                start = func.start_byte + offset
                ident = root.named_descendant_for_byte_range(start, start + len(obj.name.encode()))
                if ident is not None and ident.type == kinds.IDENTIFIER and _is_assigned(ident) \
                        and self._pkg.scopes.resolve(ident) == obj:
                    found = True
                    break
        self._reassigned[key] = found
        return found

    def _redeclared(self, obj: Obj) -> bool:
        """`x, err := a()` then `x, y := b()` in the same block: the second assigns x again."""
        decl = obj.decl
        if decl is None or decl.type != kinds.SHORT_VAR_DECLARATION or decl.parent is None:
            return False
        seen = 0
        for stmt in decl.parent.named_children:
            if stmt.type != kinds.SHORT_VAR_DECLARATION:
                continue
            left = stmt.child_by_field_name(kinds.F_LEFT)
            names = left.named_children if left is not None else []
            if any(n.type == kinds.IDENTIFIER and self._pkg.text(n) == obj.name for n in names):
                seen += 1
        return seen > 1

    def _same_ident(self, x: Node, y: Node) -> bool:
        ox, oy = self._pkg.scopes.resolve(x), self._pkg.scopes.resolve(y)
        if ox is None or oy is None:
            return False
        if ox.kind is ObjKind.BUILTIN or oy.kind is ObjKind.BUILTIN:
            return ox.kind is oy.kind and ox.name == oy.name
        return ox == oy

    def _args(self, call: Node) -> list[Node]:
        args = call.child_by_field_name(kinds.F_ARGUMENTS)
        return [a for a in (args.named_children if args is not None else []) if a.type != kinds.COMMENT]

    def _strings_func(self, call: Node) -> str | None:
        fn = call.child_by_field_name(kinds.F_FUNCTION)
        q = self._pkg.types.qualified(fn) if fn is not None else None
        return q[1] if q is not None and q[0] == "strings" else None

    def _seq_splitter(self, node: Node) -> str | None:
        if node.type != kinds.CALL_EXPRESSION:
            return None
        name = self._strings_func(node)
        return name if name in _SEQ_SPLITTERS else None

    def _multi_origin(self, call: Node, index: int, converted: bool) -> Origin | None:
        """`data, err := os.ReadFile(p)`; `line, err := rd.ReadString('\\n')`."""
        if index != 0:
            return Origin("bytes", "string conversion") if converted else None
        reader = self._reader(call)
        if reader is not None:
            return Origin("whole", reader)
        if not converted and self._method_of(call, "bufio", "Reader") == "ReadString":
            return Origin("line", "bufio.Reader.ReadString")
        return Origin("bytes", "string conversion") if converted else None

    def _method_of(self, call: Node, path: str, type_name: str) -> str | None:
        """For `x.M(...)` with x a path.type_name or pointer to one: "M"."""
        if call.type != kinds.CALL_EXPRESSION:
            return None
        fn = call.child_by_field_name(kinds.F_FUNCTION)
        fn = unparen(fn) if fn is not None else None
        if fn is None or fn.type != kinds.SELECTOR_EXPRESSION:
            return None
        operand = fn.child_by_field_name(kinds.F_OPERAND)
        name = fn.child_by_field_name(kinds.F_FIELD)
        if operand is None or name is None:
            return None
        recv = self._pkg.types.deref(self._pkg.types.type_of(operand))
        return self._pkg.text(name) if recv == Named(path, type_name) else None

    def _is_bytes(self, expr: Node) -> bool:
        u = self._pkg.types.underlying(self._pkg.types.type_of(expr))
        if not isinstance(u, Slice):
            return False
        elem = self._pkg.types.underlying(u.elem)
        return isinstance(elem, Basic) and elem.name in ("byte", "uint8")

    def _is_runes(self, expr: Node) -> bool:
        u = self._pkg.types.underlying(self._pkg.types.type_of(expr))
        if not isinstance(u, Slice):
            return False
        elem = self._pkg.types.underlying(u.elem)
        return isinstance(elem, Basic) and elem.name in ("rune", "int32")

    def _allocating_call(self, call: Node) -> bool:
        """`strings.Clone(s)`, `fmt.Sprint*(...)`, `sc.Text()` on a *bufio.Scanner."""
        fn = call.child_by_field_name(kinds.F_FUNCTION)
        q = self._pkg.types.qualified(fn) if fn is not None else None
        if q is not None:
            return q in _ALLOCATORS
        return self._method_of(call, "bufio", "Scanner") == "Text"

    def _allocating_concat(self, concat: Node) -> bool:
        """`"user:" + id`: a string concatenation with a non-empty constant part and a
        non-constant one always builds a new string (all-constant ones fold; `a + b` returns
        a itself when b is empty)."""
        constant = variable = False
        stack = [concat]
        while stack:
            node = unparen(stack.pop())
            if node.type == kinds.BINARY_EXPRESSION and _operator(self._pkg, node) == "+":
                stack += [c for c in (node.child_by_field_name(kinds.F_LEFT),
                                      node.child_by_field_name(kinds.F_RIGHT)) if c is not None]
                continue
            value = self._pkg.consts.value(node)
            if isinstance(value, str):
                constant = constant or value != ""
            elif node.type in kinds.STRING_LITERAL_KINDS:
                constant = constant or len(self._pkg.text(node)) > 2
            else:
                variable = True
        return constant and variable and self._pkg.types.is_string(self._pkg.types.type_of(concat))

    def _reader(self, call: Node) -> str | None:
        if call.type != kinds.CALL_EXPRESSION:
            return None
        fn = call.child_by_field_name(kinds.F_FUNCTION)
        q = self._pkg.types.qualified(fn) if fn is not None else None
        if q is None or q not in WHOLE_READERS:
            return None
        return f"{q[0].rsplit('/', 1)[-1]}.{q[1]}"

    def _regexp_levels(self, fn: Node) -> int | None:
        """`re.FindStringSubmatch` on a *regexp.Regexp: the result's slice levels."""
        fn = unparen(fn)
        if fn.type != kinds.SELECTOR_EXPRESSION:
            return None
        operand = fn.child_by_field_name(kinds.F_OPERAND)
        name = fn.child_by_field_name(kinds.F_FIELD)
        if operand is None or name is None:
            return None
        depth = _REGEXP_LEVELS.get(self._pkg.text(name))
        if depth is None:
            return None
        recv = self._pkg.types.deref(self._pkg.types.type_of(operand))
        return depth if recv == Named("regexp", "Regexp") else None

    def _is_sequence(self, expr: Node) -> bool:
        """A slice or array (through one pointer): indexing it yields an element."""
        types = self._pkg.types
        t = types.type_of(expr)
        if t is UNKNOWN:
            # a split result held in a local whose type type-lite cannot name is still a slice
            return self._trace_shape(expr)
        u = types.underlying(t)
        if isinstance(u, Pointer):
            u = types.underlying(u.elem)
        return isinstance(u, (Slice, Array))

    def _trace_shape(self, expr: Node) -> bool:
        """Unknown-typed operands: only calls this module knows return slices qualify."""
        node = unparen(expr)
        if node.type != kinds.CALL_EXPRESSION:
            return False
        fn = node.child_by_field_name(kinds.F_FUNCTION)
        if fn is None:
            return False
        return self._regexp_levels(fn) in (1, 2) or self._strings_func(node) in _SPLITTERS

    def _string_conversion(self, call: Node) -> Node | None:
        """`string(x)` or `Name(x)` for a named string type Name: the conversion's type node."""
        t = self._conversion_type(call)
        if t is None or len(self._args(call)) != 1:
            return None
        return t if self._pkg.types.is_string(self._pkg.types.type_from_expr(t)) else None

    def _conversion_type(self, call: Node) -> Node | None:
        """For a call that is a conversion `T(x)` with T a type name: the function node."""
        fn = call.child_by_field_name(kinds.F_FUNCTION)
        if fn is None:
            return None
        fn = unparen(fn)
        if fn.type != kinds.IDENTIFIER:
            return None
        obj = self._pkg.scopes.resolve(fn)
        if obj is None:
            return None
        if obj.kind is ObjKind.TYPE or (obj.kind is ObjKind.BUILTIN and obj.name == "string"):
            return fn
        return None


def _is_assigned(ident: Node) -> bool:
    """`ident` is a target of `=`, `op=`, `++` or `--` (not of `:=`, which declares)."""
    parent = ident.parent
    if parent is not None and parent.type in (kinds.INC_STATEMENT, kinds.DEC_STATEMENT):
        return True
    stmt = parent.parent if parent is not None and parent.type == kinds.EXPRESSION_LIST else None
    return stmt is not None and stmt.type == kinds.ASSIGNMENT_STATEMENT \
        and stmt.child_by_field_name(kinds.F_LEFT) == parent


def _operands(node: Node) -> list[Node]:
    return [c for c in node.named_children if c.type != kinds.COMMENT]


def _operator(pkg: Package, node: Node) -> str:
    op = node.child_by_field_name(kinds.F_OPERATOR)
    return pkg.text(op) if op is not None else ""
