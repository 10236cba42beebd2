"""`golinter check` without the command line: config, discovery, analysis, filtering, report.

cli.py parses options into a CheckRequest and calls `run_check`, which returns the exit
status. Everything here raises GolinterError subclasses for expected failures.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from golinter.findings import Level, Notification

if TYPE_CHECKING:
    from collections.abc import Sequence

    from golinter.cache import StatIndex
    from golinter.checks.base import Rule
    from golinter.engine import RunOutput
    from golinter.findings import Finding

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


@dataclass(frozen=True)
class CheckRequest:
    paths: Sequence[str]
    fmt: str = "text"
    output: str | None = None
    select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    config_path: str | None = None
    go_version: tuple[int, int] | None = None
    runtime_go: tuple[int, int] | None = None
    srcroot: str | None = None
    jobs: int | None = None
    use_cache: bool = True
    cache_dir: str | None = None
    baseline: str | None = None
    write_baseline: str | None = None
    exit_zero: bool = False
    fail_on: str = "note"
    statistics: bool = False
    include_suppressed: bool = False
    report_unused_ignores: bool = False
    category: str | None = None
    sarif_fixes: bool = False
    quiet: bool = False
    verbose: bool = False
    color: bool = False
    progress: bool = False


def find_git_root(path: str) -> str | None:
    """The nearest directory upward holding `.git` (a directory or a worktree file)."""
    current = os.path.abspath(path if os.path.isdir(path) else os.path.dirname(path) or ".")
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def run_check(req: CheckRequest) -> int:
    from golinter import config as configs
    from golinter import suppress
    from golinter.cache import default_cache_dir
    from golinter.checks import all_rules
    from golinter.discover import discover
    from golinter.engine import Settings, postprocess, run_packages, usable_cores
    from golinter.fingerprints import assign_fingerprints

    cwd = os.getcwd()
    rules = all_rules()
    config_file = req.config_path or configs.find_config(cwd)
    if req.config_path and not os.path.isfile(req.config_path):
        from golinter.errors import ConfigError
        raise ConfigError(f"config file not found: {req.config_path}")
    cfg = configs.load_config(config_file, rules, cwd=cwd)
    cfg = configs.apply_cli(cfg, select=req.select or None, ignore=req.ignore, rules=rules)
    enabled_codes = configs.enabled_codes(cfg, rules)
    enabled_rules = tuple(r for r in rules if r.code in enabled_codes)
    # Only a configured `level` overrides: findings keep the level their check chose (GML001's
    # notes stay notes) unless [rules.X] level is set.
    configured = dict(cfg.rule_levels)
    levels = {r.code: configured.get(r.code) for r in enabled_rules}

    cache_dir = (req.cache_dir or default_cache_dir()) if req.use_cache else None
    index = _stat_index(cache_dir)
    found = discover(req.paths, excludes=configs.exclude_filter(cfg), max_file_size=cfg.max_file_size, heads=index)
    settings = Settings(rule_options=cfg.rule_options, go_version=req.go_version, runtime_go=req.runtime_go)
    jobs = req.jobs or usable_cores()
    out = run_packages(found.packages, settings, jobs, cache_dir=cache_dir, index=index)
    notifications = list(found.notifications) + out.notifications
    if not found.packages:
        notifications.append(Notification(Level.WARNING, "no-go-files",
                                          f"no Go files found under {', '.join(req.paths)}"))

    ignores = configs.FileIgnores(cfg)
    per_file = {path: ignores.codes_for(path) for path in out.reported_paths}
    findings = postprocess(out.findings, enabled={c: lvl for c, lvl in levels.items()}, per_file_ignored=per_file)
    findings, used = suppress.apply(findings, out.directives)
    if req.report_unused_ignores:
        notifications += suppress.unused(out.directives, used, enabled_rules, out.reported_paths)
    srcroot = os.path.abspath(req.srcroot) if req.srcroot else (find_git_root(req.paths[0]) or cwd)
    findings = assign_fingerprints(findings, srcroot, _read_bytes)
    if req.write_baseline or req.baseline:
        from golinter import baseline as baselines
    if req.write_baseline:
        baselines.write_baseline(req.write_baseline, [f for f in findings if not f.suppressed])
    if req.baseline:
        known = baselines.load_baseline(req.baseline)
        findings = list(baselines.filter_new(findings, known))
    shown = [f for f in findings if req.include_suppressed or not f.suppressed]
    _emit(req, shown, notifications, enabled_rules, out, srcroot, cwd)
    return _exit_status(req, shown, notifications)


def _stat_index(cache_dir: str | None) -> StatIndex | None:
    """The cache's stat index, read once for discovery (file heads) and the engine (digests);
    None without a usable cache (the engine says why)."""
    if cache_dir is None:
        return None
    from golinter.cache import CacheUnavailable, ResultStore

    try:
        return ResultStore.open(cache_dir).stat_index()
    except CacheUnavailable:
        return None


def _read_bytes(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


def _emit(req: CheckRequest, findings: Sequence[Finding], notifications: Sequence[Notification],
          enabled_rules: Sequence[Rule], out: RunOutput, srcroot: str, cwd: str) -> None:
    from golinter.fsutil import write_atomic
    from golinter.report import ReportOptions, RunResult, render

    result = RunResult(tuple(findings), tuple(notifications), tuple(enabled_rules),
                       out.files_analysed, out.packages, out.elapsed)
    if req.statistics:
        text = _statistics(findings, enabled_rules, as_json=req.fmt == "json")
    else:
        options = ReportOptions(cwd=cwd, srcroot=srcroot, category=req.category,
                                include_suppressed=req.include_suppressed, sarif_fixes=req.sarif_fixes,
                                color=req.color and not req.output)
        text = render(req.fmt, result, options)
    if req.output:
        write_atomic(req.output, text)
    elif text:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
    if not req.quiet:
        for note in notifications:
            if note.reason == "unused-ignore" or note.level is not Level.NOTE or req.verbose:
                sys.stderr.write(_notification_line(note, cwd) + "\n")
        from golinter.report._common import summary

        sys.stderr.write(summary(result) + "\n")


def _notification_line(note: Notification, cwd: str) -> str:
    from golinter.report._common import shown_path

    where = ""
    if note.path:
        where = shown_path(note.path, cwd) + (f":{note.line}:{note.column}" if note.line else "") + ": "
    kind = "error" if note.level is Level.ERROR else "warning" if note.level is Level.WARNING else "note"
    return f"{where}{kind}: {note.message} [{note.reason}]"


def _statistics(findings: Sequence[Finding], enabled_rules: Sequence[Rule], as_json: bool = False) -> str:
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.code] = counts.get(f.code, 0) + 1
    names = {r.code: r.name for r in enabled_rules}
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if as_json:  # --format json promises JSON on stdout, counts included
        import json

        return json.dumps({"version": 1, "statistics": [{"code": code, "name": names.get(code, ""), "count": n}
                                                        for code, n in rows]}, indent=2) + "\n"
    return "".join(f"{n:>6}  {code}  {names.get(code, '')}\n" for code, n in rows)


def _exit_status(req: CheckRequest, findings: Sequence[Finding], notifications: Sequence[Notification]) -> int:
    if any(n.reason == "internal-error" for n in notifications):
        return EXIT_ERROR
    if req.exit_zero:
        return EXIT_CLEAN
    threshold = {"note": 0, "warning": 1, "error": 2}[req.fail_on]
    failing = [f for f in findings if not f.suppressed and f.level.rank >= threshold]
    unused = [n for n in notifications if n.reason == "unused-ignore" and n.level.rank >= threshold]
    return EXIT_FINDINGS if failing or unused else EXIT_CLEAN


__all__ = ["CheckRequest", "find_git_root", "run_check"]
_ = replace
