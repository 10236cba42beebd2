"""GML007 substring-key-retains-source: a substring of a larger string inserted as a key into a
long-lived map, where it keeps the whole source string alive.

User prose: rules/GML007-substring-key-retains-source.md. Model facts: derivation (substring
sources through locals, whole-file/body reads), storage identity and lifetimes (long-lived
maps), type-lite (string-keyed maps), per-file language version (the suggested copy).

Flagged: `M[k] = v`, `M[k] op= v`, `M[k]++` where M is a long-lived `map[string]V` (or a named
string key type) and k is extracted from another string by `s[i:j]`, strings.Split/Fields/
Cut/..., regexp FindString*, path.Base, filepath.Base/Ext, followed through locals. Warning
when the source is a whole file or body (os.ReadFile, io.ReadAll), note otherwise.
Not flagged: copies (strings.Clone, unique.Make(k).Value(), string(b[i:j])), fresh strings
(bufio.Scanner.Text(), decoded fields, strconv, fmt, concatenations), trimmed strings alone,
constant sources, maps that are not long-lived, test files.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from golinter import kinds
from golinter.checks.base import Nature, Precision, Rule
from golinter.findings import Level
from golinter.model.derivation import Derivation

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tree_sitter import Node

    from golinter.findings import Finding
    from golinter.model.package import Package

RULE = Rule(code="GML007", name="substring-key-retains-source",
            summary="substring key keeps its whole source string alive",
            nature=Nature.MEMORY, level=Level.NOTE, precision=Precision.HIGH)

_KEY = "[(identifier) (index_expression) (slice_expression) (call_expression) (parenthesized_expression)]"
QUERY = f"""
(assignment_statement
  left: (expression_list . (index_expression operand: (_) @gml007.map index: {_KEY} @gml007.key) @gml007.index .))
(inc_statement (index_expression operand: (_) @gml007.map index: {_KEY} @gml007.key) @gml007.index)
(dec_statement (index_expression operand: (_) @gml007.map index: {_KEY} @gml007.key) @gml007.index)
"""

_WHAT_READ = {"ReadFile": "file", "ReadAll": "body"}


def run(pkg: Package) -> Iterator[Finding]:
    derivation = Derivation(pkg)
    for hit in pkg.matches(RULE, include_tests=False):
        index, key, map_node = hit["gml007.index"], hit["gml007.key"], hit["gml007.map"]
        if not _long_lived_string_map(pkg, map_node):
            continue
        source = derivation.substring_of(key)
        if source is None:
            continue
        reader = derivation.whole_read(source)
        k, m, src = pkg.text(key), pkg.text(map_node), pkg.text(source)
        what = f"{src}, the whole {_WHAT_READ[reader.rsplit('.', 1)[1]]} from {reader}," if reader else src
        message = (f"key {k} is a substring of {what} and keeps all of it alive in long-lived map {m}; "
                   f"{_copy_advice(pkg, derivation, key)}")
        yield pkg.finding(RULE, index, message, related=[(source, f"{src}: the string the key shares")],
                          level=Level.WARNING if reader else None)


def _long_lived_string_map(pkg: Package, map_node: Node) -> bool:
    """`s.index[k] = v` on a `map[string]V` field of a shared type, or a package-level map."""
    mt = pkg.types.expr_map(map_node)
    if mt is None or not pkg.types.is_string(mt.key):
        return False
    return pkg.lifetimes.is_long_lived(pkg.storage.key(map_node))


def _copy_advice(pkg: Package, derivation: Derivation, key: Node) -> str:
    """strings.Clone from Go 1.18; unique.Make from 1.23 also shares equal keys. A key converted
    to a named string type is copied inside the conversion: Label(strings.Clone(parts[0]))."""
    inner, wrap = key, "{}"
    operand = derivation.string_conversion_operand(key)
    fn = key.child_by_field_name(kinds.F_FUNCTION)
    if operand is not None and fn is not None and pkg.text(fn) != "string":
        inner, wrap = operand, pkg.text(fn) + "({})"
    k = pkg.text(inner)
    version = pkg.lang_version(key)
    if version >= (1, 23):
        return (f"store {wrap.format(f'strings.Clone({k})')} or {wrap.format(f'unique.Make({k}).Value()')}, "
                f"which also shares equal keys")
    if version >= (1, 18):
        return f"store {wrap.format(f'strings.Clone({k})')}"
    return f"store a copy, {wrap.format(f'string([]byte({k}))')}"
