"""Byte-identical reports (SPEC section 7): run twice, `--jobs 1` against `--jobs 2`, no cache
against a cold and a warm cache, in JSON and SARIF, as real processes.

The tree is every fixture package copied COPIES times (so the source passes the engine's
in-process threshold and `--jobs 2` really uses the pool; identical packages in different
directories also check that cached results never carry another directory's paths), plus a package
of bad input (a syntax error, non-UTF-8 text, an empty file, a broken link) for notification order.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from golinter.engine import IN_PROCESS_BYTES

REPO = Path(__file__).resolve().parents[1]
COPIES = 14
COMMON = ("check", "tree", "--select", "ALL")

pytestmark = pytest.mark.slow


def build_tree(base: Path) -> Path:
    tree = base / "tree"
    for i in range(COPIES):
        shutil.copytree(REPO / "fixtures", tree / f"copy{i:02d}")
    bad = tree / "bad"
    bad.mkdir()
    (bad / "go.mod").write_text("module example.com/bad\n\ngo 1.22\n")
    (bad / "syntax.go").write_text("package bad\n\nfunc f(m map[string]int) {\n\tmu.Lock(\n\tfor k := range m {\n"
                                   "\t\tdelete(m, k)\n\t}\n}\n\nfunc g(m map[int]int) {\n\tfor k := range m {\n"
                                   "\t\tdelete(m, k)\n\t}\n}\n")
    (bad / "latin1.go").write_bytes(b"package bad\n\n// caf\xe9\nvar s = \"cr\xe8me\"\n")
    (bad / "empty.go").write_bytes(b"")
    (bad / "gone.go").symlink_to("nowhere.go")
    return tree


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("determinism")
    tree = build_tree(root)
    size = sum(p.stat().st_size for p in tree.rglob("*.go") if p.is_file() and not p.is_symlink())
    assert size > IN_PROCESS_BYTES, "too small for the pool: raise COPIES"
    return root


def report(base: Path, *args: str) -> bytes:
    """The report a run writes with -o (stdout and stderr carry times and progress, not compared)."""
    out = base / "out.report"
    if out.exists():
        out.unlink()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "GOLINTER_CACHE_DIR")}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-c", "from golinter.cli import main; main()", *COMMON, *args,
                           "-o", str(out)], check=False, cwd=base, capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 1, proc.stderr[-3000:]  # the fixtures have findings; nothing internal
    assert "Traceback" not in proc.stderr
    return out.read_bytes()


@pytest.fixture(scope="module")
def no_cache_jobs1(base: Path) -> dict[str, bytes]:
    return {fmt: report(base, "--format", fmt, "--no-cache", "--jobs", "1") for fmt in ("json", "sarif")}


def test_determinism_two_runs_are_byte_identical(base: Path, no_cache_jobs1: dict[str, bytes]) -> None:
    assert report(base, "--format", "json", "--no-cache", "--jobs", "1") == no_cache_jobs1["json"]
    assert b'"syntax-error"' in no_cache_jobs1["json"] and b'"not-utf8"' in no_cache_jobs1["json"]


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_determinism_pool_matches_in_process(base: Path, no_cache_jobs1: dict[str, bytes], fmt: str) -> None:
    assert report(base, "--format", fmt, "--no-cache", "--jobs", "2") == no_cache_jobs1[fmt]


def test_determinism_cold_and_warm_cache_match_no_cache(base: Path, no_cache_jobs1: dict[str, bytes],
                                                        tmp_path: Path) -> None:
    cache = str(tmp_path / "cache")
    assert report(base, "--format", "json", "--cache-dir", cache, "--jobs", "2") == no_cache_jobs1["json"]  # cold
    assert report(base, "--format", "json", "--cache-dir", cache, "--jobs", "2") == no_cache_jobs1["json"]  # warm
    assert report(base, "--format", "sarif", "--cache-dir", cache, "--jobs", "1") == no_cache_jobs1["sarif"]
