"""tree-sitter plumbing: the Go language, budgeted parsing, the combined candidate query, walks.

This is the only module that builds a `Query`. It knows nothing of the model or checks: the
engine hands it the query sources of the enabled checks, and it returns candidate matches
routed by capture-name prefix (`@gml009.loop` belongs to GML009).

Captures whose names start with `_` are predicate-only and are dropped from matches.
"""
from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from golinter import kinds

if TYPE_CHECKING:
    from tree_sitter import Language, Node, Parser, Query, Tree

Match = dict[str, "Node"]


class ParseBudgetExceeded(Exception):
    """The parse was cancelled by its time budget (pathological nesting)."""


@lru_cache(maxsize=1)
def language() -> Language:
    import tree_sitter
    import tree_sitter_go

    return tree_sitter.Language(tree_sitter_go.language())


def versions() -> tuple[str, str]:
    """(tree-sitter, tree-sitter-go) distribution versions, for --version and cache keys."""
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for dist in ("tree-sitter", "tree-sitter-go"):
        try:
            out.append(version(dist))
        except PackageNotFoundError:
            out.append("unknown")
    return out[0], out[1]


def new_parser() -> Parser:
    import tree_sitter

    return tree_sitter.Parser(language())


_CHUNK = 1 << 16


def parse(parser: Parser, source: bytes, budget_seconds: float = 10.0) -> Tree:
    """Parse `source`, giving up after `budget_seconds` (raises ParseBudgetExceeded).

    The progress callback only works with the read-callback form of `Parser.parse`; a
    cancelled parse raises ValueError there, and the parser must be reset before reuse.
    """
    deadline = time.monotonic() + budget_seconds

    def read(offset: int, _point: tuple[int, int]) -> bytes:
        return source[offset:offset + _CHUNK]

    def over_budget(*_state: object) -> bool:
        return time.monotonic() > deadline

    try:
        tree = parser.parse(read, progress_callback=over_budget)
    except ValueError as exc:
        parser.reset()
        raise ParseBudgetExceeded(str(exc)) from exc
    if tree is None:
        parser.reset()
        raise ParseBudgetExceeded("parse cancelled")
    return tree


def compile_query(source: str) -> Query:
    import tree_sitter

    query: Query = tree_sitter.Query(language(), source)
    return query


@dataclass(frozen=True)
class CandidateQuery:
    """Every enabled check's QUERY compiled as one, so each file is matched once, in C."""

    query: Query
    codes: tuple[str, ...]

    @classmethod
    def build(cls, queries: Sequence[tuple[str, str]]) -> CandidateQuery:
        """`queries`: (code, query source) pairs; a code may appear once."""
        text = "\n".join(src for _code, src in queries if src.strip())
        return cls(query=compile_query(text or "(source_file) @_none"),
                   codes=tuple(code for code, _src in queries))

    def run(self, root: Node) -> dict[str, list[Match]]:
        """Matches per rule code (lower-case prefix `gml009` -> "GML009"), in document order."""
        import tree_sitter

        out: dict[str, list[Match]] = {code: [] for code in self.codes}
        if is_unparsable(root):
            return out  # all broken anyway, and querying it can be quadratic
        for _pattern, captures in tree_sitter.QueryCursor(self.query).matches(root):
            match: Match = {}
            code = ""
            for name, nodes in captures.items():
                if name.startswith("_") or not nodes:
                    continue
                match[name] = nodes[0]
                code = name.split(".", 1)[0].upper()
            if code in out:
                out[code].append(match)
        return out


def query_captures(query: Query, node: Node, start: int | None = None,
                   end: int | None = None) -> dict[str, list[Node]]:
    """Run a query over `node`, optionally narrowed to a byte range (candidate functions)."""
    import tree_sitter

    if start is None and is_unparsable(node):
        return {}  # all broken anyway, and querying it can be quadratic
    cursor = tree_sitter.QueryCursor(query)
    if start is not None and end is not None:
        cursor.set_byte_range(start, end)
    return cursor.captures(node)


def walk(node: Node) -> Iterator[Node]:
    """Every node under `node` (itself included) in document order, iteratively."""
    cursor = node.walk()
    depth = 0
    while True:
        yield cursor.node  # type: ignore[misc]
        if cursor.goto_first_child():
            depth += 1
            continue
        while not cursor.goto_next_sibling():
            if depth == 0 or not cursor.goto_parent():
                return
            depth -= 1
            if depth == 0:
                return


def walk_named(node: Node, skip: frozenset[str] = frozenset()) -> Iterator[Node]:
    """Named nodes under `node` in document order; subtrees whose kind is in `skip` are not entered
    (their root is still yielded)."""
    cursor = node.walk()
    depth = 0
    while True:
        current = cursor.node
        assert current is not None
        if current.is_named:
            yield current
        if (depth == 0 or current.type not in skip) and cursor.goto_first_child():
            depth += 1
            continue
        while not cursor.goto_next_sibling():
            if depth == 0 or not cursor.goto_parent():
                return
            depth -= 1
            if depth == 0:
                return


def is_unparsable(root: Node) -> bool:
    """True when tree-sitter found no source file at all: the root itself is an ERROR node.

    Everything in such a tree is broken (no findings, no facts). Queries over it are also the
    one place where tree-sitter 0.25/0.26 query execution was measured quadratic (an ERROR root
    with a long run of anonymous children: 20,000 `(` took 3 s, a megabyte would take hours), so
    `CandidateQuery.run` and `query_captures` return nothing for it without running."""
    return root.is_error and root.parent is None


def broken_ranges(tree: Tree) -> list[tuple[int, int]]:
    """Byte ranges that yield no findings and no facts: every top-level declaration holding an
    ERROR or MISSING node, or, for an error outside any function, the rest of the file from it.
    (A swallowed `mu.Lock()` makes everything after look unguarded.) An ERROR root: the whole file.

    Linear: `has_error` is set on every ancestor of an ERROR or MISSING node, so only the
    top-level children are looked at (no query: see `is_unparsable`)."""
    root = tree.root_node
    if not root.has_error:
        return []
    if root.is_error or root.is_missing:
        return [(root.start_byte, root.end_byte)]
    ranges: list[tuple[int, int]] = []
    cursor = root.walk()
    more = cursor.goto_first_child()
    while more:
        top = cursor.node
        assert top is not None
        if top.has_error:
            if top.type not in kinds.TOP_FUNCTION_KINDS:
                ranges.append((top.start_byte, root.end_byte))
                break
            ranges.append((top.start_byte, top.end_byte))
        more = cursor.goto_next_sibling()
    return ranges


def first_error(tree: Tree) -> tuple[int, int, bool] | None:
    """(row, byte column, is_missing) of the first ERROR/MISSING node, 0-based, or None.

    Descends through the first child with `has_error` at each level: children are in document
    order and an error node starts no later than anything inside it, so this is the first one."""
    node = tree.root_node
    if not node.has_error:
        return None
    cursor = node.walk()
    while not (node.is_error or node.is_missing):
        child = cursor.node if cursor.goto_first_child() else None
        while child is not None and not child.has_error:
            child = cursor.node if cursor.goto_next_sibling() else None
        if child is None:
            break  # has_error but no erroneous child: report the node itself
        node = child
    return node.start_point[0], node.start_point[1], node.is_missing
