"""Scopes: which declaration an identifier refers to, across the package's files.

`Scopes.resolve(ident)` walks up from an identifier through the enclosing scopes (statement
lists, if/for/switch initialisers, range clauses, type-switch aliases, select receives,
function parameters, results, receivers and type parameters), then the package's top-level
declarations, then the file's imports, then the universe. Each scope's declarations are
indexed once per scope node (memo keyed by node id), so a lookup costs the nesting depth.

Declarations duplicated across files by build tags resolve to the first when their text is
identical, and to None (Unknown) when they disagree.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.parse import path_down

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tree_sitter import Node

    from golinter.model.package import Package, SourceFile


class ObjKind(str, Enum):
    VAR = "var"
    CONST = "const"
    TYPE = "type"
    FUNC = "func"
    IMPORT = "import"
    BUILTIN = "builtin"


@dataclass(eq=False)
class Obj:
    """A declared object. Equality is identity of the declaring identifier (file, byte).

    `value` is the initialiser expression bound to this name and `value_index` its position
    in a multi-value right-hand side (`a, ok := m[k]`: ok has value m[k], index 1). For
    range-clause variables `value` is the range_clause node. For constants without an
    expression list, `value` is the repeated expression of the last spec with one and
    `iota` the spec's position in its declaration.
    """

    kind: ObjKind
    name: str
    ident: Node | None = None
    decl: Node | None = None
    type_node: Node | None = None
    value: Node | None = None
    value_index: int = 0
    value_count: int = 1
    iota: int = 0
    package_level: bool = False
    import_path: str = ""
    variadic: bool = False
    file: SourceFile | None = field(default=None, repr=False)

    @property
    def key(self) -> tuple[str, int, str]:
        path = self.file.path if self.file is not None else "<universe>"
        start = self.ident.start_byte if self.ident is not None else 0
        return (path, start, self.name)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Obj) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)


BUILTIN_FUNCS = frozenset({
    "append", "cap", "clear", "close", "complex", "copy", "delete", "imag", "len", "make", "max",
    "min", "new", "panic", "print", "println", "real", "recover",
})
UNIVERSE_TYPES = frozenset({
    "bool", "byte", "rune", "string", "error", "any", "comparable", "int", "int8", "int16",
    "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "float32",
    "float64", "complex64", "complex128",
})
UNIVERSE_VALUES = frozenset({"true", "false", "nil", "iota"})

_DECL_STATEMENTS = frozenset({kinds.SHORT_VAR_DECLARATION, kinds.VAR_DECLARATION,
                              kinds.CONST_DECLARATION, kinds.TYPE_DECLARATION})
_INIT_SCOPES = frozenset({kinds.IF_STATEMENT, kinds.EXPRESSION_SWITCH_STATEMENT,
                          kinds.TYPE_SWITCH_STATEMENT})
_NAME_KINDS = frozenset({kinds.IDENTIFIER, kinds.TYPE_IDENTIFIER})
_SCOPE_KINDS = frozenset({kinds.STATEMENT_LIST, kinds.FOR_STATEMENT, kinds.FOR_CLAUSE,
                          kinds.COMMUNICATION_CASE, kinds.TYPE_SPEC, kinds.METHOD_ELEM}
                         | _INIT_SCOPES | kinds.FUNCTION_KINDS)
_CONFLICT = Obj(ObjKind.BUILTIN, "<conflict>")

Index = dict[str, list[Obj]]


def default_import_name(path: str) -> str:
    """The package name the go tool would guess from an import path: last element, minus a
    /vN major-version suffix, a gopkg.in `.vN` suffix and a `go-` prefix."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        return path
    last = parts[-1]
    if len(parts) > 1 and last.startswith("v") and last[1:].isdigit():
        last = parts[-2]
    if "." in last and last.rsplit(".", 1)[1].startswith("v"):
        last = last.rsplit(".", 1)[0]
    last = last.removeprefix("go-")
    return last.replace("-", "_")


def _names(node: Node | None) -> list[Node]:
    if node is None:
        return []
    if node.type in _NAME_KINDS:
        return [node]
    return [c for c in node.named_children if c.type in _NAME_KINDS]


def _exprs(node: Node | None) -> list[Node]:
    if node is None:
        return []
    if node.type == kinds.EXPRESSION_LIST:
        return [c for c in node.named_children if c.type != kinds.COMMENT]
    return [node]


def has_token(node: Node, token: str) -> bool:
    return any(not c.is_named and c.type == token for c in node.children)


class Scopes:
    """Name resolution for one package. Built lazily by `Package.scopes`."""

    def __init__(self, package: Package) -> None:
        self._pkg = package
        self._memo: dict[int, Obj | None] = {}
        self._scope_index: dict[int, Index] = {}
        self._absent: set[tuple[int, str]] = set()  # (scope node id, name): see _resolve
        # Package-level objects by name. Constants (four fifths of the Go library's package-level
        # objects: syscall and unicode tables) are made on the first lookup of their name
        # (`_const_specs`: name -> file, spec, the spec whose values it repeats, iota).
        self._package: Index = {}
        self._const_specs: dict[str, list[tuple[SourceFile, Node, Node | None, int]]] = {}
        self._consts_made: set[int] = set()  # const specs whose objects are in _package
        self._file_index = {f.path: i for i, f in enumerate(package.files)}
        self.methods: dict[tuple[str, str], list[Node]] = {}
        self.imports: dict[str, dict[str, str]] = {}  # file path -> local name -> import path
        for f in package.files:
            self._index_file(f)

    # -- package level -------------------------------------------------------------
    def _index_file(self, f: SourceFile) -> None:
        root = f.tree.root_node
        imports: dict[str, str] = {}
        for top in root.named_children:
            t = top.type
            if t == kinds.IMPORT_DECLARATION:
                for spec in _import_specs(top):
                    path_node = spec.child_by_field_name(kinds.F_PATH)
                    if path_node is None:
                        continue
                    path = f.text(path_node).strip('"`')
                    alias = spec.child_by_field_name(kinds.F_NAME)
                    imports[f.text(alias) if alias is not None else default_import_name(path)] = path
            elif t == kinds.FUNCTION_DECLARATION:
                name = top.child_by_field_name(kinds.F_NAME)
                if name is not None:
                    self._add(self._package, Obj(ObjKind.FUNC, f.text(name), name, top,
                                                      package_level=True, file=f))
            elif t == kinds.METHOD_DECLARATION:
                recv = receiver_type_name(f, top)
                name = top.child_by_field_name(kinds.F_NAME)
                if recv and name is not None:
                    self.methods.setdefault((recv, f.text(name)), []).append(top)
            elif t == kinds.CONST_DECLARATION:
                for entry in _const_specs(top):
                    for name_node in spec_names(entry[0]):
                        self._const_specs.setdefault(f.text(name_node), []).append((f, *entry))
            elif t in (kinds.VAR_DECLARATION, kinds.TYPE_DECLARATION):
                for obj in self._decl_objs(f, top, package_level=True):
                    self._add(self._package, obj)
        self.imports[f.path] = imports

    @staticmethod
    def _add(index: Index, obj: Obj) -> None:
        index.setdefault(obj.name, []).append(obj)

    def _decl_objs(self, f: SourceFile, stmt: Node, package_level: bool = False) -> list[Obj]:
        """Objects a declaration statement declares, in source order."""
        t = stmt.type
        out: list[Obj] = []
        if t == kinds.SHORT_VAR_DECLARATION:
            out += _bind(f, ObjKind.VAR, stmt, _names(stmt.child_by_field_name(kinds.F_LEFT)),
                         None, _exprs(stmt.child_by_field_name(kinds.F_RIGHT)), package_level)
        elif t == kinds.VAR_DECLARATION:
            for spec in _specs(stmt, kinds.VAR_SPEC):
                out += _bind(f, ObjKind.VAR, spec, spec_names(spec),
                             spec.child_by_field_name(kinds.F_TYPE),
                             _exprs(spec.child_by_field_name(kinds.F_VALUE)), package_level)
        elif t == kinds.CONST_DECLARATION:
            for spec, valued, iota in _const_specs(stmt):
                out += _const_objs(f, spec, valued, iota, package_level)
        elif t == kinds.TYPE_DECLARATION:
            for spec in stmt.named_children:
                if spec.type in (kinds.TYPE_SPEC, kinds.TYPE_ALIAS):
                    name = spec.child_by_field_name(kinds.F_NAME)
                    if name is not None:
                        out.append(Obj(ObjKind.TYPE, f.text(name), name, spec,
                                       type_node=spec.child_by_field_name(kinds.F_TYPE),
                                       package_level=package_level, file=f))
        return out

    def package_objs(self, name: str) -> list[Obj]:
        """Every package-level declaration of `name` (several: build-tagged copies), in file order."""
        specs = self._const_specs.get(name)
        if specs is not None:
            self._make_consts(specs)
        return self._package.get(name, [])

    def is_package_level(self, name: str) -> bool:
        return name in self._package or name in self._const_specs

    def package_objects(self, *wanted: ObjKind) -> Iterator[tuple[str, list[Obj]]]:
        """(name, its declarations) for the package-level names whose first declaration is of a
        `wanted` kind, in file order (constants: after the other kinds)."""
        if ObjKind.CONST in wanted:
            for specs in self._const_specs.values():
                self._make_consts(specs)
        for name, objs in list(self._package.items()):
            if name in self._const_specs:  # also a constant somewhere: which comes first?
                objs = self.package_objs(name)
            if objs[0].kind in wanted:
                yield name, objs

    def function_names(self) -> set[str]:
        """Names with a package-level function declaration (in any file)."""
        return {name for name, objs in self._package.items() if any(o.kind is ObjKind.FUNC for o in objs)}

    def _make_consts(self, specs: list[tuple[SourceFile, Node, Node | None, int]]) -> None:
        unordered: set[str] = set()
        for f, spec, valued, iota in specs:
            if spec.id in self._consts_made:
                continue
            self._consts_made.add(spec.id)
            for obj in _const_objs(f, spec, valued, iota, package_level=True):
                objs = self._package.setdefault(obj.name, [])
                objs.append(obj)
                if len(objs) > 1:
                    unordered.add(obj.name)
        for name in unordered:  # copies in several files: file order, whatever was made first
            self._package[name].sort(key=self._file_order)

    def _file_order(self, obj: Obj) -> tuple[int, int]:
        return (self._file_index[obj.file.path] if obj.file is not None else -1,
                obj.ident.start_byte if obj.ident is not None else 0)

    def package_obj(self, name: str) -> Obj | None:
        """The package-level object `name`; None when absent or when build-tagged copies disagree."""
        objs = self.package_objs(name)
        if not objs:
            return None
        first = objs[0]
        if len(objs) > 1:
            text = _decl_text(first)
            if any(_decl_text(o) != text for o in objs[1:]):
                return None
        return first

    def method_decl(self, type_name: str, method: str) -> Node | None:
        """The method declaration `func (T) method` (None when absent or duplicated differently)."""
        decls = self.methods.get((type_name, method))
        if not decls:
            return None
        if len(decls) > 1:
            texts = {self._pkg.text(d) for d in decls}
            if len(texts) > 1:
                return None
        return decls[0]

    def import_path(self, f: SourceFile, name: str) -> str | None:
        return self.imports.get(f.path, {}).get(name)

    # -- local resolution ---------------------------------------------------------
    def resolve(self, ident: Node) -> Obj | None:
        """The object `ident` (an identifier or type_identifier) refers to, or None (Unknown)."""
        key = ident.id
        if key in self._memo:
            return self._memo[key]
        obj = self._resolve(ident)
        if obj is _CONFLICT:
            obj = None
        self._memo[key] = obj
        return obj

    def _resolve(self, ident: Node) -> Obj | None:
        # The enclosing nodes come from one descent from the root (`path_down`): `Node.parent`
        # descends from the root at every call, so climbing d levels cost d times the depth.
        f = self._pkg.file_of(ident)
        name = f.text(ident)
        if name == "_":
            return None
        path = path_down(f.tree.root_node, ident) or []
        # Scopes that declare `name` nowhere from them up to the root (package names, imports,
        # builtins, types): a later lookup stops at the first of them.
        absent = self._absent
        clean: list[int] = []  # scopes passed through since the last one that has `name`
        child = ident
        for parent in reversed(path):
            if (parent.id, name) in absent:
                break
            t = parent.type
            if t in _SCOPE_KINDS:
                objs = self._index(f, parent).get(name)
                if objs or t == kinds.TYPE_SWITCH_STATEMENT:
                    clean.clear()  # whether it is seen depends on where: nothing below is absent
                    for obj in objs or ():
                        if obj.ident is not None and obj.ident.start_byte == ident.start_byte:
                            return obj  # a declaring identifier: `k` in `for k := range m`
                    found = self._lookup_in(f, parent, child, name)
                    if found is not None:
                        return found
                else:
                    clean.append(parent.id)
            child = parent
        for scope_id in clean:
            absent.add((scope_id, name))
        if self.is_package_level(name):
            return self.package_obj(name) or _CONFLICT
        imported = self.import_path(f, name)
        if imported is not None:
            return Obj(ObjKind.IMPORT, name, import_path=imported, file=f)
        if name in BUILTIN_FUNCS or name in UNIVERSE_TYPES or name in UNIVERSE_VALUES:
            return Obj(ObjKind.BUILTIN, name)
        return None

    def _lookup_in(self, f: SourceFile, scope: Node, child: Node, name: str) -> Obj | None:
        t = scope.type
        if t == kinds.STATEMENT_LIST:
            for obj in self._index(f, scope).get(name, ()):
                if obj.decl is not None and _stmt_end(obj.decl, scope) <= child.start_byte:
                    return obj
            return None
        if t == kinds.FOR_STATEMENT:
            if child.type == kinds.BLOCK:
                return _first(self._index(f, scope).get(name))
            return None
        if t == kinds.FOR_CLAUSE:
            init = scope.child_by_field_name(kinds.F_INITIALIZER)
            if init is not None and child != init:
                return _first(self._index(f, scope).get(name))
            return None
        if t in _INIT_SCOPES:
            init = scope.child_by_field_name(kinds.F_INITIALIZER)
            if child == init:
                return None
            if t == kinds.TYPE_SWITCH_STATEMENT and child.type in (kinds.TYPE_CASE, kinds.DEFAULT_CASE):
                alias = _first(self._type_switch_alias(f, scope, child).get(name))
                if alias is not None:
                    return alias
            return _first(self._index(f, scope).get(name))
        if t == kinds.COMMUNICATION_CASE:
            if child != scope.child_by_field_name(kinds.F_COMMUNICATION):
                return _first(self._index(f, scope).get(name))
            return None
        if t in kinds.FUNCTION_KINDS or t == kinds.TYPE_SPEC or t == kinds.METHOD_ELEM:
            return _first(self._index(f, scope).get(name))
        return None

    def _index(self, f: SourceFile, scope: Node) -> Index:
        cached = self._scope_index.get(scope.id)
        if cached is None:
            cached = {}
            for obj in self._scope_objs(f, scope):
                # earliest declaration wins: `x, err := ...` twice in one scope is one err
                cached.setdefault(obj.name, []).append(obj)
            self._scope_index[scope.id] = cached
        return cached

    def _scope_objs(self, f: SourceFile, scope: Node) -> list[Obj]:
        t = scope.type
        if t == kinds.STATEMENT_LIST:
            out: list[Obj] = []
            for stmt in scope.named_children:
                if stmt.type in _DECL_STATEMENTS:
                    out += self._decl_objs(f, stmt)
            return out
        if t == kinds.FOR_STATEMENT:
            for c in scope.named_children:
                if c.type == kinds.RANGE_CLAUSE and has_token(c, ":="):
                    names = _names(c.child_by_field_name(kinds.F_LEFT))
                    return [Obj(ObjKind.VAR, f.text(n), n, c, value=c, value_index=i, file=f)
                            for i, n in enumerate(names)]
                if c.type == kinds.FOR_CLAUSE:
                    return self._init_objs(f, c)
            return []
        if t in _INIT_SCOPES or t == kinds.FOR_CLAUSE:
            return self._init_objs(f, scope)
        if t == kinds.COMMUNICATION_CASE:
            comm = scope.child_by_field_name(kinds.F_COMMUNICATION)
            if comm is not None and comm.type == kinds.RECEIVE_STATEMENT and has_token(comm, ":="):
                right = comm.child_by_field_name(kinds.F_RIGHT)
                names = _names(comm.child_by_field_name(kinds.F_LEFT))
                return [Obj(ObjKind.VAR, f.text(n), n, comm, value=right, value_index=i,
                            value_count=len(names), file=f) for i, n in enumerate(names)]
            return []
        if t in kinds.FUNCTION_KINDS or t == kinds.METHOD_ELEM:
            return _signature_objs(f, scope)
        if t == kinds.TYPE_SPEC:
            return _type_param_objs(f, scope.child_by_field_name(kinds.F_TYPE_PARAMETERS))
        return []

    def _init_objs(self, f: SourceFile, scope: Node) -> list[Obj]:
        init = scope.child_by_field_name(kinds.F_INITIALIZER)
        return self._decl_objs(f, init) if init is not None else []

    def _type_switch_alias(self, f: SourceFile, switch: Node, case: Node) -> Index:
        """`switch v := x.(type)`: v in a case naming one type has that type, else x's type."""
        cached = self._scope_index.get(case.id)
        if cached is not None:
            return cached
        alias = switch.child_by_field_name(kinds.F_ALIAS)
        value = switch.child_by_field_name(kinds.F_VALUE)
        index: Index = {}
        for n in _names(alias):
            case_types = case.children_by_field_name(kinds.F_TYPE)
            type_node = case_types[0] if len(case_types) == 1 and case_types[0].type != kinds.NIL else None
            obj = Obj(ObjKind.VAR, f.text(n), n, switch, type_node=type_node,
                      value=None if type_node is not None else value, file=f)
            index[obj.name] = [obj]
        self._scope_index[case.id] = index
        return index

    # -- helpers checks use ---------------------------------------------------------
    def is_builtin(self, ident: Node, name: str) -> bool:
        """`ident` is the predeclared `name` (not shadowed by a local or package declaration)."""
        if ident.type != kinds.IDENTIFIER or self._pkg.text(ident) != name:
            return False
        obj = self.resolve(ident)
        return obj is not None and obj.kind is ObjKind.BUILTIN

    def root_object(self, expr: Node) -> Obj | None:
        """The object a selector chain starts from (`req` in `(req.URL).Host`), None when it does
        not start at a name."""
        node = expr
        while node.type in (kinds.SELECTOR_EXPRESSION, kinds.PARENTHESIZED_EXPRESSION):
            inner = node.child_by_field_name(kinds.F_OPERAND) if node.type == kinds.SELECTOR_EXPRESSION \
                else (node.named_children[0] if node.named_children else None)
            if inner is None:
                return None
            node = inner
        return self.resolve(node) if node.type == kinds.IDENTIFIER else None

    def same_object(self, a: Node, b: Node) -> bool:
        oa, ob = self.resolve(a), self.resolve(b)
        return oa is not None and oa == ob and oa.kind is not ObjKind.BUILTIN


def spec_names(spec: Node) -> list[Node]:
    """The declared names of a var_spec or const_spec. (tree-sitter-go puts the commas between
    a const_spec's names under its `name` field too: `const a, b = 1, 2` has three.)"""
    return [n for n in spec.children_by_field_name(kinds.F_NAME) if n.type in _NAME_KINDS]


def _first(objs: list[Obj] | None) -> Obj | None:
    return objs[0] if objs else None


def _stmt_end(decl: Node, scope: Node) -> int:
    """End of the statement (direct child of `scope`) that holds `decl`: a name is in scope
    only after its declaring statement (`x := x + 1` reads the outer x)."""
    node = decl
    while node.parent is not None and node.parent != scope:
        node = node.parent
    return node.end_byte


def _const_specs(decl: Node) -> Iterator[tuple[Node, Node | None, int]]:
    """(spec, the spec whose type and values it has, iota) for each const_spec of `decl`: a spec
    without values repeats the last one's (implicit repetition)."""
    valued: Node | None = None
    for iota, spec in enumerate(_specs(decl, kinds.CONST_SPEC)):
        if spec.child_by_field_name(kinds.F_VALUE) is not None:
            valued = spec
        yield spec, valued, iota


def _const_objs(f: SourceFile, spec: Node, valued: Node | None, iota: int, package_level: bool) -> list[Obj]:
    type_node = valued.child_by_field_name(kinds.F_TYPE) if valued is not None else None
    values = _exprs(valued.child_by_field_name(kinds.F_VALUE)) if valued is not None else []
    out = _bind(f, ObjKind.CONST, spec, spec_names(spec), type_node, values, package_level)
    for obj in out:
        obj.iota = iota
    return out


def _specs(stmt: Node, spec_kind: str) -> list[Node]:
    out: list[Node] = []
    for c in stmt.named_children:
        if c.type == spec_kind:
            out.append(c)
        elif c.type == kinds.VAR_SPEC_LIST:
            out += [s for s in c.named_children if s.type == spec_kind]
    return out


def _import_specs(decl: Node) -> list[Node]:
    out: list[Node] = []
    for c in decl.named_children:
        if c.type == kinds.IMPORT_SPEC:
            out.append(c)
        elif c.type == kinds.IMPORT_SPEC_LIST:
            out += [s for s in c.named_children if s.type == kinds.IMPORT_SPEC]
    return out


def _bind(f: SourceFile, kind: ObjKind, decl: Node, names: list[Node], type_node: Node | None,
          values: list[Node], package_level: bool) -> list[Obj]:
    """Pair names with values: n:n positionally, n:1 as indexes into one multi-value expression."""
    out: list[Obj] = []
    for i, n in enumerate(names):
        if n.type not in _NAME_KINDS:
            continue
        if len(values) == len(names):
            value, index, count = values[i], 0, 1
        elif len(values) == 1:
            value, index, count = values[0], i, len(names)
        else:
            value, index, count = None, 0, 1
        out.append(Obj(kind, f.text(n), n, decl, type_node=type_node, value=value, value_index=index,
                       value_count=count, package_level=package_level, file=f))
    return out


def _signature_objs(f: SourceFile, func: Node) -> list[Obj]:
    out: list[Obj] = []
    for field_name in (kinds.F_RECEIVER, kinds.F_PARAMETERS, kinds.F_RESULT):
        plist = func.child_by_field_name(field_name)
        if plist is None or plist.type != kinds.PARAMETER_LIST:
            continue
        for decl in plist.named_children:
            if decl.type not in (kinds.PARAMETER_DECLARATION, kinds.VARIADIC_PARAMETER_DECLARATION):
                continue
            type_node = decl.child_by_field_name(kinds.F_TYPE)
            for n in decl.children_by_field_name(kinds.F_NAME):
                out.append(Obj(ObjKind.VAR, f.text(n), n, decl, type_node=type_node,
                               variadic=decl.type == kinds.VARIADIC_PARAMETER_DECLARATION, file=f))
    out += _type_param_objs(f, func.child_by_field_name(kinds.F_TYPE_PARAMETERS))
    if func.type == kinds.METHOD_DECLARATION:
        out += _receiver_type_params(f, func)
    return out


def _type_param_objs(f: SourceFile, tparams: Node | None) -> list[Obj]:
    if tparams is None:
        return []
    out: list[Obj] = []
    for decl in tparams.named_children:
        if decl.type == kinds.TYPE_PARAMETER_DECLARATION:
            constraint = decl.child_by_field_name(kinds.F_TYPE)
            for n in decl.children_by_field_name(kinds.F_NAME):
                out.append(Obj(ObjKind.TYPE, f.text(n), n, decl, type_node=constraint, file=f,
                               import_path="<typeparam>"))
    return out


def _receiver_type_params(f: SourceFile, method: Node) -> list[Obj]:
    """`func (g *G[K, V]) ...` binds K and V to G's type parameters (same position)."""
    recv = method.child_by_field_name(kinds.F_RECEIVER)
    generic = None
    if recv is not None:
        for node in _descend_types(recv):
            if node.type == kinds.GENERIC_TYPE:
                generic = node
                break
    if generic is None:
        return []
    args = generic.child_by_field_name(kinds.F_TYPE_ARGUMENTS)
    out: list[Obj] = []
    for elem in (args.named_children if args is not None else []):
        names = [c for c in elem.named_children if c.type in _NAME_KINDS] or (
            [elem] if elem.type in _NAME_KINDS else [])
        for n in names[:1]:
            out.append(Obj(ObjKind.TYPE, f.text(n), n, generic, file=f, import_path="<typeparam>"))
    return out


def _descend_types(recv: Node) -> list[Node]:
    out: list[Node] = []
    stack = [recv]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(node.named_children))
    return out


def receiver_type_name(f: SourceFile, method: Node) -> str | None:
    """`func (s *Server[T]) ...` -> "Server"."""
    recv = method.child_by_field_name(kinds.F_RECEIVER)
    if recv is None:
        return None
    for decl in recv.named_children:
        if decl.type != kinds.PARAMETER_DECLARATION:
            continue
        t = decl.child_by_field_name(kinds.F_TYPE)
        while t is not None and t.type in (kinds.POINTER_TYPE, kinds.GENERIC_TYPE, kinds.PARENTHESIZED_TYPE):
            inner = t.child_by_field_name(kinds.F_TYPE)
            t = inner if inner is not None else (t.named_children[0] if t.named_children else None)
        if t is not None and t.type == kinds.TYPE_IDENTIFIER:
            return f.text(t)
    return None


def receiver_name(f: SourceFile, method: Node) -> str | None:
    """`func (s *Server) ...` -> "s"; None for an unnamed receiver or a function."""
    recv = method.child_by_field_name(kinds.F_RECEIVER)
    for decl in recv.named_children if recv is not None else []:
        names = decl.children_by_field_name(kinds.F_NAME)
        if decl.type == kinds.PARAMETER_DECLARATION and names:
            return f.text(names[0])
    return None


def _decl_text(obj: Obj) -> str:
    if obj.decl is None or obj.file is None:
        return ""
    return obj.file.text(obj.decl)
