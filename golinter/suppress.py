"""Suppression directives: `//golinter:ignore`, `//golinter:file-ignore` and `//nolint`.

Directives are collected per file in the worker (they need the tree to know which statement
a directive placed on the line before covers) and applied in the parent, after the cache, so
select/ignore never invalidate cached results.

- `//golinter:ignore GML003[,GML004] reason`: on the line before; covers that statement or
  declaration (all its lines). A reason is required, as staticcheck's `//lint:ignore` does.
- `//golinter:file-ignore GML004 reason`: anywhere; covers the file.
- `//nolint`, `//nolint:golinter`, `//nolint:GML003,unguarded-concurrent-map-write`: on the
  finding's line, or on the line before a statement/declaration to cover it (golangci-lint's
  syntax: no space after `//`). Other linters' names in the list are ignored.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.findings import Finding, Level, Notification

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from tree_sitter import Node, Tree

    from golinter.checks.base import Rule

_DIRECTIVE_RE = re.compile(rb"//(golinter:(?:file-)?ignore|nolint)(?=[\s:]|$)([^\r\n]*)")


@dataclass(frozen=True, slots=True)
class Directive:
    path: str
    line: int
    column: int
    kind: str                 # "ignore", "file-ignore", "nolint"
    codes: tuple[str, ...]    # empty: every rule (bare //nolint, //nolint:golinter)
    reason: str
    first_line: int           # lines covered, inclusive
    last_line: int


_CONTAINERS = frozenset({kinds.STATEMENT_LIST, kinds.SOURCE_FILE})


def collect(path: str, src: bytes, tree: Tree) -> tuple[list[Directive], list[Notification]]:
    """Directives in one file; malformed ones become warnings and suppress nothing.

    Comments and the statements after them are found with two forward sweeps of one TreeCursor
    (`_nodes_starting_at`), not a `descendant_for_byte_range` per directive: that rescans a wide
    node's children each time, so 20,000 `//nolint` lines in one list took seconds and a hostile
    megabyte minutes."""
    root = tree.root_node
    hits = list(_DIRECTIVE_RE.finditer(src))
    if not hits:
        return [], []
    at = _nodes_starting_at(root, sorted({m.start() for m in hits}))
    comments: list[tuple[re.Match[bytes], Node]] = []
    for m in hits:
        chain = at[m.start()]
        if chain and chain[-1].type == kinds.COMMENT:  # else inside a string literal, or mid-comment
            comments.append((m, chain[-1]))
    next_starts = {c.end_byte: _next_line_start(src, c) for m, c in comments
                   if m.group(1) == b"golinter:ignore" or (m.group(1) == b"nolint" and _own_line(src, c))}
    after = _nodes_starting_at(root, sorted({s for s in next_starts.values() if s is not None}))

    def next_statement_lines(comment: Node) -> tuple[int, int]:
        """Lines of the outermost statement/declaration starting on the line after the comment."""
        start = next_starts[comment.end_byte]
        chain = after.get(start, []) if start is not None else []
        # A block's statement_list starts at its first statement: it is a container, not the
        # statement the directive sits before.
        chain = [n for n in chain if n.type not in _CONTAINERS]
        if not chain:
            line = comment.start_point[0] + 2
            return line, line
        return chain[0].start_point[0] + 1, chain[0].end_point[0] + 1

    directives: list[Directive] = []
    notes: list[Notification] = []
    for m, comment in comments:
        line, col = comment.start_point[0] + 1, comment.start_point[1] + 1
        word = m.group(1).decode()
        rest = m.group(2).decode("utf-8", "replace")
        if word == "nolint":
            codes, reason = _nolint_codes(rest)
            if codes is None:
                continue  # a nolint list naming only other linters
            first, last = next_statement_lines(comment) if _own_line(src, comment) else (line, line)
            directives.append(Directive(path, line, col, "nolint", codes, reason, first, last))
            continue
        kind = "file-ignore" if word.endswith("file-ignore") else "ignore"
        parts = rest.strip().split(None, 1)
        if len(parts) < 2:
            notes.append(Notification(Level.WARNING, "malformed-directive",
                                      f"//golinter:{kind} needs rule codes and a reason, "
                                      f"e.g. //golinter:{kind} GML003 map is owned by one goroutine",
                                      path, line, col))
            continue
        codes = tuple(c for c in parts[0].split(",") if c)
        if kind == "file-ignore":
            directives.append(Directive(path, line, col, kind, codes, parts[1], 1, 1 << 30))
        else:
            first, last = next_statement_lines(comment)
            directives.append(Directive(path, line, col, kind, codes, parts[1], first, last))
    return directives, notes


def _nolint_codes(rest: str) -> tuple[tuple[str, ...] | None, str]:
    """`:GML003,foo // reason` -> (("GML003",), "reason"); bare -> ((), ""); others only -> None."""
    reason = ""
    if "//" in rest:
        rest, reason = rest.split("//", 1)
    if not rest.startswith(":"):
        return (), reason.strip()
    names = [n.strip() for n in rest[1:].split()[0].split(",")] if rest[1:].strip() else []
    ours = [n for n in names if n.lower() == "golinter" or n.upper().startswith("GML") or "-" in n]
    if any(n.lower() == "golinter" for n in ours):
        return (), reason.strip()
    return (tuple(ours) if ours else None), reason.strip()


def _own_line(src: bytes, comment: Node) -> bool:
    """True when only white space precedes the comment on its line."""
    start = src.rfind(b"\n", 0, comment.start_byte) + 1
    return not src[start:comment.start_byte].strip()


def _next_line_start(src: bytes, comment: Node) -> int | None:
    """Byte offset of the first non-blank byte on the line after the comment; None at the end."""
    nl = src.find(b"\n", comment.end_byte)
    if nl == -1:
        return None
    start = nl + 1
    while start < len(src) and src[start:start + 1] in (b" ", b"\t", b"\r"):
        start += 1
    return start


def _nodes_starting_at(root: Node, offsets: Sequence[int]) -> dict[int, list[Node]]:
    """For each byte offset (sorted, distinct): the nodes below `root` that start there and contain
    it, outermost first ([] when the offset falls between nodes or inside a node started earlier).

    One forward pass of a TreeCursor: `goto_first_child_for_byte` skips, in C, the children before
    the first offset inside a node; later offsets in it step on from there, so each node is passed
    at most once."""
    out: dict[int, list[Node]] = {off: [] for off in offsets}
    cursor = root.walk()
    if not offsets or not cursor.goto_first_child():
        return out
    i = 0
    while i < len(offsets):
        off = offsets[i]
        node = cursor.node
        assert node is not None
        if node.end_byte <= off:  # entirely before: the next node in document order, not inside it
            while not cursor.goto_next_sibling():
                if not cursor.goto_parent():
                    return out
            continue
        if node.start_byte > off:  # the offset lies in a gap between nodes
            i += 1
            continue
        if node.start_byte == off:
            out[off].append(node)
        if cursor.goto_first_child_for_byte(off) is None:
            i += 1  # the innermost node holding the offset: done with it
    return out


def _matches(directive: Directive, finding: Finding) -> bool:
    if finding.span.path != directive.path:
        return False
    if not directive.first_line <= finding.span.line <= directive.last_line:
        return False
    if not directive.codes:
        return True
    return any(c.upper() == finding.code or c == finding.name
               or (c.upper().startswith("GML") and finding.code.startswith(c.upper())) for c in directive.codes)


def apply(findings: Sequence[Finding], directives: Sequence[Directive]) -> tuple[list[Finding], set[Directive]]:
    """Mark suppressed findings; return them and the directives that matched something."""
    by_path: dict[str, list[Directive]] = {}
    for d in directives:
        by_path.setdefault(d.path, []).append(d)
    used: set[Directive] = set()
    out: list[Finding] = []
    for f in findings:
        hit = next((d for d in by_path.get(f.span.path, ()) if _matches(d, f)), None)
        if hit is not None:
            used.add(hit)
            f = replace(f, suppressed=True, suppression_reason=hit.reason or f"//{hit.kind}")
        out.append(f)
    return out, used


def unused(directives: Iterable[Directive], used: set[Directive], selected: Sequence[Rule],
           reported_paths: set[str]) -> list[Notification]:
    """Directives on reported files naming only selected rules (or all) that matched nothing."""
    codes = {r.code for r in selected} | {r.name for r in selected}
    out: list[Notification] = []
    for d in directives:
        if d in used or d.path not in reported_paths:
            continue
        if d.codes and not any(c.upper() in codes or c in codes for c in d.codes):
            continue
        label = "//nolint" if d.kind == "nolint" else f"//golinter:{d.kind}"
        out.append(Notification(Level.WARNING, "unused-ignore",
                                f"unused {label} directive: no finding to suppress here", d.path, d.line, d.column))
    return out
