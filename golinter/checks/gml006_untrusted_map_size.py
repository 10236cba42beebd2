"""GML006 untrusted-map-size: `make(M, n)` where a client picks n and nothing bounds it.

User prose: rules/GML006-untrusted-map-size.md. Model facts: scopes (builtin make), type-lite
(map type), constants (a constant hint is GML001's business), taint (origin of the hint,
bounds on every path, the integer types it went through), sizes and mapsize (the preallocation
a type-bounded hint can reach, judged against GML001's max-bytes).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from golinter.checks import gml001_oversized_map_hint as gml001
from golinter.checks.base import Nature, Precision, Rule
from golinter.findings import Level
from golinter.model.mapsize import estimate_make_map, format_bytes
from golinter.model.sizes import layout
from golinter.model.taint import HUGE

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tree_sitter import Node

    from golinter.findings import Finding
    from golinter.model.package import Package
    from golinter.model.taint import Origin
    from golinter.model.types import Map

RULE = Rule(code="GML006", name="untrusted-map-size", summary="map preallocation sized by attacker-controlled data",
            nature=Nature.SECURITY, level=Level.ERROR, precision=Precision.HIGH,
            security_severity="7.5", tags=("security", "external/cwe/cwe-770"))

QUERY = """
(call_expression
  function: (identifier) @gml006.fn (#eq? @gml006.fn "make")
  arguments: (argument_list
    . [(map_type) (type_identifier) (qualified_type) (generic_type)] @gml006.type
    . (_) @gml006.size .)) @gml006.call
"""
# Every match holds one of these (parse.live_ranges skips declarations without): `make(map[K]V, n)`.
QUERY_WORDS = (b"make",)

ADVICE = "reject or clamp it first (if n > limit, min(n, limit))"
FATAL_BYTES = 64 << 30  # a type-bounded hint allocating this much takes the process down


def run(pkg: Package) -> Iterator[Finding]:
    max_bytes = gml001.size_option(pkg.options(gml001.RULE)["max-bytes"])
    for hit in pkg.matches(RULE):
        call, size = hit["gml006.call"], hit["gml006.size"]
        map_type = pkg.types.map_of(pkg.types.type_from_expr(hit["gml006.type"]))
        if map_type is None or not pkg.scopes.is_builtin(hit["gml006.fn"], "make"):
            continue
        if pkg.consts.int_value(size) is not None:
            continue  # a constant hint is GML001's
        origin = pkg.taint.origin(size)
        if origin is None or not origin.integer or origin.bound is None:
            continue  # not attacker-controlled, bounded on the way, or of unknown width: silent
        message = _message(pkg, hit["gml006.type"], size, map_type, origin, max_bytes)
        if message:
            yield pkg.finding(RULE, call, message, related=[(origin.node, "the attacker-controlled value is read here")])


def _message(pkg: Package, type_node: Node, size: Node, map_type: Map, origin: Origin, max_bytes: int) -> str:
    """The finding's message, or "" when the hint's type keeps the preallocation under max-bytes."""
    type_text = " ".join(pkg.text(type_node).split())
    where = f"{_text(pkg, size)} comes from {_source(pkg, size, origin)}"
    bound = origin.bound
    assert bound is not None
    if bound >= HUGE:
        return (f"{where} with no upper bound: a client picks the size of this {type_text}, and a large one "
                f"kills the process with the unrecoverable fatal error: out of memory; {ADVICE}")
    key = layout(map_type.key, pkg.types.resolve_named)
    elem = layout(map_type.elem, pkg.types.resolve_named)
    estimate = estimate_make_map(key, elem, bound, pkg.runtime_version)
    if estimate.bytes < max_bytes:
        return ""
    figure = format_bytes(estimate.bytes) if estimate.exact else f"at least {format_bytes(estimate.bytes)}"
    fatal = (", more than most hosts have: the process dies with the unrecoverable fatal error: out of memory"
             if estimate.bytes >= FATAL_BYTES else "")
    return (f"{where} and can reach {bound:,}: a client makes this {type_text} preallocate {figure} "
            f"per call{fatal}; {ADVICE}")


def _source(pkg: Package, size: Node, origin: Origin) -> str:
    """`the request (r.URL.Query().Get("n"))`, `the request body (decoded with encoding/json)`."""
    details = [] if _text(pkg, origin.node) == _text(pkg, size) else [_text(pkg, origin.node)]
    if origin.via:
        details.append(f"decoded with {origin.via}")
    return f"{origin.source} ({', '.join(details)})" if details else origin.source


def _text(pkg: Package, node: Node) -> str:
    return " ".join(pkg.text(node).split())
