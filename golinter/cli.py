"""Command line: `golinter check | rules | explain | clean`, and `--version`.

Every expected failure (GolinterError, click's usage and file errors) becomes one stderr line
and exit status 2; Ctrl-C exits 130; a closed stdout (`| head`) is silent. Exit 1 means
findings at or above --fail-on; 0 none.
"""
from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from golinter._version import __version__
from golinter.errors import GolinterError, UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from golinter.checks.base import Rule

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130
LEVEL_RANK = {"note": 0, "warning": 1, "error": 2}


def _version_text() -> str:
    from golinter.parse import versions

    ts, ts_go = versions()
    return f"golinter {__version__} (tree-sitter {ts}, tree-sitter-go {ts_go})"


def _parse_go_version(value: str | None, option: str) -> tuple[int, int] | None:
    if value is None:
        return None
    text = value.removeprefix("go")
    parts = text.split(".")
    if len(parts) < 2 or not parts[0].isdigit() or not parts[1].isdigit():
        raise UsageError(f"{option} {value!r}: expected a Go version like 1.22")
    return int(parts[0]), int(parts[1])


class _PipeClosed(Exception):
    """stdout was closed by its reader (`| head`); carried past click, which would exit 1."""


class _Interrupted(Exception):
    """Ctrl-C; carried past click, which would print a blank line and raise Abort."""


class _Group(click.Group):
    """A group whose commands' broken pipes and Ctrl-C reach `main` untouched.

    click's `Command.main` turns an EPIPE OSError into `sys.exit(1)` even with
    standalone_mode=False, and KeyboardInterrupt into Abort after echoing a newline.
    """

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except BrokenPipeError as exc:
            raise _PipeClosed() from exc
        except KeyboardInterrupt as exc:
            raise _Interrupted() from exc


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", message="%(version)s", prog_name="golinter")
def cli() -> None:
    """Find Go map patterns that bloat memory or crash under concurrency."""


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """`--version`: golinter, tree-sitter and tree-sitter-go versions (computed only when asked)."""
    if not value or ctx.resilient_parsing:
        return
    try:
        click.echo(_version_text())
    except BrokenPipeError as exc:  # raised while parsing options, outside _Group.invoke
        raise _PipeClosed() from exc
    ctx.exit()


# click's version_option prints only our version; replace its callback with the full text.
for _param in cli.params:
    if isinstance(_param, click.Option) and _param.name == "version":
        _param.callback = _print_version


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              show_default=True, help="Report format: compiler-style text, JSON, SARIF 2.1.0, GitHub annotations.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report here (atomically).")
@click.option("--select", multiple=True, metavar="CODES",
              help="Codes, names or prefixes to enable, comma-separated or repeated (replaces the config's).")
@click.option("--ignore", multiple=True, metavar="CODES",
              help="Codes, names or prefixes to disable, comma-separated or repeated (added to the config's).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file (default: nearest .golinter.toml).")
@click.option("--go-version", metavar="1.NN", help="Language version override, e.g. 1.22.")
@click.option("--runtime-go", metavar="1.NN", help="Go release that builds the binary (map layout), e.g. 1.23.")
@click.option("--srcroot", type=click.Path(exists=True, file_okay=False), help="SARIF %SRCROOT% (default: git top level).")
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes (default: usable cores; 1 = in-process).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), envvar="GOLINTER_CACHE_DIR",
              help="Cache directory (also GOLINTER_CACHE_DIR; default: $XDG_CACHE_HOME/golinter "
                   "or ~/.cache/golinter).")
@click.option("--baseline", type=click.Path(dir_okay=False), help="Report only findings not in this baseline.")
@click.option("--write-baseline", type=click.Path(dir_okay=False), help="Write every current finding to a baseline.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even with findings.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "note"]), default="note", show_default=True,
              help="Lowest finding level that makes the exit status 1.")
@click.option("--statistics", is_flag=True, help="Per-rule counts instead of findings.")
@click.option("--include-suppressed", is_flag=True,
              help="Keep findings silenced by //golinter:ignore or //nolint (marked as suppressed).")
@click.option("--report-unused-ignores", is_flag=True,
              help="Warn about ignore directives of selected rules that matched no finding.")
@click.option("--category", help="SARIF runAutomationDetails.id (a trailing / is added).")
@click.option("--sarif-fixes", is_flag=True, help="Include fixes in SARIF (GitHub does not show them).")
@click.option("-q", "--quiet", is_flag=True, help="No summary and no warnings on stderr.")
@click.option("-v", "--verbose", is_flag=True, help="Also print notes about the run on stderr.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Colour text output (auto: on a terminal, unless NO_COLOR; FORCE_COLOR forces it).")
def check(paths: tuple[str, ...], fmt: str, output: str | None, select: tuple[str, ...], ignore: tuple[str, ...],
          config_path: str | None, go_version: str | None, runtime_go: str | None, srcroot: str | None,
          jobs: int | None, no_cache: bool, cache_dir: str | None, baseline: str | None,
          write_baseline: str | None, exit_zero: bool, fail_on: str, statistics: bool,
          include_suppressed: bool, report_unused_ignores: bool, category: str | None, sarif_fixes: bool,
          quiet: bool, verbose: bool, color: str) -> None:
    """Analyse Go files and packages under PATHS (default: the current directory)."""
    from golinter.run import CheckRequest, run_check

    if statistics and fmt == "sarif":
        raise UsageError("--statistics prints per-rule counts, not a SARIF log; "
                         "use --format text or json with it, or drop --statistics")
    request = CheckRequest(
        paths=tuple(_strip_go_pattern(p) for p in paths) or (".",), fmt=fmt, output=output, select=select, ignore=ignore, config_path=config_path,
        go_version=_parse_go_version(go_version, "--go-version"),
        runtime_go=_parse_go_version(runtime_go, "--runtime-go"), srcroot=srcroot, jobs=jobs,
        use_cache=not no_cache, cache_dir=cache_dir, baseline=baseline, write_baseline=write_baseline,
        exit_zero=exit_zero, fail_on=fail_on, statistics=statistics, include_suppressed=include_suppressed,
        report_unused_ignores=report_unused_ignores, category=category, sarif_fixes=sarif_fixes,
        quiet=quiet, verbose=verbose, color=_use_color(color), progress=sys.stderr.isatty() and not quiet)
    sys.exit(run_check(request))


def _strip_go_pattern(path: str) -> str:
    """`./...` and `dir/...` (the go tool's "and everything below") mean the directory: golinter
    always walks directories recursively."""
    if path == "...":
        return "."
    for sep in {"/", os.sep}:
        if path.endswith(sep + "..."):
            return path[:-4] or sep
    return path


def _use_color(choice: str) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def rules(fmt: str) -> None:
    """List the rules: code, name, default level, enabled by default, summary."""
    from golinter.checks import all_rules

    items = all_rules()
    if fmt == "json":
        import json

        click.echo(json.dumps([{"code": r.code, "name": r.name, "level": r.level.value,
                                "enabled_by_default": r.enabled_by_default, "nature": r.nature.value,
                                "summary": r.summary} for r in items], indent=2))
        return
    for r in items:
        state = "on" if r.enabled_by_default else "off"
        click.echo(f"{r.code}  {r.name:<36} {r.level.value:<8} {state:<4} {r.summary}")


@cli.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Show a rule's catalogue page (by code or name)."""
    from golinter.catalog import page_text
    from golinter.checks import all_rules

    match = _find_rule(rule, all_rules())
    click.echo(page_text(match.code, match.summary).rstrip("\n"))


def _find_rule(word: str, items: Sequence[Rule]) -> Rule:
    for r in items:
        if word.upper() == r.code or word == r.name:
            return r
    import difflib

    names = [r.code for r in items] + [r.name for r in items]
    close = difflib.get_close_matches(word, names, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; known rules: {', '.join(r.code for r in items)}"
    raise UsageError(f"unknown rule {word!r}{hint}")


@cli.command()
@click.option("--cache-dir", type=click.Path(file_okay=False), envvar="GOLINTER_CACHE_DIR",
              help="The cache to remove (also GOLINTER_CACHE_DIR).")
def clean(cache_dir: str | None) -> None:
    """Remove the cache."""
    from golinter.cache import clear_cache, default_cache_dir

    path = cache_dir or default_cache_dir()
    removed = clear_cache(path)
    click.echo(f"removed {path}" if removed else f"no cache at {path}")


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run click without its own exit handling so every error exits 2."""
    _ensure_streams()
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="golinter", standalone_mode=False)
    except click.exceptions.Exit as exc:
        _exit(exc.exit_code)
    except (click.exceptions.Abort, _Interrupted, KeyboardInterrupt):
        _interrupted()
    except click.ClickException as exc:  # usage errors, bad paths, click's FileError
        exc.show()
        _exit(EXIT_ERROR)
    except GolinterError as exc:
        click.echo(f"golinter: error: {exc}", err=True)
        _exit(EXIT_ERROR)
    except (_PipeClosed, BrokenPipeError):
        _silence_stdout()
        _exit(EXIT_CLEAN)
    _exit(EXIT_CLEAN)


def _ensure_streams() -> None:
    """Started with stdout or stderr closed (`>&-`), Python has None there: write to devnull instead."""
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (lives as long as the process)
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


def _interrupted() -> None:
    try:
        click.echo("golinter: interrupted", err=True)
    except OSError:
        pass  # stderr gone too: the exit status still says what happened
    _exit(EXIT_INTERRUPTED)


def _silence_stdout() -> None:
    """After a closed pipe, point stdout at devnull so the interpreter's final flush is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass


def _exit(code: int | None) -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    raise SystemExit(code or 0)


__all__ = ["cli", "main"]
