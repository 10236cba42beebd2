"""tree-sitter plumbing: the Go language, budgeted parsing (with Go 1.26's `new(expr)` parsed
again: golinter/newexpr.py), the combined candidate query, walks.

This is the only module that builds a `Query`. It knows nothing of the model or checks: the
engine hands it the query sources of the enabled checks, and it returns candidate matches
routed by capture-name prefix (`@gml009.loop` belongs to GML009).

Captures whose names start with `_` are predicate-only and are dropped from matches.
"""
from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from golinter import kinds

if TYPE_CHECKING:
    from tree_sitter import Language, Node, Parser, Query, Range, Tree

Match = dict[str, "Node"]

# In-progress matches a QueryCursor keeps (tree-sitter's default is unbounded). Every ancestor that
# starts a pattern whose later fields are still unmatched holds one, so deep nesting makes query time
# quadratic in depth: the combined query over `m[""][""]...` took 2.3 s 2,500 deep and 8.5 s 5,000
# deep unbounded; bounded, 40,000 deep takes 0.9 s. Over the Go 1.19 distribution only one file
# reaches the limit, test/fixedbugs/issue29312.go (250 nested index expressions; over 512, without
# losing its one match): it gets a "match-limit" notification. Beyond the limit the outermost
# partial matches are dropped: candidates can be lost, never invented.
MATCH_LIMIT = 256

# Statement nesting (blocks, func literal bodies and case clauses inside one another) beyond which
# a top-level declaration is not analysed, like one with a syntax error. Per-candidate analysis
# looks at what encloses and what follows a candidate, so its cost grows with the square of the
# nesting: 100 nested range loops take 4 s, 250 take 26 s, 10,000 would take days. The deepest
# declaration in the Go 1.19 distribution (src and test, 12,000 files) nests 12.
MAX_NESTING = 48


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
_TEXT_CHUNK = 64
# The parser's default included range: the whole document.
_WHOLE_END = 0xFFFFFFFF


def _whole() -> Range:
    import tree_sitter

    return tree_sitter.Range((0, 0), (_WHOLE_END, _WHOLE_END), 0, _WHOLE_END)


def parse(parser: Parser, source: bytes, budget_seconds: float = 10.0,
          skip: Sequence[tuple[int, int]] = ()) -> Tree:
    """Parse `source`, giving up after `budget_seconds` (raises ParseBudgetExceeded).
    The byte ranges `skip` (sorted, disjoint) are left out: tree-sitter never reads them, node
    offsets stay those of `source`, and a node around one spans it (golinter/context_only.py).

    The progress callback only works with the read-callback form of `Parser.parse`; a
    cancelled parse raises ValueError there, and the parser must be reset before reuse.
    """
    if skip:
        parser.included_ranges = _included(source, skip)
        try:
            return parse(parser, source, budget_seconds)
        finally:
            parser.included_ranges = [_whole()]
    deadline = time.monotonic() + budget_seconds
    tree = _parse_once(parser, source, deadline)
    if not tree.root_node.has_error or b"new" not in source:
        return tree
    from golinter.newexpr import NEW_ROUNDS, error_starts, new_of_expressions
    errors = error_starts(tree)
    for _round in range(NEW_ROUNDS):  # error recovery may hide a call until others are respelled
        patched = new_of_expressions(source, sorted(errors))
        if patched is None:
            break
        try:
            again = _parse_once(parser, patched, deadline)
        except ParseBudgetExceeded:
            break  # no time left for another parse: the errors stand
        again_errors = error_starts(again)
        if len(again_errors) >= len(errors):
            break
        source, tree, errors = patched, again, again_errors
        if not errors:
            break
    return tree


def _parse_once(parser: Parser, source: bytes, deadline: float) -> Tree:
    chunk = [_CHUNK]

    def read(offset: int, _point: tuple[int, int]) -> bytes:
        return source[offset:offset + chunk[0]]

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
    # The tree keeps `read` as its source: a query predicate (`#eq? @fn "make"`) gets a node's
    # text through it, a chunk at a time, copying and scanning all of each chunk. Read whole
    # chunks for the parse, then a few bytes, what an identifier needs: the candidate query's
    # predicates cost a quarter of its time with 64 KiB chunks.
    chunk[0] = _TEXT_CHUNK
    return tree


def compile_query(source: str) -> Query:
    import tree_sitter

    query: Query = tree_sitter.Query(language(), source)
    return query


@dataclass(frozen=True)
class CandidateQuery:
    """Every enabled check's QUERY compiled as one, so each file is matched once, in C.

    `words`: every match lies in a top-level declaration whose text, after its first byte (the
    leading `func`), holds one of these; the union of the checks' QUERY_WORDS, or None when one
    check gives none (search every declaration). `live_ranges` leaves the others out."""

    query: Query
    codes: tuple[str, ...]
    words: tuple[bytes, ...] | None = None
    empty: bool = False  # no check has a pattern: nothing to search

    @classmethod
    def build(cls, queries: Sequence[tuple[str, str]],
              words: Sequence[tuple[bytes, ...]] | None = None) -> CandidateQuery:
        """`queries`: (code, query source) pairs; a code may appear once. `words`: each query's
        QUERY_WORDS, in the same order (an empty tuple: none known)."""
        each = words if words is not None else [()] * len(queries)
        sources = [(code, src, found) for (code, src), found in zip(queries, each, strict=True)]
        live = [(src, found) for _code, src, found in sources if src.strip()]
        union = None if not live or any(not found for _src, found in live) \
            else tuple(sorted({w for _src, found in live for w in found}))
        text = "\n".join(src for src, _found in live)
        return cls(query=compile_query(text or "(source_file) @_none"),
                   codes=tuple(code for code, _src, _words in sources), words=union, empty=not live)

    def run(self, root: Node) -> dict[str, list[Match]]:
        """Matches per rule code (lower-case prefix `gml009` -> "GML009"), in document order."""
        return self.run_checked(root)[0]

    def run_checked(self, root: Node, src: bytes | None = None) -> tuple[dict[str, list[Match]], bool]:
        """`run`, and whether MATCH_LIMIT was reached (some candidates may be missing: notify).
        With the file's `src`, declarations no pattern can match in are not searched (`live_ranges`)."""
        import tree_sitter

        out: dict[str, list[Match]] = {code: [] for code in self.codes}
        if self.empty or is_unparsable(root):
            return out, False  # all broken anyway, and querying it can be quadratic
        ranges = live_ranges(root, src, self.words) if src is not None else None
        if ranges == []:
            return out, False
        cursor = tree_sitter.QueryCursor(self.query, match_limit=MATCH_LIMIT)
        over_limit = False
        for span in ranges if ranges is not None else [None]:
            if span is not None:
                cursor.set_byte_range(*span)
            for _pattern, captures in cursor.matches(root):
                match: Match = {}
                code = ""
                for name, nodes in captures.items():
                    if name.startswith("_") or not nodes:
                        continue
                    match[name] = nodes[0]
                    code = name.split(".", 1)[0].upper()
                if code in out:
                    out[code].append(match)
            over_limit = over_limit or bool(cursor.did_exceed_match_limit)
        return out, over_limit


def _included(source: bytes, skip: Sequence[tuple[int, int]]) -> list[Range]:
    """The complement of `skip` as tree-sitter Ranges (a point is (row, byte column))."""
    import tree_sitter

    row = last = 0

    def point(offset: int) -> tuple[int, int]:  # offsets come in increasing order
        nonlocal row, last
        row += source.count(b"\n", last, offset)
        last = offset
        return row, offset - source.rfind(b"\n", 0, offset) - 1

    ranges = []
    keep = 0
    for start, end in [*skip, (len(source), len(source))]:
        if start > keep:
            ranges.append(tree_sitter.Range(point(keep), point(start), keep, start))
        keep = end
    return ranges


# A top-level declaration no check's QUERY can match in: a const or var declaration whose text has
# no `func` (statements live in func literals, and `unsafe.Sizeof(func() {})` is a constant), no
# `make`, no `struct` (fields), and no `[` right after a name, `)` or `]` other than `map[` (an
# index expression, where GML004 looks).
# A quarter of the nodes of the Go library (unicode and syscall tables, error lists) sit in such
# declarations, and the candidate query is a full traversal in C. A pattern that can match in
# another place must change this test (tests/test_parse_ranges.py compares with a full search).
_LIVE_WORDS = (b"func", b"make", b"struct")
# Identifier bytes: ASCII letters, digits, `_`, and the bytes of UTF-8 sequences (which only
# letters use outside literals).
IDENT_BYTES = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_") | frozenset(range(0x80, 0x100))
_INDEXABLE_END = IDENT_BYTES | frozenset(b")]")


def _inert(src: bytes, start: int, end: int) -> bool:
    """The test above on src[start:end], by byte searches (a regex with look-behinds took as
    long as the traversal it spares)."""
    if any(src.find(word, start, end) >= 0 for word in _LIVE_WORDS):
        return False
    pos = src.find(b"[", start, end)
    while pos >= 0:
        j = pos - 1
        while j > start and src[j] in b" \t":
            j -= 1
        if src[j] in _INDEXABLE_END and not (src[j - 2:j + 1] == b"map" and src[j - 3] not in IDENT_BYTES):
            return False
        pos = src.find(b"[", pos + 1, end)
    return True


@lru_cache(maxsize=8)
def _any_word(words: tuple[bytes, ...]) -> re.Pattern[bytes]:
    return re.compile(b"|".join(re.escape(word) for word in words))


def live_ranges(root: Node, src: bytes, words: tuple[bytes, ...] | None = None) -> list[tuple[int, int]] | None:
    """Byte ranges covering every top-level declaration that may hold a match, adjacent ones
    merged; None when all may (search the whole tree). Left out: inert const and var
    declarations (above), and with `words` (CandidateQuery.words), any declaration without an
    error whose text past its first byte holds none of them (a getter, most of a test file for
    the rules that look at tests). Cheaper than the traversal it spares: one regex search a
    declaration, and most that hold a word hold `[` early."""
    ranges: list[tuple[int, int]] = []
    search = _any_word(words).search if words is not None else None
    start = end = -1
    left_out = False
    for top in root.children:
        t = top.type
        s, e = top.start_byte, top.end_byte
        if not top.has_error and (
                (search is not None and search(src, s + 1, e) is None)
                or ((t == kinds.CONST_DECLARATION or t == kinds.VAR_DECLARATION) and _inert(src, s, e))):
            left_out = True
            if start >= 0:
                ranges.append((start, end))
                start = -1
            continue
        if start < 0:
            start = s
        end = e
    if start >= 0:
        ranges.append((start, end))
    return ranges if left_out else None


def query_captures(query: Query, node: Node, start: int | None = None,
                   end: int | None = None) -> dict[str, list[Node]]:
    """Run a query over `node`, optionally narrowed to a byte range (candidate functions)."""
    import tree_sitter

    if start is None and is_unparsable(node):
        return {}  # all broken anyway, and querying it can be quadratic
    cursor = tree_sitter.QueryCursor(query, match_limit=MATCH_LIMIT)
    if start is not None and end is not None:
        cursor.set_byte_range(start, end)
    caps = cursor.captures(node)
    if cursor.did_exceed_match_limit:
        # A fact missing a capture (a dropped `mu.Lock()`) could invent a finding: take the slow
        # way. The model's queries never got here on the deep cases of tests/test_fuzz.py.
        cursor = tree_sitter.QueryCursor(query)
        if start is not None and end is not None:
            cursor.set_byte_range(start, end)
        caps = cursor.captures(node)
    return caps


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


def path_down(ancestor: Node, node: Node) -> list[Node] | None:
    """The nodes strictly between `ancestor` and `node`, outermost first, found by descending
    from `ancestor`; None when `node` is not below it. `Node.parent` descends from the root
    at every call, so climbing k levels costs k times the depth; this costs k steps."""
    path: list[Node] = []
    current = ancestor
    while True:
        child = current.child_with_descendant(node)
        if child is None:
            return None
        if child == node:
            return path
        path.append(child)
        current = child


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


@lru_cache(maxsize=1)
def _nesting_query() -> Query:
    kinds_ = (kinds.BLOCK, kinds.EXPRESSION_CASE, kinds.TYPE_CASE, kinds.DEFAULT_CASE, kinds.COMMUNICATION_CASE)
    return compile_query("[" + " ".join(f"({k})" for k in kinds_) + "] @nest")


def too_deep(tree: Tree, src: bytes, limit: int = MAX_NESTING) -> list[tuple[int, int]]:
    """Byte ranges of the top-level declarations that nest blocks and case clauses more than
    `limit` deep (see MAX_NESTING). Each level opens a brace pair of its own (a block's, or a
    case's switch or select), so a declaration with fewer braces than `limit`, or whose brace
    tokens nest no deeper than `limit` (`_brace_depth_within`), is not looked into."""
    root = tree.root_node
    if src.count(b"{") <= limit or is_unparsable(root):
        return []
    out: list[tuple[int, int]] = []
    cursor = root.walk()
    more = cursor.goto_first_child()
    while more:
        top = cursor.node
        assert top is not None
        start, end = top.start_byte, top.end_byte
        if src.count(b"{", start, end) > limit and not (
                not top.has_error and _brace_depth_within(src[start:end], limit)) and _nesting(top) > limit:
            out.append((start, end))
        more = cursor.goto_next_sibling()
    return out


# What can hold a brace that is not a token: comments, interpreted and raw strings, runes.
_NOT_CODE = re.compile(rb'//[^\n]*|/\*.*?\*/|"(?:[^"\\\n]|\\.)*"|`[^`]*`|\'(?:[^\'\\\n]|\\.)*\'', re.DOTALL)
_NOT_BRACE = bytes(b for b in range(256) if b not in b"{}")


def _brace_depth_within(text: bytes, limit: int) -> bool:
    """True when the brace tokens of error-free declaration `text` are balanced and nest at most
    `limit` deep, an upper bound on its block and case nesting. Each pass drops the innermost
    pairs (`{}`), so a pair inside d others goes at pass d + 1 at the earliest; empty after
    `limit` passes means no deeper nesting. Anything else (unbalanced, or deeper) says nothing."""
    braces = _NOT_CODE.sub(b"", text).translate(None, _NOT_BRACE)
    for _ in range(limit):
        if not braces:
            return True
        braces = braces.replace(b"{}", b"")
    return not braces


def _nesting(top: Node) -> int:
    """The deepest nesting of blocks and case clauses in `top`: a sweep over their byte ranges
    (a query returns them in document order, outer before inner)."""
    nodes = query_captures(_nesting_query(), top, top.start_byte, top.end_byte).get("nest", [])
    ranges = sorted((n.start_byte, -n.end_byte) for n in nodes)
    open_ends: list[int] = []
    deepest = 0
    for start, neg_end in ranges:
        while open_ends and open_ends[-1] <= start:
            open_ends.pop()
        open_ends.append(-neg_end)
        deepest = max(deepest, len(open_ends))
    return deepest


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
