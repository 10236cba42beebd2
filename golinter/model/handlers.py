"""Request handlers: which functions run once per incoming request.

`is_http_handler(pkg, func)` recognises a function declaration, method or func literal by its
signature, as SPEC section 4 lists handlers: `func(http.ResponseWriter, *http.Request)` (which
covers `ServeHTTP` methods and literals passed to `HandleFunc`), and the one-parameter handlers
of gin (`*gin.Context`), echo (`echo.Context`) and fiber (`*fiber.Ctx` up to v2, `fiber.Ctx`
from v3), any major version (`is_router_context`).
`in_http_handler(pkg, node)` says whether a node sits inside such a function, at any depth of
func literals (a closure built per request runs per request).
`Handlers.of(pkg).is_handler(func)` is the concurrency model's view: the signatures above, any
`ServeHTTP` method with two parameters, and gRPC service methods (an exported method taking a
context.Context first, on a type embedding `Unimplemented...Server`).

Registration (`mux.Handle`, method values passed to routers) is the concurrency model's
business (model/concurrency.py).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.types import Named, Pointer, Struct

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package
    from golinter.model.types import Type

_RESPONSE_WRITER = Named("net/http", "ResponseWriter")
_REQUEST = Pointer(Named("net/http", "Request"))
_CONTEXT = Named("context", "Context")

# The context parameter of the common routers' handlers: (import path prefix, type name, passed
# by pointer, by value); the prefix takes every major version (`echo/v4`, `fiber/v3`).
ROUTER_CONTEXTS = (("github.com/gin-gonic/gin", "Context", True, False),
                   ("github.com/labstack/echo", "Context", False, True),
                   ("github.com/gofiber/fiber", "Ctx", True, True))
# A handler's parameter list holds one of these words (or the function is named ServeHTTP): the
# cheap test before its parameter types are resolved.
HANDLER_SIGNS = (b"ResponseWriter", b"Request", b"Context", b"Ctx")


def is_router_context(t: Type) -> bool:
    """`*gin.Context`, `echo.Context`, `*fiber.Ctx` or `fiber.Ctx`: a router's request context."""
    pointer = isinstance(t, Pointer)
    base = t.elem if isinstance(t, Pointer) else t
    return isinstance(base, Named) and any(
        base.pkg.startswith(prefix) and base.name == name and (by_pointer if pointer else by_value)
        for prefix, name, by_pointer, by_value in ROUTER_CONTEXTS)


def is_http_handler(pkg: Package, func: Node) -> bool:
    """`func(w http.ResponseWriter, r *http.Request)` (any names, a method such as ServeHTTP
    included), or `func(c *gin.Context) ...`, `func(c echo.Context) error`, `func(c *fiber.Ctx) error`."""
    if func.type not in kinds.FUNCTION_KINDS or not _signs_in_parameters(pkg, func):
        return False
    params = pkg.types.signature(func).params
    if params == (_RESPONSE_WRITER, _REQUEST):
        return True
    return len(params) == 1 and is_router_context(params[0])


def _signs_in_parameters(pkg: Package, func: Node) -> bool:
    plist = func.child_by_field_name(kinds.F_PARAMETERS)
    if plist is None:
        return False
    src = pkg.file_of(func).src
    raw = src[plist.start_byte:plist.end_byte]
    return any(sign in raw for sign in HANDLER_SIGNS)


class Handlers:
    """The concurrency model's handlers of one package (module docstring), memoised."""

    def __init__(self, package: Package) -> None:
        self._pkg = package
        self._memo: dict[int, bool] = {}
        self._possible: tuple[bool, bool] | None = None  # (imports net/http or a router, gRPC)

    @staticmethod
    def of(pkg: Package) -> Handlers:
        return pkg.fact(Handlers)

    def is_handler(self, func: Node) -> bool:
        found = self._memo.get(func.id)
        if found is None:
            found = self._memo[func.id] = self._shape(func)
        return found

    def _shape(self, func: Node) -> bool:
        pkg = self._pkg
        method = func.type == kinds.METHOD_DECLARATION
        if not method and not self._types_possible(func):
            return False  # a function or func literal is only ever an http or router handler
        name_node = func.child_by_field_name(kinds.F_NAME) if method else None
        name = pkg.text(name_node) if name_node is not None else ""
        serve = name == "ServeHTTP"
        if not serve and not (_signs_in_parameters(pkg, func) and self._types_possible(func)):
            return False  # no parameter names a handler type, or no import could provide one
        if is_http_handler(pkg, func):
            return True
        params = pkg.types.signature(func).params
        if serve:
            return len(params) == 2
        if name[:1].isupper() and params and params[0] == _CONTEXT:
            from golinter.model.scopes import receiver_type_name
            recv = receiver_type_name(pkg.file_of(func), func)
            return recv is not None and self._grpc_service(recv)
        return False

    def _types_possible(self, func: Node) -> bool:
        """Whether the package can name a handler's parameter types at all: it imports net/http or
        a router, or (a method: a gRPC service) holds an `Unimplemented...` type."""
        if self._possible is None:
            paths = {path for imports in self._pkg.scopes.imports.values() for path in imports.values()}
            http = "net/http" in paths or any(path.startswith(prefix) for path in paths
                                              for prefix, _n, _p, _v in ROUTER_CONTEXTS)
            self._possible = (http, any(b"Unimplemented" in f.src for f in self._pkg.files))
        http, grpc = self._possible
        return http or (grpc and func.type == kinds.METHOD_DECLARATION)

    def _grpc_service(self, type_name: str) -> bool:
        types = self._pkg.types
        u = types.underlying(Named("", type_name))
        if not isinstance(u, Struct):
            return False
        for fld in u.fields:
            t = types.deref(fld.type)
            if fld.embedded and isinstance(t, Named) and t.name.startswith("Unimplemented") \
                    and t.name.endswith("Server"):
                return True
        return False


def in_http_handler(pkg: Package, node: Node) -> bool:
    """`node` is inside a handler's body, directly or in a func literal the handler builds."""
    current = node.parent
    while current is not None:
        if current.type in kinds.FUNCTION_KINDS and is_http_handler(pkg, current):
            return True
        current = current.parent
    return False
