"""The grammar contract (STYLE.md Part 2, item 7): a tree-sitter-go bump fails here, not in users' CI.

Every node kind and field name in golinter/kinds.py exists in the installed grammar; every
registered check's QUERY compiles on its own, names its captures `@gmlNNN.<role>` (or `@_name`
for predicate-only ones) so the combined query can route them, and matches at least once on the
check's own true-positive fixtures (fixtures/<CODE>/bad_*).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from golinter import kinds
from golinter.checks import ALL_CHECKS, Check
from golinter.parse import CandidateQuery, compile_query, language, new_parser, parse, query_captures

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# Kinds tree-sitter itself produces, outside any grammar's node types.
BUILTIN_KINDS = {"ERROR"}


def _constants() -> dict[str, str]:
    """Every upper-case string constant of golinter/kinds.py, read off the module, not its tuples."""
    return {name: value for name, value in vars(kinds).items()
            if name.isupper() and not name.startswith("_") and isinstance(value, str)}


NODE_KIND_CONSTANTS = sorted((n, v) for n, v in _constants().items() if not n.startswith("F_"))
FIELD_CONSTANTS = sorted((n, v) for n, v in _constants().items() if n.startswith("F_"))


def test_kinds_module_has_kinds_and_fields() -> None:
    assert len(NODE_KIND_CONSTANTS) > 20 and len(FIELD_CONSTANTS) > 5
    assert ("CALL_EXPRESSION", "call_expression") in NODE_KIND_CONSTANTS
    assert ("F_FUNCTION", "function") in FIELD_CONSTANTS


@pytest.mark.parametrize(("name", "kind"), NODE_KIND_CONSTANTS, ids=[n for n, _ in NODE_KIND_CONSTANTS])
def test_kinds_node_kind_exists_in_grammar(name: str, kind: str) -> None:
    if kind in BUILTIN_KINDS:
        assert language().id_for_node_kind(kind, True) is not None
        return
    assert language().id_for_node_kind(kind, True) is not None, (
        f"kinds.{name} = {kind!r} is not a named node kind of the installed tree-sitter-go")


@pytest.mark.parametrize(("name", "field"), FIELD_CONSTANTS, ids=[n for n, _ in FIELD_CONSTANTS])
def test_kinds_field_name_exists_in_grammar(name: str, field: str) -> None:
    assert language().field_id_for_name(field) is not None, (
        f"kinds.{name} = {field!r} is not a field name of the installed tree-sitter-go")


def test_kinds_grammar_lookup_rejects_unknown_names() -> None:
    """The checks above can fail: the lookups answer None for names the grammar lacks."""
    assert language().id_for_node_kind("call_expresion", True) is None
    assert language().field_id_for_name("functon") is None


def test_kinds_sets_hold_only_known_kinds() -> None:
    known = {v for _n, v in NODE_KIND_CONSTANTS}
    for name, value in vars(kinds).items():
        if name.isupper() and isinstance(value, frozenset):
            assert value <= known, f"kinds.{name} names kinds that are not constants: {sorted(value - known)}"
    if hasattr(kinds, "NODE_KINDS"):
        assert set(kinds.NODE_KINDS) == known
    if hasattr(kinds, "FIELD_NAMES"):
        assert set(kinds.FIELD_NAMES) == {v for _n, v in FIELD_CONSTANTS}


# -- queries ----------------------------------------------------------------------------------

CHECKS = sorted(ALL_CHECKS, key=lambda c: c.RULE.code)
IDS = [c.RULE.code for c in CHECKS]


@pytest.mark.parametrize("check", CHECKS, ids=IDS)
def test_kinds_query_compiles_with_routed_captures(check: Check) -> None:
    code = check.RULE.code
    source = check.QUERY
    assert source.strip(), f"{code} has an empty QUERY"
    query = compile_query(source)
    names = [query.capture_name(i) for i in range(query.capture_count)]
    prefix = code.lower() + "."
    misnamed = [n for n in names if not n.startswith((prefix, "_"))]
    assert not misnamed, f"{code} captures must be @{prefix}<role> or @_name: {misnamed}"
    assert any(n.startswith(prefix) for n in names), f"{code} QUERY captures nothing for itself"


def test_kinds_all_queries_compile_as_one() -> None:
    combined = CandidateQuery.build([(c.RULE.code, c.QUERY) for c in CHECKS])
    assert combined.codes == tuple(IDS)


@pytest.mark.parametrize("check", CHECKS, ids=IDS)
def test_kinds_query_matches_own_bad_fixtures(check: Check) -> None:
    code = check.RULE.code
    cases = sorted(p for p in (FIXTURES / code).glob("bad_*") if p.is_dir())
    assert cases, f"{code} has no fixtures/{code}/bad_* case"
    query = compile_query(check.QUERY)
    parser = new_parser()
    prefix = code.lower() + "."
    unmatched = []
    for case in cases:
        hits = 0
        for go in sorted(case.rglob("*.go")):
            captures = query_captures(query, parse(parser, go.read_bytes()).root_node)
            hits += sum(len(nodes) for name, nodes in captures.items() if name.startswith(prefix))
        if not hits:
            unmatched.append(case.name)
    assert not unmatched, f"{code} QUERY matches nothing in {unmatched}"
