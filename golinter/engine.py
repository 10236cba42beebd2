"""Orchestration: discover -> parse -> model -> checks -> suppress, over a process pool.

`analyze_package` is the unit of work: it reads and parses one package's files, runs every
check (all of them, so cached results never depend on --select), and returns plain data.
`Engine.run` schedules packages largest first across worker processes (fork on Linux),
or in-process for small runs, and merges results deterministically.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from golinter.findings import Finding, Level, Notification

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from golinter.checks import Check
    from golinter.checks.base import OptionValue
    from golinter.discover import GoPackage
    from golinter.parse import CandidateQuery
    from golinter.suppress import Directive
    from tree_sitter import Parser

Version = tuple[int, int]
NEWEST_GO: Version = (1, 27)
IN_PROCESS_BYTES = 1 << 20  # below about 1 MB of source a pool costs more than it saves
PARSE_BUDGET_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything that changes analysis results (and so belongs in the cache key)."""

    rule_options: tuple[tuple[str, tuple[tuple[str, OptionValue], ...]], ...] = ()
    go_version: Version | None = None
    runtime_go: Version | None = None
    parse_budget: float = PARSE_BUDGET_SECONDS

    def options_map(self) -> dict[str, dict[str, OptionValue]]:
        return {code: dict(opts) for code, opts in self.rule_options}


@dataclass(frozen=True, slots=True)
class PackageResult:
    findings: tuple[Finding, ...]
    notifications: tuple[Notification, ...]
    directives: tuple[Directive, ...]
    files_analysed: int
    reported_paths: tuple[str, ...]


@dataclass
class RunOutput:
    findings: list[Finding] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    directives: list[Directive] = field(default_factory=list)
    files_analysed: int = 0
    packages: int = 0
    reported_paths: set[str] = field(default_factory=set)
    elapsed: float = 0.0


# -- one package -----------------------------------------------------------------------------

class _Worker:
    """Per-process state: one parser and one compiled query (neither pickles)."""

    def __init__(self, checks: Sequence[Check]) -> None:
        from golinter.parse import CandidateQuery, new_parser

        self.checks = tuple(checks)
        self.parser: Parser = new_parser()
        self.query: CandidateQuery = CandidateQuery.build([(c.RULE.code, c.QUERY) for c in checks])


_WORKER: _Worker | None = None  # set once per worker process by _init_worker


def _init_worker() -> None:
    global _WORKER
    from golinter.checks import ALL_CHECKS

    _WORKER = _Worker(ALL_CHECKS)


def _run_in_worker(gopkg: GoPackage, settings: Settings) -> PackageResult:
    assert _WORKER is not None
    return analyze_package(gopkg, settings, _WORKER)


def lang_version_for(module_lang: Version | None, build_lang: Version | None,
                     override: Version | None) -> Version:
    """SPEC 4: go.mod's go line (or --go-version), changed by a file's //go:build go1.N:
    upgrade always, downgrade only when both are >= 1.21."""
    base = override or module_lang or NEWEST_GO
    if build_lang is None:
        return base
    if build_lang > base or (build_lang >= (1, 21) and base >= (1, 21)):
        return build_lang
    return base


def analyze_package(gopkg: GoPackage, settings: Settings, worker: _Worker) -> PackageResult:
    from golinter import parse, suppress
    from golinter.model.package import Package, SourceFile

    notes: list[Notification] = []
    files: list[SourceFile] = []
    directives: list[Directive] = []
    for gofile in gopkg.files:
        src = _read(gofile.path, notes)
        if src is None:
            continue
        src = _prepare(gofile.path, src, notes)
        try:
            tree = parse.parse(worker.parser, src, settings.parse_budget)
        except parse.ParseBudgetExceeded:
            notes.append(Notification(Level.WARNING, "parse-budget",
                                      f"not analysed: parsing took over {settings.parse_budget:g}s "
                                      "(pathologically nested code?)", gofile.path, skipped=True))
            continue
        lang = lang_version_for(gopkg.lang_version, gofile.build_lang, settings.go_version)
        sf = SourceFile(gofile.path, src, tree, lang, reported=gofile.reported and not gofile.generated,
                        generated=gofile.generated, broken=parse.broken_ranges(tree))
        err = parse.first_error(tree)
        if err is not None and sf.reported:
            row, col, missing = err
            what = "missing token" if missing else "syntax error"
            notes.append(Notification(Level.WARNING, "syntax-error",
                                      f"{what}: functions containing it were not analysed",
                                      gofile.path, row + 1, col + 1))
        sf.matches = worker.query.run(tree.root_node)
        if sf.reported:
            found, bad = suppress.collect(gofile.path, src, tree)
            directives += found
            notes += bad
        files.append(sf)
    runtime = settings.runtime_go or gopkg.toolchain_version or NEWEST_GO
    pkg = Package(gopkg.dir, gopkg.name, files, runtime, settings.options_map())
    findings: list[Finding] = []
    reported = {f.path for f in files if f.reported}
    for check in worker.checks:
        try:
            findings += [f for f in check.run(pkg) if f.span.path in reported]
        except Exception as exc:  # the one broad handler: one rule on one package
            notes.append(Notification(Level.ERROR, "internal-error",
                                      f"internal error in {check.RULE.code} on package {gopkg.name} "
                                      f"({gopkg.dir}): {type(exc).__name__}: {exc}", None))
    analysed = sum(1 for f in files if f.reported)
    return PackageResult(tuple(findings), tuple(notes), tuple(directives), analysed, tuple(sorted(reported)))


def _read(path: str, notes: list[Notification]) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        notes.append(Notification(Level.WARNING, "unreadable", f"not analysed: {exc.strerror or exc}",
                                  path, skipped=True))
        return None


def _prepare(path: str, src: bytes, notes: list[Notification]) -> bytes:
    """Blank a leading BOM (same length, so offsets hold) and note non-UTF-8 text."""
    if src.startswith(b"\xef\xbb\xbf"):
        src = b"   " + src[3:]
    try:
        src.decode("utf-8")
    except UnicodeDecodeError as exc:
        notes.append(Notification(Level.WARNING, "not-utf8",
                                  f"invalid UTF-8 at byte {exc.start} (Go source must be UTF-8); "
                                  "analysed as bytes", path))
    return src


# -- the whole run ---------------------------------------------------------------------------

def usable_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def run_packages(packages: Sequence[GoPackage], settings: Settings, jobs: int,
                 checks: Sequence[Check] | None = None) -> RunOutput:
    """Analyse packages (largest first), in-process or in a pool; results in package order."""
    from golinter.checks import ALL_CHECKS

    start = time.monotonic()
    out = RunOutput(packages=len(packages))
    todo = [p for p in packages if p.has_reported_files]
    size = sum(f.size for p in todo for f in p.files)
    results: dict[int, PackageResult] = {}
    if checks is not None or jobs <= 1 or size < IN_PROCESS_BYTES or len(todo) < 2:
        worker = _Worker(checks if checks is not None else ALL_CHECKS)
        for i, p in enumerate(todo):
            results[i] = analyze_package(p, settings, worker)
    else:
        results = _run_pool(todo, settings, jobs)
    for i in range(len(todo)):
        r = results[i]
        out.findings += r.findings
        out.notifications += r.notifications
        out.directives += r.directives
        out.files_analysed += r.files_analysed
        out.reported_paths.update(r.reported_paths)
    out.elapsed = time.monotonic() - start
    return out


def _run_pool(todo: Sequence[GoPackage], settings: Settings, jobs: int) -> dict[int, PackageResult]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if sys.platform.startswith("linux") else "spawn"
    order = sorted(range(len(todo)), key=lambda i: -sum(f.size for f in todo[i].files))
    results: dict[int, PackageResult] = {}
    with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=multiprocessing.get_context(method),
                             initializer=_init_worker) as pool:
        try:
            futures = {i: pool.submit(_run_in_worker, todo[i], settings) for i in order}
            for i, fut in futures.items():
                results[i] = fut.result()
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return results


def postprocess(findings: Sequence[Finding], *, enabled: Mapping[str, Level | None],
                per_file_ignored: Mapping[str, frozenset[str]]) -> list[Finding]:
    """Keep enabled rules' findings, apply level overrides and per-file-ignores, sort."""
    out: list[Finding] = []
    for f in findings:
        if f.code not in enabled or f.code in per_file_ignored.get(f.span.path, frozenset()):
            continue
        level = enabled[f.code]
        out.append(replace(f, level=level) if level is not None and level != f.level else f)
    out.sort(key=lambda f: f.sort_key)
    return out
