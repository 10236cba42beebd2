"""Preallocation estimate for `make(map[K]V, hint)`: the heap bytes make takes before any insert.

`estimate_make_map(key, elem, hint, runtime)` takes the key and element layouts (model/sizes.py),
the constant hint and the Go release that builds the binary, and mirrors that runtime's code:
- runtime <= 1.23, classic buckets: runtime/map.go `makemap`, `overLoadFactor`, `makeBucketArray`;
- runtime >= 1.24, Swiss tables: internal/runtime/maps/map.go `NewMap`, table.go `newTable` and
  `(*table).reset`, group.go `newGroups`, with the group layout of
  cmd/compile/internal/reflectdata/map.go `MapGroupType` (interleaved slots, the default layout).
Every allocation is rounded as mallocgc rounds it (runtime/malloc.go, msize.go `roundupsize`):
malloc size classes below 32 KiB (runtime/sizeclasses.go; internal/runtime/gc/sizeclasses.go
in recent releases, the same table), whole 8 KiB pages above, and since Go 1.22 an 8-byte malloc header
inside pointerful objects over 512 bytes. The figure is what runtime.MemStats.HeapAlloc grows by.

Decisions: the map header make allocates (hmap or maps.Map, 48 B) is counted, so a small hint
costs 48 B, not 0 (a map that does not escape keeps it on the stack; 48 B never decides a
finding). Hints of 8 or less allocate no buckets or groups in either layout: classic `makemap`
calls makeBucketArray only when B != 0, Swiss `NewMap` returns before allocating a group.
GOEXPERIMENT=noswissmap (Go 1.24-1.25) and mapsplitgroup (1.27) builds are not modelled.

`exact` is False when a key or element size was a lower bound; the estimate stays a lower bound
because an inexact key or element is counted as at most 8 bytes per slot when its lower bound is
8 bytes or more (the real type might exceed 128 bytes and be stored as an 8-byte pointer).
`format_bytes` writes a figure for messages ("~53 MiB").
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Literal

from golinter.model.sizes import Layout, align_up, struct_layout

# runtime/sizeclasses.go (Go 1.19) = internal/runtime/gc/sizeclasses.go (Go 1.27): class_to_size.
SIZE_CLASSES = (
    0, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320,
    352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048,
    2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240,
    10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768,
)
PAGE_SIZE = 8192                      # runtime _PageSize (pageShift 13)
MAX_SMALL_SIZE = 32768                # runtime _MaxSmallSize
MALLOC_HEADER_SIZE = 8                # Go 1.22+: runtime mallocHeaderSize
MIN_SIZE_FOR_MALLOC_HEADER = 512      # Go 1.22+: goarch.PtrSize * ptrBits
MAX_ALLOC = 1 << 48                   # runtime maxAlloc on linux/amd64
MAP_HEADER_SIZE = 48                  # runtime.hmap (Go <= 1.23) and maps.Map (Go >= 1.24)
MAPEXTRA_SIZE = 24                    # runtime.mapextra, allocated when there are overflow buckets
TABLE_HEADER_SIZE = 32                # maps.table: used, capacity, growthLeft, localDepth, index, groups

# runtime/map.go (Go 1.19-1.23)
BUCKET_CNT = 8
LOAD_FACTOR_NUM = 13
LOAD_FACTOR_DEN = 2
MAX_KEY_SIZE = 128                    # also maxElemSize; abi.MapMaxKeyBytes/MapMaxElemBytes in Swiss
# internal/runtime/maps (Go >= 1.24)
GROUP_SLOTS = 8                       # abi.MapGroupSlots
MAX_AVG_GROUP_LOAD = 7                # maxAvgGroupLoad: 7/8 of the slots
MAX_TABLE_CAPACITY = 1024             # table.go maxTableCapacity

_HEADER_RUNTIME = (1, 22)             # malloc headers (GOEXPERIMENT=allocheaders default)
_SWISS_RUNTIME = (1, 24)
_CTRL_WORD = Layout(8, 8, exact=True)
_TOPHASH = Layout(BUCKET_CNT, 1, exact=True)
_PTR = Layout(8, 8, exact=True, has_pointers=True)


@dataclass(frozen=True, slots=True)
class MapEstimate:
    """Heap bytes `make` allocates, for the runtime's map layout; exact False: a lower bound."""

    bytes: int
    layout: Literal["classic", "swiss"]
    exact: bool


def estimate_make_map(key: Layout, elem: Layout, hint: int, runtime: tuple[int, int]) -> MapEstimate:
    """The heap bytes `make(map[K]V, hint)` allocates on a 64-bit platform with Go `runtime`."""
    exact = key.exact and elem.exact
    hint = max(hint, 0)
    if runtime >= _SWISS_RUNTIME:
        return MapEstimate(_swiss_bytes(_slot_layout(key), _slot_layout(elem), hint, runtime), "swiss", exact)
    return MapEstimate(_classic_bytes(_slot_layout(key), _slot_layout(elem), hint, runtime), "classic", exact)


def _slot_layout(t: Layout) -> Layout:
    """How a key or element is stored in a bucket or group: over 128 bytes, as a pointer.

    Runtime: maxKeySize/maxElemSize in runtime/map.go; MapGroupType in reflectdata/map.go. An
    inexact layout of 8 bytes or more may belong to a type over 128 bytes: count 8 to stay low.
    """
    if t.size > MAX_KEY_SIZE:
        return _PTR
    if not t.exact and t.size >= _PTR.size:
        return Layout(_PTR.size, t.align, exact=False, has_pointers=t.has_pointers)
    return t


def _classic_bytes(key: Layout, elem: Layout, hint: int, runtime: tuple[int, int]) -> int:
    """runtime/map.go makemap: hmap, then makeBucketArray(t, B) when B != 0, plus mapextra.

    The bucket is cmd/compile's MapBucketType: struct{ tophash [8]uint8; keys [8]K; elems [8]V;
    overflow uintptr-or-pointer }.
    """
    bucket = struct_layout([_TOPHASH, _array8(key), _array8(elem), _PTR])
    pointers = key.has_pointers or elem.has_pointers
    if hint * bucket.size > MAX_ALLOC:
        hint = 0                                   # makemap: "hint is too large" -> empty map
    b = 0
    while _over_load_factor(hint, b):
        b += 1
    if b == 0:
        return MAP_HEADER_SIZE                     # buckets are allocated lazily by mapassign
    base = 1 << b
    nbuckets = base
    if b >= 4:
        # makeBucketArray: add overflow buckets, then use the whole malloc block for buckets.
        nbuckets += 1 << (b - 4)
        size = bucket.size * nbuckets
        up = _roundupsize(size, pointers, runtime)
        if up != size:
            nbuckets = up // bucket.size
    total = MAP_HEADER_SIZE + _heap_bytes(bucket.size * nbuckets, pointers, runtime)
    if nbuckets != base:                           # makemap: h.extra = new(mapextra)
        total += _heap_bytes(MAPEXTRA_SIZE, True, runtime)
    return total


def _over_load_factor(count: int, b: int) -> bool:
    """runtime/map.go overLoadFactor, with the runtime's integer arithmetic."""
    return count > BUCKET_CNT and count > LOAD_FACTOR_NUM * ((1 << b) // LOAD_FACTOR_DEN)


def _swiss_bytes(key: Layout, elem: Layout, hint: int, runtime: tuple[int, int]) -> int:
    """internal/runtime/maps NewMap: the Map header, a directory of tables, each with its groups.

    The group is MapGroupType's struct{ ctrl uint64; slots [8]struct{ key K; elem V } }.
    """
    if hint <= GROUP_SLOTS:
        return MAP_HEADER_SIZE                     # NewMap returns before allocating a group
    target = hint * GROUP_SLOTS // MAX_AVG_GROUP_LOAD
    if target >= 1 << 64:
        return MAP_HEADER_SIZE                     # uintptr overflow: "return an empty map"
    slot = struct_layout([key, elem])
    group = struct_layout([_CTRL_WORD, Layout(GROUP_SLOTS * slot.size, slot.align, slot.exact,
                                              slot.has_pointers)])
    dir_size = _pow2_ceil(-(-target // MAX_TABLE_CAPACITY))
    if dir_size * MAX_TABLE_CAPACITY * group.size > MAX_ALLOC:
        return MAP_HEADER_SIZE                     # "hints that are obviously too large"
    capacity = _pow2_ceil(max(target // dir_size, GROUP_SLOTS))   # newTable
    groups = _heap_bytes(capacity // GROUP_SLOTS * group.size, slot.has_pointers, runtime)
    table = _heap_bytes(TABLE_HEADER_SIZE, True, runtime)
    directory = _heap_bytes(dir_size * _PTR.size, True, runtime)  # make([]*table, dirSize)
    return MAP_HEADER_SIZE + directory + dir_size * (table + groups)


def _array8(t: Layout) -> Layout:
    return Layout(BUCKET_CNT * t.size, t.align, t.exact, t.has_pointers)


def _pow2_ceil(n: int) -> int:
    """internal/runtime/maps alignUpPow2 (n >= 1)."""
    return 1 << (n - 1).bit_length()


def _size_class(size: int) -> int:
    """The smallest malloc size class holding size bytes (size <= MAX_SMALL_SIZE)."""
    return SIZE_CLASSES[bisect_left(SIZE_CLASSES, size)]


def _has_header(size: int, pointers: bool, runtime: tuple[int, int]) -> bool:
    return runtime >= _HEADER_RUNTIME and pointers and size > MIN_SIZE_FOR_MALLOC_HEADER


def _is_small(size: int, runtime: tuple[int, int]) -> bool:
    """mallocgc's small-object test: size <= maxSmallSize (- mallocHeaderSize since Go 1.22)."""
    if runtime >= _HEADER_RUNTIME:
        return size <= MAX_SMALL_SIZE - MALLOC_HEADER_SIZE
    return size <= MAX_SMALL_SIZE


def _heap_bytes(size: int, pointers: bool, runtime: tuple[int, int]) -> int:
    """What mallocgc(size) adds to HeapAlloc: the size class (header included) or whole pages."""
    if size == 0:
        return 0                                   # zerobase
    if _is_small(size, runtime):
        return _size_class(size + (MALLOC_HEADER_SIZE if _has_header(size, pointers, runtime) else 0))
    return align_up(size, PAGE_SIZE)


def _roundupsize(size: int, pointers: bool, runtime: tuple[int, int]) -> int:
    """runtime/msize.go roundupsize: the usable size of the block mallocgc(size) returns."""
    header = MALLOC_HEADER_SIZE if _has_header(size, pointers, runtime) else 0
    if runtime >= _HEADER_RUNTIME and size <= MAX_SMALL_SIZE - MALLOC_HEADER_SIZE:
        return _size_class(size + header) - header
    if runtime < _HEADER_RUNTIME and size < MAX_SMALL_SIZE:
        return _size_class(size)
    return align_up(size, PAGE_SIZE)


_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")


def format_bytes(n: int) -> str:
    """A byte count in binary units for messages: "~3.5 MiB", "~53 MiB" (one decimal under 10)."""
    value, unit = float(n), 0
    while unit < len(_UNITS) - 1 and _round_half_up(value) >= 1024:
        value /= 1024
        unit += 1
    tenths = int(value * 10 + 0.5)
    if tenths < 100 and unit > 0:
        return f"~{tenths // 10}.{tenths % 10} {_UNITS[unit]}"
    return f"~{_round_half_up(value)} {_UNITS[unit]}"


def _round_half_up(value: float) -> int:
    return int(value + 0.5)
