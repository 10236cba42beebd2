"""GML001 oversized-map-hint: `make(M, hint)` with a constant hint that preallocates too much.

User prose: rules/GML001-oversized-map-hint.md. Model facts: scopes (builtin make), type-lite
(map type, named and type-parameter maps), constants (the hint), sizes and mapsize (the estimate
for the package's runtime layout), handlers (per-request code), taint (iteration-local maps).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from golinter import kinds
from golinter.checks.base import Nature, Precision, Rule
from golinter.findings import Level
from golinter.model.handlers import in_http_handler
from golinter.model.mapsize import estimate_make_map, format_bytes
from golinter.model.mutations import Mutations
from golinter.model.package import enclosing, enclosing_function
from golinter.model.sizes import layout

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tree_sitter import Node

    from golinter.checks.base import OptionValue
    from golinter.findings import Finding
    from golinter.model.mapsize import MapEstimate
    from golinter.model.package import Package
    from golinter.model.types import Map

RULE = Rule(code="GML001", name="oversized-map-hint", summary="constant map size hint that preallocates too much memory",
            nature=Nature.PERFORMANCE, level=Level.WARNING, precision=Precision.HIGH,
            options=(("max-bytes", "4MiB"), ("max-bytes-in-loop", "256KiB")))

QUERY = """
(call_expression
  function: (identifier) @gml001.fn (#eq? @gml001.fn "make")
  arguments: (argument_list
    . [(map_type) (type_identifier) (qualified_type) (generic_type)] @gml001.type
    . (_) @gml001.hint .)) @gml001.call
"""
# Every match holds one of these (parse.live_ranges skips declarations without): `make(map[K]V, n)`.
QUERY_WORDS = (b"make",)

ADVICE = "size it to the data or let it grow"
_LAYOUT_NAMES = {"swiss": "Swiss tables", "classic": "buckets, Go <= 1.23"}
_LOOP_OR_FUNC = kinds.LOOP_KINDS | kinds.FUNCTION_KINDS


def run(pkg: Package) -> Iterator[Finding]:
    options = pkg.options(RULE)
    max_bytes, max_in_loop = size_option(options["max-bytes"]), size_option(options["max-bytes-in-loop"])
    for hit in pkg.matches(RULE):
        call = hit["gml001.call"]
        if not pkg.scopes.is_builtin(hit["gml001.fn"], "make"):
            continue
        estimate = _estimate(pkg, hit["gml001.type"], hit["gml001.hint"])
        if estimate is None or _presized_to_its_cap(pkg, call, hit["gml001.hint"]):
            continue
        loop = _enclosing_loop(call)
        if loop is not None and pkg.taint.is_iteration_local(call, loop):
            if estimate.bytes >= min(max_in_loop, max_bytes):
                yield pkg.finding(RULE, call, _message(pkg, call, estimate, " per iteration"), level=Level.WARNING)
        elif estimate.bytes >= max_bytes:
            level = Level.WARNING if _paid_without_data(pkg, call) else Level.NOTE
            yield pkg.finding(RULE, call, _message(pkg, call, estimate, ""), level=level)


def size_option(value: OptionValue) -> int:
    """Bytes from an option value: config.py stores sizes as ints, defaults are "4MiB" strings."""
    from golinter.config import parse_size  # lazily: config imports the checks package
    return parse_size(value if isinstance(value, (str, int)) else str(value))


def _estimate(pkg: Package, type_node: Node, hint_node: Node) -> MapEstimate | None:
    """The preallocation of `make(map[K]V, 1<<20)` for the package's runtime; None when the type
    is not certainly a map or the hint is not an integer constant."""
    map_type: Map | None = pkg.types.map_of(pkg.types.type_from_expr(type_node))
    hint = pkg.consts.int_value(hint_node)
    if map_type is None or hint is None or hint <= 0:
        return None
    key = layout(map_type.key, pkg.types.resolve_named)
    elem = layout(map_type.elem, pkg.types.resolve_named)
    return estimate_make_map(key, elem, hint, pkg.runtime_version)


def _presized_to_its_cap(pkg: Package, call: Node, hint: Node) -> bool:
    """The map is stored where the package compares its length with the hint's value
    (`cache: make(map[K]V, cacheSize)` and `if len(t.cache) >= cacheSize { clear(t.cache) }`):
    a cache presized to the size it is held to reaches that size, so the hint is its working set."""
    dest = pkg.storage.destination(call)
    value = pkg.consts.int_value(hint)
    return dest is not None and value is not None and value in Mutations.of(pkg).len_limits(dest)


def _enclosing_loop(call: Node) -> Node | None:
    """The innermost `for` whose body holds `call`, within the call's own function."""
    loop = enclosing(call, _LOOP_OR_FUNC)
    if loop is None or loop.type not in kinds.LOOP_KINDS:
        return None
    body = loop.child_by_field_name(kinds.F_BODY)
    return loop if body is not None and body.start_byte <= call.start_byte < body.end_byte else None


def _paid_without_data(pkg: Package, call: Node) -> bool:
    """Package-level initialisers (also literals they call), `init`, and handler bodies pay the
    cost before any data exists."""
    current = enclosing_function(call)
    while current is not None:
        if current.type == kinds.FUNCTION_DECLARATION and _is_init(pkg, current):
            return True
        outer = enclosing_function(current)
        if outer is None and _invoked_at_package_level(current):
            return True
        current = outer
    return enclosing_function(call) is None or in_http_handler(pkg, call)


def _invoked_at_package_level(func: Node) -> bool:
    """`var defaults = func() map[K]V { ... }()`: a literal run while the package initialises."""
    parent = func.parent
    while parent is not None and parent.type == kinds.PARENTHESIZED_EXPRESSION:
        parent = parent.parent
    return (func.type == kinds.FUNC_LITERAL and parent is not None and parent.type == kinds.CALL_EXPRESSION
            and parent.child_by_field_name(kinds.F_FUNCTION) in (func, func.parent))


def _is_init(pkg: Package, func: Node) -> bool:
    name = func.child_by_field_name(kinds.F_NAME)
    return name is not None and pkg.text(name) == "init"


def _message(pkg: Package, call: Node, estimate: MapEstimate, per: str) -> str:
    text = " ".join(pkg.text(call).split())
    figure = format_bytes(estimate.bytes)
    if not estimate.exact:
        figure = f"at least {figure}"
    return (f"{text} preallocates {figure} ({_LAYOUT_NAMES[estimate.layout]}){per} before any insert; "
            f"{ADVICE}")
