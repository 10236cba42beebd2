"""golinter.checks: the static RULES table equals the check modules' own RULE, in code order.

RULES exists so that warm runs, `golinter rules` and config validation import no check; the
check modules stay the source of truth. On a mismatch the failure prints the entries to paste.
"""
from __future__ import annotations

import dataclasses
from enum import Enum

import golinter.checks
from golinter.checks import CHECK_MODULES, RULES, all_rules, load_checks
from golinter.checks.base import Rule


def _literal(rule: Rule) -> str:
    """`Rule(...)` source for one rule, fields that differ from their defaults only."""
    parts = []
    for f in dataclasses.fields(Rule):
        value = getattr(rule, f.name)
        if f.default is not dataclasses.MISSING and value == f.default:
            continue
        shown = f"{type(value).__name__}.{value.name}" if isinstance(value, Enum) else repr(value)
        parts.append(f"{f.name}={shown}")
    return "    Rule(" + ", ".join(parts) + "),"


def test_checks_registry_rules_table_equals_the_modules_rule() -> None:
    from_modules = tuple(c.RULE for c in load_checks())
    assert RULES == from_modules, ("golinter/checks/__init__.py RULES differs from the check modules; "
                                   "replace its entries with:\n" + "\n".join(_literal(r) for r in from_modules))


def test_checks_registry_modules_in_code_order_named_by_rule() -> None:
    checks = load_checks()
    codes = [c.RULE.code for c in checks]
    assert codes == sorted(codes) and len(set(codes)) == len(codes)
    for name, check in zip(CHECK_MODULES, checks):
        assert name == f"{check.RULE.code.lower()}_{check.RULE.name.replace('-', '_')}"


def test_checks_registry_all_checks_is_loaded_on_first_access() -> None:
    checks = golinter.checks.ALL_CHECKS
    assert [c.RULE for c in checks] == list(all_rules())
    assert golinter.checks.ALL_CHECKS is checks  # kept after the first access
