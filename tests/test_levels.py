"""Finding levels through `golinter check`: a check's own level is kept (GML001 notes stay
notes) unless the config sets `[rules.X] level`, which overrides every finding of the rule."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SRC = """package lvl

// BuildIndex fills the map it presizes: a note, not a warning.
func BuildIndex(keys []string) map[string]int {
	idx := make(map[string]int, 1<<20)
	for i, k := range keys {
		idx[k] = i
	}
	return idx
}

// cache pays its preallocation in every binary that imports the package: a warning.
var cache = make(map[string]int, 1<<20)
"""


def _levels(tmp_path: Path, config: str | None) -> list[str]:
    (tmp_path / "go.mod").write_text("module example.com/lvl\n\ngo 1.22\n")
    (tmp_path / "a.go").write_text(SRC)
    args = [sys.executable, "-m", "golinter", "check", ".", "--no-cache", "--format", "json"]
    if config is not None:
        (tmp_path / ".golinter.toml").write_text(config)
        args += ["--config", str(tmp_path / ".golinter.toml")]
    out = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert out.returncode == 1, out.stderr
    return [f["level"] for f in json.loads(out.stdout)["findings"]]


def test_levels_keep_the_checks_own_level_without_config(tmp_path: Path) -> None:
    assert _levels(tmp_path, None) == ["note", "warning"]


def test_levels_configured_level_overrides_every_finding_of_the_rule(tmp_path: Path) -> None:
    assert _levels(tmp_path, '[rules.GML001]\nlevel = "error"\n') == ["error", "error"]
