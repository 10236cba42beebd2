"""GML005 pointer-retained-after-delete: what the `// want` lines cannot express: the advice
when the function keeps the dropped elements in another slice before the removal."""
from __future__ import annotations

from pathlib import Path

from golinter.checks import ALL_CHECKS
from golinter.discover import discover
from golinter.engine import Settings, run_packages

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "GML005"


def test_gml005_advice_copies_out_a_taken_batch_before_zeroing() -> None:
    out = run_packages(discover([str(FIXTURES / "bad_slice_removal")]).packages, Settings(), jobs=1, checks=ALL_CHECKS)
    by_file = {(Path(f.span.path).name, f.span.line): f.message for f in out.findings if f.code == "GML005"}
    batch = by_file[("batches.go", 24)]
    assert "clear(b.pending[:n]) first" in batch
    assert "copy out what line 23 takes from it beforehand (slices.Clone)" in batch
    assert not any("slices.Clone" in m for (name, _line), m in by_file.items() if name != "batches.go")
