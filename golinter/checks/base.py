"""Rule metadata: the declarative half of a check (the other half is its `run(package)`).

Like a go/analysis Analyzer, a rule is plain data; the engine, `golinter rules`, SARIF and the
docs all read it from here, and the prose lives in rules/GML00N-name.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Union

from golinter.findings import Level

OptionValue = Union[int, str, bool, float, tuple[str, ...]]


class Nature(str, Enum):
    """What kind of harm a rule's findings describe; one per rule."""

    PERFORMANCE = "performance"
    CORRECTNESS = "correctness"
    CRASH = "crash"
    MEMORY = "memory"
    SECURITY = "security"
    STYLE = "style"


class Precision(str, Enum):
    """SARIF's `precision` property (how often a finding is a true positive)."""

    VERY_HIGH = "very-high"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule's metadata. `summary`: lowercase, no period, <= 60 characters.

    `options` maps each option key to its default; its type is the accepted type
    (sizes such as "4MiB" are strings parsed by config.py into bytes).
    `whole_package`: a finding may sit in another file than its candidate (GML003 reports a
    map handed down a call chain at a call site), so a run naming files still runs the rule
    over every candidate of the package; other rules get only the named files' candidates.
    `test_candidates`: the rule checks its candidates in test code too (`Package.matches`:
    `_test.go` files, test functions, test packages); the others' patterns are not searched
    for in `_test.go` files at all.
    """

    code: str
    name: str
    summary: str
    nature: Nature
    level: Level
    precision: Precision
    enabled_by_default: bool = True
    since: str = "0.1.0"
    options: tuple[tuple[str, OptionValue], ...] = ()
    security_severity: str | None = None
    tags: tuple[str, ...] = field(default=())
    whole_package: bool = False
    test_candidates: bool = False

    @property
    def option_defaults(self) -> dict[str, OptionValue]:
        return dict(self.options)
