""".golinter.toml and the command line merged into one validated `Config` (SPEC section 3).

`find_config(start_dir)` finds the nearest `.golinter.toml` upward; `load_config(path, rules,
cwd=...)` reads and validates it against the registered rules (defaults when `path` is None);
`apply_cli(config, select=..., ignore=..., rules=...)` merges `--select`/`--ignore`;
`resolve_selection` turns selectors into enabled codes. Every mistake raises ConfigError naming
the file, the key, what is accepted and, for close misspellings, "did you mean". The engine
applies the result (levels, per-file ignores); checks never read config.

Selectors, like ruff's: a code (`GML003`), a rule name (`unguarded-concurrent-map-write`), a code
prefix (`GML`, `GML00`) or `ALL`.
- A code or name selects its rule even when it is off by default; a prefix selects the matching
  rules that are enabled by default; `ALL` selects every rule, off-by-default ones included.
- In `ignore` and `per-file-ignores`, a prefix (or `ALL`) removes every matching rule.
- `ignore` always wins over `select`, whatever their specificity.
- Without a `select` key the selection is every rule enabled by default.
- `--select` replaces the file's `select`; `--ignore` adds to the file's `ignore`. Both accept
  comma-separated lists.

Options: `[rules.X]` (X a code or a name) accepts the rule's option keys and `level`. A value
must have its default's type; a string default with a size unit (`"4MiB"`) makes a size option,
which accepts a size string or a number of bytes and is stored as int bytes. `max-file-size`
is a size as well. `exclude` replaces discover.DEFAULT_EXCLUDES, `extend-exclude` adds to them.
"""
from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from golinter._version import __version__
from golinter.checks.base import OptionValue, Rule
from golinter.discover import DEFAULT_EXCLUDES, DEFAULT_MAX_FILE_SIZE, PathFilter
from golinter.errors import ConfigError
from golinter.findings import Level

CONFIG_NAME = ".golinter.toml"
ALL_SELECTOR = "ALL"
TOP_LEVEL_KEYS = ("required-version", "select", "ignore", "exclude", "extend-exclude",
                  "per-file-ignores", "rules", "max-file-size")
LEVEL_KEY = "level"

_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9,
          "kib": 2**10, "mib": 2**20, "gib": 2**30}
_SIZE_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]*)", re.IGNORECASE)
_SIZE_WITH_UNIT_RE = re.compile(r"\d+(?:\.\d+)?\s*(?:[KMG]i?)?B", re.IGNORECASE)
_SIZE_HELP = 'expected a size: a number of bytes or a number with a unit (B, KB, MB, GB, KiB, MiB, GiB), e.g. "4MiB"'
_VERSION_CLAUSE_RE = re.compile(r"(~=|==|!=|<=|>=|<|>)\s*(\d+(?:\.\d+)*)")
_VERSION_RE = re.compile(r"\d+(?:\.\d+)*")

RuleOptions = tuple[tuple[str, OptionValue], ...]


@dataclass(frozen=True, slots=True)
class Config:
    """The merged, validated configuration; see the module docstring for the semantics."""

    path: str | None
    base_dir: str
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    exclude: tuple[str, ...]
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...]  # pattern -> codes (resolved)
    rule_options: tuple[tuple[str, RuleOptions], ...]
    rule_levels: tuple[tuple[str, Level], ...]
    max_file_size: int
    required_version: str | None


def find_config(start_dir: str) -> str | None:
    """The nearest `.golinter.toml` in `start_dir` or above, as an absolute path."""
    current = os.path.abspath(start_dir)
    while True:
        candidate = os.path.join(current, CONFIG_NAME)
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def load_config(path: str | None, rules: Sequence[Rule], *, cwd: str) -> Config:
    """Read and validate `path` (relative to `cwd`); None gives the defaults, based at `cwd`."""
    if path is None:
        return _build(None, os.path.abspath(cwd), {}, rules)
    abs_path = os.path.abspath(os.path.join(cwd, path))
    return _build(abs_path, os.path.dirname(abs_path), _read_toml(abs_path), rules)


def apply_cli(config: Config, *, select: Sequence[str] | None, ignore: Sequence[str],
              rules: Sequence[Rule]) -> Config:
    """`--select` replaces the file's select, `--ignore` extends its ignore."""
    cli_select = _split_commas(select) if select is not None else None
    cli_ignore = _split_commas(ignore)
    _validate_selectors("--select", cli_select or (), rules, for_select=True)
    _validate_selectors("--ignore", cli_ignore, rules, for_select=False)
    return replace(config, select=config.select if cli_select is None else cli_select,
                   ignore=config.ignore + cli_ignore)


def resolve_selection(select: Sequence[str], ignore: Sequence[str], rules: Sequence[Rule]) -> tuple[str, ...]:
    """The enabled codes, sorted: what `select` picks minus what `ignore` removes."""
    enabled: set[str] = set()
    for selector in select:
        enabled.update(r.code for r in _match_selector(selector, rules, for_select=True))
    for selector in ignore:
        enabled.difference_update(r.code for r in _match_selector(selector, rules, for_select=False))
    return tuple(sorted(enabled))


def enabled_codes(config: Config, rules: Sequence[Rule]) -> tuple[str, ...]:
    return resolve_selection(config.select, config.ignore, rules)


def parse_size(text: str | int) -> int:
    """Bytes from `4096`, `"4096"`, `"256KiB"`, `"4MiB"`, `"1MB"` (10**6); ConfigError otherwise."""
    if isinstance(text, bool) or not isinstance(text, (str, int)):
        raise ConfigError(f"invalid size {text!r}: {_SIZE_HELP}")
    if isinstance(text, int):
        if text < 0:
            raise ConfigError(f"invalid size {text}: must not be negative")
        return text
    m = _SIZE_RE.fullmatch(text.strip())
    if m is None or m.group(2).lower() not in _UNITS:
        raise ConfigError(f"invalid size {text!r}: {_SIZE_HELP}")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def options_for(config: Config, code: str) -> dict[str, OptionValue]:
    """The rule's options: defaults merged with the file's values (sizes in bytes)."""
    return dict(dict(config.rule_options).get(code, ()))


def level_for(config: Config, rule: Rule) -> Level:
    return dict(config.rule_levels).get(rule.code, rule.level)


def exclude_filter(config: Config) -> PathFilter:
    return PathFilter(config.base_dir, config.exclude)


class FileIgnores:
    """per-file-ignores compiled once: `codes_for(abs_path)` for every file of a run."""

    __slots__ = ("_entries",)

    def __init__(self, config: Config) -> None:
        self._entries = tuple((PathFilter(config.base_dir, [pattern]), frozenset(codes))
                              for pattern, codes in config.per_file_ignores)

    def codes_for(self, abs_path: str) -> frozenset[str]:
        codes: frozenset[str] = frozenset()
        for pattern, ignored in self._entries:
            if pattern.excluded_with_parents(abs_path):
                codes |= ignored
        return codes


def ignored_codes_for(config: Config, abs_path: str) -> frozenset[str]:
    """Codes per-file-ignores turns off for one file (compile FileIgnores once for many files)."""
    return FileIgnores(config).codes_for(abs_path)


# --- reading and building ------------------------------------------------------------------


def _read_toml(path: str) -> dict[str, object]:
    if sys.version_info >= (3, 11):  # imported here: most runs have no config file
        import tomllib
    else:
        import tomli as tomllib
    try:
        with open(path, "rb") as fh:
            data: dict[str, object] = tomllib.load(fh)
            return data
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: config file not found; check --config") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 ({exc.reason})") from exc


def _build(path: str | None, base_dir: str, data: Mapping[str, object], rules: Sequence[Rule]) -> Config:
    where = path or "<default configuration>"
    _check_keys(where, "", data, TOP_LEVEL_KEYS)
    required = _string(where, "required-version", data.get("required-version"))
    if required is not None:
        _check_required_version(where, required)
    select = _strings(where, "select", data.get("select"))
    ignore = _strings(where, "ignore", data.get("ignore")) or ()
    _validate_selectors(f"{where}: select", select or (), rules, for_select=True)
    _validate_selectors(f"{where}: ignore", ignore, rules, for_select=False)
    if select is None:
        select = tuple(r.code for r in rules if r.enabled_by_default)
    options, levels = _rule_settings(where, data.get("rules"), rules)
    return Config(path=path, base_dir=base_dir, select=select, ignore=ignore,
                  exclude=_excludes(where, base_dir, data),
                  per_file_ignores=_per_file_ignores(where, base_dir, data.get("per-file-ignores"), rules),
                  rule_options=options, rule_levels=levels,
                  max_file_size=_max_file_size(where, data.get("max-file-size")),
                  required_version=required)


def _excludes(where: str, base_dir: str, data: Mapping[str, object]) -> tuple[str, ...]:
    replaced = _strings(where, "exclude", data.get("exclude"))
    extended = _strings(where, "extend-exclude", data.get("extend-exclude")) or ()
    patterns = (DEFAULT_EXCLUDES if replaced is None else replaced) + extended
    _check_patterns(f"{where}: exclude", base_dir, patterns)
    return patterns


def _per_file_ignores(where: str, base_dir: str, raw: object,
                      rules: Sequence[Rule]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    table = _table(where, "per-file-ignores", raw)
    entries: list[tuple[str, tuple[str, ...]]] = []
    for pattern, value in table.items():
        key = f"per-file-ignores.{pattern!r}"
        selectors = _strings(where, key, value) or ()
        _check_patterns(f"{where}: {key}", base_dir, [pattern])
        _validate_selectors(f"{where}: {key}", selectors, rules, for_select=False)
        codes = {r.code for s in selectors for r in _match_selector(s, rules, for_select=False)}
        entries.append((pattern, tuple(sorted(codes))))
    return tuple(entries)


def _max_file_size(where: str, raw: object) -> int:
    if raw is None:
        return DEFAULT_MAX_FILE_SIZE
    size = _size(where, "max-file-size", raw)
    if size <= 0:
        raise ConfigError(f"{where}: max-file-size: must be positive, e.g. \"10MB\"")
    return size


def _rule_settings(where: str, raw: object, rules: Sequence[Rule]
                   ) -> tuple[tuple[tuple[str, RuleOptions], ...], tuple[tuple[str, Level], ...]]:
    tables = _rule_tables(where, raw, rules)
    options: list[tuple[str, RuleOptions]] = []
    levels: list[tuple[str, Level]] = []
    for rule in rules:
        table = tables.get(rule.code, {})
        prefix = f"rules.{rule.code}"
        _check_keys(where, prefix, table, tuple(k for k, _ in rule.options) + (LEVEL_KEY,))
        options.append((rule.code, tuple(
            (key, _option_value(where, f"{prefix}.{key}", default, table.get(key, default)))
            for key, default in rule.options)))
        if LEVEL_KEY in table:
            levels.append((rule.code, _level(where, f"{prefix}.{LEVEL_KEY}", table[LEVEL_KEY])))
    return tuple(options), tuple(levels)


def _rule_tables(where: str, raw: object, rules: Sequence[Rule]) -> dict[str, Mapping[str, object]]:
    """`[rules.X]` tables keyed by code; X may be a code or a name."""
    by_key = {r.code: r for r in rules} | {r.name: r for r in rules}
    tables: dict[str, Mapping[str, object]] = {}
    for key, value in _table(where, "rules", raw).items():
        rule = by_key.get(key)
        if rule is None:
            raise ConfigError(f"{where}: rules: unknown rule '{key}'; accepted: rule codes or names "
                              f"({', '.join(r.code for r in rules)}){_did_you_mean(key, list(by_key))}")
        if rule.code in tables:
            raise ConfigError(f"{where}: rules.{key}: {rule.code} is configured twice (by code and by name)")
        tables[rule.code] = _table(where, f"rules.{key}", value)
    return tables


def _option_value(where: str, key: str, default: OptionValue, value: object) -> OptionValue:
    """`value` checked against the type of `default`; sizes become int bytes."""
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        raise _type_error(where, key, "a boolean (true or false)", value)
    if isinstance(default, int):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise _type_error(where, key, "an integer", value)
    if isinstance(default, float):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise _type_error(where, key, "a number", value)
    if isinstance(default, tuple):
        return _strings(where, key, value) or ()
    if _SIZE_WITH_UNIT_RE.fullmatch(default.strip()):
        return _size(where, key, value)
    if isinstance(value, str):
        return value
    raise _type_error(where, key, "a string", value)


def _level(where: str, key: str, value: object) -> Level:
    accepted = [lvl.value for lvl in Level]
    if isinstance(value, str) and value in accepted:
        return Level(value)
    hint = _did_you_mean(value, accepted) if isinstance(value, str) else ""
    raise ConfigError(f"{where}: {key}: invalid level {value!r}; accepted: {', '.join(accepted)}{hint}")


# --- selectors ------------------------------------------------------------------------------


def _match_selector(selector: str, rules: Sequence[Rule], *, for_select: bool) -> list[Rule]:
    if selector == ALL_SELECTOR:
        return list(rules)
    exact = [r for r in rules if selector in (r.code, r.name)]
    if exact:
        return exact
    by_prefix = [r for r in rules if r.code.startswith(selector)]
    if not by_prefix:
        candidates = [r.code for r in rules] + [r.name for r in rules]
        raise ConfigError(f"unknown rule selector '{selector}'; use a code (GML003), a rule name, a code prefix "
                          f"(GML) or ALL, as `golinter rules` lists them{_did_you_mean(selector, candidates)}")
    return [r for r in by_prefix if r.enabled_by_default or not for_select]


def _validate_selectors(where: str, selectors: Sequence[str], rules: Sequence[Rule], *, for_select: bool) -> None:
    for selector in selectors:
        try:
            _match_selector(selector, rules, for_select=for_select)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from exc


def _split_commas(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


# --- required-version -----------------------------------------------------------------------


def _check_required_version(where: str, spec: str) -> None:
    try:
        ok = version_matches(spec, __version__)
    except ValueError as exc:
        raise ConfigError(f"{where}: required-version: invalid specifier {spec!r} ({exc}); "
                          'write e.g. ">=0.1" or ">=0.1,<0.3"') from exc
    if not ok:
        raise ConfigError(f"{where}: this project requires golinter {spec} (running {__version__}); "
                          "install a matching version")


def version_matches(spec: str, version: str) -> bool:
    """PEP 440 specifier test with `packaging` when importable; a bare version means `==`."""
    text = spec.strip()
    if text[:1].isdigit():
        text = "==" + text
    try:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet
        from packaging.version import InvalidVersion, Version
    except ImportError:  # pragma: no cover - packaging ships with pip/pytest almost everywhere
        return simple_version_matches(text, version)
    try:
        return SpecifierSet(text).contains(Version(version), prereleases=True)
    except (InvalidSpecifier, InvalidVersion) as exc:
        raise ValueError(str(exc)) from exc


def simple_version_matches(spec: str, version: str) -> bool:
    """The fallback: comma-joined `~= == != <= >= < >` clauses over numeric versions."""
    current = _numeric_version(version)
    for clause in spec.split(","):
        m = _VERSION_CLAUSE_RE.fullmatch(clause.strip())
        if m is None:
            raise ValueError(f"cannot read {clause.strip()!r}")
        if not _clause_holds(m.group(1), _numeric_version(m.group(2)), current):
            return False
    return True


def _clause_holds(op: str, wanted: tuple[int, ...], current: tuple[int, ...]) -> bool:
    width = max(len(wanted), len(current))
    a = current + (0,) * (width - len(current))
    b = wanted + (0,) * (width - len(wanted))
    if op == "~=":
        return a >= b and a[: len(wanted) - 1] == b[: len(wanted) - 1]
    return {"==": a == b, "!=": a != b, "<=": a <= b, ">=": a >= b, "<": a < b, ">": a > b}[op]


def _numeric_version(text: str) -> tuple[int, ...]:
    m = _VERSION_RE.match(text.strip().lstrip("v"))
    if m is None:
        raise ValueError(f"cannot read version {text!r}")
    return tuple(int(part) for part in m.group(0).split("."))


# --- typed access with errors that name the file and key --------------------------------------


def _check_keys(where: str, table_key: str, table: Mapping[str, object], accepted: Sequence[str]) -> None:
    for key in table:
        if key not in accepted:
            inside = f" in [{table_key}]" if table_key else ""
            raise ConfigError(f"{where}: unknown key '{key}'{inside}; accepted keys: {', '.join(accepted)}"
                              f"{_did_you_mean(key, accepted)}")


def _string(where: str, key: str, value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise _type_error(where, key, "a string", value)


def _strings(where: str, key: str, value: object) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):  # tuple: a default
        return tuple(str(v) for v in value)
    raise _type_error(where, key, "a list of strings", value)


def _table(where: str, key: str, value: object) -> Mapping[str, object]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    raise _type_error(where, key, "a table", value)


def _size(where: str, key: str, value: object) -> int:
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        try:
            return parse_size(value)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {key}: {exc}") from exc
    raise _type_error(where, key, 'a size such as "4MiB" or a number of bytes', value)


def _check_patterns(where: str, base_dir: str, patterns: Sequence[str]) -> None:
    try:
        PathFilter(base_dir, patterns)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from exc


def _type_error(where: str, key: str, expected: str, value: object) -> ConfigError:
    return ConfigError(f"{where}: {key}: expected {expected}, got {_toml_type(value)} {value!r}")


def _toml_type(value: object) -> str:
    names = {bool: "boolean", int: "integer", float: "float", str: "string", list: "array", dict: "table"}
    return names.get(type(value), type(value).__name__)


def _did_you_mean(word: str, candidates: Sequence[str]) -> str:
    lowered = {c.lower(): c for c in candidates}
    import difflib

    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return f"; did you mean '{lowered[close[0]]}'?" if close else ""
