"""The command line end to end: exit statuses, errors, options, suppression, baselines, output.

Every run goes through `golinter.cli.main` (the console script's entry point), either in-process
under click's CliRunner isolation (`run_in_process`) or as a real subprocess, `python -m golinter`
(`run_subprocess`), so the exit status is the one a shell sees. GML009 is off by default and
deterministic on a `go 1.22` module: tests select it explicitly.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from jsonschema import Draft4Validator, Draft202012Validator

from golinter._version import __version__
from golinter.checks import all_rules
from golinter.cli import main

REPO = Path(__file__).resolve().parents[1]
SARIF_SCHEMA = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
FINDINGS_SCHEMA = json.loads((REPO / "golinter" / "report" / "findings.schema.json").read_text("utf-8"))
ANSI = "\x1b["

GO_MOD = "module example.com/s\n\ngo 1.22\n"
BAD = """package s

func reset(m map[string]int) {
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
SELECT = ("--select", "GML009")


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


def run_in_process(args: list[str], env: dict[str, str] | None = None) -> Result:
    """`main(args)` under CliRunner's isolation of stdin/stdout/stderr and environment."""
    runner = CliRunner()
    with runner.isolation(env=env) as streams:
        try:
            main(args)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        else:
            raise AssertionError("main() returned without SystemExit")
        sys.stdout.flush()
        sys.stderr.flush()
        out = streams[0].getvalue().decode()
        err = streams[1].getvalue().decode()
    return Result(code, out, err)


def _subprocess_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra or {})
    return env


def run_subprocess(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> Result:
    proc = subprocess.run([sys.executable, "-m", "golinter", *args], cwd=cwd, capture_output=True,
                          text=True, env=_subprocess_env(env), timeout=120)
    return Result(proc.returncode, proc.stdout, proc.stderr)


RUNNERS = ["in-process", "subprocess"]


def run(mode: str, args: list[str], cwd: Path, env: dict[str, str] | None = None) -> Result:
    if mode == "subprocess":
        return run_subprocess(args, cwd, env)
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return run_in_process(args, env)
    finally:
        os.chdir(old)


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.err and "Traceback" not in result.out, result.err


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.setenv("GOLINTER_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)


def module(root: Path, files: dict[str, str], go_mod: str | None = GO_MOD) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    if go_mod is not None:
        (root / "go.mod").write_text(go_mod, encoding="utf-8")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def finding_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if re.match(r"^\S+\.go:\d+:\d+: GML\d{3} ", line)]


def locations(out: str) -> list[str]:
    """`path:line:column` of each finding line in text output."""
    return [line.split(": GML", 1)[0] for line in finding_lines(out)]


def loop_line(source: str, func: str) -> int:
    """1-based line of the first `for` statement after `func <func>(` in `source`."""
    lines = source.splitlines()
    start = next(i for i, text in enumerate(lines) if text.startswith(f"func {func}("))
    return next(i for i in range(start, len(lines)) if lines[i].lstrip().startswith("for ")) + 1


# -- exit statuses ----------------------------------------------------------------------------

@pytest.mark.parametrize("mode", RUNNERS)
def test_cli_clean_package_exits_0(mode: str, tmp_path: Path) -> None:
    root = module(tmp_path / "m", {"clean.go": CLEAN})
    result = run(mode, ["check", *SELECT, "."], root)
    assert result.code == 0, result.err
    assert result.out == ""
    assert "1 file, 1 package, 0 findings" in result.err


@pytest.mark.parametrize("mode", RUNNERS)
def test_cli_findings_exit_1_compiler_style(mode: str, tmp_path: Path) -> None:
    root = module(tmp_path / "m", {"bad.go": BAD, "clean.go": CLEAN})
    result = run(mode, ["check", *SELECT], root)
    assert result.code == 1
    assert finding_lines(result.out) == [
        ("bad.go:4:2: GML009 loop deletes every key of m; use clear(m) (neither frees the buckets)"
         " (delete-loop-use-clear)")]
    assert "1 finding" in result.err


def _bad_config(root: Path) -> list[str]:
    (root / ".golinter.toml").write_text('selec = ["GML009"]\n', encoding="utf-8")
    return ["check"]


def _bad_rule_option(root: Path) -> list[str]:
    (root / ".golinter.toml").write_text('[rules.GML009]\nlevl = "error"\n', encoding="utf-8")
    return ["check"]


USAGE_ERRORS = {
    "unknown-option": (lambda root: ["check", "--bogus"], "No such option: --bogus|No such option '--bogus'"),
    "bad-format": (lambda root: ["check", "--format", "xml"], "'xml' is not one of"),
    "bad-fail-on": (lambda root: ["check", "--fail-on", "never"], "'never' is not one of"),
    "bad-go-version": (lambda root: ["check", "--go-version", "abc"], "--go-version 'abc': expected a Go"),
    "bad-runtime-go": (lambda root: ["check", "--runtime-go", "1"], "--runtime-go '1': expected a Go"),
    "unknown-code": (lambda root: ["check", "--select", "GML0009"], "did you mean 'GML009'"),
    "unknown-name": (lambda root: ["check", "--ignore", "delete-loop-use-cleer"],
                     "did you mean 'delete-loop-use-clear'"),
    "missing-path": (lambda root: ["check", "no/such/dir"], "no/such/dir"),
    "missing-config": (lambda root: ["check", "--config", "nope.toml"], "nope.toml"),
    "bad-config-key": (_bad_config, "did you mean 'select'"),
    "bad-rule-option": (_bad_rule_option, "did you mean 'level'"),
    "unwritable-output": (lambda root: ["check", *SELECT, "-o", "no/such/out.txt"], "cannot write no/such"),
    "output-is-directory": (lambda root: ["check", "-o", "."], "is a directory"),
    "missing-baseline": (lambda root: ["check", "--baseline", "nope.json"], "nope.json"),
    "missing-srcroot": (lambda root: ["check", "--srcroot", "nowhere"], "nowhere"),
    "jobs-zero": (lambda root: ["check", "--jobs", "0"], "--jobs"),
    "unknown-command": (lambda root: ["lint"], "No such command"),
    "explain-unknown": (lambda root: ["explain", "NOPE"], "unknown rule 'NOPE'"),
    "explain-close": (lambda root: ["explain", "GML09"], "did you mean"),
}


@pytest.mark.parametrize("mode", RUNNERS)
@pytest.mark.parametrize("case", sorted(USAGE_ERRORS))
def test_cli_usage_errors_exit_2_without_traceback(mode: str, case: str, tmp_path: Path) -> None:
    root = module(tmp_path / "m", {"bad.go": BAD})
    make_args, expected = USAGE_ERRORS[case]
    result = run(mode, make_args(root), root)
    assert result.code == 2, (result.out, result.err)
    assert re.search(expected, result.err), result.err
    no_traceback(result)
    assert not (root / "no").exists()


@pytest.mark.parametrize("mode", RUNNERS)
def test_cli_unwritable_output_is_one_line_and_leaves_nothing(mode: str, tmp_path: Path) -> None:
    root = module(tmp_path / "m", {"bad.go": BAD})
    result = run(mode, ["check", *SELECT, "-o", "out/report.txt"], root)
    assert result.code == 2
    errors = [line for line in result.err.splitlines() if not line.startswith("golinter: 1 file")]
    assert errors == [("golinter: error: cannot write out/report.txt: No such file or directory; "
                       f"check that {root / 'out'} exists and is writable")]
    assert result.out == ""
    assert sorted(p.name for p in root.iterdir()) == ["bad.go", "go.mod"]


@pytest.mark.parametrize("mode", RUNNERS)
def test_cli_exit_zero_still_prints_findings(mode: str, tmp_path: Path) -> None:
    root = module(tmp_path / "m", {"bad.go": BAD})
    result = run(mode, ["check", *SELECT, "--exit-zero"], root)
    assert result.code == 0
    assert len(finding_lines(result.out)) == 1


def test_cli_fail_on_threshold_against_levels(tmp_path: Path) -> None:
    root = module(tmp_path / "m", {"bad.go": BAD})
    # GML009 reports notes: only --fail-on note (the default) fails.
    assert run("in-process", ["check", *SELECT], root).code == 1
    only_notes = run("in-process", ["check", *SELECT, "--fail-on", "warning"], root)
    assert only_notes.code == 0 and len(finding_lines(only_notes.out)) == 1
    assert run("in-process", ["check", *SELECT, "--fail-on", "error"], root).code == 0
    # Raised to warning in the config: --fail-on warning now fails, error still does not.
    (root / ".golinter.toml").write_text('[rules.GML009]\nlevel = "warning"\n', encoding="utf-8")
    assert run("in-process", ["check", *SELECT, "--fail-on", "warning"], root).code == 1
    assert run("in-process", ["check", *SELECT, "--fail-on", "error"], root).code == 0


def test_cli_config_level_override_reaches_every_format(tmp_path: Path) -> None:
    root = module(tmp_path / "m", {"bad.go": BAD})
    (root / ".golinter.toml").write_text('select = ["GML009"]\n[rules.GML009]\nlevel = "error"\n',
                                         encoding="utf-8")
    as_json = run("in-process", ["check", "--format", "json", "--fail-on", "error"], root)
    assert as_json.code == 1
    assert [f["level"] for f in json.loads(as_json.out)["findings"]] == ["error"]
    sarif = json.loads(run("in-process", ["check", "--format", "sarif"], root).out)
    assert [r["level"] for r in sarif["runs"][0]["results"]] == ["error"]
    github = run("in-process", ["check", "--format", "github"], root).out
    assert github.startswith("::error file=")


def test_cli_statistics_counts_per_rule(tmp_path: Path) -> None:
    twice = BAD + "\nfunc again(m map[int]bool) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n"
    root = module(tmp_path / "m", {"bad.go": twice})
    result = run("in-process", ["check", *SELECT, "--statistics"], root)
    assert result.code == 1
    assert result.out.splitlines() == ["     2  GML009  delete-loop-use-clear"]
    assert finding_lines(result.out) == []


def test_cli_statistics_as_json_and_not_as_sarif(tmp_path: Path) -> None:
    root = module(tmp_path / "m", {"bad.go": BAD, "b.go": BAD.replace("reset", "resetB")})
    as_json = run("in-process", ["check", *SELECT, "--statistics", "--format", "json"], root)
    assert as_json.code == 1
    assert json.loads(as_json.out) == {"version": 1, "statistics": [
        {"code": "GML009", "name": "delete-loop-use-clear", "count": 2}]}
    sarif = run("in-process", ["check", *SELECT, "--statistics", "--format", "sarif"], root)
    assert sarif.code == 2 and sarif.out == ""
    assert sarif.err.startswith("golinter: error: --statistics prints per-rule counts, not a SARIF log")


def test_cli_ctrl_c_exits_130(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import golinter.run

    def interrupted(_request: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(golinter.run, "run_check", interrupted)
    result = run("in-process", ["check"], module(tmp_path / "m", {"bad.go": BAD}))
    assert result.code == 130
    assert result.err.strip() == "golinter: interrupted"


def _children(pid: int) -> set[int]:
    """Child process ids of `pid` (Linux /proc), empty where unknown."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc to see the pool")
def test_cli_sigint_during_pool_exits_130_and_tears_it_down(tmp_path: Path) -> None:
    padding = "// " + "x" * 76 + "\n"
    chunk = padding * 50 + "\nfunc g() int { return 1 }\n"
    body = chunk * 20 + BAD.split("\n", 1)[1]  # ~80 KB a file: seconds of analysis for the whole tree
    root = tmp_path / "m"
    for pkg in range(40):  # megabytes in many packages: analysed in a process pool
        module(root / f"p{pkg}", {f"f{j}.go": f"package p{pkg}\n" + body.replace("reset", f"reset{j}")
                                  for j in range(4)})
    # A terminal's Ctrl-C signals the whole foreground process group: the workers too.
    command = [sys.executable, "-m", "golinter", "check", *SELECT, "--jobs", "2", "--no-cache", "."]
    # A test run started in the background by a shell without job control (`cmd &`) ignores
    # SIGINT, and golinter would inherit that; a handled signal is reset to the default by exec.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        proc = subprocess.Popen(command,
                                cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_subprocess_env(),
                                start_new_session=True)
    finally:
        signal.signal(signal.SIGINT, previous)
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while proc.poll() is None and not workers and time.monotonic() < deadline:
        workers = _children(proc.pid)
        time.sleep(0.01)
    if not workers:
        proc.kill()
        proc.communicate()
        pytest.skip("no worker processes seen (the run finished first or ran in-process)")
    time.sleep(0.2)  # past the forks: CPython swallows an exception raised in an at-fork handler
    os.killpg(proc.pid, signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    if proc.returncode == 1 and b"160 findings" in err:
        pytest.skip("the run finished before the signal")  # a very fast machine
    assert proc.returncode == 130, err
    assert b"Traceback" not in err
    assert err.decode().strip().splitlines()[-1] == "golinter: interrupted"
    time.sleep(0.5)
    alive = [pid for pid in workers if Path(f"/proc/{pid}").exists()
             and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2:3]]
    assert alive == []


# -- suppression ------------------------------------------------------------------------------

SUPPRESSED = """package s

func withReason(m map[string]int) {
	//golinter:ignore GML009 the map is rebuilt right after
	for k := range m {
		delete(m, k)
	}
}

func noReason(m map[string]int) {
	//golinter:ignore GML009
	for k := range m {
		delete(m, k)
	}
}

func sameLine(m map[string]int) {
	for k := range m { //nolint:GML009 // tiny map
		delete(m, k)
	}
}

func lineBefore(m map[string]int) {
	//nolint:golinter
	for k := range m {
		delete(m, k)
	}
}

func byName(m map[string]int) {
	//nolint:errcheck,delete-loop-use-clear
	for k := range m {
		delete(m, k)
	}
}

func bare(m map[string]int) {
	for k := range m { //nolint
		delete(m, k)
	}
}

func otherLinter(m map[string]int) {
	for k := range m { //nolint:errcheck
		delete(m, k)
	}
}
"""
FILE_IGNORED = """package s

//golinter:file-ignore GML009 generated-like table resets

func wipe(m map[int]int) {
	for k := range m {
		delete(m, k)
	}
}
"""


def test_cli_suppression_directives_and_reasonless_ignore(tmp_path: Path) -> None:
    root = module(tmp_path / "m", {"s.go": SUPPRESSED, "f.go": FILE_IGNORED})
    result = run("in-process", ["check", *SELECT], root)
    loop = {name: loop_line(SUPPRESSED, name) for name in
            ("withReason", "noReason", "sameLine", "lineBefore", "byName", "bare", "otherLinter")}
    # The reasonless //golinter:ignore is a warning and suppresses nothing; //nolint:errcheck is
    # another linter's.
    assert locations(result.out) == [f"s.go:{loop['noReason']}:2", f"s.go:{loop['otherLinter']}:2"]
    reasonless = loop["noReason"] - 1
    assert f"s.go:{reasonless}:2: warning: //golinter:ignore needs rule codes and a reason" in result.err
    assert result.code == 1

    kept = run("in-process", ["check", *SELECT, "--include-suppressed"], root)
    shown = finding_lines(kept.out)
    expected = {("f.go", loop_line(FILE_IGNORED, "wipe")): True}
    expected.update({("s.go", line): name not in ("noReason", "otherLinter") for name, line in loop.items()})
    assert [f"{path}:{line}:2" for path, line in sorted(expected)] == locations(kept.out)
    assert [line.endswith("[suppressed]") for line in shown] == [expected[k] for k in sorted(expected)]
    assert kept.code == 1  # only the two unsuppressed findings fail the run

    keep = ["check", *SELECT, "--include-suppressed"]
    as_json = json.loads(run("in-process", [*keep, "--format=json"], root).out)
    Draft202012Validator(FINDINGS_SCHEMA).validate(as_json)
    assert {(f["path"], f["line"]): f["suppressed"] for f in as_json["findings"]} == expected

    sarif = json.loads(run("in-process", [*keep, "--format=sarif"], root).out)
    Draft4Validator(SARIF_SCHEMA).validate(sarif)
    results = sarif["runs"][0]["results"]
    assert sum(1 for r in results if r.get("suppressions")) == 6
    assert sum(1 for r in results if not r.get("suppressions")) == 2


def test_cli_everything_suppressed_exits_0(tmp_path: Path) -> None:
    root = module(tmp_path / "m", {"f.go": FILE_IGNORED})
    result = run("in-process", ["check", *SELECT], root)
    assert result.code == 0 and result.out == ""
    assert "0 findings" in result.err


UNUSED = """package s

func a(m map[string]int) {
	n := len(m)
	//golinter:ignore GML009 nothing to suppress here
	m["x"] = n
	for k := range m { //nolint:GML009 // used
		delete(m, k)
	}
}
"""


def test_cli_report_unused_ignores(tmp_path: Path) -> None:
    root = module(tmp_path / "m", {"u.go": UNUSED})
    quiet = run("in-process", ["check", *SELECT], root)
    assert quiet.code == 0 and "unused" not in quiet.err
    loud = run("in-process", ["check", *SELECT, "--report-unused-ignores"], root)
    assert loud.code == 1
    unused = [line for line in loud.err.splitlines() if "[unused-ignore]" in line]
    assert unused == [("u.go:5:2: warning: unused //golinter:ignore directive: no finding to suppress here"
                       " [unused-ignore]")]
    # An unused directive is a warning: it fails at --fail-on warning, not at --fail-on error.
    report = ["check", *SELECT, "--report-unused-ignores"]
    assert run("in-process", [*report, "--fail-on=warning"], root).code == 1
    assert run("in-process", [*report, "--fail-on=error"], root).code == 0
    # Only selected rules: with GML009 off (its default), its directives are not judged.
    unselected = run("in-process", ["check", "--report-unused-ignores"], root)
    assert "u.go:5:2" not in unselected.err and "u.go:7" not in unselected.err


def test_cli_ignore_before_first_statement_covers_only_that_statement(tmp_path: Path) -> None:
    source = UNUSED.replace("\tn := len(m)\n", "").replace("m[\"x\"] = n", "m[\"x\"] = 1")
    source = source.replace(" //nolint:GML009 // used", "")
    root = module(tmp_path / "m", {"u.go": source})
    result = run("in-process", ["check", *SELECT, "--report-unused-ignores"], root)
    assert locations(result.out) == [f"u.go:{loop_line(source, 'a')}:2"]
    assert "u.go:4:2: warning: unused //golinter:ignore" in result.err


def test_cli_per_file_ignores(tmp_path: Path) -> None:
    root = module(tmp_path / "m", {"bad.go": BAD, "gen/reset_gen.go": BAD.replace("reset", "resetGen")})
    config = 'select = ["GML009"]\n[per-file-ignores]\n"**/*_gen.go" = ["GML009"]\n'
    (root / ".golinter.toml").write_text(config, encoding="utf-8")
    result = run("in-process", ["check", "."], root)
    assert [line.split(":")[0] for line in finding_lines(result.out)] == ["bad.go"]
    (root / ".golinter.toml").write_text('select = ["GML009"]\n', encoding="utf-8")
    both = run("in-process", ["check", "."], root)
    assert sorted(line.split(":")[0] for line in finding_lines(both.out)) == ["bad.go", "gen/reset_gen.go"]


# -- baselines --------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", RUNNERS)
def test_cli_baseline_survives_line_shift_and_reports_new(mode: str, tmp_path: Path) -> None:
    root = module(tmp_path / "m", {"bad.go": BAD})
    written = run(mode, ["check", *SELECT, "--write-baseline", "golinter-baseline.json"], root)
    assert written.code == 1 and len(finding_lines(written.out)) == 1
    baseline = json.loads((root / "golinter-baseline.json").read_text(encoding="utf-8"))
    assert len(baseline["fingerprints"]) == 1

    clean_run = run(mode, ["check", *SELECT, "--baseline", "golinter-baseline.json"], root)
    assert clean_run.code == 0 and finding_lines(clean_run.out) == []

    # Shift the old finding down by four lines and add a new one below it.
    shifted = BAD.replace("package s\n", "package s\n\n// Comments added above\n// move every line.\n\n")
    shifted += "\nfunc fresh(m map[int]bool) {\n\tfor k := range m {\n\t\tdelete(m, k)\n\t}\n}\n"
    (root / "bad.go").write_text(shifted, encoding="utf-8")
    after = run(mode, ["check", *SELECT, "--baseline", "golinter-baseline.json"], root)
    assert after.code == 1
    assert locations(after.out) == [f"bad.go:{loop_line(shifted, 'fresh')}:2"]
    # Without the baseline both are there: the old one moved from line 4 to line 8.
    full = run(mode, ["check", *SELECT], root)
    assert locations(full.out) == ["bad.go:8:2", f"bad.go:{loop_line(shifted, 'fresh')}:2"]


# -- output -----------------------------------------------------------------------------------

def test_cli_output_file_written_atomically(tmp_path: Path) -> None:
    root = module(tmp_path / "m", {"bad.go": BAD})
    report = root / "report.sarif"
    report.write_text("old report\n", encoding="utf-8")
    result = run("in-process", ["check", *SELECT, "--format", "sarif", "-o", "report.sarif"], root)
    assert result.code == 1 and result.out == ""
    Draft4Validator(SARIF_SCHEMA).validate(json.loads(report.read_text(encoding="utf-8")))
    assert sorted(p.name for p in root.iterdir()) == ["bad.go", "go.mod", "report.sarif"]  # no temp file left


def test_cli_output_failed_rename_keeps_old_report(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    root = module(tmp_path / "m", {"bad.go": BAD})
    report = root / "report.txt"
    report.write_text("old report\n", encoding="utf-8")
    renames: list[tuple[str, str]] = []
    real_replace = os.replace

    def failing_replace(src: str, dst: str) -> None:
        if Path(dst) != report.resolve():
            return real_replace(src, dst)  # the cache's own files
        renames.append((src, dst))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    result = run("in-process", ["check", *SELECT, "-o", "report.txt"], root)
    assert result.code == 2
    assert "cannot write report.txt: No space left on device" in result.err
    assert report.read_text(encoding="utf-8") == "old report\n"  # a reader never sees half a report
    assert len(renames) == 1 and Path(renames[0][1]) == report.resolve()
    assert Path(renames[0][0]).parent == report.resolve().parent  # temp file beside the target
    assert sorted(p.name for p in root.iterdir()) == ["bad.go", "go.mod", "report.txt"]


def test_cli_sarif_findings_validate_against_official_schema(tmp_path: Path) -> None:
    root = module(tmp_path / "m", {"bad.go": BAD, "clean.go": CLEAN})
    result = run("subprocess", ["check", *SELECT, "--format", "sarif", "--category", "golinter"], root)
    assert result.code == 1
    log = json.loads(result.out)
    Draft4Validator(SARIF_SCHEMA).validate(log)
    run0 = log["runs"][0]
    assert [r["id"] for r in run0["tool"]["driver"]["rules"]] == ["GML009"]
    assert [(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
            for r in run0["results"]] == [("GML009", "note", "bad.go")]
    assert run0["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 4
    assert run0["automationDetails"]["id"] == "golinter/"


@pytest.mark.parametrize("mode", RUNNERS)
def test_cli_no_go_files_warns_exits_0_with_empty_sarif(mode: str, tmp_path: Path) -> None:
    root = module(tmp_path / "empty", {"README.md": "# nothing here\n"}, go_mod=None)
    text = run(mode, ["check", "."], root)
    assert text.code == 0 and text.out == ""
    assert "warning: no Go files found under ." in text.err
    sarif = run(mode, ["check", "--format", "sarif", "."], root)
    assert sarif.code == 0
    log = json.loads(sarif.out)
    Draft4Validator(SARIF_SCHEMA).validate(log)
    assert log["runs"][0]["results"] == []
    assert "no-go-files" in json.dumps(log["runs"][0]["invocations"])


def test_cli_named_files_report_only_those_files(tmp_path: Path) -> None:
    root = module(tmp_path / "m", {"a.go": BAD, "b.go": BAD.replace("reset", "resetB"),
                                   "sub/c.go": BAD.replace("package s", "package sub")})
    one = run("in-process", ["check", *SELECT, "a.go"], root)
    assert [line.split(":")[0] for line in finding_lines(one.out)] == ["a.go"]
    assert "1 file, 1 package" in one.err
    two = run("in-process", ["check", *SELECT, "sub/c.go", "a.go"], root)
    assert sorted(line.split(":")[0] for line in finding_lines(two.out)) == ["a.go", "sub/c.go"]


def test_cli_named_file_sees_its_siblings(tmp_path: Path) -> None:
    """A sibling declaring a package-level `delete` makes the loop's call not the builtin."""
    shadow = "package s\n\nfunc delete(m map[string]int, k string) {}\n"
    root = module(tmp_path / "m", {"a.go": BAD, "b.go": shadow})
    result = run("in-process", ["check", *SELECT, "a.go"], root)
    assert result.code == 0 and finding_lines(result.out) == []
    (root / "b.go").unlink()
    assert run("in-process", ["check", *SELECT, "a.go"], root).code == 1


def test_cli_go_tool_pattern_means_the_directory(tmp_path: Path) -> None:
    root = module(tmp_path / "m", {"a.go": BAD, "sub/c.go": BAD.replace("package s", "package sub")})
    everything = run("in-process", ["check", *SELECT, "./..."], root)
    assert everything.code == 1
    assert locations(everything.out) == locations(run("in-process", ["check", *SELECT, "."], root).out)
    assert sorted(line.split(":")[0] for line in locations(everything.out)) == ["a.go", "sub/c.go"]
    below = run("in-process", ["check", *SELECT, "sub/..."], root)
    assert [line.split(":")[0] for line in locations(below.out)] == ["sub/c.go"]


def test_cli_jobs_do_not_change_results(tmp_path: Path) -> None:
    root = tmp_path / "m"
    for i in range(4):
        module(root / f"p{i}", {"bad.go": BAD.replace("package s", f"package p{i}")})
    serial = run("subprocess", ["check", *SELECT, "--jobs", "1", "--no-cache", "--format", "json"], root)
    parallel = run("subprocess", ["check", *SELECT, "--jobs", "2", "--no-cache", "--format", "json"], root)
    assert serial.code == parallel.code == 1
    assert json.loads(serial.out)["findings"] == json.loads(parallel.out)["findings"]
    assert len(json.loads(serial.out)["findings"]) == 4


# -- colour -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "env", "colored"), [
    (["--color", "never"], {}, False),
    (["--color", "always"], {}, True),
    ([], {}, False),                                   # auto, stdout not a terminal
    ([], {"NO_COLOR": "1"}, False),
    ([], {"FORCE_COLOR": "1"}, True),
    ([], {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
    (["--color", "always"], {"NO_COLOR": "1"}, True),  # the explicit option wins
    (["--color", "never"], {"FORCE_COLOR": "1"}, False),
])
def test_cli_color(args: list[str], env: dict[str, str], colored: bool, tmp_path: Path) -> None:
    root = module(tmp_path / "m", {"bad.go": BAD})
    result = run("subprocess", ["check", *SELECT, *args], root, env=env)
    assert result.code == 1
    assert (ANSI in result.out) is colored, result.out
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.out)
    assert plain.startswith("bad.go:4:2: GML009 loop deletes every key of m")


def test_cli_color_never_reaches_output_file(tmp_path: Path) -> None:
    root = module(tmp_path / "m", {"bad.go": BAD})
    assert run("in-process", ["check", *SELECT, "--color", "always", "-o", "out.txt"], root).code == 1
    text = (root / "out.txt").read_text(encoding="utf-8")
    assert ANSI not in text and text.startswith("bad.go:4:2: GML009")


# -- broken pipe ------------------------------------------------------------------------------

def _many_findings(root: Path, count: int) -> Path:
    body = "".join(f"\nfunc f{i}(m map[int]int) {{\n\tfor k := range m {{\n\t\tdelete(m, k)\n\t}}\n}}\n"
                   for i in range(count))
    return module(root, {"many.go": "package s\n" + body})


@pytest.mark.parametrize("args", [
    ["check", *SELECT, "."], ["check", *SELECT, "--format", "sarif", "."], ["rules"], ["explain", "GML009"],
    ["--version"],
])
def test_cli_closed_stdout_is_silent_and_exits_0(args: list[str], tmp_path: Path) -> None:
    root = _many_findings(tmp_path / "m", 50)
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before golinter writes anything
    try:
        proc = subprocess.run([sys.executable, "-m", "golinter", *args], cwd=root, stdout=write_end,
                              stderr=subprocess.PIPE, env=_subprocess_env(), timeout=120)
    finally:
        os.close(write_end)
    assert proc.returncode == 0
    assert proc.stderr.decode() == ""


@pytest.mark.parametrize("fd", [1, 2], ids=["stdout", "stderr"])
def test_cli_started_with_closed_stream_runs_without_traceback(fd: int, tmp_path: Path) -> None:
    """`golinter check >&-` (or `2>&-`): Python starts with sys.stdout (or sys.stderr) None."""
    root = module(tmp_path / "m", {"bad.go": BAD})
    proc = subprocess.run([sys.executable, "-m", "golinter", "check", *SELECT, "."], cwd=root,
                          capture_output=True, text=True, env=_subprocess_env(), timeout=120,
                          preexec_fn=lambda: os.close(fd))  # the child is not threaded yet
    assert proc.returncode == 1  # the findings still decide the status
    kept = proc.stderr if fd == 1 else proc.stdout
    assert "Traceback" not in kept and "AttributeError" not in kept
    assert ("1 finding" in kept) if fd == 1 else kept.startswith("bad.go:4:2: GML009")


@pytest.mark.skipif(not (shutil.which("bash") and shutil.which("head")), reason="needs bash and head")
def test_cli_pipe_to_head_prints_no_traceback(tmp_path: Path) -> None:
    root = _many_findings(tmp_path / "m", 1500)  # ~175 KB of text: more than a pipe buffer
    script = (f'"{sys.executable}" -m golinter check --select GML009 . | head -1; '
              'echo "status=${PIPESTATUS[0]}" >&2')
    proc = subprocess.run(["bash", "-c", script], cwd=root, capture_output=True, text=True,
                          env=_subprocess_env(), timeout=300)
    assert proc.stdout.startswith("many.go:4:2: GML009 ") and proc.stdout.count("\n") == 1
    assert not any(word in proc.stderr for word in ("Traceback", "BrokenPipe", "Exception"))
    # Where the pipe broke, golinter stopped silently with 0; where the pipe took everything (some
    # kernels buffer generously), the run finished normally: summary, and 1 for the findings.
    finished = "1500 findings" in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == ("status=1" if finished else "status=0")


# -- rules, explain, clean, version -----------------------------------------------------------

def test_cli_every_check_option_has_help() -> None:
    from golinter.cli import check

    bare = [p.opts[-1] for p in check.params if isinstance(p, click.Option) and not p.help]
    assert bare == []
    shown = run_in_process(["check", "--help"])
    assert shown.code == 0 and shown.out.startswith("Usage: golinter check [OPTIONS] [PATHS]...")


def test_cli_rules_text_and_json() -> None:
    text = run_in_process(["rules"])
    assert text.code == 0
    lines = text.out.splitlines()
    assert len(lines) == len(all_rules())
    gml009 = next(line for line in lines if line.startswith("GML009"))
    assert gml009.split()[:4] == ["GML009", "delete-loop-use-clear", "note", "off"]
    assert gml009.endswith("range loop deleting every key of a map")

    as_json = run_in_process(["rules", "--format", "json"])
    assert as_json.code == 0
    items = json.loads(as_json.out)
    assert [i["code"] for i in items] == sorted(r.code for r in all_rules())
    assert {"code": "GML009", "name": "delete-loop-use-clear", "level": "note", "enabled_by_default": False,
            "nature": "style", "summary": "range loop deleting every key of a map"} in items


def test_cli_explain_by_code_and_name() -> None:
    by_code = run_in_process(["explain", "GML009"])
    by_lower = run_in_process(["explain", "gml009"])
    by_name = run_in_process(["explain", "delete-loop-use-clear"])
    assert by_code.code == by_lower.code == by_name.code == 0
    assert by_code.out == by_lower.out == by_name.out
    assert by_code.out.startswith("# GML009")
    pages = sorted((REPO / "rules").glob("GML009-*.md"))
    if pages:  # the catalogue page, verbatim
        assert by_code.out.rstrip("\n") == pages[0].read_text(encoding="utf-8").rstrip("\n")
    else:
        assert "range loop deleting every key of a map" in by_code.out


def test_cli_explain_prints_catalogue_pages_verbatim() -> None:
    registered = {r.code for r in all_rules()}
    pages = [p for p in sorted((REPO / "rules").glob("GML*.md")) if p.name[:6] in registered]
    if not pages:
        pytest.skip("no registered rule has a catalogue page yet")
    for page in pages:
        result = run_in_process(["explain", page.name[:6]])
        assert result.code == 0
        assert result.out.rstrip("\n") == page.read_text(encoding="utf-8").rstrip("\n")


def test_cli_clean_removes_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    (cache / "v1").mkdir(parents=True)
    (cache / "v1" / "entry").write_bytes(b"x")
    first = run_in_process(["clean"], env={"GOLINTER_CACHE_DIR": str(cache)})
    assert first.code == 0 and first.out.strip() == f"removed {cache}"
    assert not cache.exists()
    again = run_in_process(["clean", "--cache-dir", str(cache)])
    assert again.code == 0 and again.out.strip() == f"no cache at {cache}"


@pytest.mark.parametrize("mode", RUNNERS)
def test_cli_version_names_parser_versions(mode: str, tmp_path: Path) -> None:
    result = run(mode, ["--version"], tmp_path)
    assert result.code == 0
    assert result.out.strip() == (f"golinter {__version__} (tree-sitter {version('tree-sitter')}, "
                                  f"tree-sitter-go {version('tree-sitter-go')})")


def test_cli_console_script(tmp_path: Path) -> None:
    exe = shutil.which("golinter")
    if exe is None:
        pytest.skip("the golinter console script is not installed")
    root = module(tmp_path / "m", {"bad.go": BAD})
    proc = subprocess.run([exe, "check", *SELECT], cwd=root, capture_output=True, text=True,
                          env=_subprocess_env(), timeout=120)
    assert proc.returncode == 1 and proc.stdout.startswith("bad.go:4:2: GML009")


# -- the README's commands ----------------------------------------------------------------------

def _readme_yaml_block(heading: str) -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return section.split("```yaml\n", 1)[1].split("```", 1)[0]


def test_cli_readme_code_scanning_workflow_runs(tmp_path: Path) -> None:
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load(_readme_yaml_block("GitHub code scanning"))
    assert workflow["permissions"]["security-events"] == "write"
    steps = workflow["jobs"]["golinter"]["steps"]
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    assert uses[:2] == ["actions/checkout", "actions/setup-python"]
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["if"] == "success() || failure()"
    assert upload["with"]["sarif_file"] == "golinter.sarif" and upload["with"]["category"]
    install = next(s["run"] for s in steps if "pip install" in s.get("run", ""))
    from golinter.catalog import INFORMATION_URI

    assert install.endswith(f"pip install git+{INFORMATION_URI}")
    command = next(s["run"] for s in steps if s.get("run", "").startswith("golinter "))
    # The workflow's own command, on the demo service: a valid SARIF file and exit 0 with findings.
    shutil.copytree(REPO / "fixtures" / "demo", tmp_path / "repo")
    result = run("in-process", command.split()[1:], tmp_path / "repo")
    assert result.code == 0, result.err
    log = json.loads((tmp_path / "repo" / "golinter.sarif").read_text(encoding="utf-8"))
    Draft4Validator(SARIF_SCHEMA).validate(log)
    assert log["runs"][0]["results"]


def test_cli_readme_baseline_commands_run(tmp_path: Path) -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Adopting on an existing codebase\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#", 1)[0].strip() for line in block.splitlines() if line.startswith("golinter ")]
    assert len(commands) == 2
    root = module(tmp_path / "repo", {"bad.go": BAD})
    first = run("in-process", commands[0].split()[1:] + list(SELECT), root)
    assert first.code == 0 and len(finding_lines(first.out)) == 1
    again = run("in-process", commands[1].split()[1:] + list(SELECT), root)
    assert again.code == 0 and finding_lines(again.out) == []


def test_cli_output_through_symlink_keeps_the_link(tmp_path: Path) -> None:
    root = module(tmp_path / "m", {"bad.go": BAD})
    reports = root / "reports"
    reports.mkdir()
    (reports / "latest.txt").write_text("old report\n", encoding="utf-8")
    (root / "report.txt").symlink_to("reports/latest.txt")
    assert run("in-process", ["check", *SELECT, "-o", "report.txt"], root).code == 1
    assert (root / "report.txt").is_symlink()  # the link stays; the file it names is replaced
    assert "GML009" in (reports / "latest.txt").read_text(encoding="utf-8")
    assert sorted(p.name for p in reports.iterdir()) == ["latest.txt"]  # the temp file was beside it


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_cli_output_to_a_named_pipe_writes_through_it(tmp_path: Path) -> None:
    """`-o /dev/null`, `-o /dev/stdout`, `-o >(gzip > r.gz)`: not a regular file, so written in
    place. A rename over it would leave a regular file where the pipe (or, as root, /dev/null)
    was."""
    import threading

    root = module(tmp_path / "m", {"bad.go": BAD})
    fifo = root / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run("subprocess", ["check", *SELECT, "-o", "pipe"], root)
    reader.join(timeout=60)
    assert result.code == 1, result.err
    assert received and b"GML009" in received[0]
    assert fifo.is_fifo()
