"""Test code: what only `go test` runs, in `_test.go` files and beside production code.

- `is_test_code(node)`: `node` is in a `_test.go` file, or inside a test-support function:
  a declaration or a literal with a parameter of type `*testing.T`, `*testing.B`,
  `*testing.F` or `testing.TB` (the package path "testing" under any import name), closures
  nested in it included. Test-helper packages keep such functions in ordinary files
  (`func NewResponder(t *testing.T, addr string) *http.Server`); only a test can call them.
  Stand-ins for testing.TB count too: a parameter of a type named `TB` or `TestingT` from a
  package whose path names tests (tailscale's `testenv.TB`, testify's `require.TestingT`), or
  declared in this package as an interface with `Helper` or `Fatal...` methods (code that
  avoids importing "testing" outside tests). The methods of a test harness too: an unexported
  struct type with a field of one of those types whose every composite literal and `new` in
  the package is test code (hashicorp/raft's `cluster`, made by `makeCluster(t *testing.T)`).
  And the methods of test doubles (`doubles`): struct types named `Fake...`, `Mock...` or
  `Stub...` that the package's non-test code mentions only in such types' own code.

- `is_test_package(name)`: a package whose name says it exists for tests: `test`, `tests`,
  `e2e`, `testutil(s)`, `testhelper(s)`, `mock(s)`, `fake(s)`, and names ending in `test` like
  `httptest`, `fstest` or `dnstest` (English words such as `latest` excepted). Such packages
  hold scrapers, fault injectors and fake servers that only tests start.
  `is_test_support(pkg)` adds packages whose name starts with `test` and whose non-test files
  import "testing" (`teststorage`, a recorder with `RequireEqual(t testing.TB, ...)` helpers;
  a `tester` or `testing2` that does not import it is a program like any other), and packages
  below a directory named so, from the module's root (`tstest/natlab/vnet`; golinter/testnames.py).

Importing "testing" alone does not make a file test code: production code calls
`testing.Testing()`. A parameter of a func type (`run func(t *testing.T)`) does not make the
function that takes it a test-support one. The memory and security rules skip test code
(`Package.matches` of a rule without `test_candidates`); the other rules see it.
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.occurrences import has_word, offsets
from golinter.model.types import Named, Pointer
from golinter.parse import IDENT_BYTES, compile_query, query_captures
from golinter.testnames import is_test_package

if TYPE_CHECKING:
    from tree_sitter import Node, Query

    from golinter.model.package import Package, SourceFile
    from golinter.model.types import Type

_POINTER_TYPES = frozenset({"T", "B", "F"})  # *testing.T, *testing.B, *testing.F
_VALUE_TYPES = frozenset({"TB"})  # testing.TB, an interface
_STAND_INS = ("TB", "TestingT")  # testing.TB declared elsewhere: testenv.TB, require.TestingT
# Names of test doubles: `FakeQuerier`, `fakeClock`, `mockStore`, `StubResolver`, `Fake`.
_DOUBLE_NAME = re.compile(r"(?:[Ff]ake|[Mm]ock|[Ss]tub)(?:[A-Z0-9_]|$)")


@lru_cache(maxsize=1)
def _param_query() -> Query:
    return compile_query("""
(parameter_declaration type: [(pointer_type (qualified_type)) (qualified_type) (type_identifier)] @type)
""")


def is_test_support(pkg: Package) -> bool:
    """`is_test_package`, a package below a directory named for tests (`Package.test_directory`),
    or a `test...` package whose non-test files import "testing"."""
    if is_test_package(pkg.name) or pkg.test_directory:
        return True
    return pkg.name.lower().startswith("test") and any(
        not f.is_test and "testing" in pkg.scopes.imports.get(f.path, {}).values() for f in pkg.files)


class TestCode:
    """Test-code facts for one package: the byte ranges of its test-support functions per file."""

    __test__ = False  # not a pytest class

    def __init__(self, package: Package) -> None:
        self._pkg = package
        self._ranges: dict[str, tuple[tuple[int, int], ...]] = {}
        self._takers: dict[str, tuple[tuple[int, int], ...]] = {}
        self._mentions_testing: dict[str, bool] = {}
        self._harnesses: frozenset[str] | None = None
        self._doubles: frozenset[str] | None = None

    @staticmethod
    def for_package(pkg: Package) -> TestCode:
        """The package's provider, built on first use and kept on the Package."""
        return pkg.fact(TestCode)

    def is_test_code(self, node: Node) -> bool:
        """`node` runs only under `go test`: a `_test.go` file, a test-support package or a
        test-support function."""
        return is_test_support(self._pkg) or self.in_test_function(node)

    def in_test_function(self, node: Node) -> bool:
        """`node` is in a `_test.go` file or inside a function taking a testing.T, B, F or TB."""
        f = self._pkg.file_of(node)
        return f.is_test or any(start <= node.start_byte < end for start, end in self.support_ranges(f))

    def support_ranges(self, f: SourceFile) -> tuple[tuple[int, int], ...]:
        """Byte ranges of the functions of `f` that take a testing.T, B, F or TB, and of the
        methods of its test harnesses (`harnesses`)."""
        cached = self._ranges.get(f.path)
        if cached is not None:
            return cached
        result = self._takes_testing(f)
        harnesses = self.harnesses() | self.doubles()
        if harnesses:
            from golinter.model.scopes import receiver_type_name
            result += tuple((top.start_byte, top.end_byte) for top in f.tree.root_node.named_children
                            if top.type == kinds.METHOD_DECLARATION and receiver_type_name(f, top) in harnesses)
            result = tuple(sorted(set(result)))
        self._ranges[f.path] = result
        return result

    def _takes_testing(self, f: SourceFile) -> tuple[tuple[int, int], ...]:
        """Byte ranges of the functions of `f` that take a testing.T, B, F or TB."""
        cached = self._takers.get(f.path)
        if cached is not None:
            return cached
        found: list[tuple[int, int]] = []
        if self._may_test(f):
            for type_node in query_captures(_param_query(), f.tree.root_node).get("type", []):
                func = _function_of(type_node)
                if func is not None and _is_testing_param(self._pkg, type_node):
                    found.append((func.start_byte, func.end_byte))
        result = tuple(found)
        self._takers[f.path] = result
        return result

    def _may_test(self, f: SourceFile) -> bool:
        """The file imports "testing" or names a stand-in for testing.TB (asked once a file)."""
        found = self._mentions_testing.get(f.path)
        if found is None:
            found = self._mentions_testing[f.path] = "testing" in self._pkg.scopes.imports.get(f.path, {}).values() \
                or any(has_word(f.src, name.encode(), 0, len(f.src)) for name in _STAND_INS)
        return found

    def harnesses(self) -> frozenset[str]:
        """Test harnesses: unexported struct types with a testing.T, B, F or TB field whose every
        composite literal and `new` in the package is in test code (raft's `cluster`, made only
        by `makeCluster(t *testing.T, ...)`). Only a test can make one, so their methods run only
        under `go test`."""
        if self._harnesses is not None:
            return self._harnesses
        from golinter.model.scopes import ObjKind
        from golinter.model.types import Struct
        pkg = self._pkg
        found: set[str] = set()
        if any(self._may_test(f) for f in pkg.files if not f.is_test):
            for name, objs in pkg.scopes.package_objects(ObjKind.TYPE):
                if not name[:1].islower() or len(objs) != 1 or objs[0].file is None or objs[0].file.is_test:
                    continue
                u = pkg.types.underlying(Named("", name))
                if isinstance(u, Struct) and any(_is_testing_type(pkg, fld.type) for fld in u.fields) \
                        and self._made_only_in_tests(name):
                    found.add(name)
        self._harnesses = frozenset(found)
        return self._harnesses

    def doubles(self) -> frozenset[str]:
        """Test doubles: struct types named for one (`FakeQuerier`, `fakeClock`, `mockStore`,
        `StubResolver`) whose name the package's non-test files use only in the declarations and
        methods of such types and in functions taking a testing.T (alertmanager's `MockWebhook`,
        made by `NewWebhook(t *testing.T, ...)`; VictoriaMetrics' vmalert `datasource.FakeQuerier`, embedded by
        `FakeQuerierWithDelay`, used only by tests here and in other packages); an unexported one
        must be named by a test of the package (else nothing here uses it: dead code, or made in a
        way not seen). Their methods run only under `go test`."""
        if self._doubles is not None:
            return self._doubles
        from golinter.model.scopes import ObjKind, receiver_type_name
        from golinter.model.types import Struct
        pkg = self._pkg
        found = {name for name, objs in pkg.scopes.package_objects(ObjKind.TYPE)
                 if _DOUBLE_NAME.match(name) and len(objs) == 1 and objs[0].file is not None
                 and not objs[0].file.is_test and isinstance(pkg.types.underlying(Named("", name)), Struct)}
        while found:  # a double mentioned by a type that is not one is not one either
            homes: list[tuple[str, int, int]] = []  # (file, start, end) of the doubles' code
            for f in pkg.files:
                if f.is_test:
                    continue
                homes += [(f.path, top.start_byte, top.end_byte) for top in f.tree.root_node.named_children
                          if (top.type == kinds.METHOD_DECLARATION and receiver_type_name(f, top) in found)
                          or (top.type == kinds.TYPE_DECLARATION and any(
                              pkg.text(spec.child_by_field_name(kinds.F_NAME) or spec) in found
                              for spec in top.named_children if spec.type == kinds.TYPE_SPEC))]
            kept = {name for name in found
                    if all(self._only_in(f, name.encode(), homes + self._testing_homes(f))
                           for f in pkg.files if not f.is_test)
                    and (name[:1].isupper() or any(has_word(f.src, name.encode(), 0, len(f.src))
                                                   for f in pkg.files if f.is_test))}
            if kept == found:
                break
            found = kept
        self._doubles = frozenset(found)
        return self._doubles

    def _testing_homes(self, f: SourceFile) -> list[tuple[str, int, int]]:
        """The functions of `f` that take a testing.T, B, F or TB: only a test runs them, so
        naming a double there (`func NewWebhook(t *testing.T) *MockWebhook`) is a test's use."""
        return [(f.path, start, end) for start, end in self._takes_testing(f)]

    @staticmethod
    def _only_in(f: SourceFile, word: bytes, homes: list[tuple[str, int, int]]) -> bool:
        """Every mention of `word` in `f`'s code sits in one of `homes` (top-level comments aside)."""
        tops = f.tree.root_node.named_children
        starts = [top.start_byte for top in tops]
        for pos in offsets(f.src, word):
            end = pos + len(word)
            if (pos and f.src[pos - 1] in IDENT_BYTES) or (end < len(f.src) and f.src[end] in IDENT_BYTES):
                continue  # part of a longer name (`FakeQuerierWithRegistry`)
            if any(path == f.path and start <= pos < stop for path, start, stop in homes):
                continue
            i = bisect.bisect_right(starts, pos) - 1
            if i >= 0 and pos < tops[i].end_byte and tops[i].type == kinds.COMMENT:
                continue
            return False
        return True

    def _made_only_in_tests(self, name: str) -> bool:
        """Every `name{` and `new(name)` of the package is in a test file or a function taking a
        testing.T, B, F or TB; at least one exists."""
        made = False
        for f in self._pkg.files:
            for needle in (name.encode() + b"{", b"new(" + name.encode() + b")"):
                for pos in offsets(f.src, needle):
                    if pos and f.src[pos - 1] in IDENT_BYTES:
                        continue
                    made = True
                    if not f.is_test and not any(start <= pos < end for start, end in self._takes_testing(f)):
                        return False
        return made


def _function_of(type_node: Node) -> Node | None:
    """The function whose own parameter list holds this parameter type: not a func type's, not
    a result list, not a receiver."""
    decl = type_node.parent
    params = decl.parent if decl is not None else None
    func = params.parent if params is not None else None
    if func is None or params is None or func.type not in kinds.FUNCTION_KINDS \
            or func.child_by_field_name(kinds.F_PARAMETERS) != params:
        return None
    return func


def _is_testing_param(pkg: Package, type_node: Node) -> bool:
    """`*testing.T`, `*testing.B`, `*testing.F` or `testing.TB`, through the file's imports."""
    return _is_testing_type(pkg, pkg.types.type_from_expr(type_node))


def _is_testing_type(pkg: Package, t: Type) -> bool:
    """`*testing.T`, `*testing.B`, `*testing.F`, `testing.TB`, or a stand-in for TB."""
    if isinstance(t, Pointer) and isinstance(t.elem, Named):
        return t.elem.pkg == "testing" and t.elem.name in _POINTER_TYPES
    if not isinstance(t, Named):
        return False
    if t.pkg == "testing":
        return t.name in _VALUE_TYPES
    return t.name in _STAND_INS and _stands_in_for_testing(pkg, t)


def _stands_in_for_testing(pkg: Package, t: Named) -> bool:
    """`testenv.TB`, `require.TestingT` (a package path naming tests), or this package's own
    `type TB interface { Helper(); Fatalf(...) }`."""
    if t.pkg:
        return any("test" in part.lower() for part in t.pkg.split("/"))
    obj = pkg.scopes.package_obj(t.name)
    if obj is None or obj.decl is None:
        return False
    text = pkg.text(obj.decl)
    return "interface" in text and ("Helper()" in text or "Fatal" in text)
