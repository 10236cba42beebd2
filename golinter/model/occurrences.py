"""Finding a few rare nodes by their text: a byte search of the source, then one C descent each.

A whole-tree query costs about 0.3x the parse even for one pattern; most of the nodes the
concurrency model asks for (`go` statements, calls of a handful of names) are rare, and their
text says where they can be. `find` on the source bytes gives every place a name could be
(a superset: comments, strings, longer identifiers), and `descendant_for_byte_range` tells
which of them is the token itself. Results are in document order.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.parse import IDENT_BYTES

if TYPE_CHECKING:
    from collections.abc import Iterable

    from tree_sitter import Node

    from golinter.model.package import SourceFile

# `go` as the keyword of a statement: no identifier character of ASCII before it (a non-ASCII letter
# makes an identifier, which the node check then rejects), nor `.` or a quote; after it the
# expression: a space, `(`, `[` (`go []func(){f}[0]()`) or a comment. Import paths (`"go/ast"`)
# and `//go:` directives, most of the text hits, are never descended to.
# (The byte before is tested in Python: a look-behind would cost the regex its literal prefix scan.)
_GO = re.compile(rb"go(?=[\s(\[]|/[*/])")
_NOT_BEFORE_GO = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.\"`'")
_NAME_KINDS = frozenset({kinds.IDENTIFIER, kinds.FIELD_IDENTIFIER})
# A name token cannot be followed by an identifier character (the lexer would take it in), nor
# preceded by a letter or `_` that no literal token ends with: `i` ends imaginary literals and
# a-f hex ones (`0xaGo` lexes as `0xa` `Go`), digits end numbers; every other one would make
# the token start earlier.
_IDENT_BEFORE = frozenset(b"GHIJKLMNOPQRSTUVWXYZghjklmnopqrstuvwxyz_")


def _usable(f: SourceFile) -> bool:
    from golinter.parse import is_unparsable
    return not is_unparsable(f.tree.root_node)


def _in_broken(f: SourceFile, pos: int) -> bool:
    """In a range the model ignores (a syntax error, pathological nesting): not descended to,
    since each descent costs the depth and such ranges can be 10,000 deep."""
    return any(s <= pos < e for s, e in f.broken)


def go_statements(f: SourceFile) -> list[Node]:
    """Every `go` statement of a file outside its broken ranges, in document order."""
    if not _usable(f):
        return []
    root = f.tree.root_node
    out: list[Node] = []
    src = f.src
    for m in _GO.finditer(src):
        if (m.start() and src[m.start() - 1] in _NOT_BEFORE_GO) or _in_broken(f, m.start()):
            continue
        node = root.named_descendant_for_byte_range(m.start(), m.end())  # the keyword is anonymous
        if node is not None and node.type == kinds.GO_STATEMENT and node.start_byte == m.start():
            out.append(node)
    return out


def func_literals(f: SourceFile) -> list[Node]:
    """Every func literal of a file outside its broken ranges, in document order."""
    if not _usable(f):
        return []
    root = f.tree.root_node
    out: list[Node] = []
    for pos in _positions(f.src, b"func"):
        if _in_broken(f, pos):
            continue
        node = root.named_descendant_for_byte_range(pos, pos + 4)  # the keyword is anonymous
        if node is not None and node.type == kinds.FUNC_LITERAL and node.start_byte == pos:
            out.append(node)
    return out


def name_tokens(f: SourceFile, names: Iterable[str]) -> list[Node]:
    """Identifiers and field identifiers spelled as one of `names`, in document order."""
    if not _usable(f):
        return []
    root = f.tree.root_node
    found: dict[int, Node] = {}
    for name in set(names):
        raw = name.encode()
        if not raw or not f.may_name(raw):
            continue
        src = f.src
        for pos in _word_positions(src, raw):
            end = pos + len(raw)
            if pos and src[pos - 1] in _IDENT_BEFORE:
                continue  # inside a longer word (`doRun`): no descent
            node = root.descendant_for_byte_range(pos, end)
            if node is not None and node.type in _NAME_KINDS and node.start_byte == pos \
                    and node.end_byte == pos + len(raw):
                found[pos] = node
    return [found[pos] for pos in sorted(found)]


def _word_positions(src: bytes, raw: bytes) -> Iterable[int]:
    """Where `raw` occurs not followed by an identifier character (`Go` but not `Golang`: the
    lexer would take it in), found in C. A name that can overlap itself (`GoGo`) is searched
    occurrence by occurrence, since a regex match skips the overlaps."""
    if _overlaps(raw):
        return (pos for pos in _positions(src, raw) if src[pos + len(raw):pos + len(raw) + 1] not in _WORD_CHARS)
    return (m.start() for m in _word(raw).finditer(src))


@lru_cache(maxsize=1024)
def _overlaps(raw: bytes) -> bool:
    return any(raw[k:] == raw[:-k] for k in range(1, len(raw)))


# One-byte strings that continue an identifier (b"" at the end of the source does not).
_WORD_CHARS = frozenset(bytes([c]) for c in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


@lru_cache(maxsize=256)
def _word(raw: bytes) -> re.Pattern[bytes]:
    return re.compile(re.escape(raw) + rb"(?![A-Za-z0-9_])")


def selector_call(name: Node) -> Node | None:
    """`x.name(args)`: the call whose function is a selector with this field, else None."""
    sel = name.parent
    if sel is None or sel.type != kinds.SELECTOR_EXPRESSION or sel.child_by_field_name(kinds.F_FIELD) != name:
        return None
    call = sel.parent
    if call is None or call.type != kinds.CALL_EXPRESSION or call.child_by_field_name(kinds.F_FUNCTION) != sel:
        return None
    args = call.child_by_field_name(kinds.F_ARGUMENTS)
    return call if args is not None and args.type == kinds.ARGUMENT_LIST else None


def identifier_call(name: Node) -> Node | None:
    """`name(args)`: the call whose function is this identifier, else None."""
    if name.type != kinds.IDENTIFIER:
        return None
    call = name.parent
    if call is None or call.type != kinds.CALL_EXPRESSION or call.child_by_field_name(kinds.F_FUNCTION) != name:
        return None
    return call


def _positions(src: bytes, raw: bytes) -> Iterable[int]:
    pos = src.find(raw)
    while pos != -1:
        yield pos
        pos = src.find(raw, pos + 1)


def offsets(src: bytes, needle: bytes) -> list[int]:
    """Offsets of `needle` in `src`, in order (for a needle that cannot overlap itself)."""
    out: list[int] = []
    pos = src.find(needle)
    while pos != -1:
        out.append(pos)
        pos = src.find(needle, pos + len(needle))
    return out


def has_word(src: bytes, name: bytes, start: int, end: int) -> bool:
    """`name` as a whole word in `src[start:end]`: its neighbours are not identifier bytes (the
    byte before `start` counts, none after `end`). A find loop, not a regex per name: compiling
    one for each ranged name cost more than all the searches."""
    end = min(end, len(src))
    pos = src.find(name, start, end)
    while pos != -1:
        after = pos + len(name)
        if (pos == 0 or src[pos - 1] not in IDENT_BYTES) \
                and (after >= end or src[after] not in IDENT_BYTES):
            return True
        pos = src.find(name, pos + 1, end)
    return False


def has_any_word(src: bytes, names: Iterable[bytes], start: int, end: int) -> bool:
    """One of `names` as a whole word in `src[start:end]` (`has_word`)."""
    return any(has_word(src, name, start, end) for name in names)


_ASSIGN_OPS = (b"=", b":=", b"++", b"--", b"+=", b"-=", b"*=", b"/=", b"%=", b"&=", b"|=", b"^=",
               b"<<=", b">>=", b"&^=")
# `, b, c.d, e[i] =` or `:=` after a name: it is one of several targets, not an argument.
_MORE_TARGETS = re.compile(rb"(?:[ \t]*,[ \t]*[\w.\[\]*]+)+[ \t]*(?::=|=(?!=))")


def may_assign(src: bytes, name: bytes, start: int, end: int) -> bool:
    """Text in `src[start:end]` may assign the variable spelt `name`: the word followed by `=`,
    `:=`, an operator assignment, `++`/`--`, or by more targets and then `=` or `:=`
    (`name, err = f()`). Not `==`, not an argument `f(name, x)`, not a field `x.name`."""
    pos = src.find(name, start, end)
    while pos >= 0:
        before = src[pos - 1] if pos > 0 else 0
        after = pos + len(name)
        if before not in IDENT_BYTES and before != ord(".") and (after >= end or src[after] not in IDENT_BYTES):
            op = after
            while op < end and src[op] in b" \t":
                op += 1
            if (src.startswith(_ASSIGN_OPS, op, end) and not src.startswith(b"==", op, end)) \
                    or _MORE_TARGETS.match(src, after, end) is not None:
                return True
        pos = src.find(name, pos + 1, end)
    return False
