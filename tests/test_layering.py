"""Imports follow the data flow (STYLE.md Part 2, item 15), read with `ast`, hint-only imports included.

discover -> parse -> model -> checks -> suppress -> report, with the engine orchestrating and cli.py
on top: parse knows nothing of the model or checks, the model no check, no output format and no
command line, checks no output format, command line, run pipeline or engine, and the engine no click.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "golinter"

# module (or folder of modules) -> module prefixes it must not import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "parse.py": ("golinter.model", "golinter.checks", "golinter.engine", "golinter.report", "golinter.cli",
                 "golinter.run", "click"),
    "context_only.py": ("golinter.model", "golinter.checks", "golinter.engine", "golinter.report", "golinter.cli",
                        "golinter.run", "click"),
    "model": ("golinter.checks", "golinter.report", "golinter.cli", "golinter.run", "golinter.engine",
              "click"),
    "checks": ("golinter.report", "golinter.cli", "golinter.run", "golinter.engine", "click"),
    "engine.py": ("click", "golinter.cli", "golinter.run", "golinter.report"),
}
# Rule metadata is plain data every layer reads, as findings.py is: `pkg.finding(RULE, ...)` and
# `pkg.options(RULE)` take it, so the model may name `golinter.checks.base` (no check module).
ALLOWED: tuple[str, ...] = ("golinter.checks.base",)


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, package_dir: Path = PACKAGE) -> list[tuple[int, str]]:
    """(line, absolute module) for every import in the file, at any depth, relative ones resolved.

    `from golinter import checks` counts as `golinter.checks`: the name may be a module.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    name = module_name(path, package_dir)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names if alias.name != "*"]
    return found


def violations(path: Path, forbidden: tuple[str, ...], package_dir: Path = PACKAGE) -> list[str]:
    rel = path.relative_to(package_dir.parent)
    return sorted({f"{rel}:{line}: imports {name}" for line, name in imported_modules(path, package_dir)
                   for bad in forbidden if _under(name, bad) and not any(_under(name, ok) for ok in ALLOWED)})


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def files_of(target: str) -> list[Path]:
    path = PACKAGE / target
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


@pytest.mark.parametrize("target", sorted(FORBIDDEN))
def test_layering_imports_follow_the_data_flow(target: str) -> None:
    files = files_of(target)
    assert files, f"golinter/{target} not found"
    bad = [v for path in files for v in violations(path, FORBIDDEN[target])]
    assert not bad, "imports against the layering:\n  " + "\n  ".join(bad)


def test_layering_reader_sees_every_import_form(tmp_path: Path) -> None:
    """The reader itself: plain, from, relative, nested in functions and under TYPE_CHECKING."""
    pkg = tmp_path / "golinter" / "model"
    pkg.mkdir(parents=True)
    sample = pkg / "sample.py"
    sample.write_text(
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "import golinter.report.sarif\n"
        "from golinter import checks\n"
        "from ..cli import main\n"
        "from . import scopes\n"
        "if TYPE_CHECKING:\n"
        "    from golinter.run import CheckRequest\n"
        "def f() -> None:\n"
        "    import click\n"
        "from golinter.checks.base import Rule\n", encoding="utf-8")  # allowed: rule metadata
    names = {name for _line, name in imported_modules(sample, tmp_path / "golinter")}
    got = violations(sample, FORBIDDEN["model"], tmp_path / "golinter")
    assert {"golinter.report.sarif", "golinter.checks", "golinter.cli", "golinter.cli.main",
            "golinter.model.scopes", "golinter.run", "click"} <= names
    assert {(int(v.split(":")[1]), v.split(": imports ")[1]) for v in got} == {
        (3, "golinter.report.sarif"), (4, "golinter.checks"), (5, "golinter.cli"), (5, "golinter.cli.main"),
        (8, "golinter.run"), (8, "golinter.run.CheckRequest"), (10, "click")}
