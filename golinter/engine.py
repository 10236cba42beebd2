"""Orchestration: discover -> parse -> model -> checks -> suppress, over a cache and a process pool.

`analyze_package` is the unit of work: it reads and parses one package's files, runs every
check (all of them, so cached results never depend on --select), and returns plain data.
`run_packages` runs a whole check:

1. Plan (parent), largest package first: with a cache, read and hash every loaded file of
   every package (blake2b) and load the packages whose entry exists (cache.py: keys,
   entries, pruning); once a pool is certain, it starts and planning goes on beside it. A
   fully warm run stops here: it imports no tree-sitter, no check and starts no pool. A package
   whose files the user named (pre-commit) and that has no whole-package entry is analysed
   restricted: every file parsed, only the named files' candidates checked (see
   `analyze_package`), the result stored under a key of its own.
2. Analyse the dirty packages: in-process below IN_PROCESS_BYTES of source, with --jobs 1 or
   a single package; else in a ProcessPoolExecutor (`fork` set explicitly on Linux, `spawn`
   elsewhere), one package per task, largest first, as many at once as MEMORY_BUDGET_BYTES
   allows. Workers write their own cache entries atomically, after checking that the files
   they read are the ones the key was made from.
3. Merge in package order (so --jobs never changes the output) and keep only what concerns
   the reported files: whole packages are analysed and cached with every non-generated file
   reported, so a whole-tree run's entries serve later named-file runs.

Ctrl-C terminates the workers (they ignore SIGINT themselves) and re-raises; cli.py exits 130.
A worker that dies (killed, out of memory) becomes an internal-error notification per
package it left unfinished.
"""
from __future__ import annotations

import bisect
import gc
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from golinter.findings import Finding, Level, Notification

if TYPE_CHECKING:
    from collections.abc import (
        Callable,
        ItemsView,
        Iterable,
        Iterator,
        KeysView,
        Mapping,
        Sequence,
        ValuesView,
    )
    from concurrent.futures import ProcessPoolExecutor

    from tree_sitter import Node, Parser

    from golinter.cache import ResultStore, StatIndex
    from golinter.checks import Check
    from golinter.checks.base import OptionValue
    from golinter.discover import GoPackage
    from golinter.model.package import SourceFile
    from golinter.parse import CandidateQuery, Match
    from golinter.suppress import Directive

    _Matches = dict[str, list[Match]]
else:
    _Matches = dict

Version = tuple[int, int]
NEWEST_GO: Version = (1, 27)
IN_PROCESS_BYTES = 1 << 20  # below about 1 MB of source a pool costs more than it saves
# Peak memory of one package's analysis per byte of its source (trees are ~34x the source;
# measured 31-44x on the Go std library's largest packages), and the estimated memory the
# pool may analyse at once (SPEC 9: peak RSS under 500 MB, with the processes' own ~30 MB each).
MEMORY_PER_SOURCE_BYTE = 40
MEMORY_BUDGET_BYTES = 320 << 20
# A worker frees garbage and returns memory after this much source. Each full collection also
# costs the next packages time (the Go library, in one process: 21.7 s CPU at 1 MB, 20.5 s at
# 4 MB, 20.1 s at 8 MB; peak PSS with 2 workers 229, 255 and 276 MiB).
RELEASE_AFTER_BYTES = 4 << 20
PARSE_BUDGET_SECONDS = 10.0
# Set explicitly: Python 3.14 changes Linux's default to forkserver. fork shares the parent's
# imports and compiled query; elsewhere (macOS, Windows) fork is unsafe or missing.
START_METHOD = "fork" if sys.platform.startswith("linux") else "spawn"
# Notifications about loading a file: given for context files too, not only reported ones.
_LOAD_REASONS = frozenset({"unreadable", "not-utf8", "parse-budget"})
# Results carrying these are not cached: they may not recur (a bug being fixed, a slow machine).
_UNCACHEABLE_REASONS = frozenset({"internal-error", "parse-budget"})


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
    cache_hits: int = 0           # packages whose results came from the cache
    analysed: int = 0             # packages parsed and checked in this run


# -- one package -----------------------------------------------------------------------------

class _Worker:
    """Per-process state: one parser and one compiled query (neither pickles)."""

    def __init__(self, checks: Sequence[Check]) -> None:
        # What analyze_package and unpickling its results need, imported once here: under fork
        # the parent builds the worker, and the pool's processes inherit all of it.
        import golinter.model.package
        import golinter.suppress  # noqa: F401
        from golinter.parse import new_parser

        self.checks = tuple(checks)
        self.parser: Parser = new_parser()
        self.query = _candidate_query(checks)
        # `_test.go` files: only the patterns of rules that look at test code (GML002, GML009)
        self.test_query = _candidate_query([c for c in checks if c.RULE.test_candidates])
        self._sibling_query: CandidateQuery | None = None
        self._unreleased = 0  # bytes of source analysed since memory was last released
        self._malloc_trim: Callable[[int], int] | None = None
        self._trim_looked_up = False
        # What lives now (modules, the compiled query) lives as long as the process: out of the
        # collector's sight, full collections after each package need not scan it, and under
        # fork the workers never write to its pages (no copy-on-write).
        gc.collect()
        gc.freeze()
        # The model's facts live until their package is done, so the collector's default young
        # generation (700 objects) scans them, promotes them and scans them again: 1,050 young and
        # 92 middle collections over the Go library, 1.0 s. Cycles are freed after each package
        # anyway (release_memory). At 10,000: 0.7 s, peak memory 175 MB instead of 169.
        gc.set_threshold(10_000, 10, 10)

    @property
    def sibling_query(self) -> CandidateQuery:
        """The queries of the checks marked `whole_package` only: what a restricted analysis
        needs from the files the user did not name (compiled on first use)."""
        if self._sibling_query is None:
            self._sibling_query = _candidate_query([c for c in self.checks if c.RULE.whole_package])
        return self._sibling_query

    def release_memory(self, analysed_bytes: int) -> None:
        """After RELEASE_AFTER_BYTES of source, free the model's reference cycles now (gc)
        and hand the memory back (glibc's malloc_trim). Otherwise a large package's trees
        and facts outlive it until a full collection, under the next package: 420 MB
        instead of 280 for ssa then syscall. Freeing costs little over the deallocation
        that happens anyway (0.05 s of 0.3 s after ssa)."""
        self._unreleased += analysed_bytes
        if self._unreleased < RELEASE_AFTER_BYTES:
            return
        self._unreleased = 0
        gc.collect()
        if not self._trim_looked_up:
            self._malloc_trim, self._trim_looked_up = _find_malloc_trim(), True
        if self._malloc_trim is not None:
            self._malloc_trim(0)


def _candidate_query(checks: Sequence[Check]) -> CandidateQuery:
    from golinter.parse import CandidateQuery

    return CandidateQuery.build([(c.RULE.code, c.QUERY) for c in checks], [c.QUERY_WORDS for c in checks])


def _find_malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        trim: Callable[[int], int] | None = getattr(ctypes.CDLL(None), "malloc_trim", None)
    except OSError:
        return None
    return trim


_WORKER: _Worker | None = None  # set once per worker process by _init_worker


def _init_worker(prepared: _Worker | tuple[str, ...]) -> None:
    """Pool initializer. Under fork the parent's prepared _Worker is inherited (it is never
    pickled); under spawn only the check codes travel. Ctrl-C is the parent's to handle."""
    import signal

    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if isinstance(prepared, _Worker):
        _WORKER = prepared
    else:
        from golinter.checks import ALL_CHECKS

        _WORKER = _Worker([c for c in ALL_CHECKS if c.RULE.code in prepared])


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


def runtime_version_for(gopkg: GoPackage, settings: Settings) -> Version:
    """--runtime-go, else go.mod's toolchain line, else the newest Go."""
    return settings.runtime_go or gopkg.toolchain_version or NEWEST_GO


def analyze_package(gopkg: GoPackage, settings: Settings, worker: _Worker,
                    sources: Mapping[str, bytes] | None = None, restrict: bool = False) -> PackageResult:
    """Parse and check one package; `sources` (path -> bytes) spares reading files again.

    Every file is parsed, since the model needs the declarations and facts of all, but only
    the reported files' candidates are checked (not a generated file's, nor, under
    `restrict`, the siblings of the files the user named), except by rules marked
    `whole_package` (their findings may sit in another file than the candidate). A
    restricted result covers the reported files only: never cache it as the package's whole
    result."""
    from golinter import context_only, parse, suppress
    from golinter.model.package import Package, SourceFile

    notes: list[Notification] = []
    files: list[SourceFile] = []
    directives: list[Directive] = []
    for gofile in gopkg.files:
        src = sources.get(gofile.path) if sources is not None else None
        src = src if src is not None else _read(gofile.path, notes)
        if src is None:
            continue
        src = _prepare(gofile.path, src, notes)
        left_out: list[tuple[int, int]] = []
        try:
            if gofile.generated:
                tree, left_out = context_only.parse_for_context(worker.parser, src, settings.parse_budget)
            else:
                tree = parse.parse(worker.parser, src, settings.parse_budget)
        except parse.ParseBudgetExceeded:
            notes.append(Notification(Level.WARNING, "parse-budget",
                                      f"not analysed: parsing took over {settings.parse_budget:g}s "
                                      "(pathologically nested code?)", gofile.path, skipped=True))
            continue
        lang = lang_version_for(gopkg.lang_version, gofile.build_lang, settings.go_version)
        deep = parse.too_deep(tree, src)
        sf = SourceFile(gofile.path, src, tree, lang, reported=gofile.reported and not gofile.generated,
                        generated=gofile.generated, broken=parse.broken_ranges(tree) + deep, left_out=left_out)
        err = parse.first_error(tree)
        if err is not None and sf.reported:
            row, col, missing = err
            what = "missing token" if missing else "syntax error"
            notes.append(Notification(Level.WARNING, "syntax-error",
                                      f"{what}: functions containing it were not analysed",
                                      gofile.path, row + 1, col + 1))
        over_limit = False
        if not sf.reported:
            # Never reported (generated, or a sibling of the files the user named): only rules
            # whose findings can sit in another file ever need its candidates.
            sf.matches = _DeferredMatches(worker.sibling_query, tree.root_node)
        else:
            query = worker.test_query if sf.is_test else worker.query
            sf.matches, over_limit = query.run_checked(tree.root_node, src)
        if sf.reported:
            notes += _nesting_notes(sf, deep, over_limit)
        if sf.reported:
            found, bad = suppress.collect(gofile.path, src, tree)
            directives += found
            notes += bad
        files.append(sf)
    from golinter.testnames import in_test_directory
    pkg = Package(gopkg.dir, gopkg.name, files, runtime_version_for(gopkg, settings), settings.options_map(),
                  test_directory=in_test_directory(gopkg.dir, gopkg.root_module_dir))
    findings: list[Finding] = []
    reported = {f.path for f in files if f.reported}
    for check in worker.checks:
        try:
            findings += [f for f in check.run(pkg) if f.span.path in reported]
        except Exception as exc:  # the one broad handler: one rule on one package
            notes.append(Notification(Level.ERROR, "internal-error",
                                      f"internal error in {check.RULE.code} on package {gopkg.name} "
                                      f"({gopkg.dir}): {type(exc).__name__}: {exc}", None))
    pkg.close()
    analysed = sum(1 for f in files if f.reported)
    return PackageResult(tuple(findings), tuple(notes), tuple(directives), analysed, tuple(sorted(reported)))


class _DeferredMatches(_Matches):
    """The candidate matches of a file that is never reported (generated, or a sibling of the
    files the user named), found on first read. Only rules marked `whole_package` have any
    there, and one that asks the model instead never reads them (GML003: its concurrency
    analysis finds goroutines itself), so the query is often never run (the restricted
    analysis of the largest Go package: 3.7 s -> 2.6 s). A read of another rule's code
    (Package.matches asks every file) answers "none" without running it; any other read fills
    the dict first (such a file is never reported, so the match limit needs no notification)."""

    def __init__(self, query: CandidateQuery, root: Node) -> None:
        super().__init__()
        self._codes = frozenset(query.codes)
        self._pending: tuple[CandidateQuery, Node] | None = (query, root)

    def _fill(self) -> None:
        if self._pending is not None:
            query, root = self._pending
            self._pending = None
            super().update(query.run(root))

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        if key not in self._codes:
            return default
        self._fill()
        return super().get(key, default)

    def __getitem__(self, key: str) -> list[Match]:
        if key in self._codes:
            self._fill()
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        if key not in self._codes:
            return False
        self._fill()
        return super().__contains__(key)

    def __iter__(self) -> Iterator[str]:
        self._fill()
        return super().__iter__()

    def __len__(self) -> int:
        self._fill()
        return super().__len__()

    def keys(self) -> KeysView[str]:  # type: ignore[override]
        self._fill()
        return super().keys()

    def values(self) -> ValuesView[list[Match]]:  # type: ignore[override]
        self._fill()
        return super().values()

    def items(self) -> ItemsView[str, list[Match]]:  # type: ignore[override]
        self._fill()
        return super().items()

    def __repr__(self) -> str:
        self._fill()
        return super().__repr__()


def _nesting_notes(sf: SourceFile, deep: Sequence[tuple[int, int]], over_limit: bool) -> list[Notification]:
    """Pathological nesting: declarations left out (`parse.too_deep`), or a candidate query that
    dropped partial matches (`parse.MATCH_LIMIT`). The rest of the file is analysed."""
    from golinter.parse import MATCH_LIMIT, MAX_NESTING

    notes: list[Notification] = []
    if deep:
        what = "a declaration nests" if len(deep) == 1 else f"{len(deep)} declarations nest"
        notes.append(Notification(Level.WARNING, "too-deep",
                                  f"{what} blocks more than {MAX_NESTING} deep: not analysed", sf.path,
                                  sf.line_of_byte(deep[0][0]), 1))
    if over_limit:
        notes.append(Notification(Level.WARNING, "match-limit",
                                  f"nesting exceeded the candidate query's {MATCH_LIMIT} partial matches: "
                                  "candidates in the deepest code may be missing", sf.path))
    return notes


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


# -- cache plumbing --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Job:
    """One package to analyse, every non-generated file reported unless `restrict` (then only
    the named files, and only their candidates checked: `analyze_package`, under a key of its
    own: `cache.restricted_key`). `key` names its cache entry (None: not cached) and `digests`
    are the (path, content digest) pairs the key was made from."""

    package: GoPackage
    key: str | None = None
    digests: tuple[tuple[str, str], ...] = ()
    restrict: bool = False

    @property
    def size(self) -> int:
        return sum(f.size for f in self.package.files)


def _plan(gopkg: GoPackage, settings: Settings, environment: str | None,
          index: StatIndex | None) -> tuple[_Job, dict[str, bytes]]:
    """The job for a package and, with a cache, the contents of the files read to key it
    (files the stat index vouches for are not read)."""
    from golinter import cache

    full = replace(gopkg, files=tuple(f if f.reported == (not f.generated) else replace(f, reported=not f.generated)
                                      for f in gopkg.files))
    if environment is None:
        return _Job(full), {}
    sources: dict[str, bytes] = {}
    keys: list[cache.FileKey] = []
    for f in gopkg.files:
        try:
            digest = index.digest(f.path, os.stat(f.path)) if index is not None else None
            if digest is None:
                with open(f.path, "rb") as fh:
                    st = os.fstat(fh.fileno())
                    sources[f.path] = fh.read()
                digest = cache.file_digest(sources[f.path])
                if index is not None:
                    index.record(f.path, st, digest, time.time_ns())
        except OSError:
            return _Job(full), {}  # analysed uncached; analyze_package reports the file
        lang = lang_version_for(gopkg.lang_version, f.build_lang, settings.go_version)
        keys.append(cache.FileKey(f.path, digest, f.generated, lang))
    from golinter.testnames import in_test_directory
    key = cache.package_key(environment, repr(settings), gopkg.dir, gopkg.name,
                            runtime_version_for(gopkg, settings), keys, in_test_directory(gopkg.dir, gopkg.root_module_dir))
    return _Job(full, key, tuple((k.path, k.digest) for k in keys)), sources


def _restricted(job: _Job, gopkg: GoPackage) -> _Job | None:
    """For a package whose files the user named (some non-generated file not reported): the
    job checking only their candidates, keyed apart from the whole package's entry; else None."""
    if all(f.reported or f.generated for f in gopkg.files):
        return None
    key = None
    if job.key is not None:
        from golinter.cache import restricted_key

        key = restricted_key(job.key, [f.path for f in gopkg.files if f.reported])
    return _Job(gopkg, key, job.digests, restrict=True)


def _analyze_job(job: _Job, settings: Settings, worker: _Worker, store: ResultStore | None,
                 sources: Mapping[str, bytes] | None) -> tuple[PackageResult, str | None]:
    """Analyse one job and store its entry; (result, why the entry could not be written).

    `sources` were hashed while planning, in this process; every other file is read and
    checked against the key's digest, and the entry is stored only if all of them match
    (a file edited during the run is analysed as it is now, and not cached)."""
    if job.key is None or store is None:
        return analyze_package(job.package, settings, worker, sources, job.restrict), None
    from golinter import cache

    known = dict(sources or {})
    verified = True
    for path, digest in job.digests:
        if path in known:
            continue
        try:
            with open(path, "rb") as fh:
                known[path] = fh.read()
        except OSError:
            verified = False
            break
        if cache.file_digest(known[path]) != digest:
            verified = False
            break
    result = analyze_package(job.package, settings, worker, known, job.restrict)
    if not verified or any(n.reason in _UNCACHEABLE_REASONS for n in result.notifications):
        return result, None
    try:
        store.store(job.key, result)
    except OSError as exc:
        return result, f"cannot write cache entries in {store.entries}: {exc.strerror or exc}; results were not cached"
    return result, None


def _run_in_worker(job: _Job, settings: Settings, store: ResultStore | None) -> tuple[PackageResult, str | None]:
    assert _WORKER is not None
    out = _analyze_job(job, settings, _WORKER, store, None)
    _WORKER.release_memory(job.size)
    return out


def _open_store(cache_dir: str | None) -> tuple[ResultStore | None, list[Notification]]:
    if cache_dir is None:
        return None, []
    from golinter.cache import CacheUnavailable, ResultStore

    try:
        return ResultStore.open(cache_dir), []
    except CacheUnavailable as exc:
        return None, [Notification(Level.WARNING, "cache",
                                   f"cache disabled: {exc}; set --cache-dir or GOLINTER_CACHE_DIR to a "
                                   "writable directory, or pass --no-cache", None)]


def _load(store: ResultStore | None, key: str | None) -> PackageResult | None:
    if store is None or key is None:
        return None
    value = store.load(key)
    return value if isinstance(value, PackageResult) else None


def _for_reported(result: PackageResult, gopkg: GoPackage) -> PackageResult:
    """Narrow a result computed with every non-generated file reported to the reported ones."""
    if all(f.reported or f.generated for f in gopkg.files):
        return result
    shown = {f.path for f in gopkg.files if f.reported}
    paths = tuple(p for p in result.reported_paths if p in shown)
    return PackageResult(
        tuple(f for f in result.findings if f.span.path in shown),
        tuple(n for n in result.notifications if n.path is None or n.path in shown or n.reason in _LOAD_REASONS),
        tuple(d for d in result.directives if d.path in shown),
        len(paths), paths)


# -- the whole run ---------------------------------------------------------------------------

def usable_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def run_packages(packages: Sequence[GoPackage], settings: Settings, jobs: int,
                 checks: Sequence[Check] | None = None, cache_dir: str | None = None,
                 index: StatIndex | None = None) -> RunOutput:
    """Analyse packages (cache first, then largest first in-process or in a pool); results in
    package order. `cache_dir` None: no cache. `index`: the cache's stat index when the caller
    already loaded it (discovery's heads); it is saved here."""
    start = time.monotonic()
    out = RunOutput(packages=len(packages))
    todo = [p for p in packages if p.has_reported_files]
    store, notes = _open_store(cache_dir)
    out.notifications += notes
    environment = None
    given, index = index, None
    if store is not None:
        from golinter.cache import environment_digest

        environment = environment_digest(_codes(checks))
        index = given if given is not None else store.stat_index()
    results: dict[int, PackageResult] = {}

    def planned() -> Iterator[tuple[int, _Job, dict[str, bytes]]]:
        """The dirty packages' jobs, largest first (the pool's order); cached results go to
        `results` on the way."""
        sizes = [sum(f.size for f in p.files) for p in todo]
        for i in sorted(range(len(todo)), key=lambda k: (-sizes[k], k)):
            p = todo[i]
            job, sources = _plan(p, settings, environment, index)
            cached = _load(store, job.key)  # a whole-package entry serves named files too
            restricted = _restricted(job, p) if cached is None else None
            if restricted is not None:
                job = restricted
                cached = _load(store, job.key)
            if cached is not None:
                results[i] = cached
                continue
            out.analysed += 1
            yield i, job, sources

    # Plan until a pool is certain (two dirty packages and IN_PROCESS_BYTES of source), then let
    # the pool analyse while the rest is planned (hashing the Go library takes 0.4 s).
    stream = planned()
    dirty: list[tuple[int, _Job, dict[str, bytes]]] = []
    dirty_bytes = 0
    pooled = False
    for item in stream:
        dirty.append(item)
        dirty_bytes += item[1].size
        if jobs > 1 and dirty_bytes >= IN_PROCESS_BYTES and len(dirty) >= 2:
            pooled = True
            break
    errors: list[str] = []
    chosen = _checks(checks) if dirty else ()
    if pooled:  # workers read the files for themselves: the parent keeps no sources
        errors += _run_pool([(i, job) for i, job, _s in dirty], ((i, job) for i, job, _s in stream),
                            settings, min(jobs, len(todo)), chosen, store, results)
    elif dirty:
        errors += _run_in_process(sorted(dirty, key=lambda item: item[0]), settings, chosen, store, results)
    out.cache_hits = len(todo) - out.analysed
    for i, p in enumerate(todo):
        r = _for_reported(results[i], p)
        out.findings += r.findings
        out.notifications += r.notifications
        out.directives += r.directives
        out.files_analysed += r.files_analysed
        out.reported_paths.update(r.reported_paths)
    if index is not None:
        try:
            index.save()
        except OSError as exc:
            errors.append(f"cannot write {index.path}: {exc.strerror or exc}; the next run reads every file again")
    if errors:
        out.notifications.append(Notification(Level.WARNING, "cache", errors[0]))
    if store is not None and store.prune_due():
        store.prune()
    out.elapsed = time.monotonic() - start
    return out


def _codes(checks: Sequence[Check] | None) -> list[str]:
    """The codes of the checks run (all by default), without importing a check."""
    if checks is not None:
        return [c.RULE.code for c in checks]
    from golinter.checks import all_rules

    return [r.code for r in all_rules()]


def _checks(checks: Sequence[Check] | None) -> tuple[Check, ...]:
    """The checks to run: every registered one by default (imported here, with the model)."""
    if checks is not None:
        return tuple(checks)
    import golinter.checks

    return golinter.checks.ALL_CHECKS


def _run_in_process(dirty: Sequence[tuple[int, _Job, dict[str, bytes] | None]], settings: Settings,
                    checks: Sequence[Check], store: ResultStore | None,
                    results: dict[int, PackageResult]) -> list[str]:
    """Fill `results` here, in package order; the cache errors met."""
    worker = _Worker(checks)
    errors: list[str] = []
    for n, (i, job, kept) in enumerate(dirty, 1):
        results[i], error = _analyze_job(job, settings, worker, store, kept)
        if n < len(dirty):  # after the last, the process is about to finish anyway
            worker.release_memory(job.size)
        errors += [error] if error else []
    return errors


def _run_pool(dirty: Sequence[tuple[int, _Job]], more: Iterator[tuple[int, _Job]], settings: Settings,
              jobs: int, checks: Sequence[Check], store: ResultStore | None,
              results: dict[int, PackageResult]) -> list[str]:
    """Fill `results` from a process pool; the cache errors workers met. `dirty` are the jobs
    planned so far, `more` plans the rest (in this process, while the workers run), each no
    larger than those before it.

    Largest first, one package a task, at most one task queued beyond the busy workers, and
    never more packages at once than MEMORY_BUDGET_BYTES allows by their estimated memory
    (a package alone always runs): the largest two of the Go std library (ssa, syscall)
    together would take the peak over 500 MB, so a smaller package runs beside the largest."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    method = START_METHOD
    # Under fork, compile the query once here: every worker inherits it without pickling.
    prepared: _Worker | tuple[str, ...] = (_Worker(checks) if method == "fork"
                                           else tuple(c.RULE.code for c in checks))
    workers = jobs  # at most the number of packages (the caller's bound: not all are planned yet)
    pending = sorted(dirty, key=lambda item: (-item[1].size, item[0]))
    negated_sizes = [-job.size for _i, job in pending]  # ascending, for bisect
    running: dict[Future[tuple[PackageResult, str | None]], tuple[int, _Job]] = {}
    errors: list[str] = []

    def collect(done: Iterable[Future[tuple[PackageResult, str | None]]]) -> None:
        nonlocal errors
        for fut in done:
            i, job = running.pop(fut)
            try:
                results[i], error = fut.result()
            except BrokenProcessPool:
                results[i] = _died(job.package)
                continue
            errors += [error] if error else []

    def fill(pool: ProcessPoolExecutor) -> None:
        while pending and len(running) <= workers:
            k = _next_fitting(negated_sizes, [job.size for _i, job in running.values()])
            if k is None:
                return  # nothing fits beside what runs: wait for it
            i, job = pending.pop(k)
            del negated_sizes[k]
            try:
                running[pool.submit(_run_in_worker, job, settings, store)] = (i, job)
            except BrokenProcessPool:
                for j, left in [(i, job), *pending]:
                    results[j] = _died(left.package)
                pending.clear()

    pool: ProcessPoolExecutor | None = None
    try:
        with _sigint_deferred():  # a Ctrl-C inside fork's at-fork handlers would be swallowed
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method),
                                       initializer=_init_worker, initargs=(prepared,))
            fill(pool)
        for i, job in more:
            pending.append((i, job))  # planned in descending size: pending stays sorted
            negated_sizes.append(-job.size)
            collect([fut for fut in running if fut.done()])
            fill(pool)
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            collect(done)
            fill(pool)
    except BaseException:
        if pool is not None:
            _terminate(pool)
        raise
    pool.shutdown(wait=True)
    return errors


def _next_fitting(negated_sizes: Sequence[int], running_sizes: Sequence[int]) -> int | None:
    """Index of the largest pending package (sizes negated, ascending) whose estimated memory
    fits in the budget beside the running ones; the largest when nothing runs; None."""
    if not negated_sizes:
        return None
    if not running_sizes:
        return 0
    room = (MEMORY_BUDGET_BYTES - sum(running_sizes) * MEMORY_PER_SOURCE_BYTE) // MEMORY_PER_SOURCE_BYTE
    k = bisect.bisect_left(negated_sizes, -room)
    return k if k < len(negated_sizes) else None


@contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Hold SIGINT while the pool forks its workers; a Ctrl-C meanwhile arrives on leaving.

    Workers inherit the blocked mask, and _init_worker ignores SIGINT before anything else."""
    import signal

    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _died(gopkg: GoPackage) -> PackageResult:
    note = Notification(Level.ERROR, "internal-error",
                        f"internal error on package {gopkg.name} ({gopkg.dir}): a worker process died "
                        "(out of memory or killed); rerun with --jobs 1 to find the file", None)
    return PackageResult((), (note,), (), 0, ())


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop the workers now (Ctrl-C): running packages are abandoned, queued ones cancelled."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14
    if terminate is not None:
        terminate()
        return
    for process in list((pool._processes or {}).values()):
        process.terminate()
    # Wait for the pool's manager thread (it sees the dead workers and closes its wake-up pipe):
    # left running, it races the interpreter's exit hook, which then writes to that closed pipe
    # and prints a traceback after "interrupted" (CPython 3.11-3.13).
    pool.shutdown(wait=True, cancel_futures=True)


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
