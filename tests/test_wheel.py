"""golinter from a built wheel in a fresh virtual environment, as pre-commit and pip users get it.

The wheel is built from this checkout (`python -m build --wheel`, else `pip wheel --no-deps`) and
installed into a new venv with its dependencies from PyPI; commands then run from a directory
outside the checkout, with no PYTHONPATH, so the catalogue pages must come from the wheel
(`golinter/_rules`, hatch force-include) through importlib.resources. Slow: needs the network.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BAD = """package s

func reset(m map[string]int) {
	for k := range m {
		delete(m, k)
	}
}
"""

pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path, timeout: float = 1800) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "NO_COLOR", "FORCE_COLOR")
           and not k.startswith("GOLINTER_")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["GOLINTER_CACHE_DIR"] = str(cwd / ".golinter-cache")
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout)


def _build_wheel(out: Path) -> Path:
    try:
        import build  # noqa: F401
        command = [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(REPO)]
    except ImportError:
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(out), str(REPO)]
    proc = _run(command, out)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    wheels = sorted(out.glob("golinter-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """bin/ of a fresh venv with the wheel and its dependencies installed."""
    work = tmp_path_factory.mktemp("wheel")
    wheel = _build_wheel(work)
    env_dir = work / "venv"
    proc = _run([sys.executable, "-m", "venv", str(env_dir)], work)
    assert proc.returncode == 0, proc.stderr
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    proc = _run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], work)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return bin_dir


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A working directory away from the checkout, holding a Go module with one GML009 finding."""
    (tmp_path / "go.mod").write_text("module example.com/s\n\ngo 1.22\n", encoding="utf-8")
    (tmp_path / "bad.go").write_text(BAD, encoding="utf-8")
    return tmp_path


def _page(code: str) -> Path:
    pages = sorted((REPO / "rules").glob(f"{code}-*.md"))
    assert pages, f"rules/{code}-*.md is missing"
    return pages[0]


def _what_it_does(page_text: str) -> str:
    """The first paragraph under `## What it does`, its lines joined with spaces (read independently)."""
    body = page_text.split("\n## What it does\n", 1)[1].split("\n## ", 1)[0]
    paragraph = next(p for p in body.strip().split("\n\n") if p.strip())
    return " ".join(paragraph.split())


def test_wheel_imports_from_the_venv(venv: Path, outside: Path) -> None:
    proc = _run([str(venv / "python"), "-c", "import golinter; print(golinter.__file__)"], outside)
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()).resolve().is_relative_to(venv.parent.resolve())


def test_wheel_ships_every_catalogue_page(venv: Path, outside: Path) -> None:
    script = ("import importlib.resources as r; d = r.files('golinter') / '_rules'; "
              "print('\\n'.join(sorted(e.name for e in d.iterdir())))")
    proc = _run([str(venv / "python"), "-c", script], outside)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == sorted(p.name for p in (REPO / "rules").glob("*.md"))


def test_wheel_explain_prints_the_rules_page(venv: Path, outside: Path) -> None:
    page = _page("GML009").read_text(encoding="utf-8")
    for word in ("GML009", "delete-loop-use-clear"):
        proc = _run([str(venv / "golinter"), "explain", word], outside)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.rstrip("\n") == page.rstrip("\n")
        assert "is not installed" not in proc.stdout


def test_wheel_sarif_rules_carry_page_help(venv: Path, outside: Path) -> None:
    proc = _run([str(venv / "golinter"), "check", "--select", "GML009", "--format", "sarif", "."], outside)
    assert proc.returncode == 1, proc.stderr
    log = json.loads(proc.stdout)
    page_file = _page("GML009")
    page = page_file.read_text(encoding="utf-8")
    (rule,) = log["runs"][0]["tool"]["driver"]["rules"]
    assert rule["id"] == "GML009" and rule["name"] == "delete-loop-use-clear"
    assert rule["help"]["text"] == page
    assert rule["help"]["markdown"] == page
    assert rule["fullDescription"]["text"] == _what_it_does(page)
    assert rule["helpUri"].endswith(f"/rules/{page_file.name}")
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "GML009"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad.go"


def test_wheel_console_script_and_module_entry_points(venv: Path, outside: Path) -> None:
    script = _run([str(venv / "golinter"), "--version"], outside)
    module = _run([str(venv / "python"), "-m", "golinter", "--version"], outside)
    assert script.returncode == module.returncode == 0, script.stderr + module.stderr
    assert script.stdout == module.stdout
    assert script.stdout.startswith("golinter ") and "tree-sitter-go " in script.stdout

