"""GML007 substring-key-retains-source: a substring of a larger string inserted as a key into a
long-lived map, where it keeps the whole source string alive.

User prose: rules/GML007-substring-key-retains-source.md. Model facts: derivation (substring
sources through locals, whole-file/body reads), storage identity and lifetimes (long-lived
maps), type-lite (string-keyed maps), per-file language version (the suggested copy).

Flagged: `M[k] = v`, `M[k] op= v`, `M[k]++` where M is a long-lived `map[string]V` (or a named
string key type) and k is extracted from another string by `s[i:j]`, strings.Split/Fields/
Cut/..., regexp FindString*, path.Base, filepath.Base/Ext, followed through locals, and that
source string was made at run time from input: a whole file or body (os.ReadFile, io.ReadAll:
warning), a line read with bufio, or a `string(b)` conversion of byte data (note).
Not flagged: copies (strings.Clone, unique.Make(k).Value(), string(b[i:j])), fresh strings
used whole (bufio.Scanner.Text(), decoded fields, strconv, fmt, concatenations), trimmed
strings alone, sources of unknown origin (parameters, fields, results of unknown calls: they
may be small, constant at every call site, or kept alive anyway), maps that are not
long-lived, test files.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from golinter import kinds
from golinter.checks.base import Nature, Precision, Rule
from golinter.findings import Level
from golinter.model.derivation import Derivation
from golinter.model.typelite import unparen

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tree_sitter import Node

    from golinter.findings import Finding
    from golinter.model.derivation import Origin
    from golinter.model.package import Package
    from golinter.parse import Match

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
# Every match holds one of these (parse.live_ranges skips declarations without): an index expression.
QUERY_WORDS = (b"[",)

Share = Literal["source", "substring"]

_WHAT_READ = {"ReadFile": "file", "ReadAll": "body"}


def run(pkg: Package) -> Iterator[Finding]:
    derivation = Derivation(pkg)
    for hit in pkg.matches(RULE):
        index, key, map_node = hit["gml007.index"], hit["gml007.key"], hit["gml007.map"]
        if not _long_lived_string_map(pkg, map_node):
            continue
        source = derivation.substring_of(key)
        if source is None:
            continue
        origin = derivation.origin(source)
        if origin is None:
            continue  # a parameter, a field, an unknown call: the source may be small or kept anyway
        value = _value_share(derivation, index, source)
        if value == "source":
            continue  # the value holds the whole source on purpose: the key costs nothing more
        if value == "substring" and origin.kind == "line":
            continue  # `k, v := Cut(line, ":")`: the value keeps the line alive, a copy of the key frees nothing
        yield pkg.finding(RULE, index, _message(pkg, derivation, hit, source, origin, value),
                          related=[(source, f"{pkg.text(source)}: the string the key shares")],
                          level=Level.WARNING if origin.kind == "whole" else None)


def _message(pkg: Package, derivation: Derivation, hit: Match, source: Node, origin: Origin,
             value: Share | None) -> str:
    """`key f[0] is a substring of string(data), the whole file from os.ReadFile, and keeps all
    of it alive in long-lived map vendorPkgModule; store strings.Clone(f[0])`."""
    key, m, src = hit["gml007.key"], pkg.text(hit["gml007.map"]), pkg.text(source)
    what = src
    if origin.kind == "whole":
        what = f"{src}, the whole {_WHAT_READ[origin.via.rsplit('.', 1)[1]]} from {origin.via},"
    also = ", and so does the value" if value == "substring" else ""
    return (f"key {pkg.text(key)} is a substring of {what} and keeps all of it alive in long-lived map "
            f"{m}{also}; {_copy_advice(pkg, derivation, key, value == 'substring')}")


def _value_share(derivation: Derivation, index: Node, source: Node) -> Share | None:
    """What the stored value holds of the key's source: "source" for the source itself
    (`paths[filepath.Base(p)] = p`, `m[f[0]] = &Entry{Raw: line}`), "substring" for another
    substring of it (`m[name] = value` after strings.Cut), else None."""
    stmt = index.parent.parent if index.parent is not None else None
    if stmt is None or stmt.type != kinds.ASSIGNMENT_STATEMENT:
        return None
    right = stmt.child_by_field_name(kinds.F_RIGHT)
    values = right.named_children if right is not None else []
    if len(values) != 1:
        return None
    share: Share | None = None
    for node in _stored_parts(derivation, values[0]):
        if node == source or derivation.same_value(node, source):
            return "source"
        root = derivation.substring_of(node)
        if root is not None and (root == source or derivation.same_value(root, source)):
            share = "substring"
    return share


def _literal_of(value: Node) -> Node | None:
    """`T{...}` or `&T{...}`: the composite literal, else None."""
    v = unparen(value)
    if v.type == kinds.UNARY_EXPRESSION:
        operand = v.child_by_field_name(kinds.F_OPERAND)
        v = unparen(operand) if operand is not None else v
    return v if v.type == kinds.COMPOSITE_LITERAL else None


def _stored_parts(derivation: Derivation, value: Node) -> list[Node]:
    """The expressions a value stores as they are: the value, and the elements of composite
    literals (`&Entry{Raw: line}` stores line), also through a local bound once to such a literal
    (`stmt := &Stmt{Query: query}; m[name] = stmt`), not the operands of calls or operators."""
    out: list[Node] = []
    stack = [value]
    followed = 0
    while stack:
        node = unparen(stack.pop())
        out.append(node)
        if node.type == kinds.IDENTIFIER and followed < 4:
            obj = derivation.bound_once(node)
            literal = _literal_of(obj.value) if obj is not None and obj.value is not None else None
            if literal is not None:
                followed += 1
                stack.append(literal)
        elif node.type == kinds.UNARY_EXPRESSION:
            operand = node.child_by_field_name(kinds.F_OPERAND)
            if operand is not None:
                stack.append(operand)
        elif node.type == kinds.COMPOSITE_LITERAL:
            body = node.child_by_field_name(kinds.F_BODY)
            for elem in (body.named_children if body is not None else []):
                if elem.type == kinds.KEYED_ELEMENT:
                    elem = elem.named_children[-1] if elem.named_children else elem
                if elem.type == kinds.LITERAL_ELEMENT and elem.named_children:
                    elem = elem.named_children[0]
                stack.append(elem)
    return out


def _long_lived_string_map(pkg: Package, map_node: Node) -> bool:
    """`s.index[k] = v` on a `map[string]V` field of a shared type, or a package-level map."""
    mt = pkg.types.expr_map(map_node)
    if mt is None or not pkg.types.is_string(mt.key):
        return False
    return pkg.lifetimes.is_long_lived(pkg.storage.key(map_node))


def _copy_advice(pkg: Package, derivation: Derivation, key: Node, value_too: bool) -> str:
    """strings.Clone from Go 1.18; unique.Make from 1.23 also shares equal keys. A key converted
    to a named string type is copied inside the conversion: Label(strings.Clone(parts[0]))."""
    inner, wrap = key, "{}"
    operand = derivation.string_conversion_operand(key)
    fn = key.child_by_field_name(kinds.F_FUNCTION)
    if operand is not None and fn is not None and pkg.text(fn) != "string":
        inner, wrap = operand, pkg.text(fn) + "({})"
    k = pkg.text(inner)
    value = " and a copy of the value" if value_too else ""
    version = pkg.lang_version(key)
    if version < (1, 18):
        return f"store a copy, {wrap.format(f'string([]byte({k}))')}{value}"
    advice = f"store {wrap.format(f'strings.Clone({k})')}{value}"
    if version >= (1, 23):
        advice += f" (or {wrap.format(f'unique.Make({k}).Value()')}, which also shares equal keys)"
    return advice
