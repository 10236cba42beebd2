"""Teardown (model/teardown.py): helpers that only Close, Shutdown or Stop call."""
from __future__ import annotations

import pytest

from golinter import kinds
from golinter.model.teardown import called_only_at_teardown

from _modelkit import package

HEAD = "package p\n\nimport \"sync\"\n\ntype ring struct{ q []*int }\n\ntype Ring struct{ q []*int }\n\n" \
       "var pool sync.Pool\n\n"


def _helper(src: str, name: str, test: str = "") -> bool:
    files = {"a.go": HEAD + src}
    if test:
        files["a_test.go"] = "package p\n\n" + test
    pkg = package(files)
    [decl] = [n for n in pkg.files[0].tree.root_node.named_children
              if n.type in (kinds.FUNCTION_DECLARATION, kinds.METHOD_DECLARATION)
              and pkg.text(n.child_by_field_name("name")) == name]  # type: ignore[arg-type]
    return called_only_at_teardown(pkg, decl)


@pytest.mark.parametrize("src, name, test, expected", [
    ("func (r *ring) drain() { r.q = r.q[:0] }\nfunc (r *ring) Close() { r.drain() }\n", "drain", "", True),
    # an exported method of an unexported type: other packages cannot name the type
    ("func (r *ring) Drain() { r.q = r.q[:0] }\nfunc (r *ring) Stop() { r.Drain() }\n", "Drain", "", True),
    # tests may call it anywhere
    ("func (r *ring) drain() { r.q = r.q[:0] }\nfunc (r *ring) Close() { r.drain() }\n", "drain",
     "func use(r *ring) { r.drain() }\n", True),
    # exported: callers elsewhere are not seen
    ("func (r *Ring) Drain() { r.q = r.q[:0] }\nfunc (r *Ring) Close() { r.Drain() }\n", "Drain", "", False),
    # also called while the value lives on, or as a method value, or never
    ("func (r *ring) drain() { r.q = r.q[:0] }\nfunc (r *ring) Close() { r.drain() }\n"
     "func (r *ring) Flush() { r.drain() }\n", "drain", "", False),
    ("func (r *ring) drain() { r.q = r.q[:0] }\nfunc (r *ring) Close() { f := r.drain; f() }\n", "drain", "", False),
    ("func (r *ring) drain() { r.q = r.q[:0] }\n", "drain", "", False),
    # a Close that puts the value back into a pool does not retire it
    ("func (r *ring) reset() { r.q = r.q[:0] }\nfunc (r *ring) Close() { r.reset(); pool.Put(r) }\n", "reset", "",
     False),
])
def test_called_only_at_teardown(src: str, name: str, test: str, expected: bool) -> None:
    assert _helper(src, name, test) is expected
