"""Unit tests for golinter/model/testcode.py: _test.go files and test-support functions (a
*testing.T, B, F or testing.TB parameter) are test code; importing "testing" is not."""
from __future__ import annotations

import pytest
from _modelkit import at, package

from golinter.model.testcode import TestCode, is_test_package, is_test_support

HELPERS = """package p

import (
	"net/http"
	gotest "testing"
)

func Helper(t *gotest.T) {
	h := func(w http.ResponseWriter, r *http.Request) { _ = /*@closure*/r.URL.Path }
	_ = h
}

func Bench(x int, b *gotest.B) { _ = /*@bench*/x }

func Fuzz(f *gotest.F) { _ = /*@fuzz*/f }

func Either(tb gotest.TB) { _ = /*@tb*/tb }

func Production(addr string) string {
	if gotest.Testing() {
		return /*@prod*/addr
	}
	go func(t *gotest.T) { _ = /*@literal*/t }(nil)
	return addr
}

func Takes(run func(t *gotest.T)) { _ = /*@functype*/run }

func Returns() (t *gotest.T) { return /*@result*/nil }
"""

OTHER_TESTING = """package q

import testing "example.com/mytesting"

type T struct{}

func Local(t *T) { _ = /*@local*/t }

func Foreign(t *testing.T) { _ = /*@foreign*/t }
"""

IN_TEST_FILE = """package p

func inTest() int { return /*@testfile*/1 }
"""


def test_test_code_is_test_support_functions_and_their_closures() -> None:
    pkg = package({"helpers.go": HELPERS, "helpers_test.go": IN_TEST_FILE})
    tests = TestCode.for_package(pkg)
    for marker in ("closure", "bench", "fuzz", "tb", "literal", "testfile"):
        assert tests.is_test_code(at(pkg, marker)), marker
    for marker in ("prod", "functype", "result"):
        assert not tests.is_test_code(at(pkg, marker)), marker


def test_test_code_needs_the_testing_package_path() -> None:
    pkg = package({"q.go": OTHER_TESTING})
    tests = TestCode.for_package(pkg)
    assert not tests.is_test_code(at(pkg, "local"))
    assert not tests.is_test_code(at(pkg, "foreign"))


@pytest.mark.parametrize(("name", "expected"), [
    ("test", True), ("tests", True), ("e2e", True), ("testutil", True), ("mocks", True), ("fakes", True),
    ("httptest", True), ("dnstest", True), ("fstest", True), ("ServerTest", True),
    ("latest", False), ("contest", False), ("fastest", False), ("server", False), ("testing2", False),
    ("attestation", False), ("tester", False),
])
def test_testcode_package_named_for_tests(name: str, expected: bool) -> None:
    assert is_test_package(name) is expected


@pytest.mark.parametrize(("name", "imports", "expected"), [
    ("teststorage", 'import "testing"', True), ("teststorage", "", False), ("tester", "", False),
    ("tester", 'import "testing"', True), ("storage", 'import "testing"', False), ("testutil", "", True),
])
def test_testcode_test_support_package(name: str, imports: str, expected: bool) -> None:
    """A `test...` package is test support when its non-test files import "testing"."""
    from golinter.model.package import Package
    pkg = package({"a.go": f"package {name}\n\n{imports}\n"})
    named = Package(pkg.dir, name, pkg.files, pkg.runtime_version)
    assert is_test_support(named) is expected
