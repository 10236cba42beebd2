#!/usr/bin/env python3
"""Rewrite the README's rule table from the registered rules (golinter.checks.all_rules()).

The table sits between `<!-- rules:start -->` and `<!-- rules:end -->` in README.md: code (linked
to its catalogue page), name, default level, on or off by default, summary. Run it whenever a rule
is added or its metadata changes; `--check` exits 1 without writing when the table is stale
(tests/test_rule_docs.py runs that).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def table() -> str:
    sys.path.insert(0, str(REPO))
    from golinter.checks import all_rules

    rows = ["| Code | Name | Level | Default | Summary |", "|---|---|---|---|---|"]
    for rule in sorted(all_rules(), key=lambda r: r.code):
        page = f"rules/{rule.code}-{rule.name}.md"
        state = "on" if rule.enabled_by_default else "off"
        summary = rule.summary.replace("|", "\\|")
        rows.append(f"| [{rule.code}]({page}) | `{rule.name}` | {rule.level.value} | {state} | {summary} |")
    return "\n".join(rows)


def rewrite(text: str, new_table: str) -> str:
    if text.count(START) != 1 or text.count(END) != 1 or text.index(START) > text.index(END):
        raise SystemExit(f"README.md needs exactly one {START} ... {END} block")
    head, rest = text.split(START, 1)
    _old, tail = rest.split(END, 1)
    return f"{head}{START}\n{new_table}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the table is stale; write nothing")
    parser.add_argument("--readme", type=Path, default=REPO / "README.md")
    args = parser.parse_args(argv)
    text = args.readme.read_text(encoding="utf-8")
    updated = rewrite(text, table())
    if updated == text:
        return 0
    if args.check:
        print(f"{args.readme} rule table is stale: run python3 scripts/rule_table.py", file=sys.stderr)
        return 1
    args.readme.write_text(updated, encoding="utf-8")
    print(f"updated the rule table in {args.readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
