"""Storage identity: when two expressions denote the same map (or slice, or struct field).

A storage key is a root plus a selector path:
- `pkg:NAME` for a package-level variable (`cache`, `cache.items`);
- `type:T` for a field path reached through a value of same-package named struct type T,
  whatever variable holds it (`s.items` in two methods of *Server is `type:Server` .items):
  fields are shared by every holder of the struct, which is what concurrency and lifetime
  rules need;
- `local:FILE:BYTE` for a local variable or parameter, keyed by its declaring identifier.
Simple copies are followed: `m := s.items` makes `m` the storage of `s.items` when `m` is not
assigned again in its function. Index expressions add a `[]` step (`m[a]` of a map of maps).
Anything else has no key (None): rules stay silent.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.package import enclosing_function
from golinter.model.scopes import Obj, ObjKind
from golinter.model.typelite import unparen
from golinter.model.types import Map, Named, Pointer, Slice

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package


@dataclass(frozen=True, slots=True)
class StorageKey:
    root: str
    path: tuple[str, ...] = ()

    @property
    def is_package_var(self) -> bool:
        return self.root.startswith("pkg:")

    @property
    def is_field(self) -> bool:
        return self.root.startswith("type:")

    @property
    def owner_type(self) -> str | None:
        """For a field key, the struct type's name."""
        return self.root[5:] if self.is_field else None


class Storage:
    """Storage identity for one package; memoised by node id."""

    def __init__(self, package: Package) -> None:
        self._pkg = package
        self._memo: dict[int, StorageKey | None] = {}
        self._assigned: dict[int, frozenset[str]] = {}

    def declaring_ident(self, key: StorageKey) -> Node | None:
        """The identifier that declares the root of a `local:FILE:BYTE` or `pkg:NAME` key."""
        if key.is_package_var:
            obj = self._pkg.scopes.package_obj(key.root[len("pkg:"):])
            return obj.ident if obj is not None else None
        if not key.root.startswith("local:"):
            return None
        path, _, offset = key.root[len("local:"):].rpartition(":")
        f = next((f for f in self._pkg.files if f.path == path), None)
        if f is None or not offset.isdigit():
            return None
        start = int(offset)
        ident = f.tree.root_node.named_descendant_for_byte_range(start, start)
        return ident if ident is not None and ident.type == kinds.IDENTIFIER and ident.start_byte == start else None

    def destination(self, value: Node) -> StorageKey | None:
        """Where a value is stored: the target of `x = v` or `x := v` (or `var x = v`) in the same
        position, or a field of a same-package struct literal (`&T{f: v}`). None otherwise."""
        pkg = self._pkg
        node = value
        while node.parent is not None and node.parent.type == kinds.PARENTHESIZED_EXPRESSION:
            node = node.parent
        parent = node.parent
        if parent is not None and parent.type == kinds.EXPRESSION_LIST and parent.parent is not None:
            stmt = parent.parent
            if stmt.type in (kinds.ASSIGNMENT_STATEMENT, kinds.SHORT_VAR_DECLARATION) \
                    and stmt.child_by_field_name(kinds.F_RIGHT) == parent:
                left = stmt.child_by_field_name(kinds.F_LEFT)
                targets = left.named_children if left is not None else []
            elif stmt.type == kinds.VAR_SPEC and stmt.child_by_field_name(kinds.F_VALUE) == parent:
                targets = stmt.children_by_field_name(kinds.F_NAME)
            else:
                return None
            values = parent.named_children
            index = values.index(node) if node in values else -1
            return self.key(targets[index]) if len(values) == len(targets) and 0 <= index < len(targets) else None
        if parent is not None and parent.type == kinds.LITERAL_ELEMENT:
            parent = parent.parent
        if parent is not None and parent.type == kinds.KEYED_ELEMENT:
            field_node = parent.named_children[0] if parent.named_children else None
            lit = parent.parent.parent if parent.parent is not None else None
            if field_node is None or lit is None or lit.type != kinds.COMPOSITE_LITERAL:
                return None
            t = pkg.types.deref(pkg.types.type_of(lit))
            if isinstance(t, Named) and not t.pkg:
                return StorageKey(f"type:{t.name}", (pkg.text(field_node),))
        return None

    def key(self, expr: Node) -> StorageKey | None:
        k = expr.id
        if k not in self._memo:
            self._memo[k] = None  # cycle guard
            self._memo[k] = self._key(unparen(expr), 0)
        return self._memo[k]

    def same(self, a: Node, b: Node) -> bool:
        ka, kb = self.key(a), self.key(b)
        return ka is not None and ka == kb

    def _key(self, node: Node, depth: int) -> StorageKey | None:
        if depth > 8:
            return None
        t = node.type
        if t == kinds.IDENTIFIER:
            obj = self._pkg.scopes.resolve(node)
            return self.obj_key(obj, depth) if obj is not None else None
        if t == kinds.SELECTOR_EXPRESSION:
            operand = node.child_by_field_name(kinds.F_OPERAND)
            field = node.child_by_field_name(kinds.F_FIELD)
            if operand is None or field is None:
                return None
            name = self._pkg.text(field)
            owner = self._pkg.types.deref(self._pkg.types.type_of(operand))
            if isinstance(owner, Named) and not owner.pkg:
                return StorageKey(f"type:{owner.name}", (name,))
            base = self._key(unparen(operand), depth + 1)
            return StorageKey(base.root, base.path + (name,)) if base is not None else None
        if t == kinds.INDEX_EXPRESSION:
            operand = node.child_by_field_name(kinds.F_OPERAND)
            if operand is None:
                return None
            base = self._key(unparen(operand), depth + 1)
            return StorageKey(base.root, base.path + ("[]",)) if base is not None else None
        if t == kinds.UNARY_EXPRESSION:  # *p and &x denote the same storage as p / x for our purposes
            operand = node.child_by_field_name(kinds.F_OPERAND)
            op = node.child_by_field_name(kinds.F_OPERATOR)
            if operand is not None and op is not None and self._pkg.text(op) in ("*", "&"):
                return self._key(unparen(operand), depth + 1)
        return None

    def obj_key(self, obj: Obj, depth: int = 0) -> StorageKey | None:
        if obj.kind is not ObjKind.VAR or obj.ident is None or obj.file is None:
            return None
        if obj.package_level:
            return StorageKey(f"pkg:{obj.name}")
        copied = self._copy_source(obj)
        if copied is not None:
            src = self._key(copied, depth + 1)
            if src is not None:
                return src
        return StorageKey(f"local:{obj.file.path}:{obj.ident.start_byte}")

    def _copy_source(self, obj: Obj) -> Node | None:
        """`m := s.items` (a reference-typed copy, never reassigned): the copied expression."""
        if obj.value is None or obj.value_count != 1 or obj.value.type == kinds.RANGE_CLAUSE:
            return None
        value = unparen(obj.value)
        if value.type not in (kinds.IDENTIFIER, kinds.SELECTOR_EXPRESSION):
            return None
        u = self._pkg.types.underlying(self._pkg.types.type_of(value))
        if not isinstance(u, (Map, Slice, Pointer)):
            return None
        assert obj.ident is not None
        if obj.name in self._assigned_names(obj.ident):
            return None
        return value

    def _assigned_names(self, ident: Node) -> frozenset[str]:
        """Names assigned with `=` anywhere in the function declaring `ident`."""
        func = enclosing_function(ident)
        if func is None:
            return frozenset()
        cached = self._assigned.get(func.id)
        if cached is None:
            from golinter.parse import walk_named
            names: set[str] = set()
            for node in walk_named(func):
                if node.type == kinds.ASSIGNMENT_STATEMENT:
                    left = node.child_by_field_name(kinds.F_LEFT)
                    for target in (left.named_children if left is not None else []):
                        if target.type == kinds.IDENTIFIER:
                            names.add(self._pkg.text(target))
            cached = frozenset(names)
            self._assigned[func.id] = cached
        return cached
