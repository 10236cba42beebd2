"""Request handlers: which functions run once per incoming request.

`is_http_handler(pkg, func)` recognises a function declaration, method or func literal by its
signature, as SPEC section 4 lists handlers: `func(http.ResponseWriter, *http.Request)` (which
covers `ServeHTTP` methods and literals passed to `HandleFunc`), and the one-parameter handlers
of gin (`*gin.Context`), echo (`echo.Context`) and fiber (`*fiber.Ctx`).
`in_http_handler(pkg, node)` says whether a node sits inside such a function, at any depth of
func literals (a closure built per request runs per request).

Registration (`mux.Handle`, method values passed to routers) and gRPC service methods are the
concurrency model's business (model/concurrency.py); this module answers only "is this body
per-request code", for rules that weigh a cost paid per request.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.types import Named, Pointer

if TYPE_CHECKING:
    from tree_sitter import Node

    from golinter.model.package import Package
    from golinter.model.types import Type

_RESPONSE_WRITER = Named("net/http", "ResponseWriter")
_REQUEST = Pointer(Named("net/http", "Request"))

# One-parameter handler signatures of the common routers: (import path, type name, pointer?).
_ROUTER_CONTEXTS: frozenset[Type] = frozenset({
    Pointer(Named("github.com/gin-gonic/gin", "Context")),
    Named("github.com/labstack/echo/v4", "Context"),
    Named("github.com/labstack/echo", "Context"),
    Pointer(Named("github.com/gofiber/fiber/v2", "Ctx")),
    Named("github.com/gofiber/fiber/v3", "Ctx"),
})


def is_http_handler(pkg: Package, func: Node) -> bool:
    """`func(w http.ResponseWriter, r *http.Request)` (any names, a method such as ServeHTTP
    included), or `func(c *gin.Context) ...`, `func(c echo.Context) error`, `func(c *fiber.Ctx) error`."""
    if func.type not in kinds.FUNCTION_KINDS:
        return False
    params = pkg.types.signature(func).params
    if params == (_RESPONSE_WRITER, _REQUEST):
        return True
    return len(params) == 1 and params[0] in _ROUTER_CONTEXTS


def in_http_handler(pkg: Package, node: Node) -> bool:
    """`node` is inside a handler's body, directly or in a func literal the handler builds."""
    current = node.parent
    while current is not None:
        if current.type in kinds.FUNCTION_KINDS and is_http_handler(pkg, current):
            return True
        current = current.parent
    return False
