"""Named files (pre-commit): `golinter check FILE` checks only FILE's candidates (engine.py,
`analyze_package(restrict=True)`) yet reports exactly what the whole package's run reports in
FILE, for every .go file of every fixture; and its result never stands in for the package's.
"""
from __future__ import annotations

import contextlib
import functools
import io
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from golinter.cli import main

ROOT = Path(__file__).resolve().parents[1] / "fixtures"
CASES = sorted(p for p in ROOT.glob("GML*/*") if p.is_dir())
FILES = [(case, go.relative_to(case)) for case in CASES for go in sorted(case.rglob("*.go"))]

Finding = dict[str, object]


def _check(case: Path, *args: str) -> tuple[int, dict[str, object]]:
    """`golinter check ARGS --select ALL --format json` run in `case` (with its config)."""
    config = ["--config", ".golinter.toml"] if (case / ".golinter.toml").exists() else []
    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    os.chdir(case)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), pytest.raises(SystemExit) as exit_:
            main(["check", *args, "--select", "ALL", "--format", "json", "--jobs", "1", "-q", *config])
    finally:
        os.chdir(here)
    code = exit_.value.code if isinstance(exit_.value.code, int) else 0
    assert code in (0, 1), err.getvalue()
    report: dict[str, object] = json.loads(out.getvalue())
    return code, report


@functools.cache
def _whole(case: Path) -> tuple[str, ...]:
    """The case's findings from a run over its directory (every package whole), as JSON lines."""
    _code, report = _check(case, ".", "--no-cache")
    findings = report["findings"]
    assert isinstance(findings, list)
    return tuple(json.dumps(f, sort_keys=True) for f in findings)


@pytest.mark.parametrize(("case", "name"), FILES, ids=[f"{c.parent.name}/{c.name}/{n}" for c, n in FILES])
def test_named_file_run_reports_what_the_whole_package_reports_there(case: Path, name: Path) -> None:
    _code, report = _check(case, str(name), "--no-cache")
    findings = report["findings"]
    assert isinstance(findings, list)
    got = [json.dumps(f, sort_keys=True) for f in findings]
    want = [f for f in _whole(case) if json.loads(f)["path"] == str(name)]
    assert got == want


GO_MOD = "module example.com/p\n\ngo 1.22\n"
# GML009 (restricted to its candidates) in a.go and b.go.
LOOP = "package p\n\nfunc Reset{n}(m map[string]int) {{\n\tfor k := range m {{\n\t\tdelete(m, k)\n\t}}\n}}\n"


def _package(tmp_path: Path) -> Path:
    tmp_path.mkdir()
    (tmp_path / "go.mod").write_text(GO_MOD)
    (tmp_path / "a.go").write_text(LOOP.format(n="A"))
    (tmp_path / "b.go").write_text(LOOP.format(n="B"))
    return tmp_path


def _paths(report: dict[str, object]) -> list[object]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return [f["path"] for f in findings]


def test_named_file_result_is_never_the_packages_cache_entry(tmp_path: Path) -> None:
    """A run naming a.go caches a.go's result only; a later run over the package, or naming
    b.go, does not take it for theirs."""
    case = _package(tmp_path / "p")
    cache = str(tmp_path / "cache")
    assert _paths(_check(case, "a.go", "--cache-dir", cache)[1]) == ["a.go"]
    assert _paths(_check(case, ".", "--cache-dir", cache)[1]) == ["a.go", "b.go"]
    assert _paths(_check(case, "b.go", "--cache-dir", cache)[1]) == ["b.go"]


def test_named_file_run_is_served_by_its_own_entry_and_the_packages(tmp_path: Path) -> None:
    case = _package(tmp_path / "p")
    cache = tmp_path / "cache"
    assert _paths(_check(case, "b.go", "--cache-dir", str(cache))[1]) == ["b.go"]
    entries = {p for p in cache.rglob("*") if p.is_file() and len(p.name) == 62}
    assert len(entries) == 1  # the restricted entry
    assert _paths(_check(case, "b.go", "--cache-dir", str(cache))[1]) == ["b.go"]
    assert {p for p in cache.rglob("*") if p.is_file() and len(p.name) == 62} == entries  # a hit
    _check(case, ".", "--cache-dir", str(cache))
    assert len({p for p in cache.rglob("*") if p.is_file() and len(p.name) == 62}) == 2  # the whole package's


SPAWN = """package crawler

import "sync"

// Pool runs jobs on n workers and records results by job ID.
type Pool struct {
	n       int
	results map[int]string
}

func (p *Pool) Run(jobs <-chan string) {
	var wg sync.WaitGroup
	for i := 0; i < p.n; i++ {
		wg.Add(1)
		go p.worker(&wg, jobs)
	}
	wg.Wait()
}
"""
WORKER = """package crawler

import "sync"

func (p *Pool) worker(wg *sync.WaitGroup, jobs <-chan string) {
	defer wg.Done()
	for j := range jobs {
		p.results[len(j)] = j
	}
}
"""


def test_named_file_whole_package_rule_sees_the_siblings_candidates(tmp_path: Path) -> None:
    """GML003's candidate (the go statement) is in spawn.go, its finding (the write) in
    worker.go: naming worker.go alone still reports it (GML003 is `whole_package`)."""
    (tmp_path / "go.mod").write_text(GO_MOD)
    (tmp_path / "spawn.go").write_text(SPAWN)
    (tmp_path / "worker.go").write_text(WORKER)
    whole = _check(tmp_path, ".", "--no-cache")[1]
    assert _paths(whole) == ["worker.go"]
    assert _check(tmp_path, "worker.go", "--no-cache")[1] == whole
    assert _paths(_check(tmp_path, "spawn.go", "--no-cache")[1]) == []


def test_named_file_sibling_matches_are_found_on_first_read() -> None:
    """A sibling's deferred matches read like the query's own, whichever method reads first."""
    from golinter.checks import ALL_CHECKS
    from golinter.engine import _DeferredMatches
    from golinter.parse import CandidateQuery, Match, new_parser

    src = b"package p\n\nfunc f(m map[int]int) {\n\tgo func() { m[1] = 2 }()\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n"
    query = CandidateQuery.build([(c.RULE.code, c.QUERY) for c in ALL_CHECKS])
    root = new_parser().parse(src).root_node
    want = query.run(root)
    assert want["GML003"] and want["GML009"]  # the test can fail
    reads: dict[str, Callable[[dict[str, list[Match]]], object]] = {
        "get": lambda d: {k: d.get(k) for k in want},
        "getitem": lambda d: {k: d[k] for k in want},
        "contains": lambda d: ("GML003" in d) and dict(d),
        "iter": lambda d: {k: dict.__getitem__(d, k) for k in d},
        "len": lambda d: len(d) and dict(d),
        "items": lambda d: dict(d.items()),
        "keys": lambda d: list(d.keys()) and dict(d),
        "values": lambda d: list(d.values()) and dict(d),
    }
    for name, read in reads.items():
        got = read(_DeferredMatches(query, root))
        assert got == want, name


def test_named_file_sibling_matches_of_other_rules_run_no_query() -> None:
    """Package.matches asks every file for the rule's code: a code outside the sibling query
    is answered without running it."""
    from typing import cast

    from golinter.engine import _DeferredMatches
    from golinter.parse import CandidateQuery, Match, new_parser

    class Counting:
        codes = ("GML003",)
        runs = 0

        def run(self, _root: object) -> dict[str, list[Match]]:
            Counting.runs += 1
            return {"GML003": []}

    root = new_parser().parse(b"package p\n").root_node
    deferred = _DeferredMatches(cast("CandidateQuery", Counting()), root)
    assert deferred.get("GML009", ()) == () and "GML009" not in deferred and Counting.runs == 0
    with pytest.raises(KeyError):
        deferred["GML009"]
    assert Counting.runs == 0
    assert deferred.get("GML003") == [] and Counting.runs == 1
    assert dict(deferred) == {"GML003": []} and Counting.runs == 1
