"""GML008 unbounded-map-growth: a long-lived map only ever inserted into, keyed by unbounded data.

User prose: rules/GML008-unbounded-map-growth.md. Model facts: storage identity, lifetimes
(long-lived storage), mutations (package-wide deletes, clears, replacements, escapes, len bounds),
origins (evident unbounded key sources), type-lite (map and key types).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from golinter.checks.base import Nature, Precision, Rule
from golinter.findings import Level
from golinter.model.mutations import Mutations, Op
from golinter.model.origins import Origins
from golinter.model.scopes import ObjKind
from golinter.model.types import Basic, Map, Named, Pointer

if TYPE_CHECKING:
    from collections.abc import Iterator

    from golinter.findings import Finding
    from golinter.model.package import Package
    from golinter.model.storage import StorageKey
    from golinter.parse import Match

RULE = Rule(code="GML008", name="unbounded-map-growth", summary="long-lived map only grows, keyed by unbounded data",
            nature=Nature.MEMORY, level=Level.WARNING, precision=Precision.HIGH)

QUERY = """
(assignment_statement
  left: (expression_list .
    (index_expression operand: (_) @gml008.map index: (_) @gml008.key) @gml008.index .)) @gml008.insert
(inc_statement (index_expression operand: (_) @gml008.map index: (_) @gml008.key) @gml008.index) @gml008.insert
"""
# Every match holds one of these (parse.live_ranges skips declarations without): an index expression.
QUERY_WORDS = (b"[",)

_SMALL_KEYS = frozenset({"bool", "int8", "uint8", "byte"})


def run(pkg: Package) -> Iterator[Finding]:
    for hit in pkg.matches(RULE):
        map_type = pkg.types.expr_map(hit["gml008.map"])
        key = pkg.storage.key(hit["gml008.map"])
        if map_type is None or key is None or "[]" in key.path or not pkg.lifetimes.is_long_lived(key):
            continue
        if _bounded_key_type(pkg, map_type) or pkg.lifetimes.is_fresh_owner(hit["gml008.map"]):
            continue  # enum keys; a constructor filling a value not shared yet
        if _ever_shrinks(pkg, key):
            continue
        if Mutations.of(pkg).is_existing_key_update(hit["gml008.index"]):
            continue  # `if _, ok := m[k]; ok { m[k] = v }` never adds a key
        source = Origins.of(pkg).unbounded(hit["gml008.key"])
        if source:
            yield pkg.finding(RULE, hit["gml008.insert"], _message(pkg, hit, key, map_type, source))


def _ever_shrinks(pkg: Package, key: StorageKey) -> bool:
    """Anything in the package that deletes from, clears, replaces or hands out the map, or
    compares its len (`if len(s.m) >= max { return }`) bounds it."""
    mutations = Mutations.of(pkg)
    return Op.LEN_BOUND in mutations.ops(key) or mutations.is_pruned(key)


def _bounded_key_type(pkg: Package, map_type: Map) -> bool:
    """`map[bool]V`, `map[uint8]V`, or a key of an enum type (a named type with constants)."""
    u = pkg.types.underlying(map_type.key)
    if isinstance(u, Basic) and u.name in _SMALL_KEYS:
        return True
    key_type = map_type.key
    if not (isinstance(key_type, Named) and not key_type.pkg and isinstance(u, Basic)):
        return False
    for _name, objs in pkg.scopes.package_objects(ObjKind.CONST):
        if pkg.types.obj_type(objs[0]) == key_type:
            return True
    return False


def _message(pkg: Package, hit: Match, key: StorageKey, map_type: Map, source: str) -> str:
    name = pkg.text(hit["gml008.map"])
    where = "package-level map" if key.is_package_var else "map"
    advice = "bound it (an LRU) or sweep it on a TTL and rebuild it periodically"
    if pkg.lang_version(hit["gml008.insert"]) >= (1, 24) and isinstance(pkg.types.underlying(map_type.elem), Pointer):
        advice += ", or hold weak.Pointer values for a cache"
    return (f"{where} {name} only grows: keys come from {source}, nothing in the package deletes, clears "
            f"or replaces it, and Go maps never shrink, so it holds its peak; {advice}")
