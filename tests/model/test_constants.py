"""golinter/model/constants.py: literals, iota, typed and cross-file constants, std constants."""
from __future__ import annotations

from golinter.model.types import UNKNOWN

from _modelkit import at, package

A = """package p

import (
	"math"
	"time"
)

type Size int64

const (
	KiB Size = 1 << (10 * (iota + 1))
	MiB
	GiB
)

const (
	Red = iota
	Green
	Blue
)

var n = 5

func f() {
	_ = /*@mib*/MiB
	_ = /*@gib*/GiB
	_ = /*@blue*/Blue
	_ = /*@float*/1e6
	_ = /*@under*/1_000_000
	_ = /*@hex*/0x10 + 0o17 + 0b11
	_ = /*@octal*/017
	_ = /*@max*/math.MaxUint16
	_ = /*@dur*/2 * time.Second
	_ = /*@conv*/int64(1 << 20)
	_ = /*@other*/Limit * 2
	_ = /*@div*/-7 / 2
	_ = /*@var*/n
	_ = /*@len*/len("hello")
}
"""
B = "package p\n\nconst Limit = 4096\n"


def test_constants_iota_with_implicit_repetition_and_typed_consts() -> None:
    pkg = package({"a.go": A, "b.go": B})
    assert pkg.consts.value(at(pkg, "mib")) == 1 << 20
    assert pkg.consts.value(at(pkg, "gib")) == 1 << 30
    assert pkg.consts.value(at(pkg, "blue")) == 2


def test_constants_literal_forms() -> None:
    pkg = package({"a.go": A, "b.go": B})
    assert pkg.consts.int_value(at(pkg, "float")) == 1_000_000
    assert pkg.consts.value(at(pkg, "under")) == 1_000_000
    assert pkg.consts.value(at(pkg, "hex")) == 16 + 15 + 3
    assert pkg.consts.value(at(pkg, "octal")) == 15


def test_constants_std_cross_file_conversions_and_truncating_division() -> None:
    pkg = package({"a.go": A, "b.go": B})
    assert pkg.consts.value(at(pkg, "max")) == 65535
    assert pkg.consts.value(at(pkg, "dur")) == 2_000_000_000
    assert pkg.consts.value(at(pkg, "conv")) == 1 << 20
    assert pkg.consts.value(at(pkg, "other")) == 8192
    assert pkg.consts.value(at(pkg, "div")) == -3
    assert pkg.consts.value(at(pkg, "len")) == 5


def test_constants_variables_are_not_constant() -> None:
    pkg = package({"a.go": A, "b.go": B})
    assert pkg.consts.value(at(pkg, "var")) is UNKNOWN


def test_constants_multi_name_const_specs_bind_each_value() -> None:
    pkg = package({"a.go": 'package p\n\nconst a, b = "x", 7\n\nfunc f() { _ = /*@a*/a; _ = /*@b*/b }\n'})
    assert pkg.consts.value(at(pkg, "a")) == "x"
    assert pkg.consts.value(at(pkg, "b")) == 7
