"""golinter/model/scopes.py: resolution across scopes, files, shadowing and build-tag duplicates."""
from __future__ import annotations

from golinter.model.scopes import ObjKind, default_import_name

from _modelkit import ident_at, package

SRC = """package p

import (
	"fmt"
	str "strings"
)

var shared = map[string]int{}

func f(m map[string]int, xs []int) {
	x := 1
	if x := "shadow"; /*@inner*/x != "" {
		_ = x
	}
	_ = /*@outer*/x
	for i, v := range xs {
		_, _ = /*@loopvar*/i, v
	}
	delete := 3
	_ = /*@localdelete*/delete
	_ = /*@param*/m
	_ = /*@pkgvar*/shared
	_ = /*@import*/fmt.Sprint
	_ = /*@alias*/str.ToLower
	switch t := any(x).(type) {
	case string:
		_ = /*@tswitch*/t
	}
	x = /*@selfref*/x + 1
}

func g() {
	_ = /*@other*/helper
	/*@builtin*/delete(shared, "a")
}
"""


def test_scopes_resolve_shadowing_in_if_initialiser() -> None:
    pkg = package({"a.go": SRC})
    inner = pkg.scopes.resolve(ident_at(pkg, "inner"))
    outer = pkg.scopes.resolve(ident_at(pkg, "outer"))
    assert inner is not None and outer is not None
    assert inner != outer
    assert pkg.types.obj_type(inner).name == "string"  # type: ignore[union-attr]
    assert pkg.types.obj_type(outer).name == "int"  # type: ignore[union-attr]


def test_scopes_resolve_range_variables_params_and_package_vars() -> None:
    pkg = package({"a.go": SRC})
    assert pkg.scopes.resolve(ident_at(pkg, "loopvar")).kind is ObjKind.VAR  # type: ignore[union-attr]
    param = pkg.scopes.resolve(ident_at(pkg, "param"))
    assert param is not None and param.type_node is not None
    pkg_var = pkg.scopes.resolve(ident_at(pkg, "pkgvar"))
    assert pkg_var is not None and pkg_var.package_level


def test_scopes_resolve_imports_with_default_and_explicit_names() -> None:
    pkg = package({"a.go": SRC})
    assert pkg.scopes.resolve(ident_at(pkg, "import")).import_path == "fmt"  # type: ignore[union-attr]
    assert pkg.scopes.resolve(ident_at(pkg, "alias")).import_path == "strings"  # type: ignore[union-attr]


def test_scopes_builtin_is_shadowed_by_local_declaration() -> None:
    pkg = package({"a.go": SRC})
    assert not pkg.scopes.is_builtin(ident_at(pkg, "localdelete"), "delete")
    assert pkg.scopes.is_builtin(ident_at(pkg, "builtin"), "delete")


def test_scopes_type_switch_alias_takes_the_case_type() -> None:
    pkg = package({"a.go": SRC})
    t = pkg.scopes.resolve(ident_at(pkg, "tswitch"))
    assert t is not None
    assert pkg.types.obj_type(t).name == "string"  # type: ignore[union-attr]


def test_scopes_resolve_across_files_and_unknown_names() -> None:
    pkg = package({"a.go": SRC, "b.go": "package p\n\nfunc helper() {}\n"})
    other = pkg.scopes.resolve(ident_at(pkg, "other"))
    assert other is not None and other.kind is ObjKind.FUNC
    alone = package({"a.go": SRC})
    assert alone.scopes.resolve(ident_at(alone, "other")) is None


def test_scopes_conflicting_build_tag_duplicates_are_unknown() -> None:
    a = "//go:build linux\n\npackage p\n\nimport \"sync\"\n\ntype mutex = sync.Mutex\n"
    b = "//go:build !linux\n\npackage p\n\ntype mutex struct{}\n"
    use = "package p\n\nvar /*@v*/m mutex\n\nfunc f() { _ = /*@use*/m }\n"
    pkg = package({"a.go": a, "b.go": b, "c.go": use})
    assert pkg.scopes.package_obj("mutex") is None
    same = package({"a.go": "package p\n\ntype mutex struct{}\n", "b.go": "package p\n\ntype mutex struct{}\n",
                    "c.go": use})
    assert same.scopes.package_obj("mutex") is not None


def test_default_import_name_follows_go_conventions() -> None:
    assert default_import_name("github.com/go-chi/chi/v5") == "chi"
    assert default_import_name("gopkg.in/yaml.v3") == "yaml"
    assert default_import_name("net/http") == "http"
