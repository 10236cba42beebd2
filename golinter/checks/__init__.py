"""The checks, in code order. A check is a module with RULE, QUERY and run(package).

No plugin discovery: a new check is added to ALL_CHECKS here.
"""
from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import TYPE_CHECKING, Protocol, cast

from golinter.checks import (
    gml001_oversized_map_hint,
    gml002_delete_during_range,
    gml003_unguarded_concurrent_map_write,
    gml004_uninterned_string_key,
    gml005_pointer_retained_after_delete,
    gml006_untrusted_map_size,
    gml007_substring_key_retains_source,
    gml008_unbounded_map_growth,
    gml009_delete_loop_use_clear,
)

if TYPE_CHECKING:
    from golinter.checks.base import Rule
    from golinter.findings import Finding
    from golinter.model.package import Package


class Check(Protocol):
    RULE: Rule
    QUERY: str

    def run(self, pkg: Package) -> Iterator[Finding]: ...


_MODULES: tuple[ModuleType, ...] = (
    gml001_oversized_map_hint,
    gml002_delete_during_range,
    gml003_unguarded_concurrent_map_write,
    gml004_uninterned_string_key,
    gml005_pointer_retained_after_delete,
    gml006_untrusted_map_size,
    gml007_substring_key_retains_source,
    gml008_unbounded_map_growth,
    gml009_delete_loop_use_clear,
)

ALL_CHECKS: tuple[Check, ...] = tuple(cast("Check", m) for m in _MODULES)


def all_rules() -> tuple[Rule, ...]:
    return tuple(c.RULE for c in ALL_CHECKS)


def by_code(code: str) -> Check | None:
    for check in ALL_CHECKS:
        if check.RULE.code == code:
            return check
    return None
