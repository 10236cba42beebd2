"""Go 1.26's `new(expr)` for a grammar that knows only `new(T)` (tree-sitter-go 0.25).

For a tree with errors, `parse.parse` asks `error_starts` where the ERROR and MISSING nodes
start, and `new_of_expressions` respells each `new` whose parentheses hold one as a plain
identifier of the same length; the result is parsed again (at most NEW_ROUNDS times).
"""
from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Tree

# Go 1.26's `new(expr)` (`new(1)`, `new(cfg.Timeout())`): tree-sitter-go 0.25 knows only
# `new(T)` and leaves ERROR nodes in such a call, so the function holding it would not be
# analysed. The call is parsed again with `new` spelled as a plain identifier of the same length:
# a call with an expression argument, at the same offsets. Node texts come from the file's own
# bytes (`SourceFile.text`), so the model still sees `new` (typelite types `new(expr)` as *T).
_NEW_CALL = re.compile(rb"(?<![\w.])new(?=[ \t]*\()")
_NEW_STANDIN = b"ne_"
_PAREN_SCAN = 4096  # bytes searched for one call's closing parenthesis
_SCAN_BUDGET = 1 << 16  # bytes searched in all, beyond twice the file's size
NEW_ROUNDS = 4  # parses after the first, at most


def new_of_expressions(source: bytes, errors: list[int]) -> bytes | None:
    """`source` with every `new(` whose parentheses hold an error node (`errors`: their sorted
    start bytes) respelled, or None. Bounded on hostile input: at most _SCAN_BUDGET bytes are
    searched for closing parentheses in all."""
    patched: bytearray | None = None
    budget = _SCAN_BUDGET + 2 * len(source)
    for m in _NEW_CALL.finditer(source):
        open_at = source.index(b"(", m.end())
        i = bisect.bisect_left(errors, m.start())
        if i == len(errors) or errors[i] > open_at + _PAREN_SCAN:
            continue  # no error near: cheap test first
        close_at, scanned = _closing_paren(source, open_at, min(_PAREN_SCAN, budget))
        budget -= scanned
        if budget <= 0:
            break  # what is left stays an error
        if close_at is None or errors[i] > close_at:
            continue
        if patched is None:
            patched = bytearray(source)
        patched[m.start():m.end()] = _NEW_STANDIN
    return bytes(patched) if patched is not None else None


def _closing_paren(source: bytes, open_at: int, limit: int) -> tuple[int | None, int]:
    """The `)` closing the `(` at `open_at` within `limit` bytes, by counting outside string and
    rune literals (`new("(")`), and the bytes searched. Comments are not skipped: a wrong guess
    only fails to remove an error, and the reparse is kept only when it removes some."""
    depth = 0
    i, end = open_at, min(len(source), open_at + limit)
    while i < end:
        c = source[i]
        if c == 0x28:  # (
            depth += 1
        elif c == 0x29:  # )
            depth -= 1
            if depth == 0:
                return i, i + 1 - open_at
        elif c in _QUOTES:
            i = _literal_end(source, i, end)
        i += 1
    return None, end - open_at


_QUOTES = frozenset(b"\"'`")


def _literal_end(source: bytes, start: int, end: int) -> int:
    """The offset of the quote closing the literal opened at `start` (`end` if none)."""
    quote = source[start]
    i = start + 1
    while i < end:
        c = source[i]
        if c == quote:
            return i
        if c == 0x5C and quote != 0x60:  # a backslash escapes the next byte, except in raw strings
            i += 1
        elif c == 0x0A and quote != 0x60:
            return i  # interpreted literals end at the line
        i += 1
    return end


def error_starts(tree: Tree) -> list[int]:
    """Start bytes of every ERROR and MISSING node: only nodes with `has_error` are descended."""
    starts: list[int] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            starts.append(node.start_byte)
        stack += [c for c in node.children if c.has_error]
    return starts
