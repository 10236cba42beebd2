"""Origins: whether a value (a map key) evidently comes from an unbounded source.

`Origins(pkg).unbounded(expr)` returns a short description of the source ("r.RemoteAddr
(request data)", "time.Now() (a timestamp)") when the value of `expr` derives from data whose
set of values grows with traffic or time, and "" otherwise. "" covers both bounded values
(constants, enums, config) and values of unknown origin: only evident sources count.

Sources:
- request data: fields and methods of `*http.Request` (except Method and Proto), its Header,
  URL and form values; router contexts (gin `*gin.Context`, echo `echo.Context`, fiber
  `*fiber.Ctx`); parameters of gRPC service methods (a type embedding `Unimplemented*Server`)
  whose type is a pointer to another package's message;
- network data: a `net.Conn` (and what is read from it), `RemoteAddr()`;
- decoded data (decoders and readers are followed to their input): a variable whose address is passed to `Decode`/`Unmarshal`/`Bind*` with an
  unbounded source (`json.NewDecoder(r.Body).Decode(&req)`);
- timestamps: `time.Now()` and what derives from it, except bounded parts (`Hour()`,
  `Weekday()`, ..., a `Format` layout without a year);
- generated IDs: uuid, ksuid, xid, ulid packages; random numbers from math/rand and crypto/rand
  (not `Intn(n)` and friends, which are bounded by n);
- monotonic counters: storage only ever incremented (`s.nextID++`), `atomic.AddInt64(&x, 1)`,
  `x.Add(1)` on a sync/atomic value.
Flow is followed through local variables (initialiser, range clauses), conversions, string
concatenation, index and slice operands, composite literals, std string/number helpers
(strings, strconv, fmt, net, path, net/url, encoding/hex and base64), methods of other
packages' types on a derived value (`ip.String()`), same-package functions whose every
non-trivial return is unbounded, and parameters through same-package call sites (any call
site passing an unbounded argument). Depth is bounded; everything else is not a source.
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.handlers import is_router_context
from golinter.model.mutations import Mutations, word_offsets
from golinter.model.scopes import Obj, ObjKind
from golinter.model.testcode import TestCode
from golinter.model.typelite import unparen
from golinter.model.types import Named, Pointer, Type

if TYPE_CHECKING:
    from tree_sitter import Node, Query

    from golinter.model.package import Package

_MAX_DEPTH = 6
_MAX_FIELDS = 4  # a longer field path is followed without fields (x.a.b.c.d.e: all of x)
# What a field path passes through: `&lit`, `*p`, a variable's value or a parameter's argument,
# a call's results or converted operand, `x.(T)`.
_KEEPS_FIELDS = frozenset({kinds.UNARY_EXPRESSION, kinds.IDENTIFIER, kinds.CALL_EXPRESSION,
                           kinds.TYPE_ASSERTION_EXPRESSION, kinds.TYPE_CONVERSION_EXPRESSION})
Fields = tuple[str, ...]
# A request is request data by its type. Its parts (Header, URL, form Values, Cookie) are only
# when they come from one: the program builds its own (`vals := url.Values{}`, `url.Parse(cfg.DSN)`).
_REQUEST_TYPES = frozenset({("net/http", "Request")})
_REQUEST_PARTS = frozenset({("net/http", "Header"), ("net/url", "Values"), ("net/url", "URL"), ("net/http", "Cookie")})
_BOUNDED_REQUEST_FIELDS = frozenset({"Method", "Proto", "ProtoMajor", "ProtoMinor", "Close", "TLS",
                                     "GetBody", "Cancel", "Response", "Scheme"})
_NETWORK_TYPES = frozenset({("net", "Conn"), ("net", "TCPConn"), ("net", "UDPConn"), ("net", "Addr"),
                            ("net", "UDPAddr"), ("net", "TCPAddr")})
_TRANSPARENT_PKGS = frozenset({"strings", "strconv", "fmt", "net", "path", "path/filepath", "net/url",
                               "encoding/hex", "encoding/base64", "bytes", "net/netip", "bufio", "io",
                               "encoding/json", "encoding/xml", "encoding/gob"})
_BOUNDED_FUNCS = frozenset({("strings", "HasPrefix"), ("strings", "HasSuffix"), ("strings", "Contains"),
                            ("strings", "Count"), ("strings", "Index"), ("strings", "EqualFold"),
                            ("strings", "Compare"), ("bytes", "Equal"), ("strconv", "ParseBool")})
_BOUNDED_METHODS = frozenset({"Weekday", "Hour", "Minute", "Second", "Month", "Day", "YearDay",
                              "Nanosecond", "Location", "Zone", "IsZero", "Len", "Err"})
_RANDOM_PKGS = frozenset({"math/rand", "math/rand/v2", "crypto/rand"})
_BOUNDED_RANDOM = frozenset({"Intn", "Int31n", "Int63n", "IntN", "Int32N", "Int64N", "Uint32N",
                             "Uint64N", "UintN", "N", "Perm", "Shuffle", "Float64", "Float32"})
_ID_PKG_MARKERS = ("uuid", "ksuid", "xid", "ulid", "snowflake")
_YEAR_LAYOUTS = frozenset({"Layout", "ANSIC", "UnixDate", "RubyDate", "RFC822", "RFC822Z", "RFC850", "RFC1123",
                           "RFC1123Z", "RFC3339", "RFC3339Nano", "DateTime", "DateOnly"})
_DECODERS = frozenset({"Unmarshal", "Decode", "Bind", "BindJSON", "ShouldBind", "ShouldBindJSON",
                       "BodyParser", "UnmarshalJSON"})

_CALLS_QUERY = "(call_expression) @call"


@lru_cache(maxsize=1)
def _calls_query() -> Query:
    from golinter.parse import compile_query
    return compile_query(_CALLS_QUERY)


class Origins:
    """Evident unbounded sources of values in one package; memoised by node id."""

    def __init__(self, package: Package) -> None:
        self._pkg = package
        self._memo: dict[tuple[int, Fields], str] = {}
        self._busy: set[tuple[int, Fields]] = set()
        self._callers: dict[str, list[Node]] = {}

    @staticmethod
    def of(pkg: Package) -> Origins:
        """The package's provider, built on first use and kept on the Package."""
        return pkg.fact(Origins)

    def unbounded(self, expr: Node, depth: int = 0, fields: Fields = ()) -> str:
        """A description of the unbounded source `expr` derives from, or "". With `fields`,
        only what flows into that field path of `expr`'s value (`op.Node`: `Node` of op)."""
        key = (expr.id, fields)
        if depth > _MAX_DEPTH or key in self._busy:
            return ""
        if key in self._memo:
            return self._memo[key]
        self._busy.add(key)
        try:
            found = self._search(expr, depth, fields)
        finally:
            self._busy.discard(key)
        self._memo[key] = found
        return found

    # -- the search ----------------------------------------------------------------------------
    def _search(self, start: Node, depth: int, fields: Fields) -> str:
        stack: list[tuple[Node, int, Fields]] = [(start, depth, fields)]
        seen: set[tuple[int, Fields]] = set()
        while stack:
            node, d, path = stack.pop()
            node = unparen(node)
            if (node.id, path) in seen or d > _MAX_DEPTH:
                continue
            seen.add((node.id, path))
            found = self._source(node)
            if found:
                return found
            # Field-sensitive through selectors and struct literals: `x.F` asks for F of x's
            # value, and a literal answers with its F element only (a sibling `StartTime:
            # time.Now()` is not where `op.Node` comes from).
            if node.type == kinds.SELECTOR_EXPRESSION:
                operand, field = node.child_by_field_name(kinds.F_OPERAND), node.child_by_field_name(kinds.F_FIELD)
                if operand is not None and field is not None and not self._pkg.types.import_path_of(operand):
                    deeper = (self._pkg.text(field), *path)
                    stack.append((operand, d + 1, deeper if len(deeper) <= _MAX_FIELDS else ()))
                continue
            if path and node.type == kinds.COMPOSITE_LITERAL:
                element = self._field_element(node, path[0])
                if element is not None:
                    stack.append((element, d + 1, path[1:]))
                continue
            through = path if node.type in _KEEPS_FIELDS and not self._range_variable(node) else ()
            for nxt in self._flows_from(node, d):
                stack.append((nxt, d + 1, through))
            if node.type == kinds.CALL_EXPRESSION:
                via = self._same_package_result(node, d, path)
                if via:
                    return via
            if node.type == kinds.IDENTIFIER:
                via = self._parameter(node, d, path)
                if via:
                    return via
        return ""

    def _range_variable(self, node: Node) -> bool:
        """A variable a range clause sets: fields of its value are fields of the ranged
        collection's elements, not of the collection."""
        if node.type != kinds.IDENTIFIER:
            return False
        obj = self._pkg.scopes.resolve(node)
        return obj is not None and obj.value is not None and obj.value.type == kinds.RANGE_CLAUSE

    def _field_element(self, literal: Node, name: str) -> Node | None:
        """The value a struct literal gives field `name`: its `name:` element, or the element
        at the field's position in an unkeyed literal of a known struct type; None when the
        field is left zero, the position is not known, or the literal is no struct's."""
        from golinter.model.types import Array, Map, Slice, Struct
        body = literal.child_by_field_name(kinds.F_BODY)
        elements = [e for e in (body.named_children if body is not None else []) if e.type != kinds.COMMENT]
        keyed = [e for e in elements if e.type == kinds.KEYED_ELEMENT and len(e.named_children) >= 2]
        struct = self._pkg.types.underlying(self._pkg.types.type_of(literal))
        if isinstance(struct, (Map, Slice, Array)):
            return None
        if keyed:
            chosen = next((e.named_children[-1] for e in keyed if self._pkg.text(e.named_children[0]) == name), None)
        elif isinstance(struct, Struct) and len(elements) == len(struct.fields):
            names = [f.name for f in struct.fields]
            chosen = elements[names.index(name)] if name in names else None
        else:
            return None
        if chosen is not None and chosen.type == kinds.LITERAL_ELEMENT and chosen.named_children:
            return chosen.named_children[0]  # tree-sitter wraps an element's value in a literal_element
        return chosen

    def _source(self, node: Node) -> str:
        """Is `node` itself an unbounded source? Its description, or ""."""
        pkg = self._pkg
        text = pkg.text(node)
        t = node.type
        if t == kinds.SELECTOR_EXPRESSION:
            operand = node.child_by_field_name(kinds.F_OPERAND)
            field = node.child_by_field_name(kinds.F_FIELD)
            if operand is not None and field is not None and self._is_request(pkg.types.type_of(operand), operand) \
                    and pkg.text(field) not in _BOUNDED_REQUEST_FIELDS and not _is_call_function(node) \
                    and not self._outgoing(operand):
                return f"{text} (request data)"
            key = pkg.storage.key(node)
            if key is not None and Mutations.of(pkg).is_only_incremented(key):
                return f"{text} (a counter that only grows)"
        if t == kinds.IDENTIFIER:
            return self._identifier_source(node)
        if t == kinds.CALL_EXPRESSION:
            return self._call_source(node)
        return ""

    def _identifier_source(self, node: Node) -> str:
        pkg = self._pkg
        obj = pkg.scopes.resolve(node)
        if obj is None or obj.kind is not ObjKind.VAR:
            return ""
        t = pkg.types.type_of(node)
        base = pkg.types.deref(t)
        if isinstance(base, Named) and (base.pkg, base.name) in _NETWORK_TYPES:
            return f"{pkg.text(node)} (a network connection)"
        if obj.decl is not None and obj.decl.type == kinds.PARAMETER_DECLARATION and self._is_grpc_request(obj.decl):
            return f"{pkg.text(node)} (a request message)"
        key = pkg.storage.key(node)
        if key is not None and key.is_package_var and Mutations.of(pkg).is_only_incremented(key):
            return f"{pkg.text(node)} (a counter that only grows)"
        return ""

    def _call_source(self, call: Node) -> str:
        pkg = self._pkg
        fn = call.child_by_field_name(kinds.F_FUNCTION)
        if fn is None:
            return ""
        fn = unparen(fn)
        text = pkg.text(call)
        q = pkg.types.qualified(fn)
        if q is not None:
            path, name = q
            if (path, name) == ("time", "Now"):
                return f"{text} (a timestamp)"
            if any(marker in path.lower() for marker in _ID_PKG_MARKERS):
                return f"{text} (a generated id)"
            if path in _RANDOM_PKGS and name not in _BOUNDED_RANDOM:
                return f"{text} (a random value)"
            if path == "sync/atomic" and name.startswith("Add"):
                return f"{text} (a counter that only grows)"
            return ""
        if fn.type != kinds.SELECTOR_EXPRESSION:
            return ""
        operand = fn.child_by_field_name(kinds.F_OPERAND)
        method = fn.child_by_field_name(kinds.F_FIELD)
        if operand is None or method is None:
            return ""
        name = pkg.text(method)
        recv_type = pkg.types.type_of(operand)
        recv = pkg.types.deref(recv_type)
        if self._is_request(recv_type, operand) and name not in ("Context", "ProtoAtLeast"):
            return f"{text} (request data)"
        if isinstance(recv, Named) and recv.pkg == "sync/atomic" and name == "Add":
            return f"{text} (a counter that only grows)"
        if isinstance(recv, Named) and (recv.pkg, recv.name) in _NETWORK_TYPES and name == "RemoteAddr":
            return f"{text} (a network peer address)"
        return ""

    def _outgoing(self, operand: Node) -> bool:
        """`req` (in `req.URL.Host`) is a parameter of a client-side function: a `RoundTrip`
        method (an http.RoundTripper sends the request), or a function that is also given the
        *http.Response (it checks a round trip). Those requests are the program's own."""
        pkg = self._pkg
        declared = _parameter_of(pkg.scopes.root_object(operand))
        if declared is None:
            return False
        func, plist = declared
        name = func.child_by_field_name(kinds.F_NAME)
        if func.type == kinds.METHOD_DECLARATION and name is not None and pkg.text(name) == "RoundTrip":
            return True
        for decl in plist.named_children:
            type_node = decl.child_by_field_name(kinds.F_TYPE) if decl.type == kinds.PARAMETER_DECLARATION else None
            t = pkg.types.deref(pkg.types.type_from_expr(type_node)) if type_node is not None else None
            if isinstance(t, Named) and (t.pkg, t.name) == ("net/http", "Response"):
                return True
        return False

    def _is_request(self, t: Type, operand: Node | None = None) -> bool:
        """A request or router context by its type; a part of one (Header, URL, form Values,
        Cookie: `operand`'s type) when `operand` itself comes from a request (`r.URL`, `q` of
        `q := r.URL.Query()`), not when the program built it (`url.Values{}`, `url.Parse(dsn)`)."""
        base = self._pkg.types.deref(t)
        if not isinstance(base, Named) or not base.pkg:
            return False
        if (base.pkg, base.name) in _REQUEST_TYPES or is_router_context(t):
            return True
        return (base.pkg, base.name) in _REQUEST_PARTS and operand is not None \
            and self.unbounded(operand).endswith("(request data)")

    def _is_grpc_request(self, param_decl: Node) -> bool:
        """`func (s *server) Get(ctx context.Context, req *pb.GetRequest)` on a gRPC service type."""
        pkg = self._pkg
        type_node = param_decl.child_by_field_name(kinds.F_TYPE)
        method = param_decl.parent.parent if param_decl.parent is not None else None
        if type_node is None or method is None or method.type != kinds.METHOD_DECLARATION:
            return False
        t = pkg.types.type_from_expr(type_node)
        if not (isinstance(t, Pointer) and isinstance(t.elem, Named) and t.elem.pkg):
            return False
        from golinter.model.scopes import receiver_type_name
        recv = receiver_type_name(pkg.file_of(method), method)
        return recv is not None and _rpc_request_param(pkg, method, param_decl) \
            and pkg.lifetimes.type_reason(recv).startswith("is a gRPC service")

    # -- flow ----------------------------------------------------------------------------------
    def _flows_from(self, node: Node, depth: int) -> list[Node]:
        """The expressions whose values flow into `node`."""
        pkg = self._pkg
        t = node.type
        if t == kinds.IDENTIFIER:
            return self._identifier_flows(node)
        if t in (kinds.SELECTOR_EXPRESSION, kinds.INDEX_EXPRESSION, kinds.SLICE_EXPRESSION,
                 kinds.TYPE_ASSERTION_EXPRESSION, kinds.UNARY_EXPRESSION):
            operand = node.child_by_field_name(kinds.F_OPERAND)
            if t == kinds.SELECTOR_EXPRESSION and operand is not None and pkg.types.import_path_of(operand):
                return []
            return [operand] if operand is not None else []
        if t == kinds.BINARY_EXPRESSION:
            return [c for c in (node.child_by_field_name(kinds.F_LEFT), node.child_by_field_name(kinds.F_RIGHT))
                    if c is not None]
        if t == kinds.TYPE_CONVERSION_EXPRESSION:
            operand = node.child_by_field_name(kinds.F_OPERAND)
            return [operand] if operand is not None else []
        if t == kinds.COMPOSITE_LITERAL:
            body = node.child_by_field_name(kinds.F_BODY)
            out: list[Node] = []
            for elem in (body.named_children if body is not None else []):
                value = elem.named_children[-1] if elem.type == kinds.KEYED_ELEMENT and elem.named_children else elem
                out += value.named_children if value.type == kinds.LITERAL_ELEMENT else [value]
            return out
        if t == kinds.CALL_EXPRESSION:
            return self._call_flows(node)
        return []

    def _identifier_flows(self, node: Node) -> list[Node]:
        pkg = self._pkg
        obj = pkg.scopes.resolve(node)
        if obj is None or obj.kind is not ObjKind.VAR or obj.package_level:
            return []
        out: list[Node] = []
        if obj.value is not None:
            value = obj.value
            if value.type == kinds.RANGE_CLAUSE:
                right = value.child_by_field_name(kinds.F_RIGHT)
                if right is not None and (obj.value_index == 1 or self._is_chan(right)):
                    out.append(right)  # elements of unbounded data (not indexes, not map keys)
            else:
                out.append(value)
        out += self._decoded_from(obj.ident) if obj.ident is not None else []
        return out

    def _is_chan(self, expr: Node) -> bool:
        from golinter.model.types import Chan
        return isinstance(self._pkg.types.underlying(self._pkg.types.type_of(expr)), Chan)

    def _decoded_from(self, ident: Node) -> list[Node]:
        """`json.NewDecoder(r.Body).Decode(&req)`, `json.Unmarshal(body, &req)`: the data decoded
        into the variable declared by `ident` (its function's statements only)."""
        from golinter.model.package import enclosing_function
        from golinter.parse import query_captures
        pkg = self._pkg
        func = enclosing_function(ident)
        if func is None:
            return []
        name = pkg.text(ident)
        out: list[Node] = []
        for call in query_captures(_calls_query(), func, func.start_byte, func.end_byte).get("call", []):
            fn = call.child_by_field_name(kinds.F_FUNCTION)
            args = call.child_by_field_name(kinds.F_ARGUMENTS)
            if fn is None or args is None or fn.type != kinds.SELECTOR_EXPRESSION:
                continue
            method = fn.child_by_field_name(kinds.F_FIELD)
            if method is None or pkg.text(method) not in _DECODERS:
                continue
            targets = [unparen(a) for a in args.named_children]
            if not any(self._names_var(a, name, ident) for a in targets):
                continue
            operand = fn.child_by_field_name(kinds.F_OPERAND)
            if pkg.types.qualified(fn) is not None:
                out += [a for a in targets if not self._names_var(a, name, ident)]  # json.Unmarshal(data, &v)
            elif operand is not None:
                out.append(operand)  # dec.Decode(&v), c.BindJSON(&v)
                if self._is_request(pkg.types.type_of(operand)):
                    out.append(call)
        return out

    def _names_var(self, arg: Node, name: str, ident: Node) -> bool:
        if arg.type == kinds.UNARY_EXPRESSION:
            inner = arg.child_by_field_name(kinds.F_OPERAND)
            arg = unparen(inner) if inner is not None else arg
        if arg.type != kinds.IDENTIFIER or self._pkg.text(arg) != name:
            return False
        obj = self._pkg.scopes.resolve(arg)
        return obj is not None and obj.ident is not None and obj.ident.start_byte == ident.start_byte

    def _call_flows(self, call: Node) -> list[Node]:
        pkg = self._pkg
        fn = call.child_by_field_name(kinds.F_FUNCTION)
        args_node = call.child_by_field_name(kinds.F_ARGUMENTS)
        args = [a for a in (args_node.named_children if args_node is not None else []) if a.type != kinds.COMMENT]
        if fn is None:
            return []
        fn = unparen(fn)
        if fn.type == kinds.IDENTIFIER:
            obj = pkg.scopes.resolve(fn)
            if obj is not None and (obj.kind is ObjKind.TYPE or (obj.kind is ObjKind.BUILTIN and obj.name == "string")):
                return args  # conversions
            return []
        if fn.type in (kinds.QUALIFIED_TYPE, kinds.SLICE_TYPE, kinds.PARENTHESIZED_TYPE):
            return args
        q = pkg.types.qualified(fn)
        if q is not None:
            if q[0] in _TRANSPARENT_PKGS and q not in _BOUNDED_FUNCS:
                return args
            return []
        if fn.type != kinds.SELECTOR_EXPRESSION:
            return []
        operand = fn.child_by_field_name(kinds.F_OPERAND)
        method = fn.child_by_field_name(kinds.F_FIELD)
        if operand is None or method is None or pkg.types.callee_decl(call) is not None:
            return []
        name = pkg.text(method)
        if name in _BOUNDED_METHODS:
            return []
        if name == "Format" and args and not _format_has_year(pkg, args[0]):
            return []
        return [operand]  # a method of another package's type on a derived value: ip.String()

    def _same_package_result(self, call: Node, depth: int, fields: Fields = ()) -> str:
        """`clientIP(r)`: every non-trivial return of the same-package callee is unbounded."""
        from golinter.parse import walk_named
        decl = self._pkg.types.callee_decl(call)
        body = decl.child_by_field_name(kinds.F_BODY) if decl is not None else None
        if body is None:
            return ""
        found = ""
        for node in walk_named(body, skip=frozenset({kinds.FUNC_LITERAL})):
            if node.type != kinds.RETURN_STATEMENT:
                continue
            values = node.named_children
            if not values:
                return ""
            first = values[0].named_children[0] if values[0].type == kinds.EXPRESSION_LIST and \
                values[0].named_children else values[0]
            if _is_trivial(self._pkg, first):
                continue
            described = self.unbounded(first, depth + 2, fields)
            if not described:
                return ""
            found = found or described
        return found

    def _parameter(self, ident: Node, depth: int, fields: Fields = ()) -> str:
        """A parameter of a same-package function: unbounded when a call site passes an
        unbounded argument in its position."""
        pkg = self._pkg
        obj = pkg.scopes.resolve(ident)
        declared = _parameter_of(obj)
        if obj is None or obj.decl is None or obj.ident is None or declared is None \
                or declared[0].type not in kinds.TOP_FUNCTION_KINDS:
            return ""
        func, plist = declared
        position = 0
        for decl in plist.named_children:
            if decl.type not in (kinds.PARAMETER_DECLARATION, kinds.VARIADIC_PARAMETER_DECLARATION):
                continue
            names = decl.children_by_field_name(kinds.F_NAME)
            if decl == obj.decl:
                position += [n.start_byte for n in names].index(obj.ident.start_byte)
                break
            position += max(1, len(names))
        for call in self._calls_to(func):
            args = call.child_by_field_name(kinds.F_ARGUMENTS)
            values = [a for a in (args.named_children if args is not None else []) if a.type != kinds.COMMENT]
            if position < len(values):
                described = self.unbounded(values[position], depth + 2, fields)
                if described:
                    return described
        return ""

    def calls_to(self, func: Node) -> list[Node]:
        """Same-package calls of the function or method declaration `func`, outside tests."""
        return self._calls_to(func)

    def _calls_to(self, func: Node) -> list[Node]:
        """Same-package calls of `func` outside test code (model/testcode.py): its name is
        searched in the sources and only calls naming it are resolved."""
        name_node = func.child_by_field_name(kinds.F_NAME)
        if name_node is None:
            return []
        name = self._pkg.text(name_node)
        found = self._callers.get(name)
        if found is None:
            found = []
            tests = TestCode.for_package(self._pkg)  # test-support functions feed their own data
            for f in self._pkg.files:
                if f.is_test:
                    continue
                root = f.tree.root_node
                for start in word_offsets(f.src, name.encode()):
                    node = root.named_descendant_for_byte_range(start, start + len(name))
                    if node is None or node.end_byte - node.start_byte != len(name) or f.in_broken(node):
                        continue
                    fn = node.parent if node.type == kinds.FIELD_IDENTIFIER else node
                    call = fn.parent if fn is not None else None
                    if call is not None and call.type == kinds.CALL_EXPRESSION and \
                            call.child_by_field_name(kinds.F_FUNCTION) == fn and not tests.is_test_code(call):
                        found.append(call)
            self._callers[name] = found
        return [c for c in found if (decl := self._pkg.types.callee_decl(c)) is not None and decl == func]


def _parameter_of(obj: Obj | None) -> tuple[Node, Node] | None:
    """(the function, its parameter list) when `obj` is one of its parameters (not a receiver
    or a result), else None."""
    if obj is None or obj.decl is None or obj.decl.type != kinds.PARAMETER_DECLARATION:
        return None
    plist = obj.decl.parent
    func = plist.parent if plist is not None else None
    if plist is None or func is None or func.type not in kinds.FUNCTION_KINDS \
            or func.child_by_field_name(kinds.F_PARAMETERS) != plist:
        return None
    return func, plist


def _is_call_function(selector: Node) -> bool:
    parent = selector.parent
    return parent is not None and parent.type == kinds.CALL_EXPRESSION and \
        parent.child_by_field_name(kinds.F_FUNCTION) == selector


def _format_has_year(pkg: Package, layout: Node) -> bool:
    """`t.Format("2006-01-02")` names a day that never comes back; `t.Format("15:04")` cycles."""
    layout = unparen(layout)
    if layout.type in kinds.STRING_LITERAL_KINDS:
        text = pkg.text(layout)
        return "2006" in text or "06" in text
    q = pkg.types.qualified(layout)
    return q is not None and q[0] == "time" and q[1] in _YEAR_LAYOUTS


def _is_trivial(pkg: Package, expr: Node) -> bool:
    """`""`, `0`, `nil`: an error path's placeholder, not a key."""
    e = unparen(expr)
    return e.type == kinds.NIL or (e.type in kinds.STRING_LITERAL_KINDS and pkg.text(e) in ('""', "``")) or \
        (e.type == kinds.INT_LITERAL and pkg.text(e) == "0")


def _rpc_request_param(pkg: Package, method: Node, param_decl: Node) -> bool:
    """`param_decl` is the request of an RPC method as protoc-gen-go-grpc generates them: an
    exported method taking `(ctx context.Context, req *pb.Req)` (unary) or `(req *pb.Req, stream
    pb.Svc_MethodServer)` (server streaming). Other methods of the service type (a helper that
    handles a peer's reply, `handleResponse(resp *pb.Resp)`) take no request."""
    name = method.child_by_field_name(kinds.F_NAME)
    params = method.child_by_field_name(kinds.F_PARAMETERS)
    if name is None or params is None or not pkg.text(name)[:1].isupper():
        return False
    decls = [d for d in params.named_children if d.type == kinds.PARAMETER_DECLARATION]
    if len(decls) != 2 or any(len(d.children_by_field_name(kinds.F_NAME)) > 1 for d in decls):
        return False
    other = decls[1] if decls[0] == param_decl else decls[0] if decls[1] == param_decl else None
    other_type = other.child_by_field_name(kinds.F_TYPE) if other is not None else None
    if other is None or other_type is None:
        return False
    t = pkg.types.type_from_expr(other_type)
    if other is decls[0]:
        return isinstance(t, Named) and (t.pkg, t.name) == ("context", "Context")
    return isinstance(t, Named) and t.name.endswith("Server")
