"""The pre-commit hooks for real: `pre-commit try-repo` against this repository from a temporary git
repository whose files are `git add`-ed, as a user's commit would see them.

pre-commit installs the hook with `pip install .` into its own environment (from PyPI: needs the
network, and takes a while the first time), so these tests are slow; PRE_COMMIT_HOME is one
directory for the whole session, so the environment is built once. try-repo is pinned to this
repository's HEAD commit (`--ref`): the hooks and code under test are the committed ones, never
another developer's uncommitted work.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

REPO = Path(__file__).resolve().parents[1]
F = TypeVar("F", bound=Callable[..., object])

needs_pre_commit = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("pre-commit") is None, reason="pre-commit is not installed"),
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
]


def real_hook(test: F) -> F:
    """Mark a test that runs the real pre-commit: slow, and skipped without pre-commit or git."""
    for mark in needs_pre_commit:
        test = mark(test)
    return test


def test_precommit_hooks_file_matches_spec() -> None:
    yaml = pytest.importorskip("yaml")
    listed = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hooks = {h["id"]: h for h in listed}
    assert set(hooks) == {"golinter", "golinter-full"}
    for hook in hooks.values():
        assert hook["entry"] == "golinter check"
        assert hook["language"] == "python"
        assert hook["types"] == ["go"]
        assert hook["require_serial"] is True
        assert hook["minimum_pre_commit_version"] == "3.0.0"
    assert hooks["golinter"].get("pass_filenames", True) is True
    assert hooks["golinter-full"]["pass_filenames"] is False
    assert hooks["golinter-full"]["always_run"] is True

BAD = """package s

// Reset empties the map between runs.
func Reset(m map[string]int) {
	for k := range m {
		delete(m, k)
	}
}
"""
CLEAN = """package s

func size(m map[string]int) int {
	return len(m)
}
"""


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="session")
def head() -> str:
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    return _git("rev-parse", "HEAD", cwd=REPO)


@pytest.fixture
def user_repo(tmp_path: Path) -> Path:
    """A user's repository: go.mod (go 1.22), a config selecting GML009, a bad and a clean file."""
    repo = tmp_path / "service"
    repo.mkdir()
    _git("init", "-q", cwd=repo)
    (repo / "go.mod").write_text("module example.com/s\n\ngo 1.22\n", encoding="utf-8")
    (repo / ".golinter.toml").write_text('select = ["GML009"]\n', encoding="utf-8")
    (repo / "bad.go").write_text(BAD, encoding="utf-8")
    (repo / "clean.go").write_text(CLEAN, encoding="utf-8")
    (repo / "NOTES.md").write_text("# not Go\n", encoding="utf-8")
    _git("add", ".", cwd=repo)
    return repo


def try_repo(user_repo: Path, home: Path, head: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOLINTER_")}
    env.update(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never", NO_COLOR="1",
               GOLINTER_CACHE_DIR=str(home / "golinter-cache"))
    return subprocess.run(["pre-commit", "try-repo", str(REPO), *args, "--ref", head, "--color", "never"],
                          cwd=user_repo, capture_output=True, text=True, env=env, timeout=1800)


def test_precommit_readme_snippet_names_our_hooks() -> None:
    yaml = pytest.importorskip("yaml")
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## pre-commit\n", 1)[1].split("\n## ", 1)[0]
    config = yaml.safe_load(section.split("```yaml\n", 1)[1].split("```", 1)[0])
    (repo,) = config["repos"]
    from golinter.catalog import INFORMATION_URI

    assert repo["repo"] == INFORMATION_URI and repo["rev"]
    hooks = {h["id"] for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert [h["id"] for h in repo["hooks"]] == ["golinter", "golinter-full"]
    assert {h["id"] for h in repo["hooks"]} <= hooks


@real_hook
def test_precommit_bad_file_fails_with_the_finding(user_repo: Path, pre_commit_home: Path, head: str) -> None:
    proc = try_repo(user_repo, pre_commit_home, head, "golinter", "--files", "bad.go")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "golinter" in output and "Failed" in output
    assert ("bad.go:5:2: GML009 loop deletes every key of m; use clear(m) (neither frees the buckets)"
            " (delete-loop-use-clear)") in output
    assert "Traceback" not in output


@real_hook
def test_precommit_clean_file_passes(user_repo: Path, pre_commit_home: Path, head: str) -> None:
    proc = try_repo(user_repo, pre_commit_home, head, "golinter", "--files", "clean.go")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "Passed" in output
    assert "GML009" not in output  # bad.go is a sibling in the package, but not a file being committed


@real_hook
def test_precommit_non_go_files_skip_the_hook(user_repo: Path, pre_commit_home: Path, head: str) -> None:
    proc = try_repo(user_repo, pre_commit_home, head, "golinter", "--files", "NOTES.md")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "Skipped" in output


@real_hook
def test_precommit_full_hook_checks_whole_repository(user_repo: Path, pre_commit_home: Path,
                                                     head: str) -> None:
    proc = try_repo(user_repo, pre_commit_home, head, "golinter-full", "--files", "clean.go")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "bad.go:5:2: GML009" in output  # pass_filenames: false, so not only clean.go
