"""STYLE.md item 10: `mypy --strict golinter` passes (run as part of the test suite, so CI keeps it)."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed")
def test_typing_mypy_strict_passes_on_the_package() -> None:
    out = subprocess.run([sys.executable, "-m", "mypy", "--strict", "golinter"], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
