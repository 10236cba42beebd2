"""Handlers: which functions run once per request."""
from __future__ import annotations

import pytest

from golinter.model.handlers import Handlers, in_http_handler, is_http_handler
from golinter.model.package import enclosing_function
from tests.model._modelkit import at, package

SRC = '''package p

import (
	"io"
	h "net/http"

	"github.com/gin-gonic/gin"
	"github.com/labstack/echo/v4"
)

type Server struct{}

func (s *Server) ServeHTTP(w h.ResponseWriter, r *h.Request) { _ = /*@method*/r }

func index(w h.ResponseWriter, r *h.Request) {
	go func() { _ = /*@nested*/r }()
}

func notHandler(w io.Writer, r *h.Request) { _ = /*@writer*/w }

func reversed(r *h.Request, w h.ResponseWriter) { _ = /*@reversed*/w }

func ginList(c *gin.Context) { _ = /*@gin*/c }

func echoList(c echo.Context) error { _ = /*@echo*/c; return nil }

func ginByValue(c gin.Context) { _ = /*@ginvalue*/c }

var literal = func(w h.ResponseWriter, r *h.Request) { _ = /*@literal*/r }

func plain() { _ = /*@plain*/1 }
'''


@pytest.mark.parametrize(("marker", "expected"), [
    ("method", True), ("literal", True), ("gin", True), ("echo", True),
    ("writer", False), ("reversed", False), ("ginvalue", False), ("plain", False),
])
def test_handlers_is_http_handler_by_signature(marker: str, expected: bool) -> None:
    pkg = package({"a.go": SRC})
    func = enclosing_function(at(pkg, marker))
    assert func is not None
    assert is_http_handler(pkg, func) is expected


def test_handlers_in_http_handler_through_func_literals() -> None:
    pkg = package({"a.go": SRC})
    assert in_http_handler(pkg, at(pkg, "nested"))
    assert not in_http_handler(pkg, at(pkg, "plain"))
    assert not is_http_handler(pkg, at(pkg, "plain"))


ROUTERS = '''package p

import (
	"context"
	"net/http"

	"github.com/gofiber/fiber/v3"
	fiber2 "github.com/gofiber/fiber/v2"
	"github.com/labstack/echo/v5"
	"google.golang.org/grpc"
)

type UnimplementedGreeterServer struct{}

type greeter struct {
	UnimplementedGreeterServer
	conn *grpc.ClientConn
}

func (g *greeter) SayHello(ctx context.Context, name string) (string, error) { _ = /*@grpc*/name; return "", nil }

func (g *greeter) helper(ctx context.Context) { _ = /*@grpclower*/ctx }

type plain struct{}

func (p *plain) Get(ctx context.Context) { _ = /*@notgrpc*/ctx }

type mux struct{}

func (m *mux) ServeHTTP(w http.ResponseWriter, r *http.Request) { _ = /*@serve*/r }

func fiber3(c fiber.Ctx) error { _ = /*@fiber3*/c; return nil }

func fiber2ptr(c *fiber2.Ctx) error { _ = /*@fiber2*/c; return nil }

func echo5(c echo.Context) error { _ = /*@echo5*/c; return nil }

func echoPointer(c *echo.Context) error { _ = /*@echoptr*/c; return nil }
'''


@pytest.mark.parametrize(("marker", "expected"), [
    ("grpc", True), ("grpclower", False), ("notgrpc", False), ("serve", True),
    ("fiber3", True), ("fiber2", True), ("echo5", True), ("echoptr", False),
])
def test_handlers_concurrency_view(marker: str, expected: bool) -> None:
    """Handlers.is_handler: router contexts of any major version passed the way the router
    passes them, ServeHTTP, and exported methods of gRPC services taking a context first."""
    pkg = package({"a.go": ROUTERS})
    func = enclosing_function(at(pkg, marker))
    assert func is not None
    assert Handlers.of(pkg).is_handler(func) is expected
