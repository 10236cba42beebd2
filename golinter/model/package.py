"""Package: everything a check may ask about one Go package.

A Package holds the parsed files, the candidate matches of the combined query, the rule's
options and versions, and the fact providers (scopes, type-lite, constants, storage,
lifetimes, locksets, concurrency), each built on first use and cached here. Checks never
walk scopes or evaluate anything themselves; they ask these providers.

Matches inside functions that contain ERROR or MISSING nodes are dropped here, once, so no
check ever sees them.
"""
from __future__ import annotations

import bisect
import itertools
import operator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar, cast

from golinter import kinds
from golinter.findings import Finding, Level, Related, Span

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping

    from tree_sitter import Node, Tree

    from golinter.checks.base import OptionValue, Rule
    from golinter.model.concurrency import Concurrency
    from golinter.model.constants import Constants
    from golinter.model.lifetimes import Lifetimes
    from golinter.model.locksets import Locksets
    from golinter.model.scopes import Scopes
    from golinter.model.storage import Storage
    from golinter.model.taint import Taint
    from golinter.model.typelite import Typelite
    from golinter.parse import Match

Version = tuple[int, int]
Provider = TypeVar("Provider")
NEWEST_GO: Version = (1, 27)
# How many evaluations (the type of an expression, the value of a constant) may be nested while
# answering one question. Type-lite and constants recurse in Python (3-5 frames a level, and they
# call each other), and Python stops at 1,000 frames: a chain of 1,000 `const cN = cM + 1`, a
# `[][]...int` 1,000 deep or `v1 := v0` repeated would raise RecursionError. No real code comes
# near: the whole Go 1.19 src tree needs at most 21 (measured). Deeper chains are Unknown: silence.
MAX_EVAL_DEPTH = 120


# `may_name`: searches of one file before its words are indexed, and the byte table that keeps
# identifier bytes (ASCII letters, digits, `_`) and turns every other byte into a space.
_SEARCHES_BEFORE_INDEX = 16
_WORD_BYTES = bytes(c if chr(c).isascii() and (chr(c).isalnum() or c == ord("_")) else ord(" ") for c in range(256))


@dataclass(eq=False)
class SourceFile:
    """One parsed .go file. `path` is absolute; `src` is the bytes tree-sitter parsed."""

    path: str
    src: bytes
    tree: Tree
    lang_version: Version
    reported: bool = True
    generated: bool = False
    broken: list[tuple[int, int]] = field(default_factory=list)
    # Byte ranges the parse left out (a generated file's function bodies: golinter/context_only.py);
    # the tree holds an empty body there, `src` the text.
    left_out: list[tuple[int, int]] = field(default_factory=list)
    matches: dict[str, list[Match]] = field(default_factory=dict)
    _words: frozenset[bytes] | None = field(default=None, init=False, repr=False)
    _searches: int = field(default=0, init=False, repr=False)

    @property
    def is_test(self) -> bool:
        return self.path.endswith("_test.go")

    def text(self, node: Node) -> str:
        return self.src[node.start_byte:node.end_byte].decode("utf-8", "replace")

    def in_broken(self, node: Node) -> bool:
        return any(s <= node.start_byte < e for s, e in self.broken)

    def may_name(self, raw: bytes) -> bool:
        """False when no identifier of the file can be spelled `raw`: a cheap test before a search
        of the text for a name. After a few searches of one file (a large package asks hundreds
        of names of each of its files: nats-server's 13 MB `server` took 5 s of text scans), the
        file's words are indexed once, every maximal run of ASCII letters, digits and `_` (0.2 s
        for 12 MB): an identifier token is such a run, since the lexer takes in any neighbouring
        identifier character (a number literal right before a name is a syntax error).
        Non-ASCII names are always searched."""
        words = self._words
        if words is None:
            self._searches += 1
            if self._searches <= _SEARCHES_BEFORE_INDEX:
                return True
            words = self._words = frozenset(self.src.translate(_WORD_BYTES).split())
        return raw in words or not raw.isascii()

    def left_out_at(self, offset: int) -> tuple[int, int] | None:
        """The range left out of the parse that holds byte `offset`, if any."""
        i = bisect.bisect_right(self.left_out, (offset, 1 << 62)) - 1
        if i >= 0 and self.left_out[i][0] <= offset < self.left_out[i][1]:
            return self.left_out[i]
        return None

    @cached_property
    def line_starts(self) -> list[int]:
        """Byte offset where each line starts (row r after r newlines), computed in C."""
        lengths = map(len, self.src.split(b"\n")[:-1])
        return list(map(operator.add, itertools.accumulate(lengths, initial=0), itertools.count()))

    def line_of_byte(self, offset: int) -> int:
        """1-based line of a byte offset."""
        return bisect.bisect_right(self.line_starts, offset)

    def span(self, node: Node) -> Span:
        (sr, sc), (er, ec) = node.start_point, node.end_point
        return Span(self.path, sr + 1, sc + 1, er + 1, ec + 1, node.start_byte, node.end_byte)


class Package:
    """One Go package (a directory's files sharing a package clause)."""

    def __init__(self, directory: str, name: str, files: list[SourceFile], runtime_version: Version,
                 options: Mapping[str, Mapping[str, OptionValue]] | None = None, *,
                 test_directory: bool = False) -> None:
        self.dir = directory
        self.name = name
        self.test_directory = test_directory  # below a directory named for tests (model/testcode.py)
        self.files = files
        self.runtime_version = runtime_version
        self._options = options or {}
        self._by_root: dict[int, SourceFile] = {f.tree.root_node.id: f for f in files}
        self._facts: dict[object, object] = {}
        self._file_by_id: dict[int, SourceFile] = {}  # file_of's climbs
        self.eval_depth = 0  # nested type-lite and constant evaluations now running (MAX_EVAL_DEPTH)

    # -- files and text ---------------------------------------------------------------
    def file_of(self, node: Node) -> SourceFile:
        """The file a node belongs to. Tree-sitter nodes do not say which tree they are in, and
        climbing to the root costs the depth at every step (`Node.parent` descends from the
        root: 25 us a call in net/http, two minutes from 50,000 levels deep). But a node's hash
        is its id xor its tree's address, and a tree's address is its root node's id
        (py-tree-sitter 0.25 and 0.26, checked when the package is made: `_by_tree`)."""
        if len(self.files) == 1:
            return self.files[0]
        if self._by_tree is not None:
            f = self._by_tree.get((hash(node) ^ node.id) or node.id)  # a root: hash is its id
            if f is not None:
                return f
        return self._by_line(node)

    def _by_line(self, node: Node) -> SourceFile:
        """file_of without the hash: a node's start point and start byte say where its line
        starts, and few files have a line `row` starting at the same byte: the line index tells
        the file, and a climb settles the rest."""
        row, column = node.start_point
        f = self._line_index.get(((node.start_byte - column) << 32) | row)
        if f is not None:
            return f
        return self._climb_to_file(node)

    @cached_property
    def _by_tree(self) -> dict[int, SourceFile] | None:
        """Root node id -> file, when node hashes name their tree as described in `file_of`."""
        for f in self.files:
            root = f.tree.root_node
            child = root.child(0)
            if child is not None:
                return self._by_root if (hash(child) ^ child.id) == root.id else None
        return None

    @cached_property
    def _line_index(self) -> dict[int, SourceFile | None]:
        """(byte offset of a line's start << 32 | its row) -> the file with that line, or None
        when several have it (a common header, identical files)."""
        # Built by C-level loops (map, zip, set operations): a Python loop over the lines of a
        # large package cost a second over the Go library.
        index: dict[int, SourceFile | None] = {}
        shared: set[int] = set()
        for f in self.files:
            keys = list(map(operator.or_, map(operator.lshift, f.line_starts, itertools.repeat(32)),
                            itertools.count()))
            shared.update(index.keys() & keys)
            index.update(zip(keys, itertools.repeat(f)))
        index.update(zip(shared, itertools.repeat(None)))
        return index

    def _climb_to_file(self, node: Node) -> SourceFile:
        known = self._file_by_id.get(node.id)
        if known is not None:
            return known
        root = node
        while root.parent is not None:
            root = root.parent
        f = self._by_root.get(root.id)
        if f is None:
            raise LookupError("node does not belong to this package")
        self._file_by_id[node.id] = f
        return f

    def top_level(self, node: Node) -> Node:
        """The top-level declaration holding `node` (or `node` itself at the top): one step down
        from the root, where climbing would cost the depth at every step."""
        root = self.file_of(node).tree.root_node
        if node == root:
            return node
        top = root.child_with_descendant(node)
        return top if top is not None else node

    def text(self, node: Node) -> str:
        return self.file_of(node).text(node)

    def lang_version(self, node: Node) -> Version:
        return self.file_of(node).lang_version

    def options(self, rule: Rule) -> dict[str, OptionValue]:
        merged = rule.option_defaults
        merged.update(self._options.get(rule.code, {}))
        return merged

    # -- candidates --------------------------------------------------------------------
    def matches(self, rule: Rule) -> Iterator[Match]:
        """The rule's candidate matches from the combined query, outside broken functions;
        unless the rule has `test_candidates`, outside test code too (model/testcode.py:
        `_test.go` files, functions taking a *testing.T, B, F or testing.TB, and packages
        named for tests)."""
        from golinter.model.testcode import TestCode, is_test_support
        if not rule.test_candidates and is_test_support(self):
            return
        tests = None if rule.test_candidates else TestCode.for_package(self)
        for f in self.files:
            if tests is not None and f.is_test:
                continue
            for match in f.matches.get(rule.code, ()):
                first = next(iter(match.values()), None)
                if first is not None and not f.in_broken(first) \
                        and (tests is None or not tests.is_test_code(first)):
                    yield match

    # -- findings ----------------------------------------------------------------------
    def finding(self, rule: Rule, node: Node, message: str,
                related: Iterable[tuple[Node, str]] = (), level: Level | None = None) -> Finding:
        rel = tuple(Related(self.file_of(n).span(n), msg) for n, msg in related)
        return Finding(rule.code, rule.name, level or rule.level, message, self.file_of(node).span(node), rel)

    def close(self) -> None:
        """Drop the model: every provider's memos, then the providers. They refer to the package
        and to each other (cycles only a full collection frees, half a second over the Go
        library); emptied here, reference counting frees them now. The package is unusable after."""
        cached = [self.__dict__.pop(name) for name in _CACHED if name in self.__dict__]
        for provider in cached + list(self._facts.values()):
            if hasattr(provider, "__dict__"):
                vars(provider).clear()
        self._facts.clear()
        self._file_by_id.clear()

    # -- fact providers ----------------------------------------------------------------
    def fact(self, build: Callable[[Package], Provider]) -> Provider:
        """The provider `build` (its class, or a function) makes for this package, built on first
        use and kept: what go/analysis calls a required analyzer. The providers below are the
        first ones, as properties; later ones (flow, summaries, key roles, origins, mutations,
        test code) ask through here."""
        found = self._facts.get(build)
        if found is None:
            found = self._facts[build] = build(self)
        return cast("Provider", found)

    @cached_property
    def scopes(self) -> Scopes:
        from golinter.model.scopes import Scopes
        return Scopes(self)

    @cached_property
    def types(self) -> Typelite:
        from golinter.model.typelite import Typelite
        return Typelite(self)

    @cached_property
    def consts(self) -> Constants:
        from golinter.model.constants import Constants
        return Constants(self)

    @cached_property
    def storage(self) -> Storage:
        from golinter.model.storage import Storage
        return Storage(self)

    @cached_property
    def lifetimes(self) -> Lifetimes:
        from golinter.model.lifetimes import Lifetimes
        return Lifetimes(self)

    @cached_property
    def locks(self) -> Locksets:
        from golinter.model.locksets import Locksets
        return Locksets(self)

    @cached_property
    def concurrency(self) -> Concurrency:
        from golinter.model.concurrency import Concurrency
        return Concurrency(self)

    @cached_property
    def taint(self) -> Taint:
        from golinter.model.taint import Taint
        return Taint(self)


_CACHED = tuple(name for name, attr in vars(Package).items() if isinstance(attr, cached_property))


def enclosing(node: Node, node_kinds: frozenset[str]) -> Node | None:
    """The nearest strict ancestor of `node` whose kind is in `node_kinds`."""
    parent = node.parent
    while parent is not None:
        if parent.type in node_kinds:
            return parent
        parent = parent.parent
    return None


def enclosing_function(node: Node) -> Node | None:
    """The innermost function declaration, method declaration or func literal holding `node`."""
    return enclosing(node, kinds.FUNCTION_KINDS)
