"""Baselines and atomic writes."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from golinter.baseline import filter_new, load_baseline, write_baseline
from golinter.errors import InputError
from golinter.findings import Finding, Level, Span
from golinter.fsutil import write_atomic


def _finding(fingerprint: str) -> Finding:
    return Finding(code="GML003", name="n", level=Level.ERROR, message="m", fingerprint=fingerprint,
                   span=Span(path="/x/p.go", line=1, column=1, end_line=1, end_column=2))


def test_baseline_round_trip_and_filter(tmp_path: Path) -> None:
    path = str(tmp_path / "baseline.json")
    write_baseline(path, [_finding("bbbbbbbbbbbbbbbb"), _finding("aaaaaaaaaaaaaaaa"), _finding("bbbbbbbbbbbbbbbb")])
    data = json.loads(Path(path).read_text())
    assert data == {"version": 1, "fingerprints": ["aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"]}
    baseline = load_baseline(path)
    assert baseline == frozenset({"aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"})
    new, old, unprinted = _finding("cccccccccccccccc"), _finding("aaaaaaaaaaaaaaaa"), _finding("")
    assert filter_new([old, new, unprinted], baseline) == (new, unprinted)


def test_baseline_write_is_deterministic(tmp_path: Path) -> None:
    one, two = str(tmp_path / "1.json"), str(tmp_path / "2.json")
    write_baseline(one, [_finding("b" * 16), _finding("a" * 16)])
    write_baseline(two, [_finding("a" * 16), _finding("b" * 16)])
    assert Path(one).read_bytes() == Path(two).read_bytes()


@pytest.mark.parametrize("content", ["{not json", "[]", '{"version": 2, "fingerprints": []}',
                                     '{"version": 1, "fingerprints": [1]}', '{"version": 1}'])
def test_load_baseline_rejects_corrupt_files(tmp_path: Path, content: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(content)
    with pytest.raises(InputError, match="regenerate it with --write-baseline"):
        load_baseline(str(path))


def test_load_baseline_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read baseline .*nope.json"):
        load_baseline(str(tmp_path / "nope.json"))


def test_write_atomic_replaces_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.sarif"
    target.write_text("old")
    write_atomic(str(target), "new\r\n✓")
    assert target.read_bytes() == "new\r\n✓".encode()
    assert os.listdir(tmp_path) == ["out.sarif"]


def test_write_atomic_missing_directory_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot write .*out.json"):
        write_atomic(str(tmp_path / "no" / "such" / "out.json"), "x")


def test_write_atomic_to_directory_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        write_atomic(str(tmp_path), "x")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes anywhere")
def test_write_atomic_read_only_directory_is_input_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(InputError, match="cannot write"):
            write_atomic(str(locked / "out.txt"), "x")
    finally:
        locked.chmod(0o700)
