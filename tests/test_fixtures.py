"""Every fixture case under fixtures/<RULE>/<case>/ yields exactly the findings its `// want`
annotations name: unexpected findings (false positives) and missing ones both fail.

`// want GML003` on a line expects that code there; `// want GML003 "regexp"` also checks the
message. A case's `.golinter.toml`, when present, supplies rule options.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from golinter.checks import ALL_CHECKS
from golinter.discover import discover
from golinter.engine import Settings, run_packages

ROOT = Path(__file__).resolve().parents[1] / "fixtures"
WANT_RE = re.compile(r'//\s*want\s+((?:GML\d{3}(?:\s+"[^"]*")?\s*)+)')
ITEM_RE = re.compile(r'(GML\d{3})(?:\s+"([^"]*)")?')

CASES = sorted(p for p in ROOT.glob("GML*/*") if p.is_dir())


def _expected(case: Path) -> dict[tuple[str, int, str], str | None]:
    want: dict[tuple[str, int, str], str | None] = {}
    for go in sorted(case.rglob("*.go")):
        for lineno, line in enumerate(go.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            m = WANT_RE.search(line)
            if m:
                for code, regex in ITEM_RE.findall(m.group(1)):
                    want[(os.path.relpath(go, case), lineno, code)] = regex or None
    return want


def _settings(case: Path) -> Settings:
    config = case / ".golinter.toml"
    if not config.exists():
        return Settings()
    from golinter.checks import all_rules
    from golinter.config import load_config

    cfg = load_config(str(config), all_rules(), cwd=str(case))
    return Settings(rule_options=cfg.rule_options)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_fixture_findings_are_exactly_the_wants(case: Path) -> None:
    found = discover([str(case)])
    out = run_packages(found.packages, _settings(case), jobs=1, checks=ALL_CHECKS)
    internal = [n.message for n in out.notifications if n.reason == "internal-error"]
    assert not internal, internal
    got = {(os.path.relpath(f.span.path, case), f.span.line, f.code): f.message for f in out.findings}
    want = _expected(case)
    unexpected = sorted(f"{p}:{line}: {code} {got[(p, line, code)]}" for (p, line, code) in got.keys() - want.keys())
    missing = sorted(f"{p}:{line}: {code}" for (p, line, code) in want.keys() - got.keys())
    wrong = sorted(f"{p}:{line}: {code} message {got[k]!r} does not match {want[k]!r}"
                   for k in got.keys() & want.keys() for (p, line, code) in [k]
                   if want[k] is not None and not re.search(str(want[k]), got[k]))
    assert not (unexpected or missing or wrong), (
        "\nunexpected:\n  " + "\n  ".join(unexpected) + "\nmissing:\n  " + "\n  ".join(missing)
        + "\nwrong message:\n  " + "\n  ".join(wrong))


def test_every_rule_has_positive_and_negative_fixtures() -> None:
    for check in ALL_CHECKS:
        code = check.RULE.code
        cases = [c.name for c in CASES if c.parent.name == code]
        assert any(c.startswith("bad_") for c in cases), f"{code} has no bad_ fixture"
        assert any(c.startswith("ok_") for c in cases), f"{code} has no ok_ fixture"
