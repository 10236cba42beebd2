"""Context-only parsing: a generated file's parse without what no finding can depend on.

A generated file is loaded for context only (SPEC section 4: never reported, no candidates
checked), and the bodies of its functions are most of its parse: 2.4 s of the Go library's
3.7 s of generated code (ssa's rewrite rules). What the model needs from such a file is its
declarations; from a body, only effects that silence a rule in hand-written code: a lock taken,
a goroutine joined, a map deleted from or cleared, a field of ours pruned or replaced. So a
body is left out of the parse unless its text holds one of the words below, and the mutation
facts count each name a left-out body mentions as an escape of that storage
(`Mutations`, "generated"): silence, never a finding. A left-out function reads as one with an
empty body (no effect), the same as a callee the rule cannot see into.

Bodies are found by the layout gofmt gives every generated file: `func ...{` ending a line, the
body ending at the next line that is `}` alone. A body with a raw string or a block comment
(where such a line could hide) is kept; a file whose parse then has an error is parsed again
whole (`context_only_spans` is a heuristic, never trusted on its own).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from golinter.parse import parse

if TYPE_CHECKING:
    from tree_sitter import Parser, Tree

_FUNC_LINE = re.compile(rb"^func [^\n]*\{\n", re.MULTILINE)
# A body holding one of these is parsed: locks, joins, deletes, clears, goroutines.
_KEEP_BODY_WORDS = (b"Lock", b"Wait", b"Done", b"<-", b"close(", b"delete(", b"clear(", b"go ", b"`", b"/*")
# A table: a package-level `var` made by a composite literal whose type is on the line (`T{`, no
# space before the brace: `struct {` opens a type) and whose elements end at `}` alone on a line.
# The elements are left out unless they hold a func literal (or a raw string or block comment):
# no rule reads a table's elements, and `[...]T{}` has an unknown length in type-lite anyway.
_TABLE_LINE = re.compile(rb"^var \w+ = [^\n]*[^\s]\{\n", re.MULTILINE)
_KEEP_TABLE_WORDS = (b"func", b"`", b"/*")
# Embedded data, a string constant continued line after line with `+` (time/tzdata's zipdata.go is
# 1.4 MB of them): the contents of each such line's literal are left out.
_DATA_LINE = re.compile(rb'^\t*(?:(?:const|var) \w+ = )?"([^"\\\n]*(?:\\.[^"\\\n]*)*)"(?: \+)?\n', re.MULTILINE)
_DATA_CONTINUED = b'" +\n\t"'
_DATA_MIN = 64


def context_only_spans(src: bytes) -> list[tuple[int, int]]:
    """Byte ranges of a generated file that the parse may leave out (see above), sorted."""
    spans = _blocks(src, _FUNC_LINE, _KEEP_BODY_WORDS)
    if src.find(b"\nvar ") >= 0:
        spans = _union(spans, _blocks(src, _TABLE_LINE, _KEEP_TABLE_WORDS))
    if src.find(_DATA_CONTINUED) >= 0:
        data = [m.span(1) for m in _DATA_LINE.finditer(src) if m.end(1) - m.start(1) >= _DATA_MIN]
        spans = _union(spans, data)
    return spans


def _blocks(src: bytes, opening: re.Pattern[bytes], keep_words: tuple[bytes, ...]) -> list[tuple[int, int]]:
    """From each line `opening` matches (ending in `{`) to the next `}` alone on a line, the
    ranges inside the braces holding none of `keep_words`; the newline after `{` stays."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while True:
        m = opening.search(src, pos)
        if m is None:
            return spans
        start = m.end() - 1
        end = src.find(b"\n}\n", start)
        if end < 0:
            return spans
        pos = end + 3
        if not any(src.find(word, start, end) >= 0 for word in keep_words):
            spans.append((start, end))


def _union(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Two sorted lists of ranges as one, sorted, with ranges inside another dropped."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(a + b):
        if out and start < out[-1][1]:
            continue  # a data line in a body already left out
        out.append((start, end))
    return out


def parse_for_context(parser: Parser, source: bytes, budget_seconds: float = 10.0) -> tuple[Tree, list[tuple[int, int]]]:
    """Parse a file loaded for context only, leaving out `context_only_spans` unless the result
    has a syntax error (then the whole file is parsed): the tree, and the spans left out."""
    spans = context_only_spans(source)
    if spans:
        tree = parse(parser, source, budget_seconds, spans)
        if not tree.root_node.has_error:
            return tree, spans
    return parse(parser, source, budget_seconds), []
