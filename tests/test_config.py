"""Tests for golinter/config.py: .golinter.toml validation, selectors, CLI merge, sizes, versions."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from golinter import config as cfg
from golinter.checks.base import Nature, Precision, Rule
from golinter.config import (
    Config,
    FileIgnores,
    apply_cli,
    enabled_codes,
    find_config,
    ignored_codes_for,
    level_for,
    load_config,
    options_for,
    parse_size,
    resolve_selection,
)
from golinter.errors import ConfigError
from golinter.findings import Level

RULES = (
    Rule(code="GML001", name="oversized-map-hint", summary="s", nature=Nature.PERFORMANCE,
         level=Level.WARNING, precision=Precision.HIGH,
         options=(("max-bytes", "4MiB"), ("max-bytes-in-loop", "256KiB"), ("in-tests", False))),
    Rule(code="GML003", name="unguarded-concurrent-map-write", summary="s", nature=Nature.CRASH,
         level=Level.ERROR, precision=Precision.HIGH,
         options=(("spawners", ()), ("max-depth", 3), ("ratio", 0.5), ("mode", "strict"))),
    Rule(code="GML009", name="delete-loop-use-clear", summary="s", nature=Nature.STYLE,
         level=Level.NOTE, precision=Precision.VERY_HIGH, enabled_by_default=False),
    Rule(code="GML010", name="other-rule", summary="s", nature=Nature.MEMORY,
         level=Level.NOTE, precision=Precision.HIGH),
)
RULE_BY_CODE = {r.code: r for r in RULES}


def load(tmp_path: Path, text: str) -> Config:
    path = tmp_path / ".golinter.toml"
    path.write_text(text)
    return load_config(str(path), RULES, cwd=str(tmp_path))


def load_error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text)
    return str(info.value)


# --- defaults and the spec's example --------------------------------------------------------


def test_load_config_defaults_without_file(tmp_path: Path) -> None:
    config = load_config(None, RULES, cwd=str(tmp_path))
    assert config.path is None
    assert config.base_dir == str(tmp_path)
    assert config.select == ("GML001", "GML003", "GML010")
    assert config.ignore == ()
    assert config.exclude == ()
    assert config.max_file_size == 10 * 1024 * 1024
    assert options_for(config, "GML001") == {"max-bytes": 4 * 2**20, "max-bytes-in-loop": 256 * 2**10,
                                             "in-tests": False}
    assert options_for(config, "GML003") == {"spawners": (), "max-depth": 3, "ratio": 0.5, "mode": "strict"}
    assert options_for(config, "GML009") == {}
    assert enabled_codes(config, RULES) == ("GML001", "GML003", "GML010")


def test_load_config_spec_example(tmp_path: Path) -> None:
    config = load(tmp_path, """
required-version = ">=0.1"
select = ["GML"]
ignore = []
extend-exclude = ["third_party/**"]
max-file-size = "1MB"
[per-file-ignores]
"**/*_test.go" = ["GML001"]
[rules.GML001]
max-bytes = "8MiB"
max-bytes-in-loop = 1000
level = "warning"
[rules.GML003]
spawners = ["conc.WaitGroup.Go"]
level = "note"
""")
    assert config.path == str(tmp_path / ".golinter.toml")
    assert config.base_dir == str(tmp_path)
    assert config.select == ("GML",)
    assert config.exclude == ("third_party/**",)
    assert config.max_file_size == 1_000_000
    assert config.required_version == ">=0.1"
    assert config.per_file_ignores == (("**/*_test.go", ("GML001",)),)
    assert options_for(config, "GML001") == {"max-bytes": 8 * 2**20, "max-bytes-in-loop": 1000, "in-tests": False}
    assert options_for(config, "GML003")["spawners"] == ("conc.WaitGroup.Go",)
    assert config.rule_levels == (("GML001", Level.WARNING), ("GML003", Level.NOTE))
    assert level_for(config, RULE_BY_CODE["GML003"]) is Level.NOTE
    assert level_for(config, RULE_BY_CODE["GML010"]) is Level.NOTE
    assert enabled_codes(config, RULES) == ("GML001", "GML003", "GML010")


def test_load_config_exclude_replaces_and_extend_adds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cfg, "DEFAULT_EXCLUDES", ("default/**",))
    assert load(tmp_path, 'extend-exclude = ["x/"]').exclude == ("default/**", "x/")
    assert load(tmp_path, 'exclude = ["y/"]\nextend-exclude = ["x/"]').exclude == ("y/", "x/")
    assert load(tmp_path, "exclude = []").exclude == ()


def test_load_config_rule_table_by_name(tmp_path: Path) -> None:
    config = load(tmp_path, '[rules.oversized-map-hint]\nmax-bytes = 4096\n')
    assert options_for(config, "GML001")["max-bytes"] == 4096


# --- errors ---------------------------------------------------------------------------------


def test_load_config_unknown_top_level_key(tmp_path: Path) -> None:
    message = load_error(tmp_path, 'selct = ["GML"]')
    assert message.startswith(str(tmp_path / ".golinter.toml") + ": unknown key 'selct'")
    assert "accepted keys: required-version, select, ignore," in message
    assert message.endswith("did you mean 'select'?")


def test_load_config_unknown_rule_code(tmp_path: Path) -> None:
    message = load_error(tmp_path, "[rules.GML0001]\nlevel = 'note'\n")
    assert "rules: unknown rule 'GML0001'" in message
    assert "did you mean 'GML001'?" in message


def test_load_config_unknown_rule_option(tmp_path: Path) -> None:
    message = load_error(tmp_path, "[rules.GML001]\nmax-byte = 10\n")
    assert "unknown key 'max-byte' in [rules.GML001]" in message
    assert "accepted keys: max-bytes, max-bytes-in-loop, in-tests, level" in message
    assert "did you mean 'max-bytes'?" in message


@pytest.mark.parametrize(("text", "expected"), [
    ("select = 'GML'", "select: expected a list of strings, got string 'GML'"),
    ("ignore = [1]", "ignore: expected a list of strings, got array [1]"),
    ("required-version = 1", "required-version: expected a string, got integer 1"),
    ("rules = 3", "rules: expected a table, got integer 3"),
    ("per-file-ignores = []", "per-file-ignores: expected a table, got array []"),
    ("[rules.GML001]\nin-tests = 'yes'", "rules.GML001.in-tests: expected a boolean (true or false), got string"),
    ("[rules.GML003]\nmax-depth = true", "rules.GML003.max-depth: expected an integer, got boolean True"),
    ("[rules.GML003]\nmax-depth = 2.5", "rules.GML003.max-depth: expected an integer, got float 2.5"),
    ("[rules.GML003]\nratio = 'x'", "rules.GML003.ratio: expected a number, got string"),
    ("[rules.GML003]\nspawners = 'a.B'", "rules.GML003.spawners: expected a list of strings"),
    ("[rules.GML003]\nmode = 1", "rules.GML003.mode: expected a string, got integer 1"),
    ("[rules.GML001]\nmax-bytes = 'lots'", "rules.GML001.max-bytes: invalid size 'lots'"),
    ("[rules.GML001]\nmax-bytes = [1]", 'rules.GML001.max-bytes: expected a size such as "4MiB"'),
    ("[rules.GML001]\nlevel = 'warn'", "rules.GML001.level: invalid level 'warn'; accepted: error, warning, note; "
                                       "did you mean 'warning'?"),
    ("extend-exclude = ['!']", "exclude: invalid path pattern: Invalid git pattern: '!'"),
    ("[per-file-ignores]\n'\\' = []", "per-file-ignores.'\\\\': invalid path pattern"),
    ("max-file-size = '0'", "max-file-size: must be positive"),
    ("max-file-size = '10 furlongs'", "max-file-size: invalid size '10 furlongs'"),
])
def test_load_config_wrong_types(tmp_path: Path, text: str, expected: str) -> None:
    message = load_error(tmp_path, text)
    assert message.startswith(str(tmp_path / ".golinter.toml") + ": ")
    assert expected in message


def test_load_config_unknown_selector_with_suggestion(tmp_path: Path) -> None:
    message = load_error(tmp_path, 'select = ["oversized-map-hnt"]')
    assert ": select: unknown rule selector 'oversized-map-hnt'; use a code" in message
    assert message.endswith("; did you mean 'oversized-map-hint'?")
    message = load_error(tmp_path, '[per-file-ignores]\n"*.go" = ["gml003"]\n')
    assert ": per-file-ignores.'*.go': unknown rule selector 'gml003'" in message
    assert message.endswith("; did you mean 'GML003'?")


def test_load_config_toml_syntax_error(tmp_path: Path) -> None:
    message = load_error(tmp_path, 'select = ["GML"\nignore = []\n')
    assert message.startswith(str(tmp_path / ".golinter.toml") + ": invalid TOML: ")
    assert "line 2" in message


def test_load_config_missing_and_unreadable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config("nope.toml", RULES, cwd=str(tmp_path))
    (tmp_path / "dir.toml").mkdir()
    with pytest.raises(ConfigError, match="dir.toml: cannot read config file"):
        load_config("dir.toml", RULES, cwd=str(tmp_path))
    (tmp_path / "bad.toml").write_bytes(b'select = ["\xff"]')
    with pytest.raises(ConfigError, match="bad.toml: invalid TOML"):
        load_config("bad.toml", RULES, cwd=str(tmp_path))


def test_load_config_duplicate_rule_table(tmp_path: Path) -> None:
    message = load_error(tmp_path, "[rules.GML001]\nlevel='note'\n[rules.oversized-map-hint]\nlevel='note'\n")
    assert "GML001 is configured twice" in message


# --- required-version -----------------------------------------------------------------------


def test_required_version_mismatch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cfg, "__version__", "0.1.0")
    message = load_error(tmp_path, 'required-version = ">=0.2"')
    assert message.endswith("this project requires golinter >=0.2 (running 0.1.0); install a matching version")
    assert load(tmp_path, 'required-version = ">=0.1,<0.2"').required_version == ">=0.1,<0.2"
    assert load(tmp_path, 'required-version = "0.1"').required_version == "0.1"
    assert "invalid specifier" in load_error(tmp_path, 'required-version = "at least one"')


@pytest.mark.parametrize(("spec", "version", "expected"), [
    ("==0.1", "0.1.0", True), (">=0.2", "0.1.9", False), (">=0.1,<0.2", "0.1.5", True),
    ("~=0.1.2", "0.1.9", True), ("~=0.1.2", "0.2.0", False), ("!=0.1.0", "0.1.0", False),
    (">0.1", "0.1.1", True), ("<=1", "1.0.0", True), ("<1", "1.0.0", False),
])
def test_version_matching_agrees_with_fallback(spec: str, version: str, expected: bool) -> None:
    assert cfg.version_matches(spec, version) is expected
    assert cfg.simple_version_matches(spec, version) is expected


def test_simple_version_matches_rejects_garbage() -> None:
    with pytest.raises(ValueError):
        cfg.simple_version_matches(">= one", "0.1.0")


# --- selection ------------------------------------------------------------------------------


@pytest.mark.parametrize(("select", "ignore", "expected"), [
    (["GML"], [], ("GML001", "GML003", "GML010")),
    (["GML00"], [], ("GML001", "GML003")),
    (["GML009"], [], ("GML009",)),
    (["delete-loop-use-clear", "GML001"], [], ("GML001", "GML009")),
    (["ALL"], [], ("GML001", "GML003", "GML009", "GML010")),
    (["ALL"], ["GML00"], ("GML010",)),
    (["GML003"], ["GML"], ()),
    (["GML"], ["unguarded-concurrent-map-write"], ("GML001", "GML010")),
    ([], [], ()),
])
def test_resolve_selection(select: list[str], ignore: list[str], expected: tuple[str, ...]) -> None:
    assert resolve_selection(select, ignore, RULES) == expected


def test_resolve_selection_unknown() -> None:
    with pytest.raises(ConfigError, match="unknown rule selector 'XYZ'"):
        resolve_selection(["XYZ"], [], RULES)


def test_apply_cli_select_replaces_ignore_extends(tmp_path: Path) -> None:
    config = load(tmp_path, 'select = ["GML001"]\nignore = ["GML010"]')
    merged = apply_cli(config, select=["GML009,GML010", "GML003"], ignore=["GML003"], rules=RULES)
    assert merged.select == ("GML009", "GML010", "GML003")
    assert merged.ignore == ("GML010", "GML003")
    assert enabled_codes(merged, RULES) == ("GML009",)
    kept = apply_cli(config, select=None, ignore=[], rules=RULES)
    assert kept.select == ("GML001",)
    with pytest.raises(ConfigError, match="^--ignore: unknown rule selector 'GML5'"):
        apply_cli(config, select=None, ignore=["GML5"], rules=RULES)


# --- per-file-ignores -----------------------------------------------------------------------


def test_ignored_codes_for(tmp_path: Path) -> None:
    config = load(tmp_path, """
[per-file-ignores]
"**/*_test.go" = ["GML001"]
"gen/" = ["unguarded-concurrent-map-write", "GML00"]
"/top.go" = ["ALL"]
""")
    assert config.per_file_ignores == (
        ("**/*_test.go", ("GML001",)),
        ("gen/", ("GML001", "GML003", "GML009")),
        ("/top.go", ("GML001", "GML003", "GML009", "GML010")),
    )
    assert ignored_codes_for(config, str(tmp_path / "a/b/x_test.go")) == {"GML001"}
    assert ignored_codes_for(config, str(tmp_path / "gen/deep/x.go")) == {"GML001", "GML003", "GML009"}
    assert ignored_codes_for(config, str(tmp_path / "top.go")) == {"GML001", "GML003", "GML009", "GML010"}
    assert ignored_codes_for(config, str(tmp_path / "sub/top.go")) == frozenset()
    outside = os.path.join(os.path.dirname(tmp_path), "elsewhere", "x_test.go")
    assert FileIgnores(config).codes_for(outside) == frozenset()


# --- sizes and discovery --------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    (4096, 4096), ("4096", 4096), ("4MiB", 4 * 2**20), ("256KiB", 256 * 1024), ("1MB", 10**6),
    ("1 GB", 10**9), ("2gib", 2 * 2**30), ("1.5KiB", 1536), ("10B", 10), (0, 0),
])
def test_parse_size(text: str | int, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "MiB", "4 MiBs", "-1", -1, "1e6", "4 Mb!", True])
def test_parse_size_rejects(text: str | int) -> None:
    with pytest.raises(ConfigError, match="invalid size"):
        parse_size(text)


def test_find_config_nearest_upward(tmp_path: Path) -> None:
    (tmp_path / "a" / "b" / "c").mkdir(parents=True)
    (tmp_path / ".golinter.toml").write_text("")
    (tmp_path / "a" / ".golinter.toml").write_text("")
    (tmp_path / "a" / "b" / ".golinter.toml").mkdir()  # a directory is not a config file
    assert find_config(str(tmp_path / "a" / "b" / "c")) == str(tmp_path / "a" / ".golinter.toml")
    assert find_config(str(tmp_path)) == str(tmp_path / ".golinter.toml")
