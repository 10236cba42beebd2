"""Go 1.26's `new(expr)`: tree-sitter-go 0.25 parses only `new(T)`, so parse.py parses such a call
again as a plain call (the same offsets), and the function holding it is analysed, not reported as
a syntax error. Genuine syntax errors stay errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from golinter.discover import discover
from golinter.engine import Settings, run_packages
from golinter.parse import broken_ranges, first_error, new_parser, parse, walk_named

HEAD = "package p\n\nimport \"time\"\n\nvar timeout = 3 * time.Second\n\n"


@pytest.mark.parametrize("expr", ["1", "f()", "time.Now()", "x + 1", "T{n: 2}", "-x", "[]int{1}[0]",
                                  "s.timeout", "\"a\"", "new(1)", "(x)"])
def test_new_of_an_expression_parses_without_error(expr: str) -> None:
    src = (HEAD + f"func g(x int, s *S) any {{\n\treturn new({expr})\n}}\n").encode()
    tree = parse(new_parser(), src)
    assert first_error(tree) is None, expr
    calls = [n for n in walk_named(tree.root_node) if n.type == "call_expression"
             and src[n.start_byte:n.start_byte + 4] == b"new("]
    assert calls and all(src[c.child_by_field_name("function").start_byte:  # type: ignore[union-attr]
                             c.child_by_field_name("function").end_byte] == b"new" for c in calls)  # type: ignore[union-attr]


def test_new_of_a_type_is_parsed_as_before() -> None:
    src = (HEAD + "func g() *[]int {\n\treturn new([]int)\n}\n").encode()
    tree = parse(new_parser(), src)
    assert first_error(tree) is None
    [call] = [n for n in walk_named(tree.root_node) if n.type == "call_expression"]
    args = call.child_by_field_name("arguments")
    assert args is not None and args.named_children[0].type == "slice_type"


def test_genuine_syntax_error_stays_and_only_its_function_is_broken() -> None:
    src = (HEAD + "func good() *int {\n\treturn new(1)\n}\n\nfunc bad() {\n\tx := \n}\n").encode()
    tree = parse(new_parser(), src)
    err = first_error(tree)
    assert err is not None and err[0] + 1 == 12  # in bad, not in good
    [(start, _end)] = broken_ranges(tree)
    assert src[start:].startswith(b"func bad()")


def test_new_in_a_string_beside_an_error_changes_nothing() -> None:
    src = (HEAD + "func bad() {\n\ts := \"new(\" +\n}\n").encode()
    tree = parse(new_parser(), src)
    assert first_error(tree) is not None  # still an error: nothing to respell in a string


def test_function_with_new_of_an_expression_is_analysed_without_syntax_note(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text("module example.com/p\n\ngo 1.26\n")
    (tmp_path / "p.go").write_text("package p\n\nfunc reset(m map[string]*int) {\n\tfor k := range m {\n"
                                   "\t\tdelete(m, k)\n\t}\n\tm[\"n\"] = new(len(m) + 1)\n}\n")
    out = run_packages(discover([str(tmp_path)]).packages, Settings(), jobs=1)
    assert out.notifications == []
    assert [(f.code, f.span.line) for f in out.findings] == [("GML009", 4)]


def test_calls_hidden_by_error_recovery_are_respelled_in_a_later_round() -> None:
    """Error recovery over `new("dir/")` swallows the next `new(int32(1000))` without an error
    inside its own parentheses: only a second round sees it (rclone's azureblob tests)."""
    src = (HEAD + "type Opts struct{ Prefix *string; Max *int32; From *string }\n\n"
           "func g() *Opts {\n\treturn &Opts{\n\t\tPrefix: new(\"dir/\"),\n\t\tMax:    new(int32(1000)),\n"
           "\t\tFrom:   new(\"a\"),\n\t}\n}\n").encode()
    assert first_error(parse(new_parser(), src)) is None
