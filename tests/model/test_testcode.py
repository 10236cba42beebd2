"""Unit tests for golinter/model/testcode.py: _test.go files and test-support functions (a
*testing.T, B, F or testing.TB parameter) are test code; importing "testing" is not."""
from __future__ import annotations

import pytest
from _modelkit import at, package

from golinter.model.testcode import TestCode, is_test_support
from golinter.testnames import in_test_directory, is_test_package

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
    # doubles: gomock's `mock_store`, `redismock`, `sqlmock`, `kubefake`; not `hammock`, `mockery`
    ("mock_store", True), ("redismock", True), ("rueidiscompatmock", True), ("sqlmock", True),
    ("kubefake", True), ("clientmocks", True), ("hammock", False), ("mockery", False), ("fakeroot", False),
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


@pytest.mark.parametrize(("directory", "module_dir", "expected"), [
    ("/m/tstest/natlab/vnet", "/m", True), ("/m/tempfork/sshtest/ssh", "/m", True), ("/m/e2e/cli", "/m", True),
    ("/m/test", "/m", True), ("/m/internal/server", "/m", False), ("/m/latest/api", "/m", False),
    ("/home/test/m/server", "/home/test/m", False),  # above the module's root: not looked at
    ("/m/tstest/vnet", None, False), ("/other/test", "/m", False),
])
def test_testnames_in_test_directory(directory: str, module_dir: str | None, expected: bool) -> None:
    assert in_test_directory(directory, module_dir) is expected


STAND_INS = '''package p

import (
	"example.com/util/testenv"
	"example.com/util/units"
	"github.com/stretchr/testify/require"
)

type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

type Size uint64

func local(t TB) { _ = /*@local*/t }

func foreign(t testenv.TB) { _ = /*@foreign*/t }

func testify(t require.TestingT) { _ = /*@testify*/t }

func terabytes(n units.TB) { _ = /*@units*/n }
'''


@pytest.mark.parametrize(("marker", "expected"), [
    ("local", True), ("foreign", True), ("testify", True), ("units", False),
])
def test_testcode_stand_ins_for_testing_tb(marker: str, expected: bool) -> None:
    """A TB or TestingT from a package whose path names tests, or this package's own interface
    with Helper/Fatal methods, marks a test helper; `units.TB` does not."""
    pkg = package({"a.go": STAND_INS})
    assert TestCode.for_package(pkg).is_test_code(at(pkg, marker)) is expected


HARNESS = """package p

import "testing"

type cluster struct {
	nodes []int
	t     *testing.T
}

func MakeCluster(t *testing.T) *cluster { return &cluster{t: t} }

func (c *cluster) Remove(i int) { c.nodes = /*@harness*/c.nodes[:i] }

type Fixture struct{ t *testing.T }

func NewFixture(t *testing.T) *Fixture { return &Fixture{t: t} }

func (f *Fixture) Run() { _ = /*@exported*/f }

type rig struct{ tb testing.TB }

func newRig(tb testing.TB) *rig { return &rig{tb: tb} }

func localRig() *rig { return new(rig) }

func (r *rig) Run() { _ = /*@made_in_production*/r }

type plain struct{ n int }

func newPlain(t *testing.T) *plain { return &plain{} }

func (p *plain) Run() { _ = /*@no_testing_field*/p }
"""


def test_methods_of_a_harness_only_tests_make_are_test_code() -> None:
    pkg = package({"p.go": HARNESS})
    tests = TestCode.for_package(pkg)
    assert tests.harnesses() == frozenset({"cluster"})
    assert tests.in_test_function(at(pkg, "harness"))
    # an exported type can be made anywhere; a harness also made by production code runs there;
    # a type without a testing field is no harness, whoever makes it
    for marker in ("exported", "made_in_production", "no_testing_field"):
        assert not tests.in_test_function(at(pkg, marker)), marker


DOUBLES = """package p

import "testing"

// FakeStore is a double: only its own code and FakeSlowStore's name it.
type FakeStore struct{ items []int }

func (f *FakeStore) Reset() { f.items = f.items[:0] }

type FakeSlowStore struct {
	FakeStore
	delay int
}

func (f *FakeSlowStore) Get() int { return f.FakeStore.items[0] }

// mockClock is named for a double, but Serve uses it.
type mockClock struct{ now int }

func (m *mockClock) Now() int { return m.now }

func Serve() int { return (&mockClock{}).Now() }

// MockHook is made only by a function that takes a *testing.T: a test's use.
type MockHook struct{ calls []string }

func (m *MockHook) Call(s string) { m.calls = append(m.calls, s) }

func NewMockHook(t *testing.T) *MockHook { t.Helper(); return &MockHook{} }

// Faker and Mocker are not named for doubles; StubResolver is not a struct.
type Faker struct{}

type StubResolver func(string) string
"""


def test_testcode_doubles_are_fake_types_only_their_own_code_names() -> None:
    pkg = package({"a.go": DOUBLES, "a_test.go": "package p\n\nvar _ = &FakeStore{}\nvar _ = &mockClock{}\n"})
    assert TestCode.for_package(pkg).doubles() == frozenset({"FakeStore", "FakeSlowStore", "MockHook"})
