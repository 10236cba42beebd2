"""Mutations: package-wide, where each map or slice storage is inserted into, deleted from,
cleared, resliced, replaced, read in a way that matters, or escapes.

`Mutations.of(pkg).uses(key)` lists every use of the storage `key` (a StorageKey without `[]`
steps) in the package's non-broken functions, as plain `Use` data: the operation, where it is,
and which function holds it. Occurrences are found by name (a narrowed query per field or
variable name, run once per name and cached), then kept when `storage.key` of the expression is
`key`, so copies (`m := s.items`) count as the original. The classification, by the expression's
context:

    M[k] = v, M[k] op= v, M[k]++       INSERT (detail "nil" when v is the literal nil)
    delete(M, k), maps.DeleteFunc(M,.) DELETE          clear(M)              CLEAR
    len(M) in a comparison             LEN_BOUND       len(M) elsewhere      LEN
                                       (`len_limits`: the constants it is compared with)
    v, ok := M[k]                      COMMA_OK        for k := range M      RANGE_KEYS
    M = append(M, ...)                 APPEND          M = M[i:j], M = append(M[:i], M[j:]...),
                                                       M = slices.Delete(M, ...)   RESLICE
    M[i] = nil / T{} / "" / zero var, clear(M[i:])     ZERO
    M = <anything else>                REPLACE, or INIT when it initialises: in func init(), on a
                                       struct made in the same function (`c := &Cache{}`), or
                                       under `if M == nil {`
    M++, M += 1                        INC (a counter)
    &M, return M, M sent or passed to a call that is not a known reader, M stored elsewhere,
    a method called on M               ESCAPE (someone else may prune it: callers stay silent)
    anything else                      READ

The provider lives on the Package (see `of`); uses are memoised per key. The facts (Op, Use,
PRUNING) are in model/mutationfacts.py and the classification in model/mutationops.py; both are
re-exported here.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.mutationfacts import PRUNING, Op, Use
from golinter.model.mutationops import COMPARISON_OPS, classify, is_initialisation, outer_parens
from golinter.model.scopes import ObjKind
from golinter.model.storage import StorageKey
from golinter.model.typelite import unparen
from golinter.parse import IDENT_BYTES

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package, SourceFile

# The facts (model/mutationfacts.py) are re-exported: callers name them from here.
__all__ = ["PRUNING", "Mutations", "Op", "Use", "word_offsets"]


class Mutations:
    """Uses of storages across one package."""

    def __init__(self, package: Package) -> None:
        self._pkg = package
        self._by_name: dict[str, list[tuple[int, SourceFile, Node]]] = {}
        # Occurrences of a name in function bodies the parse left out (a generated file's, see
        # golinter/context_only.py): what they do is not known, so each is an escape.
        self._left_out: dict[str, list[Use]] = {}
        self._uses: dict[StorageKey, tuple[Use, ...]] = {}
        self._replaced: dict[str, tuple[Use, ...]] = {}

    @staticmethod
    def of(pkg: Package) -> Mutations:
        """The package's provider, built on first use and kept on the Package."""
        return pkg.fact(Mutations)

    # -- public API ----------------------------------------------------------------------------
    def uses(self, key: StorageKey) -> tuple[Use, ...]:
        cached = self._uses.get(key)
        if cached is None:
            cached = tuple(self._collect(key, None))
            self._uses[key] = cached
        return cached

    def uses_in(self, key: StorageKey, func: Node) -> tuple[Use, ...]:
        """Uses of `key` inside the declaration or literal `func` only (cheap: occurrences outside
        it are not resolved). Copies made outside `func` are not followed."""
        cached = self._uses.get(key)
        if cached is not None:
            path = self._pkg.file_of(func).path
            return tuple(u for u in cached if u.path == path and func.start_byte <= u.start < func.end_byte)
        return tuple(self._collect(key, func))

    def node_of(self, use: Use) -> Node | None:
        """The node a Use stands for (its byte range in its file)."""
        f = next((f for f in self._pkg.files if f.path == use.path), None)
        return f.tree.root_node.descendant_for_byte_range(use.start, use.end) if f is not None else None

    def len_limits(self, key: StorageKey) -> frozenset[int]:
        """The constants the package compares `len(key)` with, `len(M) >= maxEntries` or
        `limit < len(M)`: the sizes the code holds M to."""
        found: set[int] = set()
        for use in self.uses(key):
            if use.op is not Op.LEN_BOUND:
                continue
            node = self.node_of(use)
            args = outer_parens(node).parent if node is not None else None
            call = args.parent if args is not None else None  # len(M)
            if call is None:
                continue
            call = outer_parens(call)
            comparison = call.parent
            op = comparison.child_by_field_name(kinds.F_OPERATOR) if comparison is not None \
                and comparison.type == kinds.BINARY_EXPRESSION else None
            if comparison is None or op is None or self._pkg.text(op) not in COMPARISON_OPS:
                continue
            left, right = comparison.child_by_field_name(kinds.F_LEFT), comparison.child_by_field_name(kinds.F_RIGHT)
            other = right if call == left else left
            value = self._pkg.consts.int_value(other) if other is not None else None
            if value is not None:
                found.add(value)
        return frozenset(found)

    def ops(self, key: StorageKey) -> frozenset[Op]:
        return frozenset(u.op for u in self.uses(key))

    def is_pruned(self, key: StorageKey) -> bool:
        """Whether anything prunes `key` (see `prunes`), cheapest facts first."""
        if any(u.op in PRUNING for u in self.uses(key)):
            return True
        return bool(self.prunes(key))

    def prunes(self, key: StorageKey) -> tuple[Use, ...]:
        """Uses that take entries out of `key` or may (escape), plus replacements of a
        package-level holder (`cache = newCache()` prunes `cache.items`)."""
        out = [u for u in self.uses(key) if u.op in PRUNING]
        for n in range(len(key.path) - 1, -1, -1):
            prefix = StorageKey(key.root, key.path[:n])
            if prefix.is_field and not prefix.path:
                break  # a type root alone names no storage
            out += [u for u in self.uses(prefix) if u.op in (Op.REPLACE, Op.ESCAPE) and u.detail != "selector"]
        if key.owner_type is not None:
            out += self.holder_replacements(key.owner_type)
        return tuple(out)

    def holder_replacements(self, type_name: str) -> tuple[Use, ...]:
        """Assignments that replace a whole value of same-package type T (`s.stats = newStats()`,
        `*c = Cache{}`), other than initialisations: they drop every map the old value held."""
        found = self._replaced.get(type_name)
        if found is None:
            found = self._collect_replacements(type_name)
            self._replaced[type_name] = found
        return found

    def is_existing_key_update(self, index: Node) -> bool:
        """`M[k] = v` that can only update a key already present, never insert one:
        `if _, ok := M[k]; ok { M[k] = v }` or `v, ok := M[k]; if !ok { return }; M[k] = v + 1`."""
        operand = index.child_by_field_name(kinds.F_OPERAND)
        idx = index.child_by_field_name(kinds.F_INDEX)
        key = self._pkg.storage.key(operand) if operand is not None else None
        if key is None or idx is None:
            return False
        node = index
        while node.parent is not None and node.parent.type not in kinds.FUNCTION_KINDS:
            parent = node.parent
            if parent.type == kinds.IF_STATEMENT and parent.child_by_field_name(kinds.F_CONSEQUENCE) == node \
                    and self._checks_presence(parent.child_by_field_name(kinds.F_CONDITION), key, idx, True):
                return True
            if parent.type == kinds.STATEMENT_LIST:
                for prev in parent.named_children:
                    if prev == node:
                        break
                    if prev.type == kinds.IF_STATEMENT and _leaves(self._pkg, prev.child_by_field_name(kinds.F_CONSEQUENCE)) \
                            and self._checks_presence(prev.child_by_field_name(kinds.F_CONDITION), key, idx, False):
                        return True
            node = parent
        return False

    def _checks_presence(self, cond: Node | None, key: StorageKey, idx: Node, present: bool) -> bool:
        """`ok` / `ok && x` (present) or `!ok` / `!ok || x` (absent), ok from `_, ok := M[k]`."""
        if cond is None:
            return False
        cond = unparen(cond)
        if cond.type == kinds.BINARY_EXPRESSION:
            op = cond.child_by_field_name(kinds.F_OPERATOR)
            if op is not None and self._pkg.text(op) == ("&&" if present else "||"):
                return any(self._checks_presence(cond.child_by_field_name(side), key, idx, present)
                           for side in (kinds.F_LEFT, kinds.F_RIGHT))
            return False
        if not present:
            if cond.type != kinds.UNARY_EXPRESSION:
                return False
            op = cond.child_by_field_name(kinds.F_OPERATOR)
            inner = cond.child_by_field_name(kinds.F_OPERAND)
            if op is None or inner is None or self._pkg.text(op) != "!":
                return False
            cond = unparen(inner)
        if cond.type != kinds.IDENTIFIER:
            return False
        obj = self._pkg.scopes.resolve(cond)
        if obj is None or obj.value is None or obj.value_count != 2 or obj.value_index != 1:
            return False
        lookup = unparen(obj.value)
        if lookup.type != kinds.INDEX_EXPRESSION:
            return False
        operand = lookup.child_by_field_name(kinds.F_OPERAND)
        looked = lookup.child_by_field_name(kinds.F_INDEX)
        return operand is not None and looked is not None and self._pkg.storage.key(operand) == key \
            and self._pkg.text(looked) == self._pkg.text(idx)

    def is_only_incremented(self, key: StorageKey) -> bool:
        """A counter: `s.nextID++` somewhere, never set except to initialise it."""
        ops = self.ops(key)
        return Op.INC in ops and not (ops & {Op.REPLACE, Op.ESCAPE})

    def _collect_replacements(self, type_name: str) -> tuple[Use, ...]:
        """`=` assignments to the fields and package variables declared with type T or *T."""
        from golinter.model.types import Named, Struct
        pkg = self._pkg
        target = Named("", type_name)
        names: set[str] = set()
        for name, objs in pkg.scopes.package_objects(ObjKind.TYPE, ObjKind.VAR):
            obj = objs[0]
            if obj.kind is ObjKind.TYPE:
                u = pkg.types.underlying(Named("", name))
                if isinstance(u, Struct):
                    names.update(f.name for f in u.fields if pkg.types.deref(f.type) == target)
            elif obj.kind is ObjKind.VAR and pkg.types.deref(pkg.types.obj_type(obj)) == target:
                names.add(name)
        out: list[Use] = []
        for name in sorted(names):
            for _index, _f, expr in self._occurrences(name):
                node = outer_parens(expr)
                exprs = node.parent
                stmt = exprs.parent if exprs is not None else None
                if stmt is None or stmt.type != kinds.ASSIGNMENT_STATEMENT or \
                        stmt.child_by_field_name(kinds.F_LEFT) != exprs:
                    continue
                op = stmt.child_by_field_name(kinds.F_OPERATOR)
                key = pkg.storage.key(expr)
                if op is None or pkg.text(op) != "=" or key is None or pkg.types.deref(pkg.types.type_of(expr)) != target:
                    continue
                if not is_initialisation(self._pkg, expr, key):
                    out.append(self._use(Op.REPLACE, expr, "holder"))
            out += [replace(use, op=Op.REPLACE) for use in self._left_out.get(name, ())]
        return tuple(out)

    # -- collection ------------------------------------------------------------------------------
    def _occurrences_in(self, name: str, within: Node) -> list[tuple[int, SourceFile, Node]]:
        """Like `_occurrences`, searching only the bytes of `within` (not cached)."""
        f = self._pkg.file_of(within)
        index = self._pkg.files.index(f)
        word = name.encode()
        out: list[tuple[int, SourceFile, Node]] = []
        root = f.tree.root_node
        base = within.start_byte
        for offset in word_offsets(f.src[base:within.end_byte], word):
            node = _named_at(root, base + offset, len(word))
            if node is not None and not f.in_broken(node):
                out.append((index, f, node))
        return out

    def _occurrences(self, name: str) -> list[tuple[int, SourceFile, Node]]:
        """Identifiers and selectors named `name` with their file, found by a byte search of the
        sources (a query with an `#eq?` predicate filters in Python and costs seconds)."""
        found = self._by_name.get(name)
        if found is None:
            word = name.encode()
            found = []
            for index, f in enumerate(self._pkg.files):
                if not f.may_name(word):
                    continue
                root = f.tree.root_node
                for start in word_offsets(f.src, word):
                    if f.left_out and f.left_out_at(start) is not None:
                        self._left_out.setdefault(name, []).append(self._left_out_use(f, start, len(word)))
                        continue
                    node = _named_at(root, start, len(word))
                    if node is not None and not f.in_broken(node):
                        found.append((index, f, node))
            self._by_name[name] = found
        return found

    def _left_out_use(self, f: SourceFile, start: int, size: int) -> Use:
        """An escape at a name in a left-out body, in the function declaration around it."""
        node = f.tree.root_node.descendant_for_byte_range(start, start + size)
        top = self._pkg.top_level(node) if node is not None else None
        name = top.child_by_field_name(kinds.F_NAME) if top is not None else None
        return Use(Op.ESCAPE, f.path, f.line_of_byte(start), start, start + size, top.start_byte if top is not None else 0,
                   f.text(name) if name is not None else "", "generated")

    def _name_of(self, key: StorageKey) -> str | None:
        names = [p for p in key.path if p != "[]"]
        if names:
            return names[-1]
        if key.is_package_var:
            return key.root[4:]
        if key.root.startswith("local:"):
            ident = self._pkg.storage.declaring_ident(key)
            return self._pkg.text(ident) if ident is not None else None
        return None

    def _collect(self, key: StorageKey, within: Node | None) -> list[Use]:
        name = self._name_of(key)
        if name is None:
            return []
        storage = self._pkg.storage
        path = self._pkg.file_of(within).path if within is not None else ""
        out: list[tuple[int, Use]] = []
        names, seen = [name], {name}
        reference: bool | None = None
        while names:
            word = names.pop()
            found = self._occurrences(word) if within is None else self._occurrences_in(word, within)
            for index, f, expr in found:
                if within is not None and (f.path != path or not within.start_byte <= expr.start_byte < within.end_byte):
                    continue
                if storage.key(expr) != key or self._declares(expr):
                    continue
                if reference is None:
                    reference = self._is_reference(expr)
                op, detail = classify(self._pkg, expr, key)
                if op is Op.ESCAPE and not reference and detail != "address":
                    op = Op.READ  # a copied int or struct value takes nothing with it
                if detail.startswith("copy:") and detail[5:] not in seen:
                    seen.add(detail[5:])
                    names.append(detail[5:])  # `m := s.items`: uses of m are uses of s.items
                out.append((index, self._use(op, expr, detail, f)))
            if within is None:
                out += [(self._pkg.files.index(f), use) for use in self._left_out.get(word, ())
                        for f in self._pkg.files if f.path == use.path]
        return [u for _i, u in sorted(out, key=lambda x: (x[0], x[1].start))]

    def _declares(self, expr: Node) -> bool:
        """The declaring identifier of a variable (`var seen map[K]V`, `m := ...`) is no use."""
        if expr.type != kinds.IDENTIFIER:
            return False
        obj = self._pkg.scopes.resolve(expr)
        return obj is not None and obj.ident is not None and obj.ident.start_byte == expr.start_byte \
            and obj.file is not None and obj.file.path == self._pkg.file_of(expr).path

    def _is_reference(self, expr: Node) -> bool:
        from golinter.model.types import UNKNOWN, Array, Basic, Struct
        u = self._pkg.types.underlying(self._pkg.types.type_of(expr))
        return u is UNKNOWN or not isinstance(u, (Basic, Struct, Array))

    def _use(self, op: Op, node: Node, detail: str, f: SourceFile | None = None) -> Use:
        f = f or self._pkg.file_of(node)
        top = self._pkg.top_level(node)
        func_name = ""
        if top.type in kinds.TOP_FUNCTION_KINDS:
            name = top.child_by_field_name(kinds.F_NAME)
            func_name = f.text(name) if name is not None else ""
        return Use(op, f.path, node.start_point[0] + 1, node.start_byte, node.end_byte, top.start_byte,
                   func_name, detail)


def word_offsets(src: bytes, word: bytes) -> list[int]:
    """Offsets of `word` in `src` as a whole identifier (not inside a longer name: no ASCII
    letter, digit, `_` or byte of a UTF-8 sequence on either side). `bytes.find` scans faster
    than a regex would, and each occurrence is tested by two set lookups."""
    out: list[int] = []
    size, last = len(word), len(src)
    pos = src.find(word)
    while pos != -1:
        end = pos + size
        if (not pos or src[pos - 1] not in IDENT_BYTES) and (end == last or src[end] not in IDENT_BYTES):
            out.append(pos)
        pos = src.find(word, end)
    return out


def _named_at(root: Node, start: int, length: int) -> Node | None:
    """The identifier, or the selector whose field is the name, exactly at [start, start+length)."""
    node = root.named_descendant_for_byte_range(start, start + length)
    if node is None or node.start_byte != start or node.end_byte != start + length:
        return None
    if node.type == kinds.FIELD_IDENTIFIER:
        parent = node.parent
        return parent if parent is not None and parent.type == kinds.SELECTOR_EXPRESSION else None
    return node if node.type == kinds.IDENTIFIER else None


def _leaves(pkg: Package, block: Node | None) -> bool:
    """The block ends by leaving: return, continue, break, goto, panic(...)."""
    if block is None:
        return False
    stmts = [c for c in block.named_children if c.type == kinds.STATEMENT_LIST]
    last = stmts[0].named_children[-1] if stmts and stmts[0].named_children else None
    if last is None:
        return False
    if last.type in (kinds.RETURN_STATEMENT, kinds.CONTINUE_STATEMENT, kinds.BREAK_STATEMENT, kinds.GOTO_STATEMENT):
        return True
    if last.type == kinds.EXPRESSION_STATEMENT and last.named_children:
        call = last.named_children[0]
        fn = call.child_by_field_name(kinds.F_FUNCTION) if call.type == kinds.CALL_EXPRESSION else None
        return fn is not None and fn.type == kinds.IDENTIFIER and pkg.text(fn) == "panic"
    return False
