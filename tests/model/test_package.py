"""golinter/model/package.py: which file a node is in, also among identical files."""
from __future__ import annotations

import pytest
from _modelkit import package

from golinter import parse
from golinter.model.package import Package

# Two files with the same text: the line index alone cannot tell them apart.
SAME = "package p\n\nfunc f(m map[string]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n"


def _every_node(pkg: Package) -> list[tuple[str, object]]:
    return [(f.path, node) for f in pkg.files for node in parse.walk(f.tree.root_node)]


@pytest.mark.parametrize("by_hash", [True, False])
def test_file_of_names_the_file_of_every_node(by_hash: bool) -> None:
    pkg = package({"a.go": SAME, "b.go": SAME, "c.go": "package p\n\nvar x = 1\n"})
    if not by_hash:
        pkg.__dict__["_by_tree"] = None  # as if node hashes did not name their tree
    else:
        assert pkg._by_tree is not None  # py-tree-sitter as pinned: the hash names the tree
    for path, node in _every_node(pkg):
        assert pkg.file_of(node).path == path  # type: ignore[arg-type]


def test_may_name_indexes_a_file_s_words_after_a_few_searches() -> None:
    from golinter.model import package as package_module
    src = "package p\n\n// café\nfunc run(x int) int { return x + 0x1f }\nvar é = run\n"
    pkg = package({"a.go": src})
    f = pkg.files[0]
    # before the index: every name may be there
    assert all(f.may_name(b"absent") for _ in range(package_module._SEARCHES_BEFORE_INDEX))
    # indexed: exactly the maximal runs of ASCII identifier bytes
    assert f.may_name(b"run") and f.may_name(b"x") and f.may_name(b"caf") and f.may_name(b"0x1f")
    assert not f.may_name(b"absent") and not f.may_name(b"ru") and not f.may_name(b"un")
    assert f.may_name("é".encode())  # a non-ASCII name is always searched
