"""Hand-off at a spawn: a local value the spawner gives to the goroutine and stops using.

    go p.announce(queued)
    queued = make(map[string]*sortedMap)

The goroutine gets the map `queued` held at the `go` statement; the spawner's variable is
replaced by the next statement that mentions it, so every later access of the spawner (the
next loop iterations included) is to the new map, and every earlier one happened before the
`go` statement (which happens before the goroutine starts: the Go memory model). The map,
and what only it holds, belongs to the goroutine alone.

Only the plain shape counts: the argument is a variable declared in the spawner's own code,
the first later statement of the same block that names it assigns it with `=` (maybe among
others: `reset, dirty = nil, nil`) from a right side that does not name it (`queued[:0]` keeps
the backing array), and no func literal of the spawner names it (a closure reads the variable,
not the value, and may still hold the old map).
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from golinter import kinds
from golinter.model.occurrences import has_word
from golinter.model.scopes import ObjKind
from golinter.parse import compile_query, query_captures

if TYPE_CHECKING:
    from tree_sitter import Node, Query

    from golinter.model.package import Package


@lru_cache(maxsize=1)
def _literal_query() -> Query:
    return compile_query("(func_literal) @literal")


def handed_off(pkg: Package, go_stmt: Node, arg: Node, spawner: Node) -> int | None:
    """When `arg` of the `go` statement `go_stmt` is a local of `spawner` replaced right after
    it: the byte offset of the variable's declaring identifier (its locksets Root.decl)."""
    if arg.type != kinds.IDENTIFIER:
        return None
    obj = pkg.scopes.resolve(arg)
    if obj is None or obj.kind is not ObjKind.VAR or obj.package_level or obj.ident is None \
            or not spawner.start_byte <= obj.ident.start_byte < spawner.end_byte:
        return None
    block = go_stmt.parent
    if block is None or block.type != kinds.STATEMENT_LIST:
        return None
    src = pkg.file_of(go_stmt).src
    word = obj.name.encode()
    later = [s for s in block.named_children if s.start_byte >= go_stmt.end_byte and s.type != kinds.COMMENT]
    mention = next((s for s in later if has_word(src, word, s.start_byte, s.end_byte)), None)
    if mention is None or not _replaces(pkg, mention, obj.name, word, src):
        return None
    body = spawner.child_by_field_name(kinds.F_BODY)
    if body is None:
        return None
    literals = query_captures(_literal_query(), body, body.start_byte, body.end_byte).get("literal", [])
    if any(has_word(src, word, lit.start_byte, lit.end_byte) for lit in literals):
        return None
    return obj.ident.start_byte


def _replaces(pkg: Package, stmt: Node, name: str, word: bytes, src: bytes) -> bool:
    """`name = <expression not naming it>`, alone or among others (`reset, batch = nil, nil`)."""
    operator = stmt.child_by_field_name(kinds.F_OPERATOR)
    if stmt.type != kinds.ASSIGNMENT_STATEMENT or operator is None or pkg.text(operator) != "=":
        return False
    left, right = stmt.child_by_field_name(kinds.F_LEFT), stmt.child_by_field_name(kinds.F_RIGHT)
    if left is None or right is None:
        return False
    return any(t.type == kinds.IDENTIFIER and pkg.text(t) == name for t in left.named_children) \
        and not has_word(src, word, right.start_byte, right.end_byte)
