"""Bad input (SPEC section 8) through the real command line, run as a subprocess.

Every file is either analysed or named in a notification — a `warning:` line on stderr, a JSON
notification, a SARIF toolExecutionNotification — and the summary counts the skipped ones by
reason. Nothing crashes, nothing hangs (a FIFO), nothing prints a traceback; a missing path, an
unwritable output and a bad config exit 2 with one line. A rule that raises becomes a notification
naming the rule and the package, the other findings stay, and the exit status is 2.

Also here: "no findings from functions containing ERROR or MISSING nodes" (SPEC section 4), with
a candidate the query does match inside the broken function, so the filter is what is tested.
GML009 is off by default and version-gated: the trees select it and carry a `go 1.22` go.mod.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from jsonschema import Draft4Validator

from golinter.checks import by_code
from golinter.discover import discover
from golinter.engine import Settings, run_packages
from golinter.findings import Level
from golinter.parse import CandidateQuery, new_parser, parse
from golinter.run import CheckRequest, run_check

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from golinter.findings import Finding
    from golinter.model.package import Package

REPO = Path(__file__).resolve().parents[1]
SARIF_VALIDATOR = Draft4Validator(json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json")
                                             .read_text(encoding="utf-8")))
GO_MOD = "module example.com/t\n\ngo 1.22\n"
SELECT = ("--select", "GML009", "--no-cache")
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
SUMMARY_RE = re.compile(r"^golinter: (\d+) files?, (\d+) packages?(?:, (\d+) skipped \(([^)]*)\))?, ", re.M)


def loop_src(package: str, func: str, before: str = "") -> str:
    """A file whose `for` loop (GML009) sits on line 4 + the lines of `before`."""
    return (f"package {package}\n{before}\nfunc {func}(m map[string]int) {{\n"
            "\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n")


# A first function whose `mu.Lock(` is missing its `)`: tree-sitter swallows the lock call into an
# ERROR node, while the range-delete loop after it still parses and matches GML009's query.
SYNTAX_GO = """package t

import "sync"

var mu sync.Mutex

func broken(m map[string]int) {
	mu.Lock(
	for k := range m {
		delete(m, k)
	}
	mu.Unlock()
}

func intact(m map[string]int) {
	for k := range m {
		delete(m, k)
	}
}
"""
SYNTAX_BROKEN_LOOP, SYNTAX_INTACT_LOOP = 9, 16


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def golinter(args: Sequence[str], cwd: Path, timeout: float = 120) -> Run:
    """`golinter <args>` in a fresh interpreter (no `__main__` needed); the shell's exit status."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["GOLINTER_CACHE_DIR"] = str(cwd / ".cache-never-used")
    proc = subprocess.run([sys.executable, "-c", "from golinter.cli import main; main()", *args], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=timeout)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def no_traceback(run: Run) -> None:
    assert "Traceback" not in run.err and "Traceback" not in run.out, run.err


def one_error_line(run: Run) -> str:
    """The single `golinter: error:` line of a failed run (nothing else on stderr)."""
    lines = run.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("golinter: error: "), run.err
    return lines[0]


def summary(err: str) -> tuple[int, int, Counter[str]]:
    """(files analysed, packages, skipped count per reason) from the stderr summary line."""
    m = SUMMARY_RE.search(err)
    assert m, err
    skipped: Counter[str] = Counter()
    for part in (m.group(4) or "").split(", "):
        if part:
            count, reason = part.split(" ", 1)
            skipped[reason] = int(count)
    assert sum(skipped.values()) == int(m.group(3) or 0)
    return int(m.group(1)), int(m.group(2)), skipped


# -- the hostile tree, checked once in each format --------------------------------------------------

@dataclass(frozen=True)
class Hostile:
    base: Path   # the working directory; the tree is base/"tree"
    text: Run
    json_run: Run
    doc: dict[str, Any]
    sarif_run: Run
    sarif: dict[str, Any]


EXPECTED_FINDINGS = {("tree/good.go", 4), ("tree/crlf.go", 4), ("tree/bom.go", 4), ("tree/latin1.go", 6),
                     ("tree/x.go/inner.go", 4), ("tree/syntax.go", SYNTAX_INTACT_LOOP)}
EXPECTED_NOTES = {  # (reason, path, skipped)
    ("unreadable", "tree/broken.go", True), ("unreadable", "tree/loop_a.go", True),
    ("unreadable", "tree/loop_b.go", True), ("unreadable", "tree/fifo.go", True),
    ("no-package-clause", "tree/empty.go", True), ("too-large", "tree/huge.go", True),
    ("symlink-dir", "tree/sub/up", True), ("symlink-dir", "tree/outside", True),
    ("not-utf8", "tree/latin1.go", False), ("syntax-error", "tree/syntax.go", False),
}


def build_tree(base: Path) -> Path:
    tree = base / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "go.mod").write_text(GO_MOD)
    (tree / "good.go").write_text(loop_src("t", "good"))
    (tree / "crlf.go").write_bytes(loop_src("t", "crlf").replace("\n", "\r\n").encode())
    (tree / "bom.go").write_bytes(b"\xef\xbb\xbf" + loop_src("t", "bom").encode())
    (tree / "latin1.go").write_bytes(loop_src("t", "latin1", before="\n// caf\xe9 cr\xe8me\n").encode("latin-1"))
    (tree / "empty.go").write_bytes(b"")
    (tree / "syntax.go").write_text(SYNTAX_GO)
    (tree / "huge.go").write_text(loop_src("t", "huge") + "// padding\n" * 1000)  # > 4 KiB
    (tree / "broken.go").symlink_to("nowhere.go")                     # dangling
    (tree / "loop_a.go").symlink_to("loop_b.go")                      # a file symlink loop
    (tree / "loop_b.go").symlink_to("loop_a.go")
    (tree / "sub" / "up").symlink_to("..", target_is_directory=True)  # a directory loop
    (tree / "x.go").mkdir()                                           # a directory named like a file
    (tree / "x.go" / "inner.go").write_text(loop_src("xgo", "inner"))
    os.mkfifo(tree / "fifo.go")                                       # opening it would block
    outside = base / "elsewhere"                                      # never to be read
    outside.mkdir()
    (outside / "secret.go").write_text(loop_src("secret", "secret"))
    (tree / "outside").symlink_to(outside, target_is_directory=True)
    (base / "small.toml").write_text('max-file-size = "4KiB"\n')
    return tree


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    base = tmp_path_factory.mktemp("hostile")
    build_tree(base)
    common = ["check", "tree", *SELECT, "--config", "small.toml"]
    text = golinter(common, base)
    json_run = golinter([*common, "--format", "json"], base)
    sarif_run = golinter([*common, "--format", "sarif", "-o", "out.sarif"], base)
    sarif = json.loads((base / "out.sarif").read_text(encoding="utf-8"))
    return Hostile(base, text, json_run, json.loads(json_run.out), sarif_run, sarif)


def json_notes(doc: dict[str, Any]) -> set[tuple[str, str, bool]]:
    return {(n["reason"], n["path"], n["skipped"]) for n in doc["notifications"]}


def test_bad_input_runs_finish_with_findings_status_and_no_traceback(hostile: Hostile) -> None:
    for run in (hostile.text, hostile.json_run, hostile.sarif_run):
        no_traceback(run)
        assert run.code == 1, run.err  # findings; no internal error


def test_bad_input_every_case_gets_its_notification_in_json(hostile: Hostile) -> None:
    assert json_notes(hostile.doc) == EXPECTED_NOTES


def test_bad_input_findings_are_exactly_the_analysable_files(hostile: Hostile) -> None:
    """CRLF, BOM and non-UTF-8 files are analysed normally (same line and column as a clean file);
    nothing comes through the directory loop twice or through the symlink leaving the tree."""
    findings = hostile.doc["findings"]
    assert {(f["path"], f["line"]) for f in findings} == EXPECTED_FINDINGS
    assert all(f["column"] == 2 for f in findings), findings
    assert len(findings) == len(EXPECTED_FINDINGS)


def test_bad_input_text_warnings_on_stderr(hostile: Hostile) -> None:
    err = hostile.text.err
    for reason, path, _skipped in EXPECTED_NOTES:
        if reason == "symlink-dir":
            continue  # a note: shown with -v only (the JSON and SARIF carry it)
        assert re.search(rf"^{re.escape(path)}(:\d+:\d+)?: warning: .* \[{reason}\]$", err, re.M), (reason, err)
    assert re.search(rf"^tree/syntax.go:8:2: warning: syntax error: .*\[syntax-error\]$", err, re.M), err
    assert re.search(r"^tree/broken.go: warning: broken symbolic link", err, re.M), err
    assert re.search(r"^tree/fifo.go: warning: not a regular file", err, re.M), err
    assert re.search(r"^tree/huge.go: warning: \d+ bytes, over max-file-size \(4096\)", err, re.M), err


def test_bad_input_summary_counts_every_skip(hostile: Hostile) -> None:
    files, packages, skipped = summary(hostile.text.err)
    assert (files, packages) == (6, 2)  # good crlf bom latin1 syntax (package t) + x.go/inner.go
    expected = Counter(reason for reason, _path, was_skipped in EXPECTED_NOTES if was_skipped)
    assert skipped == expected


def test_bad_input_every_go_entry_is_analysed_or_notified(hostile: Hostile) -> None:
    """Count the `.go` names on disk (files, links, FIFOs; not directories), independently of
    discovery: each is analysed or has a skip notification."""
    tree = hostile.base / "tree"
    entries = [Path(d, n) for d, dirs, names in os.walk(tree) for n in names if n.endswith(".go")]
    skipped_files = {p for reason, p, s in json_notes(hostile.doc) if s and reason != "symlink-dir"}
    files, _packages, _skipped = summary(hostile.text.err)
    assert len(entries) == files + len(skipped_files)
    assert skipped_files <= {str(p.relative_to(hostile.base)) for p in entries}


def test_bad_input_sarif_carries_every_notification(hostile: Hostile) -> None:
    SARIF_VALIDATOR.validate(hostile.sarif)
    runs = hostile.sarif["runs"]
    invocation = runs[0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    got = set()
    for note in invocation["toolExecutionNotifications"]:
        uri = note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        got.add((note["descriptor"]["id"], uri))
    assert got == {(reason, path) for reason, path, _skipped in EXPECTED_NOTES}
    assert len(runs[0]["results"]) == len(EXPECTED_FINDINGS)


def test_bad_input_symlink_leaving_the_tree_is_not_followed(hostile: Hostile) -> None:
    for run in (hostile.text, hostile.json_run):
        assert "secret" not in run.out and "elsewhere" not in run.out
        assert "secret" not in run.err and "elsewhere" not in run.err
    assert "secret" not in json.dumps(hostile.sarif)


def test_bad_input_directory_named_x_go_given_as_path_is_walked(hostile: Hostile) -> None:
    run = golinter(["check", "tree/x.go", *SELECT, "--format", "json"], hostile.base)
    no_traceback(run)
    assert run.code == 1
    assert [(f["path"], f["line"]) for f in json.loads(run.out)["findings"]] == [("tree/x.go/inner.go", 4)]


def test_bad_input_named_unreadable_files_are_notified(hostile: Hostile) -> None:
    """Pre-commit style: the named broken link and FIFO are skipped with a warning each."""
    run = golinter(["check", "tree/broken.go", "tree/fifo.go", "tree/good.go", *SELECT, "--format", "json"],
                   hostile.base, timeout=60)
    no_traceback(run)
    doc = json.loads(run.out)
    assert [(f["path"], f["line"]) for f in doc["findings"]] == [("tree/good.go", 4)]
    notes = json_notes(doc)
    assert {("unreadable", "tree/broken.go", True), ("unreadable", "tree/fifo.go", True)} <= notes


# -- unreadable files ---------------------------------------------------------------------------

@pytest.mark.skipif(IS_ROOT, reason="root reads mode-000 files; see the simulated test below")
@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_bad_input_unreadable_file_and_directory(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text(GO_MOD)
    (tmp_path / "good.go").write_text(loop_src("t", "good"))
    locked = tmp_path / "locked.go"
    locked.write_text(loop_src("t", "locked"))
    closed = tmp_path / "closed"
    closed.mkdir()
    (closed / "c.go").write_text(loop_src("c", "c"))
    locked.chmod(0)
    closed.chmod(0)
    try:
        run = golinter(["check", ".", *SELECT], tmp_path)
    finally:
        locked.chmod(0o644)
        closed.chmod(0o755)
    no_traceback(run)
    assert run.code == 1
    assert re.search(r"^locked.go: warning: cannot read file: Permission denied \[unreadable\]$", run.err, re.M)
    assert re.search(r"^closed: warning: cannot read directory: Permission denied \[unreadable\]$", run.err, re.M)
    assert summary(run.err)[2]["unreadable"] == 2


def test_bad_input_permission_denied_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """As root nothing is unreadable: make discovery's open() fail for one file, in-process."""
    import builtins

    import golinter.discover as discover_module

    (tmp_path / "go.mod").write_text(GO_MOD)
    (tmp_path / "good.go").write_text(loop_src("t", "good"))
    (tmp_path / "locked.go").write_text(loop_src("t", "locked"))
    real_open = builtins.open

    def guarded_open(file: object, *args: object, **kwargs: object) -> object:
        if str(file).endswith("locked.go"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(discover_module, "open", guarded_open, raising=False)
    monkeypatch.chdir(tmp_path)
    code = run_check(CheckRequest(paths=["."], fmt="json", select=("GML009",), jobs=1, use_cache=False))
    out, err = capsys.readouterr()
    assert code == 1
    doc = json.loads(out)
    assert [f["path"] for f in doc["findings"]] == ["good.go"]
    assert [(n["reason"], n["path"], n["skipped"]) for n in doc["notifications"]] == [
        ("unreadable", "locked.go", True)]
    assert "locked.go: warning: cannot read file: Permission denied [unreadable]" in err


def test_bad_input_file_vanishing_after_discovery(tmp_path: Path) -> None:
    """Deleted between discovery and analysis: the engine notifies, the package goes on."""
    (tmp_path / "go.mod").write_text(GO_MOD)
    (tmp_path / "good.go").write_text(loop_src("t", "good"))
    (tmp_path / "gone.go").write_text(loop_src("t", "gone"))
    found = discover([str(tmp_path)])
    (tmp_path / "gone.go").unlink()
    out = run_packages(found.packages, Settings(), jobs=1)
    assert [os.path.basename(f.span.path) for f in out.findings] == ["good.go"]
    assert [(n.reason, os.path.basename(n.path or ""), n.skipped) for n in out.notifications] == [
        ("unreadable", "gone.go", True)]


# -- names no report can show -------------------------------------------------------------------

@pytest.mark.skipif(sys.platform == "darwin", reason="APFS refuses non-UTF-8 names")
def test_bad_input_unshowable_file_names_are_skipped_with_a_warning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A newline in a name would forge report lines (a `::error` line in github format); undecodable
    bytes crash every encoder. Both are skipped, named escaped, and every format still renders."""
    (tmp_path / "go.mod").write_text(GO_MOD)
    (tmp_path / "good.go").write_text(loop_src("t", "good"))
    root = os.fsencode(tmp_path)
    for name in (b"bad\xff.go", b"new\n::error file=x.go::forged.go"):
        with open(os.path.join(root, name), "wb") as fh:
            fh.write(loop_src("t", "hidden").encode())
    os.mkdir(os.path.join(root, b"dir\xfe"))
    with open(os.path.join(root, b"dir\xfe", b"a.go"), "wb") as fh:
        fh.write(loop_src("d", "d").encode())
    expected_warnings = [
        ".: warning: not analysed: bad\\xff.go is not valid UTF-8 or holds control characters; rename it "
        "[bad-file-name]",
        ".: warning: not analysed: dir\\xfe is not valid UTF-8 or holds control characters; rename it "
        "[bad-file-name]",
        ".: warning: not analysed: new\\x0a::error file=x.go::forged.go is not valid UTF-8 or holds control "
        "characters; rename it [bad-file-name]",
    ]
    run = golinter(["check", ".", *SELECT], tmp_path)  # text, through a real process
    no_traceback(run)
    assert run.code == 1, run.err
    assert [line.split(":", 1)[0] for line in run.out.splitlines()] == ["good.go"]
    assert sorted(line for line in run.err.splitlines() if "[bad-file-name]" in line) == expected_warnings
    monkeypatch.chdir(tmp_path)
    for fmt in ("json", "sarif", "github"):  # the other formats in-process
        assert run_check(CheckRequest(paths=["."], fmt=fmt, select=("GML009",), jobs=1, use_cache=False)) == 1
        out, err = capsys.readouterr()
        assert not any(line.startswith("::error") for line in out.splitlines() + err.splitlines())
        assert sorted(line for line in err.splitlines() if "[bad-file-name]" in line) == expected_warnings
        if fmt == "json":
            assert [f["path"] for f in json.loads(out)["findings"]] == ["good.go"]
        elif fmt == "sarif":
            doc = json.loads(out)
            SARIF_VALIDATOR.validate(doc)
            assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    for r in doc["runs"][0]["results"]] == ["good.go"]
        else:
            annotations = [line for line in out.splitlines() if line.startswith("::notice file=")]
            assert len(annotations) == 1 and annotations[0].startswith("::notice file=good.go,")


def test_bad_input_generated_file_is_named_not_silently_dropped(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text(GO_MOD)
    (tmp_path / "gen.go").write_text("// Code generated by hand. DO NOT EDIT.\n\n" + loop_src("t", "gen"))
    run = golinter(["check", ".", *SELECT, "--format", "json", "-v"], tmp_path)
    no_traceback(run)
    assert run.code == 0
    doc = json.loads(run.out)
    assert doc["findings"] == []
    assert [(n["reason"], n["path"], n["level"]) for n in doc["notifications"]] == [("generated", "gen.go", "note")]
    assert summary(run.err)[2] == Counter({"generated": 1})


# -- errors that stop the run: exit 2, one line ------------------------------------------------------

def test_bad_input_unwritable_output_exits_2_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "good.go").write_text(loop_src("t", "good"))
    target = "/nonexistent/dir/x.sarif"
    run = golinter(["check", ".", *SELECT, "--format", "sarif", "-o", target], tmp_path)
    no_traceback(run)
    assert run.code == 2
    assert target in one_error_line(run)
    assert not os.path.exists(target)


def test_bad_input_output_that_is_a_directory_exits_2(tmp_path: Path) -> None:
    """click's own path check catches this one (usage text, then one `Error:` line naming it)."""
    (tmp_path / "good.go").write_text(loop_src("t", "good"))
    run = golinter(["check", ".", *SELECT, "--format", "sarif", "-o", str(tmp_path)], tmp_path)
    no_traceback(run)
    assert run.code == 2
    assert [line for line in run.err.splitlines() if str(tmp_path) in line]


def test_bad_input_missing_path_exits_2_naming_it(tmp_path: Path) -> None:
    run = golinter(["check", "no/such/dir", *SELECT], tmp_path)
    no_traceback(run)
    assert run.code == 2
    assert "no/such/dir" in one_error_line(run)


@pytest.mark.parametrize(("text", "named"), [
    ('select = ["GML009"]\nbogus = 1\n', "'bogus'"),
    ("select = [\n", "bad.toml"),                      # not TOML
    ('max-file-size = "lots"\n', "max-file-size"),
    ('select = ["GML999"]\n', "GML999"),
], ids=["unknown-key", "invalid-toml", "bad-size", "unknown-code"])
def test_bad_input_bad_config_exits_2_naming_the_key(tmp_path: Path, text: str, named: str) -> None:
    (tmp_path / "good.go").write_text(loop_src("t", "good"))
    (tmp_path / "bad.toml").write_text(text)
    run = golinter(["check", ".", "--config", "bad.toml"], tmp_path)
    no_traceback(run)
    assert run.code == 2
    assert named in one_error_line(run)


# -- a rule that raises ------------------------------------------------------------------------------

class _ExplodingGML009:
    """GML009 that raises on package `bad` and works elsewhere."""

    gml009 = by_code("GML009")
    assert gml009 is not None
    RULE = gml009.RULE
    QUERY = gml009.QUERY
    QUERY_WORDS = gml009.QUERY_WORDS

    @staticmethod
    def run(pkg: Package) -> Iterator[Finding]:
        if pkg.name == "bad":
            raise RuntimeError("model fell over")
        assert _ExplodingGML009.gml009 is not None
        yield from _ExplodingGML009.gml009.run(pkg)  # the real module, captured before patching


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_bad_input_rule_that_raises_is_notified_and_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    import golinter.checks

    (tmp_path / "go.mod").write_text(GO_MOD)
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "good.go").write_text(loop_src("good", "good"))
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "bad.go").write_text(loop_src("bad", "bad"))
    checks = tuple(_ExplodingGML009 if c.RULE.code == "GML009" else c for c in golinter.checks.ALL_CHECKS)
    monkeypatch.setattr(golinter.checks, "ALL_CHECKS", checks)
    monkeypatch.chdir(tmp_path)
    code = run_check(CheckRequest(paths=["."], fmt=fmt, select=("GML009",), jobs=1, use_cache=False))
    out, err = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in err
    line = [x for x in err.splitlines() if "[internal-error]" in x]
    assert len(line) == 1 and "GML009" in line[0] and "package bad" in line[0] and "model fell over" in line[0]
    doc = json.loads(out)
    if fmt == "json":
        assert [f["path"] for f in doc["findings"]] == [os.path.join("good", "good.go")]
        assert [n["reason"] for n in doc["notifications"]] == ["internal-error"]
    else:
        SARIF_VALIDATOR.validate(doc)
        run = doc["runs"][0]
        assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]] == [
            "good/good.go"]
        invocation = run["invocations"][0]
        assert invocation["executionSuccessful"] is False
        [note] = invocation["toolExecutionNotifications"]
        assert note["level"] == "error" and "GML009" in note["message"]["text"]


# -- no findings from functions with ERROR or MISSING nodes ------------------------------------------

def _gml009_candidate_lines(src: bytes) -> list[int]:
    check = by_code("GML009")
    assert check is not None
    query = CandidateQuery.build([(check.RULE.code, check.QUERY)])
    tree = parse(new_parser(), src)
    return [m["gml009.loop"].start_point[0] + 1 for m in query.run(tree.root_node)["GML009"]]


@pytest.mark.parametrize("swallow", ["mu.Lock(", "x := 1 +"], ids=["missing-paren", "dangling-operator"])
def test_broken_function_yields_no_findings_later_intact_one_does(tmp_path: Path, swallow: str) -> None:
    src = SYNTAX_GO.replace("mu.Lock(", swallow)
    # The query does match the loop in the broken function: only the broken-range filter drops it.
    assert _gml009_candidate_lines(src.encode()) == [SYNTAX_BROKEN_LOOP, SYNTAX_INTACT_LOOP]
    (tmp_path / "go.mod").write_text(GO_MOD)
    (tmp_path / "s.go").write_text(src)
    out = run_packages(discover([str(tmp_path)]).packages, Settings(), jobs=1)
    assert [(f.code, f.span.line) for f in out.findings] == [("GML009", SYNTAX_INTACT_LOOP)]
    [note] = out.notifications
    assert (note.reason, note.line, note.level, note.skipped) == ("syntax-error", 8, Level.WARNING, False)


def test_broken_function_missing_token_yields_no_findings(tmp_path: Path) -> None:
    """`f(1, 2` leaves an ERROR and a MISSING `)`; the function after it is still analysed."""
    src = SYNTAX_GO.replace("mu.Lock(", "x := f(1, 2")
    (tmp_path / "go.mod").write_text(GO_MOD)
    (tmp_path / "s.go").write_text(src)
    out = run_packages(discover([str(tmp_path)]).packages, Settings(), jobs=1)
    assert [f.span.line for f in out.findings] == [SYNTAX_INTACT_LOOP]
    assert [n.reason for n in out.notifications] == ["syntax-error"]


def test_unclosed_block_swallows_what_follows_and_reports_nothing(tmp_path: Path) -> None:
    """An `if {` never closed takes the next function into the broken one: no finding at all
    (a guess would be worse), and the notification says where the trouble is."""
    src = SYNTAX_GO.replace("\tmu.Lock(\n", "\tif len(m) > 0 {\n")
    (tmp_path / "go.mod").write_text(GO_MOD)
    (tmp_path / "s.go").write_text(src)
    out = run_packages(discover([str(tmp_path)]).packages, Settings(), jobs=1)
    assert out.findings == []
    assert [n.reason for n in out.notifications] == ["syntax-error"]


def test_broken_function_through_the_cli(hostile: Hostile) -> None:
    lines = [f["line"] for f in hostile.doc["findings"] if f["path"] == "tree/syntax.go"]
    assert lines == [SYNTAX_INTACT_LOOP]
