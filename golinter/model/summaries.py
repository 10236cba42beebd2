"""Map mutations: of a statement region, and summarised per function.

- `mutations_in(region)`: the map mutations a region performs there and then: `delete(M, k)`,
  `M[k] = v`, `M[k] op= v`, `M[k]++`/`--`, and, one call down, the mutations of a same-package
  function or method it calls (through `of`).
- `of(func)`: a FuncSummary: which maps the function deletes from or inserts into, relative
  to its receiver and parameters (`func (c *Cache) evict(id string) { delete(c.items, id) }`
  deletes from the receiver's `.items` at parameter 0), and whether it has other side effects
  (its own, or any same-package callee's, transitively).
- `effects` (golinter/model/effects.py): what a region does that outlives it; the
  summaries' `effects` bit comes from there.
- `insert_keys(storage)`: how the package's own inserts into one map storage choose their
  keys (`M[x.ID] = x` makes ID the key field), and whether they always come in mirrored pairs.
- `instance(expr)` / `same_map(a, b)`: one map *instance* (a root variable and a selector
  path), stricter than storage identity, which merges a field across every holder of its type.

Code inside `go` and `defer` statements, and func literals that are not called on the spot,
does not run there and then, so it is not part of a region. MapMutation, FuncSummary and
InsertKeys are frozen plain data keyed by StorageKey (cacheable); MutationSite holds nodes
and lives only while the package is analysed. Unknown callees have no summary.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.effects import Effects
from golinter.model.occurrences import has_word
from golinter.model.scopes import Obj, ObjKind, receiver_type_name
from golinter.model.typelite import unparen
from golinter.model.types import UNKNOWN
from golinter.parse import compile_query, query_captures, walk_named

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tree_sitter import Node, Query

    from golinter.model.package import Package
    from golinter.model.storage import StorageKey

_NOT_HERE = frozenset({kinds.FUNC_LITERAL, kinds.GO_STATEMENT, kinds.DEFER_STATEMENT})
_INC_DEC = frozenset({kinds.INC_STATEMENT, kinds.DEC_STATEMENT})
_FIELD_TEMPLATE = re.compile(r"#(?:\.\w+)*")  # `#.sid`: a field path of the value
_WRAPPED_TEMPLATE = re.compile(r"(\w+)\((#(?:\.\w+)*)\)")  # `bytesToString(#.sid)`
# What the text of a region holds wherever `may_mutate` takes an operand: `delete`, or
# an index expression's `]` before an assignment operator, `++`, `--` or the comma of a longer
# left-hand side, with only white space between (a comment there starts with `/`: also taken).
_MUTATION_TEXT = re.compile(rb"delete|\]\s*(?:[,/]|\+\+|--|(?:<<|>>|&\^|[-+*%&|^])?=(?!=))")
_DELETE_FIRST = ord("d")  # a `_MUTATION_TEXT` hit starting so is a `delete`


class MutationKind(str, Enum):
    DELETE = "delete"  # delete(M, k)
    INSERT = "insert"  # M[k] = v: creates k when missing
    UPDATE = "update"  # M[k] op= v, M[k]++, M[k]--: reads k first (creating it as zero when missing)


@dataclass(frozen=True, slots=True)
class KeyRef:
    """A summarised mutation's key: parameter `param` (-1: the receiver), then selected `fields`."""

    param: int
    fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MapMutation:
    """A function's mutation of a map it reaches from its receiver, a parameter or a package var.

    `base`: -1 the receiver, i >= 0 parameter i, None a package variable (then `storage` alone
    names it). `path`: selector/index steps from the base to the map (`(".items",)`).
    `key`: the key as a parameter (and fields of it), None when computed inside the function.
    """

    kind: MutationKind
    storage: StorageKey
    base: int | None
    path: tuple[str, ...]
    key: KeyRef | None


@dataclass(frozen=True, slots=True)
class FuncSummary:
    """`func`: "Cache.evict" or "expire". `effects`: side effects besides `mutations`."""

    func: str
    mutations: tuple[MapMutation, ...]
    effects: bool


@dataclass(frozen=True, slots=True)
class InsertKeys:
    """The package's `M[key] = value` sites for one storage. `value_keys` holds the key of each
    insert that computes it from the stored value alone, as a template with the value written
    `#`: `M[x.ID] = x` gives "#.ID", `M[string(n.der)] = n` "string(#.der)", `M[k] = &T{ID: k}`
    and `x.ID = k` beside `M[k] = x` give "#.ID", `key := conv(x.sid)` before `M[key] = x`
    gives "conv(#.sid)". `other` counts the remaining inserts;
    `mirrored` is True when every insert `M[a] = b` has its mirror `M[b] = a` in the same block
    (a symmetric pairing)."""

    storage: StorageKey
    value_keys: frozenset[str]
    other: int
    mirrored: bool


@dataclass(frozen=True, slots=True)
class Instance:
    """One map instance: the root variable's declaration and the selector/index path from it."""

    root: str
    path: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class MutationSite:
    """One mutation in a region. Direct: `map_expr` and `key_expr`. One call down: `call` is the
    call, `mutation` the callee's summary entry, `base_expr` the argument or receiver holding
    the map, `key_expr` the argument the key comes from (None: Unknown) and `key_fields` the
    fields the callee selects from it."""

    node: Node
    kind: MutationKind
    map_expr: Node | None = None
    key_expr: Node | None = None
    call: Node | None = None
    mutation: MapMutation | None = None
    base_expr: Node | None = None
    key_fields: tuple[str, ...] = ()
    callee: str = ""


@dataclass(frozen=True)
class _Local:
    name: str
    mutations: tuple[MapMutation, ...]
    direct_effect: bool
    callees: tuple[Node, ...]


_CALLEE_PATTERNS = """
(call_expression function: (identifier) @callee)
(call_expression function: (selector_expression field: (field_identifier) @callee))
"""


@lru_cache(maxsize=1)
def _callee_query() -> Query:
    """`may_mutate`'s query: the called names, plain or selected."""
    return compile_query(_CALLEE_PATTERNS)


def _mutates_operand(region: Node, src: bytes, target: bytes) -> bool:
    """Some `delete(X, ...)`, `X[...] = ...` (X one of the index expressions of the left-hand
    side), `X[...]++` or `X[...]--` in `region` has X a plain name or written like `target`.
    Found from `_MUTATION_TEXT`'s hits, each a `delete` or the `]` of a candidate index
    expression, and the node there: a query over the region's every node cost several times more."""
    for hit in _MUTATION_TEXT.finditer(src, region.start_byte, region.end_byte):
        pos = hit.start()
        operand = _delete_operand(region, pos) if src[pos] == _DELETE_FIRST else _indexed_operand(region, pos)
        if operand is not None and (operand.type == kinds.IDENTIFIER or _text(src, operand) == target):
            return True
    return False


def _delete_operand(region: Node, pos: int) -> Node | None:
    """The first named child of the arguments (a comment too) of `delete(...)` named at `pos`."""
    name = region.named_descendant_for_byte_range(pos, pos + len(b"delete"))
    if name is None or name.type != kinds.IDENTIFIER or name.start_byte != pos \
            or name.end_byte != pos + len(b"delete"):
        return None
    call = name.parent
    if call is None or call.type != kinds.CALL_EXPRESSION or call.child_by_field_name(kinds.F_FUNCTION) != name:
        return None
    args = call.child_by_field_name(kinds.F_ARGUMENTS)
    if args is None or args.type != kinds.ARGUMENT_LIST or args.named_child_count == 0:
        return None
    return args.named_child(0)


def _indexed_operand(region: Node, pos: int) -> Node | None:
    """The operand of the index expression closed by the `]` at `pos`, when that expression is
    assigned to (an element of the left-hand side) or incremented or decremented."""
    index = region.named_descendant_for_byte_range(pos, pos + 1)
    if index is None or index.type != kinds.INDEX_EXPRESSION or index.end_byte != pos + 1:
        return None
    parent = index.parent
    if parent is None:
        return None
    if parent.type == kinds.EXPRESSION_LIST:
        stmt = parent.parent
        if stmt is None or stmt.type != kinds.ASSIGNMENT_STATEMENT or stmt.child_by_field_name(kinds.F_LEFT) != parent:
            return None
    elif parent.type not in _INC_DEC:
        return None
    return index.child_by_field_name(kinds.F_OPERAND)


@lru_cache(maxsize=1)
def _insert_query() -> Query:
    return compile_query("""
(assignment_statement left: (expression_list (index_expression) @target)) @stmt
(inc_statement (index_expression) @target) @stmt
(dec_statement (index_expression) @target) @stmt
""")


class Summaries:
    """Mutation and effect facts for one package; memoised by node id."""

    def __init__(self, package: Package) -> None:
        self._pkg = package
        self._local: dict[int, _Local] = {}
        self._summary: dict[int, FuncSummary] = {}
        self._assigned: dict[int, tuple[frozenset[Obj], frozenset[tuple[str, int]]]] = {}
        self._inserts: dict[StorageKey, list[tuple[Node, Node]]] | None = None
        self._insert_keys: dict[StorageKey, InsertKeys] = {}
        self.effects = Effects(package, self)
        self._callables: frozenset[bytes] | None = None
        # may_mutate's last query: (file source, start, end, callee captures)
        self._last_candidates: tuple[bytes, int, int, list[Node]] | None = None

    @staticmethod
    def for_package(pkg: Package) -> Summaries:
        """The package's provider, built on first use and kept on the Package."""
        return pkg.fact(Summaries)

    # -- regions ---------------------------------------------------------------------------------
    def region_nodes(self, region: Node) -> Iterator[Node]:
        """Named nodes of `region` that run there and then. `go`, `defer` and func literal roots
        are yielded but not entered, except literals called on the spot (`func() {...}()`)."""
        stack = [region]
        while stack:
            root = stack.pop()
            for node in walk_named(root, _NOT_HERE):
                if node != root and node.type == kinds.FUNC_LITERAL and _called_here(node):
                    body = node.child_by_field_name(kinds.F_BODY)
                    if body is not None:
                        stack.append(body)
                yield node

    def assigned_in(self, region: Node, obj: Obj) -> bool:
        """`obj` may change inside `region`: assigned, incremented, address taken, a range
        target, or its name on the left of a `:=` other than its own declaration (which may
        assign an existing variable, or shadow it: either way, not the same value throughout)."""
        cached = self._assigned.get(region.id)
        if cached is None:
            objs: set[Obj] = set()
            names: set[tuple[str, int]] = set()
            for node in walk_named(region):
                for ident in self._assigned_idents(node):
                    if node.type == kinds.SHORT_VAR_DECLARATION:
                        names.add((self._pkg.text(ident), ident.start_byte))
                        continue
                    target = self._pkg.scopes.resolve(ident)
                    if target is not None:
                        objs.add(target)
            cached = (frozenset(objs), frozenset(names))
            self._assigned[region.id] = cached
        if obj in cached[0]:
            return True
        own = obj.ident.start_byte if obj.ident is not None else -1
        return any(name == obj.name and start != own for name, start in cached[1])

    def _assigned_idents(self, node: Node) -> list[Node]:
        t = node.type
        if t in (kinds.ASSIGNMENT_STATEMENT, kinds.SHORT_VAR_DECLARATION) or (
                t == kinds.RANGE_CLAUSE and not _has_token(node, ":=")):
            left = node.child_by_field_name(kinds.F_LEFT)
            return [unparen(c) for c in (left.named_children if left is not None else [])
                    if unparen(c).type == kinds.IDENTIFIER]
        if t in _INC_DEC:
            return [c for c in node.named_children if c.type == kinds.IDENTIFIER]
        if t == kinds.UNARY_EXPRESSION and self.operator(node) == "&":
            operand = node.child_by_field_name(kinds.F_OPERAND)
            return [unparen(operand)] if operand is not None and unparen(operand).type == kinds.IDENTIFIER else []
        return []

    def may_mutate(self, region: Node, map_expr: Node) -> bool:
        """A cheap syntactic over-approximation of "some site of `mutations_in(region)` is on
        `map_expr`" (no types, no name resolution; text tests, then the nodes at the text's hits,
        then a query narrowed to the region): `delete(X, ...)`, `X[...] = ...`, `X[...]++` with X
        written like `map_expr` or a plain name (a possible alias), or a call of a name that a
        function or method of this package has, with the root name of `map_expr` among its
        receiver and arguments, or any such call when `map_expr` is rooted at a package-level name."""
        src = self._pkg.file_of(region).src
        start, end = region.start_byte, region.end_byte
        root = _root_name(unparen(map_expr))
        root_text = _text(src, root) if root is not None else None
        if _mutates_operand(region, src, _text(src, map_expr)):
            return True
        # Without the root name as a word in the region, only a call with a package-level root can
        # say yes; no query then.
        calls = root_text is not None and has_word(src, root_text, start, end)
        package_root = root_text is not None and self._package_level(root_text)
        if not calls and not package_root:
            return False
        query = _callee_query()
        last = self._last_candidates
        if last is not None and last[0] is src and last[1] <= start and end <= last[2]:
            callees = last[3]  # a loop nested in the last one queried: its captures are among those
        else:
            callees = query_captures(query, region, start, end).get("callee", [])
            self._last_candidates = (src, start, end, callees)
        names = self._callable_names() if callees else frozenset()
        for callee in callees:
            if not start <= callee.start_byte < end or src[callee.start_byte:callee.end_byte] not in names:
                continue
            call = callee.parent
            while call is not None and call.type != kinds.CALL_EXPRESSION:
                call = call.parent
            if call is not None and (package_root or root_text in {_text(src, r) for r in _call_roots(call)}):
                return True
        return False

    def _package_level(self, name: bytes) -> bool:
        return self._pkg.scopes.is_package_level(name.decode("utf-8", "replace"))

    def _callable_names(self) -> frozenset[bytes]:
        """Names of this package's functions and methods."""
        if self._callables is None:
            names = self._pkg.scopes.function_names()
            self._callables = frozenset(n.encode() for n in names | {m for _r, m in self._pkg.scopes.methods})
        return self._callables

    # -- mutation sites ----------------------------------------------------------------------------
    def mutations_in(self, region: Node, *, calls: bool = True) -> list[MutationSite]:
        """Map mutations in `region`, direct and (with `calls`) one same-package call down."""
        out: list[MutationSite] = []
        for node in self.region_nodes(region):
            t = node.type
            if t == kinds.CALL_EXPRESSION:
                direct = self.delete_site(node)
                if direct is not None:
                    out.append(direct)
                elif calls:
                    out += self.call_sites(node)
            elif t == kinds.ASSIGNMENT_STATEMENT:
                left = node.child_by_field_name(kinds.F_LEFT)
                kind = MutationKind.INSERT if self.operator(node) == "=" else MutationKind.UPDATE
                for target in (left.named_children if left is not None else []):
                    site = self.insert_site(target, kind)
                    if site is not None and kind is MutationKind.INSERT and self._rereads(node, site):
                        site = self.insert_site(target, MutationKind.UPDATE)
                    if site is not None:
                        out.append(site)
            elif t in _INC_DEC and node.named_children:
                site = self.insert_site(node.named_children[0], MutationKind.UPDATE)
                if site is not None:
                    out.append(site)
        return out

    def delete_site(self, call: Node) -> MutationSite | None:
        """`delete(M, k)` with the builtin delete."""
        fn = call.child_by_field_name(kinds.F_FUNCTION)
        if fn is None or not self._pkg.scopes.is_builtin(unparen(fn), "delete"):
            return None
        args = _args(call)
        if len(args) != 2:
            return None
        return MutationSite(call, MutationKind.DELETE, map_expr=args[0], key_expr=args[1])

    def insert_site(self, target: Node, kind: MutationKind = MutationKind.INSERT) -> MutationSite | None:
        """`M[k] = v` (INSERT), `M[k] += v`, `M[k]++` (UPDATE): the target `M[k]` on a map M."""
        target = unparen(target)
        if target.type != kinds.INDEX_EXPRESSION:
            return None
        operand = target.child_by_field_name(kinds.F_OPERAND)
        index = target.child_by_field_name(kinds.F_INDEX)
        if operand is None or index is None or self._pkg.types.expr_map(operand) is None:
            return None
        return MutationSite(target, kind, map_expr=operand, key_expr=index)

    def _rereads(self, stmt: Node, site: MutationSite) -> bool:
        """`M[k] = append(M[k], v)`, `M[k] = M[k] + n`: the value reads the entry it replaces,
        the long form of `M[k] op= v` (an update, creating the key only when it was missing)."""
        pair = self._pair(stmt, site.node)
        if pair is None or site.map_expr is None or site.key_expr is None:
            return False
        for node in walk_named(pair[1]):
            if node.type != kinds.INDEX_EXPRESSION:
                continue
            operand = node.child_by_field_name(kinds.F_OPERAND)
            index = node.child_by_field_name(kinds.F_INDEX)
            if operand is not None and index is not None and self.same_map(operand, site.map_expr) \
                    and self.same_value(index, site.key_expr):
                return True
        return False

    def call_sites(self, call: Node) -> list[MutationSite]:
        """The summarised mutations of a same-package callee, bound to this call's arguments."""
        callee = self._pkg.types.callee_decl(call)
        fn = call.child_by_field_name(kinds.F_FUNCTION)
        if callee is None or fn is None:
            return []
        fn = unparen(fn)
        receiver = fn.child_by_field_name(kinds.F_OPERAND) if fn.type == kinds.SELECTOR_EXPRESSION else None
        args = _args(call)
        out: list[MutationSite] = []
        for m in self.of(callee).mutations:
            base = _bind(m.base, receiver, args) if m.base is not None else None
            if m.base is not None and base is None:
                continue
            key = _bind(m.key.param, receiver, args) if m.key is not None else None
            out.append(MutationSite(call, m.kind, call=call, mutation=m, base_expr=base, key_expr=key,
                                    key_fields=m.key.fields if m.key is not None else (),
                                    callee=self._pkg.text(fn)))
        return out

    def on_map(self, site: MutationSite, map_expr: Node) -> bool:
        """The site mutates the very map instance `map_expr` denotes."""
        if site.map_expr is not None:
            return self.same_map(site.map_expr, map_expr)
        m = site.mutation
        if m is None:
            return False
        if m.base is None:
            return m.storage.is_package_var and self._pkg.storage.key(map_expr) == m.storage
        if site.base_expr is None:
            return False
        base, target = self.instance(site.base_expr), self.instance(map_expr)
        return base is not None and target == Instance(base.root, base.path + m.path)

    # -- instances -----------------------------------------------------------------------------------
    def instance(self, expr: Node) -> Instance | None:
        """`s.items` -> (declaration of s, (".items",)); `m[id]` -> (m, ("[id]",)); else None."""
        found = self._decompose(expr)
        if found is None:
            return None
        obj, path = found
        root = f"pkg:{obj.name}" if obj.package_level else "{}:{}".format(*obj.key[:2])
        return Instance(root, path)

    def same_map(self, a: Node, b: Node) -> bool:
        """Same instance, or the same package variable or local storage (following copies)."""
        ia, ib = self.instance(a), self.instance(b)
        if ia is not None and ia == ib:
            return True
        ka, kb = self._pkg.storage.key(a), self._pkg.storage.key(b)
        return ka is not None and ka == kb and not ka.is_field

    def _decompose(self, expr: Node) -> tuple[Obj, tuple[str, ...]] | None:
        steps: list[str] = []
        node = unparen(expr)
        for _ in range(16):
            t = node.type
            if t == kinds.IDENTIFIER:
                obj = self._pkg.scopes.resolve(node)
                if obj is None or obj.kind is not ObjKind.VAR or obj.ident is None:
                    return None
                return obj, tuple(reversed(steps))
            operand = node.child_by_field_name(kinds.F_OPERAND)
            if operand is None:
                return None
            if t == kinds.SELECTOR_EXPRESSION:
                name = node.child_by_field_name(kinds.F_FIELD)
                if name is None:
                    return None
                steps.append("." + self._pkg.text(name))
            elif t == kinds.INDEX_EXPRESSION:
                label = self._index_label(node.child_by_field_name(kinds.F_INDEX))
                if label is None:
                    return None
                steps.append(label)
            elif not (t == kinds.UNARY_EXPRESSION and self.operator(node) == "*"):
                return None
            node = unparen(operand)
        return None

    def _index_label(self, index: Node | None) -> str | None:
        if index is None:
            return None
        index = unparen(index)
        if index.type in (kinds.INT_LITERAL, *kinds.STRING_LITERAL_KINDS):
            return f"[{self._pkg.text(index)}]"
        if index.type == kinds.IDENTIFIER:
            obj = self._pkg.scopes.resolve(index)
            if obj is not None and obj.kind in (ObjKind.VAR, ObjKind.CONST):
                return "[{}:{}]".format(*obj.key[:2])
        return None

    # -- function summaries -----------------------------------------------------------------------
    def of(self, func: Node) -> FuncSummary:
        """The summary of a function or method declaration (one level of mutations; effects
        through every same-package callee)."""
        cached = self._summary.get(func.id)
        if cached is not None:
            return cached
        own = self._local_facts(func)
        effects = own.direct_effect
        seen = {func.id}
        work = list(own.callees)
        while work and not effects:
            callee = work.pop()
            if callee.id in seen:
                continue
            seen.add(callee.id)
            facts = self._local_facts(callee)
            effects = facts.direct_effect or bool(facts.mutations)
            work += facts.callees
        summary = FuncSummary(own.name, own.mutations, effects)
        self._summary[func.id] = summary
        return summary

    def _local_facts(self, func: Node) -> _Local:
        cached = self._local.get(func.id)
        if cached is not None:
            return cached
        name = _func_name(self._pkg, func)
        body = func.child_by_field_name(kinds.F_BODY)
        if body is None or self._pkg.file_of(func).in_broken(func):
            facts = _Local(name, (), False, ())
            self._local[func.id] = facts
            return facts
        params = self._params(func)
        mutations: list[MapMutation] = []
        recorded: set[int] = set()
        for site in self.mutations_in(body, calls=False):
            m = self._summarise(site, params, body)
            if m is not None:
                recorded.add(site.node.id)
                if m not in mutations:
                    mutations.append(m)
        callees: list[Node] = []
        effects = self.effects.effects_in(body, func, lambda s: s.node.id in recorded, callees)
        facts = _Local(name, tuple(mutations), bool(effects), tuple(callees))
        self._local[func.id] = facts
        return facts

    def _params(self, func: Node) -> dict[Obj, int]:
        """Receiver (-1) and parameters (0, 1, ...) of a declaration, as objects."""
        out: dict[Obj, int] = {}
        for field_name, start in ((kinds.F_RECEIVER, -1), (kinds.F_PARAMETERS, 0)):
            plist = func.child_by_field_name(field_name)
            index = start
            for decl in (plist.named_children if plist is not None else []):
                if decl.type not in (kinds.PARAMETER_DECLARATION, kinds.VARIADIC_PARAMETER_DECLARATION):
                    continue
                names = decl.children_by_field_name(kinds.F_NAME)
                for name in names:
                    obj = self._pkg.scopes.resolve(name)
                    if obj is not None and decl.type == kinds.PARAMETER_DECLARATION:
                        out[obj] = index
                    index += 1
                index += 0 if names else 1
        return out

    def _summarise(self, site: MutationSite, params: dict[Obj, int], body: Node) -> MapMutation | None:
        if site.map_expr is None:
            return None
        storage = self._pkg.storage.key(site.map_expr)
        found = self._decompose(site.map_expr)
        if storage is None or found is None:
            return None
        obj, path = found
        if obj.package_level:
            if not storage.is_package_var:
                return None
            base: int | None = None
            path = ()
        elif obj in params and not self.assigned_in(body, obj):
            base = params[obj]
        else:
            return None
        return MapMutation(site.kind, storage, base, path, self._key_ref(site.key_expr, params, body))

    def _key_ref(self, key: Node | None, params: dict[Obj, int], body: Node) -> KeyRef | None:
        found = self._decompose(key) if key is not None else None
        if found is None:
            return None
        obj, path = found
        if obj not in params or self.assigned_in(body, obj) or any(not p.startswith(".") for p in path):
            return None
        return KeyRef(params[obj], tuple(p[1:] for p in path))

    # -- insert sites ------------------------------------------------------------------------------
    def insert_keys(self, storage: StorageKey) -> InsertKeys:
        """How the package's inserts into `storage` choose their keys."""
        cached = self._insert_keys.get(storage)
        if cached is not None:
            return cached
        templates: set[str] = set()
        other = 0
        mirrored = True
        sites = self._insert_index().get(storage, [])
        for stmt, target in sites:
            template = self._value_key(stmt, target)
            if template is not None:
                templates.add(template)
            else:
                other += 1
            mirrored = mirrored and self._has_mirror(stmt, target, storage)
        result = InsertKeys(storage, frozenset(templates), other, mirrored and bool(sites))
        self._insert_keys[storage] = result
        return result

    def value_template(self, expr: Node, value: Obj) -> str | None:
        """`expr` as a function of the variable `value` alone, `value` written `#`
        (`string(n.der)` -> "string(#.der)"); None when it reads another local variable or
        does not read `value` at all."""
        expr = unparen(expr)
        src = self._pkg.file_of(expr).src
        pieces: list[bytes] = []
        pos = expr.start_byte
        for node in walk_named(expr):
            if node.type != kinds.IDENTIFIER:
                continue
            obj = self._pkg.scopes.resolve(node)
            if obj is not None and obj == value:
                pieces += [src[pos:node.start_byte], b"#"]
                pos = node.end_byte
            elif obj is None or (obj.kind is ObjKind.VAR and not obj.package_level):
                return None
        if not pieces:
            return None
        pieces.append(src[pos:expr.end_byte])
        return b"".join(pieces).decode("utf-8", "replace")

    def rewrapped(self, a: str, b: str) -> bool:
        """Two different key templates that convert one field path of the value, each through
        `string` or a function of this package, or not at all: `string(#.sid)` and
        `bytesToString(#.sid)`, `#.ID` and `norm(#.ID)`. Whether they give the same key is
        Unknown."""
        core = self._unwrapped(a)
        return a != b and core is not None and core == self._unwrapped(b)

    def _unwrapped(self, template: str) -> str | None:
        if _FIELD_TEMPLATE.fullmatch(template):
            return template
        m = _WRAPPED_TEMPLATE.fullmatch(template)
        obj = self._pkg.scopes.package_obj(m.group(1)) if m is not None else None
        if m is None or not (obj.kind is ObjKind.FUNC if obj is not None else m.group(1) == "string"):
            return None
        return m.group(2)

    def _insert_index(self) -> dict[StorageKey, list[tuple[Node, Node]]]:
        if self._inserts is None:
            index: dict[StorageKey, list[tuple[Node, Node]]] = {}
            for f in self._pkg.files:
                caps = query_captures(_insert_query(), f.tree.root_node)
                for target in caps.get("target", []):
                    stmt = target.parent
                    if stmt is not None and stmt.type == kinds.EXPRESSION_LIST:
                        stmt = stmt.parent
                    operand = target.child_by_field_name(kinds.F_OPERAND)
                    if stmt is None or operand is None or f.in_broken(stmt):
                        continue
                    key = self._pkg.storage.key(operand)
                    if key is not None and self._pkg.types.expr_map(operand) is not None:
                        index.setdefault(key, []).append((stmt, target))
            self._inserts = index
        return self._inserts

    def _pair(self, stmt: Node, target: Node) -> tuple[Node, Node] | None:
        """(key, value) of `M[key] = value` when the target has its own value (n targets, n values)."""
        if stmt.type != kinds.ASSIGNMENT_STATEMENT or self.operator(stmt) != "=":
            return None
        left = stmt.child_by_field_name(kinds.F_LEFT)
        right = stmt.child_by_field_name(kinds.F_RIGHT)
        targets = left.named_children if left is not None else []
        values = right.named_children if right is not None else []
        if len(targets) != len(values) or target not in targets:
            return None
        key = target.child_by_field_name(kinds.F_INDEX)
        return (key, values[targets.index(target)]) if key is not None else None

    def _value_key(self, stmt: Node, target: Node) -> str | None:
        """The key template of an insert that keys the map by its value: `M[x.F] = x`,
        `M[f(x)] = x`, `M[k] = &T{F: k}`, or `x.F = k` beside `M[k] = x` in the same block."""
        pair = self._pair(stmt, target)
        if pair is None:
            return None
        key, value = unparen(pair[0]), unparen(pair[1])
        if value.type == kinds.IDENTIFIER:
            obj = self._pkg.scopes.resolve(value)
            template = self.value_template(key, obj) if obj is not None else None
            if template is None and obj is not None:
                local = self._key_local(key, stmt, obj)  # `key := f(x.F)` first
                template = self.value_template(local, obj) if local is not None else None
            if template is not None:
                return template
            field = self._assigned_field(stmt.parent, value, key) if stmt.parent is not None else None
            if field is None and obj is not None:
                field = self._built_field(stmt.parent, obj, key)
            return f"#.{field}" if field is not None else None
        if value.type == kinds.UNARY_EXPRESSION and self.operator(value) == "&":
            operand = value.child_by_field_name(kinds.F_OPERAND)
            value = unparen(operand) if operand is not None else value
        if value.type == kinds.COMPOSITE_LITERAL:
            field = self._literal_field(value, key)
            return f"#.{field}" if field is not None else None
        return None

    def _key_local(self, key: Node, stmt: Node, value: Obj) -> Node | None:
        """`key := bytesToString(x.sid)` ... `M[key] = x`: the initialiser of a local key variable
        declared once before the insert in the same function and never reassigned there, with x
        not reassigned either and no field of x assigned in between (`x.sid = b` would make the
        key stale)."""
        from golinter.model.package import enclosing_function
        obj = self._pkg.scopes.resolve(key) if key.type == kinds.IDENTIFIER else None
        if obj is None or obj.kind is not ObjKind.VAR or obj.package_level or obj.value is None \
                or obj.value_count != 1 or obj.value.type == kinds.RANGE_CLAUSE or obj.ident is None \
                or not obj.value.end_byte <= stmt.start_byte:
            return None
        func = enclosing_function(obj.ident)
        body = func.child_by_field_name(kinds.F_BODY) if func is not None else None
        if body is None or enclosing_function(stmt) != func or self.assigned_in(body, obj) \
                or self.assigned_in(body, value):
            return None
        for node in walk_named(body):
            if node.type != kinds.ASSIGNMENT_STATEMENT or not obj.value.end_byte <= node.start_byte < stmt.start_byte:
                continue
            left = node.child_by_field_name(kinds.F_LEFT)
            for target in (left.named_children if left is not None else []):
                root = _root_name(unparen(target))
                if unparen(target).type != kinds.IDENTIFIER and root is not None \
                        and self._pkg.scopes.resolve(root) == value:
                    return None
        return obj.value

    def _literal_field(self, literal: Node, key: Node) -> str | None:
        """`T{F: key}`: the field set to the key."""
        body = literal.child_by_field_name(kinds.F_BODY)
        for elem in (body.named_children if body is not None else []):
            name = elem.child_by_field_name(kinds.F_KEY)
            val = elem.child_by_field_name(kinds.F_VALUE)
            if elem.type != kinds.KEYED_ELEMENT or name is None or val is None:
                continue
            name_ident = name.named_children[0] if name.named_children else name
            val_expr = val.named_children[0] if val.named_children else val
            if name_ident.type == kinds.IDENTIFIER and self.same_value(val_expr, key):
                return self._pkg.text(name_ident)
        return None

    def _assigned_field(self, block: Node, value: Node, key: Node) -> str | None:
        """`x.F = key` among the statements of `block`."""
        for stmt in block.named_children:
            pair = self._single_assignment(stmt)
            if pair is None or pair[0].type != kinds.SELECTOR_EXPRESSION:
                continue
            operand = pair[0].child_by_field_name(kinds.F_OPERAND)
            field = pair[0].child_by_field_name(kinds.F_FIELD)
            if operand is not None and field is not None and self.same_value(operand, value) \
                    and self.same_value(pair[1], key):
                return self._pkg.text(field)
        return None

    def _built_field(self, block: Node | None, value: Obj, key: Node) -> str | None:
        """`n := &T{F: key}` (its declaration) or `n = &T{F: key}` (in `block`), then `M[key] = n`."""
        sources = [value.value] if value.value is not None and value.value_count == 1 else []
        for stmt in (block.named_children if block is not None else []):
            pair = self._single_assignment(stmt)
            if pair is not None and pair[0].type == kinds.IDENTIFIER and self._pkg.scopes.resolve(pair[0]) == value:
                sources.append(pair[1])
        for source in sources:
            literal = unparen(source)
            if literal.type == kinds.UNARY_EXPRESSION and self.operator(literal) == "&":
                operand = literal.child_by_field_name(kinds.F_OPERAND)
                literal = unparen(operand) if operand is not None else literal
            if literal.type == kinds.COMPOSITE_LITERAL:
                field = self._literal_field(literal, key)
                if field is not None:
                    return field
        return None

    def _single_assignment(self, stmt: Node) -> tuple[Node, Node] | None:
        if stmt.type != kinds.ASSIGNMENT_STATEMENT or self.operator(stmt) != "=":
            return None
        left = stmt.child_by_field_name(kinds.F_LEFT)
        right = stmt.child_by_field_name(kinds.F_RIGHT)
        targets = left.named_children if left is not None else []
        values = right.named_children if right is not None else []
        return (unparen(targets[0]), unparen(values[0])) if len(targets) == 1 and len(values) == 1 else None

    def _has_mirror(self, stmt: Node, target: Node, storage: StorageKey) -> bool:
        """`M[a] = b` has `M[b] = a` beside it (same assignment or same statement list)."""
        pair = self._pair(stmt, target)
        block = stmt.parent
        if pair is None or block is None:
            return False
        for other_stmt, other_target in self._insert_index().get(storage, []):
            if other_target == target or other_stmt.parent != block:
                continue
            other = self._pair(other_stmt, other_target)
            if other is not None and self.same_value(other[0], pair[1]) and self.same_value(other[1], pair[0]):
                return True
        return False

    def same_value(self, a: Node, b: Node) -> bool:
        """Two plain operands that read the same variable or field path (`a.x`, `a.x`), or two
        constants with the same known value (`""`, `""`)."""
        ia, ib = self._decompose(a), self._decompose(b)
        if ia is not None:
            return ia == ib
        va = self._pkg.consts.value(unparen(a))
        return va is not UNKNOWN and ib is None and va == self._pkg.consts.value(unparen(b))

    def assigned_value(self, site: MutationSite) -> Node | None:
        """For a direct `M[k] = v` site, the expression v."""
        stmt = site.node.parent.parent if site.node.parent is not None else None
        pair = self._pair(stmt, site.node) if stmt is not None else None
        return pair[1] if pair is not None else None

    # -- helpers ------------------------------------------------------------------------------------
    def operator(self, node: Node) -> str:
        op = node.child_by_field_name(kinds.F_OPERATOR)
        return self._pkg.text(op) if op is not None else ""


def _called_here(literal: Node) -> bool:
    """`func() { ... }()`: the literal is the function of a call outside go/defer."""
    parent = literal.parent
    if parent is None or parent.type != kinds.CALL_EXPRESSION:
        return False
    fn = parent.child_by_field_name(kinds.F_FUNCTION)
    if fn is None or unparen(fn) != literal:
        return False
    grand = parent.parent
    return grand is None or grand.type not in (kinds.GO_STATEMENT, kinds.DEFER_STATEMENT)


def _args(call: Node) -> list[Node]:
    args = call.child_by_field_name(kinds.F_ARGUMENTS)
    return [a for a in (args.named_children if args is not None else []) if a.type != kinds.COMMENT]


def _text(src: bytes, node: Node | None) -> bytes:
    node = unparen(node) if node is not None else None
    return src[node.start_byte:node.end_byte] if node is not None else b""


def _call_roots(call: Node) -> list[Node]:
    """The root names of a call's receiver and arguments."""
    fn = call.child_by_field_name(kinds.F_FUNCTION)
    exprs = _args(call) + ([fn] if fn is not None and unparen(fn).type == kinds.SELECTOR_EXPRESSION else [])
    roots = [_root_name(unparen(e)) for e in exprs]
    return [r for r in roots if r is not None]


def _root_name(expr: Node | None) -> Node | None:
    """`s.items[k].x` -> `s`; None when the expression is not rooted at a name."""
    node = expr
    for _ in range(16):
        if node is None or node.type == kinds.IDENTIFIER:
            return node
        if node.type not in (kinds.SELECTOR_EXPRESSION, kinds.INDEX_EXPRESSION, kinds.UNARY_EXPRESSION,
                             kinds.PARENTHESIZED_EXPRESSION):
            return None
        node = node.child_by_field_name(kinds.F_OPERAND) or (node.named_children[0] if node.named_children else None)
    return None


def _bind(param: int, receiver: Node | None, args: list[Node]) -> Node | None:
    if param == -1:
        return receiver
    return args[param] if 0 <= param < len(args) else None


def _has_token(node: Node, token: str) -> bool:
    return any(not c.is_named and c.type == token for c in node.children)


def _func_name(pkg: Package, func: Node) -> str:
    name = func.child_by_field_name(kinds.F_NAME)
    text = pkg.text(name) if name is not None else "func"
    if func.type == kinds.METHOD_DECLARATION:
        recv = receiver_type_name(pkg.file_of(func), func)
        return f"{recv}.{text}" if recv else text
    return text
