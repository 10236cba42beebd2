"""Build a model Package from Go source strings, and find nodes by marker comments.

`/*@name*/` placed right before an expression marks it: `at(pkg, "name")` returns the
smallest named node starting right after the marker.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from golinter import parse
from golinter.model.package import Package, SourceFile

if TYPE_CHECKING:
    from tree_sitter import Node

_MARK = re.compile(rb"/\*@(\w+)\*/\s*")


def package(files: dict[str, str], lang: tuple[int, int] = (1, 22), runtime: tuple[int, int] = (1, 27)) -> Package:
    parser = parse.new_parser()
    sources = []
    for name, text in sorted(files.items()):
        src = text.encode()
        sources.append(SourceFile(f"/virtual/{name}", src, parse.parse(parser, src), lang))
    return Package("/virtual", "p", sources, runtime)


def at(pkg: Package, marker: str) -> Node:
    """The outermost named node starting right after `/*@marker*/` whose text is an expression."""
    for f in pkg.files:
        for m in _MARK.finditer(f.src):
            if m.group(1).decode() != marker:
                continue
            node = f.tree.root_node.descendant_for_byte_range(m.end(), m.end())
            assert node is not None
            while node.parent is not None and node.parent.start_byte == m.end() and \
                    node.parent.type not in ("expression_statement", "expression_list", "statement_list",
                                             "short_var_declaration", "assignment_statement", "block",
                                             "inc_statement", "return_statement", "argument_list",
                                             "keyed_element", "literal_element", "var_spec", "const_spec"):
                node = node.parent
            return node
    raise KeyError(marker)


def ident_at(pkg: Package, marker: str) -> Node:
    """The identifier right after `/*@marker*/`."""
    node = at(pkg, marker)
    while node.type not in ("identifier", "type_identifier") and node.named_children:
        node = node.named_children[0]
    return node
