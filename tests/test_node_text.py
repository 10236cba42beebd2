"""No `Node.text` in golinter: on a tree parsed through a read callback (parse.parse, which needs
one for its time budget), tree-sitter fetches a node's text through that callback, about 100 us
a node in a large file (200,000 nodes of one file: 19 s, against 0.3 s for slicing the source).
Code slices `SourceFile.src` or calls `SourceFile.text(node)` / `Package.text(node)` instead.
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "golinter"
# Receivers whose `.text` is not a Node's: SourceFile.text and Package.text passed as functions,
# rule pages' text.
NOT_NODES = frozenset({"f", "self.f", "sf", "obj.file", "page", "pkg", "self.pkg", "self._pkg"})


def node_text_reads(source: str, filename: str) -> list[str]:
    """`x.text` read as a value (not called) on a receiver not known to be a file or a page."""
    tree = ast.parse(source, filename=filename)
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    return [f"{filename}:{node.lineno}: {ast.unparse(node)}" for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr == "text" and id(node) not in called
            and ast.unparse(node.value) not in NOT_NODES]


def test_node_text_is_never_read() -> None:
    found = [hit for path in sorted(PACKAGE.rglob("*.py"))
             for hit in node_text_reads(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE)))]
    assert not found, "\n".join(found)


def test_node_text_reader_sees_a_node_text() -> None:
    sample = "def f(fn, f):\n    a = fn.text == b'panic'\n    b = f.text(fn)\n    return f.text\n"
    assert node_text_reads(sample, "x.py") == ["x.py:2: fn.text"]


def test_query_predicates_read_node_text_across_chunks() -> None:
    """After the parse, a tree's read callback serves a predicate's node text a few bytes at a
    time (parse._TEXT_CHUNK): a name longer than that, at an offset that is not a multiple of
    it, still compares whole."""
    from golinter.parse import _TEXT_CHUNK, compile_query, new_parser, parse, query_captures

    name = "x" * (3 * _TEXT_CHUNK + 5)
    src = f"package p\n\nvar {name} = 1\n\nvar {name}y = 2\n".encode()
    tree = parse(new_parser(), src)
    found = query_captures(compile_query(f'((identifier) @id (#eq? @id "{name}"))'), tree.root_node)
    assert [src[n.start_byte:n.end_byte].decode() for n in found.get("id", [])] == [name]
