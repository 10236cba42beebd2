"""The checks, in code order, and their rules' metadata as a static table.

A check is a module with RULE, QUERY and run(package). No plugin discovery: a new check is
added to CHECK_MODULES and its RULE copied into RULES here.

`RULES` lets every run read codes, names, levels and options without importing a check (each
check imports its part of the model, ~60 ms): a warm run, `golinter rules`, config validation
and reports use it. The check modules' own RULE stays the source of truth;
tests/test_checks_registry.py fails when RULES differs from them and prints the table to paste.
`ALL_CHECKS` (the modules) is imported on first use, only when a package is analysed.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol, cast

from golinter.checks.base import Nature, Precision, Rule
from golinter.findings import Level

if TYPE_CHECKING:
    from collections.abc import Iterator

    from golinter.findings import Finding
    from golinter.model.package import Package

    ALL_CHECKS: tuple[Check, ...]  # module attribute, built on first access (__getattr__)


class Check(Protocol):
    RULE: Rule
    QUERY: str
    # Every match of QUERY lies in a top-level declaration whose text past its first byte holds
    # one of these: the others are not searched (parse.live_ranges). Empty: no such words.
    QUERY_WORDS: tuple[bytes, ...]

    def run(self, pkg: Package) -> Iterator[Finding]: ...


CHECK_MODULES: tuple[str, ...] = (
    "gml001_oversized_map_hint",
    "gml002_delete_during_range",
    "gml003_unguarded_concurrent_map_write",
    "gml004_uninterned_string_key",
    "gml005_pointer_retained_after_delete",
    "gml006_untrusted_map_size",
    "gml007_substring_key_retains_source",
    "gml008_unbounded_map_growth",
    "gml009_delete_loop_use_clear",
)

# A copy of each check module's RULE, in code order (tests/test_checks_registry.py keeps it equal).
RULES: tuple[Rule, ...] = (
    Rule(code="GML001", name="oversized-map-hint", summary="constant map size hint that preallocates too much memory",
         nature=Nature.PERFORMANCE, level=Level.WARNING, precision=Precision.HIGH,
         options=(("max-bytes", "4MiB"), ("max-bytes-in-loop", "256KiB"))),
    Rule(code="GML002", name="delete-during-range", summary="range loop deleting or inserting other keys of its map",
         nature=Nature.CORRECTNESS, level=Level.WARNING, precision=Precision.HIGH, test_candidates=True),
    Rule(code="GML003", name="unguarded-concurrent-map-write", summary="map written concurrently without a common lock",
         nature=Nature.CRASH, level=Level.ERROR, precision=Precision.HIGH,
         options=(("spawners", ()),), tags=("concurrency", "reliability"), whole_package=True),
    Rule(code="GML004", name="uninterned-string-key", summary="string map key allocated on every operation in a loop",
         nature=Nature.PERFORMANCE, level=Level.NOTE, precision=Precision.HIGH),
    Rule(code="GML005", name="pointer-retained-after-delete",
         summary="removed values stay reachable from long-lived storage",
         nature=Nature.MEMORY, level=Level.WARNING, precision=Precision.HIGH),
    Rule(code="GML006", name="untrusted-map-size", summary="map preallocation sized by attacker-controlled data",
         nature=Nature.SECURITY, level=Level.ERROR, precision=Precision.HIGH,
         security_severity="7.5", tags=("security", "external/cwe/cwe-770")),
    Rule(code="GML007", name="substring-key-retains-source", summary="substring key keeps its whole source string alive",
         nature=Nature.MEMORY, level=Level.NOTE, precision=Precision.HIGH),
    Rule(code="GML008", name="unbounded-map-growth", summary="long-lived map only grows, keyed by unbounded data",
         nature=Nature.MEMORY, level=Level.WARNING, precision=Precision.HIGH),
    Rule(code="GML009", name="delete-loop-use-clear", summary="range loop deleting every key of a map",
         nature=Nature.STYLE, level=Level.NOTE, precision=Precision.VERY_HIGH, enabled_by_default=False,
         test_candidates=True),
)


def all_rules() -> tuple[Rule, ...]:
    """Every rule's metadata, in code order, without importing a check."""
    return RULES


def load_checks() -> tuple[Check, ...]:
    """Import the check modules (and with them the model), in code order."""
    return tuple(cast("Check", importlib.import_module(f"{__name__}.{name}")) for name in CHECK_MODULES)


def by_code(code: str) -> Check | None:
    for check in cast("tuple[Check, ...]", __getattr__("ALL_CHECKS")):
        if check.RULE.code == code:
            return check
    return None


def __getattr__(name: str) -> object:
    """`ALL_CHECKS`, imported on first access and then kept as a plain module attribute."""
    if name == "ALL_CHECKS":
        checks = globals().get("ALL_CHECKS")
        if checks is None:
            checks = globals()["ALL_CHECKS"] = load_checks()
        return checks
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
