"""The rule catalogue (STYLE.md Part 2, item 2): one page per registered rule, fixed headings, and
examples that tell the truth; and the README's rule table, generated from the same metadata.

For each rule in `golinter.checks.all_rules()`:
- `rules/<CODE>-<name>.md` exists, starts with `# <CODE> <name>`, and has the headings What it
  does, Why is this bad?, Example, Not flagged, Known problems, [Options], References in that
  order (other headings may sit between them);
- Options is there exactly when `RULE.options` is non-empty, and names every key;
- the Example's first ```go block is flagged by that rule and the block after "Use instead:" is
  not, each analysed as a package of its own (go.mod `go 1.23`) with only that rule.
A page that does not exist yet is an expected failure while its rule is being written; a page
that exists and is wrong fails.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from golinter.catalog import split_sections
from golinter.checks import ALL_CHECKS, Check
from golinter.discover import discover
from golinter.engine import Settings, run_packages

REPO = Path(__file__).resolve().parents[1]
RULES_DIR = REPO / "rules"
REQUIRED = ("What it does", "Why is this bad?", "Example", "Not flagged", "Known problems", "References")
GO_BLOCK = re.compile(r"^```go[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)
PACKAGE_CLAUSE = re.compile(r"^\s*package\s+\w+", re.MULTILINE)

CHECKS = sorted(ALL_CHECKS, key=lambda c: c.RULE.code)
IDS = [c.RULE.code for c in CHECKS]


def page_path(check: Check) -> Path:
    return RULES_DIR / f"{check.RULE.code}-{check.RULE.name}.md"


def read_page(check: Check) -> str:
    """The page's text; an expected failure when no page for the code exists yet."""
    path = page_path(check)
    if not path.exists():
        others = sorted(p.name for p in RULES_DIR.glob(f"{check.RULE.code}-*.md"))
        assert not others, f"{check.RULE.code}'s page must be named {path.name}, not {others}"
        pytest.xfail(f"rules/{path.name} does not exist yet (the rule is being written)")
    return path.read_text(encoding="utf-8")


def headings(text: str) -> list[str]:
    return [heading for heading, _body in split_sections(text)]


@pytest.mark.parametrize("check", CHECKS, ids=IDS)
def test_rule_docs_page_has_fixed_headings_in_order(check: Check) -> None:
    text = read_page(check)
    first = text.splitlines()[0] if text else ""
    assert first == f"# {check.RULE.code} {check.RULE.name}", f"first line {first!r}"
    wanted = list(REQUIRED)
    if check.RULE.options:
        wanted.insert(wanted.index("References"), "Options")
    present = [h for h in headings(text) if h in (*REQUIRED, "Options")]
    assert present == wanted, f"{page_path(check).name}: headings {present}, expected {wanted}"
    sections = dict(split_sections(text))
    for heading in wanted:
        assert sections[heading].strip(), f"{page_path(check).name}: '## {heading}' is empty"


@pytest.mark.parametrize("check", CHECKS, ids=IDS)
def test_rule_docs_options_match_rule(check: Check) -> None:
    sections = dict(split_sections(read_page(check)))
    keys = [key for key, _default in check.RULE.options]
    if not keys:
        assert "Options" not in sections, f"{check.RULE.code} has no options: remove '## Options'"
        return
    assert "Options" in sections, f"{check.RULE.code} has options {keys}: add '## Options'"
    missing = [key for key in keys if f"`{key}`" not in sections["Options"]]
    assert not missing, f"## Options does not name {missing}"


def example_blocks(text: str) -> tuple[str, str]:
    """(flagged, use instead): the Example's first ```go block and the first one after "Use instead:"."""
    body = dict(split_sections(text)).get("Example", "")
    before, sep, after = body.partition("Use instead:")
    assert sep, "## Example has no 'Use instead:'"
    flagged, fixed = GO_BLOCK.search(before), GO_BLOCK.search(after)
    assert flagged, "## Example has no ```go block before 'Use instead:'"
    assert fixed, "## Example has no ```go block after 'Use instead:'"
    return flagged.group(1), fixed.group(1)


def findings_of(check: Check, source: str, directory: Path) -> list[str]:
    """`line: message` for each finding of `check` alone on `source`, as one package."""
    directory.mkdir(parents=True)
    (directory / "go.mod").write_text("module example.com/example\n\ngo 1.23\n", encoding="utf-8")
    if not PACKAGE_CLAUSE.search(source):
        source = "package example\n\n" + source
    (directory / "example.go").write_text(source, encoding="utf-8")
    found = discover([str(directory)])
    out = run_packages(found.packages, Settings(), jobs=1, checks=[check])
    internal = [n.message for n in out.notifications if n.reason == "internal-error"]
    assert not internal, internal
    syntax = [n.message for n in out.notifications if n.reason == "syntax-error"]
    assert not syntax, f"the example does not parse: {syntax}"
    return [f"{f.span.line}: {f.message}" for f in out.findings if f.code == check.RULE.code]


@pytest.mark.parametrize("check", CHECKS, ids=IDS)
def test_rule_docs_example_is_flagged_and_fix_is_not(check: Check, tmp_path: Path) -> None:
    flagged, fixed = example_blocks(read_page(check))
    assert findings_of(check, flagged, tmp_path / "example"), (
        f"{check.RULE.code}: the Example's first go block is not flagged")
    assert findings_of(check, fixed, tmp_path / "use_instead") == [], (
        f"{check.RULE.code}: the 'Use instead:' go block is flagged")


def test_rule_docs_example_reader(tmp_path: Path) -> None:
    """The helpers above can fail: a page whose example is silent is caught."""
    page = ("# GML009 delete-loop-use-clear\n\n## Example\n\n"
            "```go\nfunc f(m map[int]int) {\n\tclear(m)\n}\n```\n\n"
            "Use instead:\n\n"
            "```go\nfunc g(m map[int]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n```\n")
    flagged, fixed = example_blocks(page)
    gml009 = next(c for c in ALL_CHECKS if c.RULE.code == "GML009")
    assert findings_of(gml009, flagged, tmp_path / "a") == []
    assert [line.split(":")[0] for line in findings_of(gml009, fixed, tmp_path / "b")] == ["4"]


def test_rule_docs_every_page_belongs_to_a_rule() -> None:
    names = {page_path(c).name for c in CHECKS}
    codes = {c.RULE.code for c in CHECKS}
    strays = [p.name for p in RULES_DIR.glob("*.md") if p.name[:6] in codes and p.name not in names]
    assert not strays, f"pages whose file name does not match the rule's name: {strays}"


# -- the README's rule table --------------------------------------------------------------------

def test_rule_docs_readme_rule_table_is_current() -> None:
    """scripts/rule_table.py rewrites the README block; `--check` fails when it would change it."""
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "rule_table.py"), "--check"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_rule_docs_readme_rule_table_rows() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- rules:start -->", 1)[1].split("<!-- rules:end -->", 1)[0]
    rows = [line for line in block.splitlines() if line.startswith("| [GML")]
    assert len(rows) == len(CHECKS)
    for row, check in zip(rows, CHECKS):
        cells = [c.strip() for c in row.strip("|").split("|")]
        rule = check.RULE
        link = f"[{rule.code}](rules/{rule.code}-{rule.name}.md)"
        state = "on" if rule.enabled_by_default else "off"
        assert cells == [link, f"`{rule.name}`", rule.level.value, state, rule.summary]
