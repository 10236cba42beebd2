"""GML009 delete-loop-use-clear: a range loop whose only statement deletes the loop's key.

User prose: rules/GML009-delete-loop-use-clear.md. Model facts: scopes (builtin delete, same
object), storage identity, type-lite (key type reflexivity), per-file language version.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from golinter.checks.base import Nature, Precision, Rule
from golinter.findings import Fix, Level
from golinter.model.types import Array, Basic, Interface, Map, Struct, Type, TypeParam

if TYPE_CHECKING:
    from collections.abc import Iterator

    from golinter.findings import Finding
    from golinter.model.package import Package
    from golinter.parse import Match

RULE = Rule(code="GML009", name="delete-loop-use-clear", summary="range loop deleting every key of a map",
            nature=Nature.STYLE, level=Level.NOTE, precision=Precision.VERY_HIGH,
            enabled_by_default=False, test_candidates=True)

QUERY = """
(for_statement
  (range_clause left: (expression_list . (identifier) @gml009.key) right: (_) @gml009.map)
  body: (block (statement_list . (expression_statement (call_expression
    function: (identifier) @gml009.fn (#eq? @gml009.fn "delete")
    arguments: (argument_list . (_) @gml009.target . (identifier) @gml009.deleted .))) .))) @gml009.loop
"""
# Every match holds one of these (parse.live_ranges skips declarations without): a range loop.
QUERY_WORDS = (b"range",)

_FLOATY = frozenset({"float32", "float64", "complex64", "complex128"})


def run(pkg: Package) -> Iterator[Finding]:
    for hit in pkg.matches(RULE):
        loop = hit["gml009.loop"]
        if pkg.lang_version(loop) < (1, 21):
            continue  # clear() arrived in Go 1.21
        if not _deletes_own_key(pkg, hit):
            continue
        map_type = pkg.types.expr_map(hit["gml009.map"])
        if map_type is None:
            continue
        name = pkg.text(hit["gml009.map"])
        reflexive = _reflexive(pkg, map_type.key)
        message = f"loop deletes every key of {name}; use clear({name}) (neither frees the buckets)"
        if reflexive is False:
            message = (f"loop deletes every key of {name} except NaN keys, which delete cannot "
                       f"remove; clear({name}) removes them too (neither frees the buckets)")
        finding = pkg.finding(RULE, loop, message)
        if reflexive:
            span = finding.span
            finding = _with_fix(finding, span, f"clear({name})")
        yield finding


def _deletes_own_key(pkg: Package, hit: Match) -> bool:
    """`for k := range m { delete(m, k) }`: the builtin delete, the same map, the loop's own key."""
    return (pkg.scopes.is_builtin(hit["gml009.fn"], "delete")
            and pkg.storage.same(hit["gml009.map"], hit["gml009.target"])
            and pkg.scopes.same_object(hit["gml009.key"], hit["gml009.deleted"]))


def _reflexive(pkg: Package, key: Type, depth: int = 0) -> bool | None:
    """Whether `==` on the key type is reflexive (no NaN): True, False, or None when Unknown."""
    u = pkg.types.underlying(key)
    if depth > 8 or isinstance(u, TypeParam):
        return None
    if isinstance(u, Basic):
        return u.name not in _FLOATY
    if isinstance(u, Interface):
        return False  # an interface key can hold a NaN float
    if isinstance(u, Array):
        return _reflexive(pkg, u.elem, depth + 1)
    if isinstance(u, Struct):
        results = [_reflexive(pkg, f.type, depth + 1) for f in u.fields]
        if False in results:
            return False
        return None if None in results else True
    if isinstance(u, Map):
        return None
    return True if u.__class__.__name__ in ("Pointer", "Chan") else None


def _with_fix(finding: Finding, span: object, replacement: str) -> Finding:
    from dataclasses import replace

    from golinter.findings import Span
    assert isinstance(span, Span)
    return replace(finding, fix=Fix(f"Replace the loop with {replacement}", span, replacement))
