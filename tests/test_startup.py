"""What a warm run imports (SPEC 9): `golinter check one_file.go` with its package cached loads
no parser, no model, no check, no process pool and no other report format than the one asked.

Read from sys.modules at the end of the run; not timed.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Module prefixes a warm single-file run must not import, and why they are heavy.
NOT_WHEN_WARM = (
    "tree_sitter", "tree_sitter_go", "golinter.parse",     # the parser: only for dirty packages
    "golinter.model", "golinter.checks.gml",                # the model and the checks (~60 ms)
    "concurrent.futures", "multiprocessing",                # the process pool
    "pathspec",                                             # only with exclude patterns
    "sarif_om", "jsonschema", "golinter.report.sarif",      # other report formats
    "golinter.report.github", "golinter.baseline",
)

GO_A = "package p\n\nfunc Reset(m map[string]int) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n"
GO_B = "package p\n\nvar table = map[string]int{}\n"


def _imported(args: list[str], cwd: Path, cache: Path) -> set[str]:
    """The modules loaded by the end of `python -m golinter ARGS` (sys.modules, written at exit:
    -X importtime misses modules loaded through importlib.import_module)."""
    dump = cwd / "modules.txt"
    program = ("import atexit, runpy, sys\n"
               f"atexit.register(lambda: open({str(dump)!r}, 'w').write('\\n'.join(sorted(sys.modules))))\n"
               "sys.argv[0] = 'golinter'\n"
               "runpy.run_module('golinter', run_name='__main__', alter_sys=True)\n")
    env = {**os.environ, "GOLINTER_CACHE_DIR": str(cache), "PYTHONPATH": str(REPO)}
    run = subprocess.run([sys.executable, "-c", program, *args], check=False, cwd=cwd, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode in (0, 1), run.stderr
    return set(dump.read_text().splitlines())


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") or
                                            (p.endswith(".gml") and m.startswith(p)) for p in NOT_WHEN_WARM))


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_startup_warm_single_file_imports_no_parser_model_or_checks(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "go.mod").write_text("module example.com/p\n\ngo 1.22\n")
    (tmp_path / "a.go").write_text(GO_A)
    (tmp_path / "b.go").write_text(GO_B)
    cache = tmp_path / "cache"
    args = ["check", "a.go", "--select", "ALL", "--format", fmt]
    cold = _imported(args, tmp_path, cache)
    assert "tree_sitter" in cold and "golinter.checks.gml009_delete_loop_use_clear" in cold  # the test can fail
    other_format = {"text": "golinter.report.json", "json": "golinter.report.text"}[fmt]
    heavy: list[str] = []
    for _attempt in range(3):  # another process editing golinter's sources invalidates the cache: retry
        warm = _imported(args, tmp_path, cache)
        heavy = _heavy(warm) + ([other_format] if other_format in warm else [])
        if not heavy:
            break
    assert not heavy, f"a warm run imported {heavy}"


def test_startup_whole_package_run_warms_the_named_file_run(tmp_path: Path) -> None:
    """A directory run caches the package; naming one of its files afterwards is warm."""
    (tmp_path / "a.go").write_text(GO_A)
    (tmp_path / "b.go").write_text(GO_B)
    cache = tmp_path / "cache"
    heavy: list[str] = []
    for _attempt in range(3):
        _imported(["check", "."], tmp_path, cache)
        heavy = _heavy(_imported(["check", "b.go"], tmp_path, cache))
        if not heavy:
            break
    assert not heavy, f"a warm run imported {heavy}"


def test_startup_run_keeps_file_heads_for_the_next_discovery(tmp_path: Path) -> None:
    """The cache's stat index holds what discovery read from each head (the next warm run
    opens no unchanged file), and what the engine hashed."""
    from golinter.cache import ResultStore

    (tmp_path / "a.go").write_text(GO_A)
    (tmp_path / "b.go").write_text(GO_B)
    cache = tmp_path / "cache"
    _imported(["check", "a.go"], tmp_path, cache)
    index = ResultStore.open(str(cache)).stat_index()
    assert set(index.heads) == {str(tmp_path / "a.go"), str(tmp_path / "b.go")}
    assert set(index.entries) == set(index.heads)
