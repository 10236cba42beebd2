"""Swaps: whether the slot a pop leaves behind holds a copy of an element moved down."""
from __future__ import annotations

import pytest

from golinter.model.storage import StorageKey
from golinter.model.swaps import copies_last_down
from golinter.model.typelite import unparen
from tests.model.test_removals import assignment

KEY = StorageKey("type:T", ("s",))


@pytest.mark.parametrize("code, copied", [
    # a one-way copy of the last element into the hole: the slot keeps a second copy
    ("t.s[i] = t.s[len(t.s)-1]\n\tt.s = t.s[:len(t.s)-1]", True),
    ("last := len(t.s) - 1\n\tt.s[i] = t.s[last]\n\tt.s = t.s[:last]", True),
    ("n := len(t.s)\n\tif i != n-1 {\n\t\tt.s[i] = t.s[n - 1]\n\t}\n\tt.s = t.s[:n-1]", True),
    # a two-way swap puts the removed element itself in the last slot
    ("last := len(t.s) - 1\n\tt.s[i], t.s[last] = t.s[last], t.s[i]\n\tt.s = t.s[:last]", False),
    # a plain pop, a copy from another slot or another slice, a copy after the reslice
    ("t.s = t.s[:len(t.s)-1]", False),
    ("t.s[i] = t.s[0]\n\tt.s = t.s[:len(t.s)-1]", False),
    ("u := make([]*int, 9)\n\tt.s[i] = u[len(t.s)-1]\n\tt.s = t.s[:len(t.s)-1]", False),
    ("u := t.s\n\tt.s[i] = u[len(t.s)-1]\n\tt.s = t.s[:len(t.s)-1]", True),  # u is t.s
    ("t.s = t.s[:len(t.s)-1]\n\tt.s[i] = t.s[len(t.s)-1]", False),
])
def test_copies_last_down(code: str, copied: bool) -> None:
    pkg, stmt = next((pkg, s) for nth in range(4) for pkg, s in [assignment(code, nth)]
                     if pkg.text(s).startswith("t.s = t.s[:"))
    right = stmt.child_by_field_name("right")
    assert right is not None
    end = unparen(right.named_children[0]).child_by_field_name("end")
    assert end is not None
    assert pkg.storage.key(stmt.child_by_field_name("left").named_children[0]) == KEY  # type: ignore[union-attr]
    assert copies_last_down(pkg, KEY, stmt, end) is copied
