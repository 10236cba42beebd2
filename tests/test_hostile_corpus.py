"""The Go 1.19 distribution's own torture tests as input: golinter finishes, never a traceback.

Corpora (Debian's golang-1.19-src; .ci/run installs it, the tests skip without it):
- /usr/share/go-1.19/test: the compiler's test suite — syntax errors on purpose, `// errorcheck`
  files, odd build tags, files without package clauses, huge literals, deep nesting;
- every `testdata` directory under /usr/share/go-1.19/src, named as roots (walking skips
  testdata, as the go tool does; a root the user names is analysed — see the fast test below):
  parser and type-checker inputs, a directory called `not_a_file.go`, generated files.

For each: exit status 0 or 1, no internal error, and an independent count — every `.go` name the
go tool's walk would see is either analysed (the summary's file count) or has a skip
notification in the SARIF; every analysed file that tree-sitter cannot parse cleanly has a
syntax-error notification, and no other file has one.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from jsonschema import Draft4Validator

from golinter.discover import discover

REPO = Path(__file__).resolve().parents[1]
GO = Path("/usr/share/go-1.19")
SARIF_VALIDATOR = Draft4Validator(json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json")
                                             .read_text(encoding="utf-8")))
SKIP_DIRS = frozenset({"testdata", "vendor"})
FILE_NOT_ANALYSED = frozenset({"unreadable", "no-package-clause", "too-large", "build-ignore", "generated",
                               "bad-file-name", "parse-budget", "excluded"})
SUMMARY_RE = re.compile(r"^golinter: (\d+) files?, (\d+) packages?", re.M)
needs_corpus = pytest.mark.skipif(not (GO / "test").is_dir(), reason="golang-1.19-src is not installed")


def corpus_roots(name: str) -> list[Path]:
    if name == "go-test":
        return [GO / "test"]
    return sorted(Path(d) for d, _dirs, _files in os.walk(GO / "src") if os.path.basename(d) == "testdata")


def go_entries(root: Path) -> set[Path]:
    """`.go` names below `root` as the go tool walks: not into `.x`/`_x`/testdata/vendor (root
    excepted) nor through directory symlinks; files, links and other non-directories all count."""
    found: set[Path] = set()
    stack = [root]
    while stack:
        directory = stack.pop()
        for entry in os.scandir(directory):
            if entry.name.startswith((".", "_")):
                continue
            if entry.is_dir():  # follows links: a link to a directory is a directory, never entered
                if entry.name not in SKIP_DIRS and not entry.is_symlink():
                    stack.append(Path(entry.path))
            elif entry.name.endswith(".go"):
                found.add(Path(entry.path))
    return found


# `new(` whose argument does not look like a type: Go 1.26's `new(expr)`, which golinter.parse
# parses as a plain call (tree-sitter-go 0.25 knows only `new(T)`). Spelled out here on its own.
_NEW_OF_VALUE = re.compile(
    rb"(?<![\w.])new(?=\(\s*(?!\[|map\s*\[|struct\s*\{|chan\b|func\s*\(|interface\s*\{|\*|<-|[A-Za-z_][\w.]*\s*[)\[]))")


def has_syntax_error(path: Path) -> bool:
    """Parsed here with tree-sitter directly (not golinter.parse); a BOM blanked as the engine does.
    A file is broken when it is with and without Go 1.26's `new(expr)` respelled."""
    import tree_sitter
    import tree_sitter_go

    src = path.read_bytes()
    if src.startswith(b"\xef\xbb\xbf"):
        src = b"   " + src[3:]
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_go.language()))
    return parser.parse(src).root_node.has_error and parser.parse(_NEW_OF_VALUE.sub(b"ne_", src)).root_node.has_error


def check_corpus(roots: list[Path], out_dir: Path) -> tuple[int, str, dict[str, Any], float]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    sarif = out_dir / "corpus.sarif"
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", "from golinter.cli import main; main()", "check",
                           *map(str, roots), "--jobs", "2", "--no-cache", "--format", "sarif", "-o", str(sarif),
                           "--srcroot", str(GO)], cwd=out_dir, capture_output=True, text=True, env=env,
                          timeout=900)
    elapsed = time.monotonic() - start
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    return proc.returncode, proc.stderr, json.loads(sarif.read_text(encoding="utf-8")), elapsed


@pytest.mark.slow
@needs_corpus
@pytest.mark.parametrize("corpus", ["go-test", "std-testdata"])
def test_corpus_every_file_is_analysed_or_notified(corpus: str, tmp_path: Path,
                                                   record_property: Any) -> None:
    roots = corpus_roots(corpus)
    _code, err, sarif, elapsed = check_corpus(roots, tmp_path)
    SARIF_VALIDATOR.validate(sarif)
    invocation = sarif["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    notes: dict[str, set[Path]] = {}
    for note in invocation["toolExecutionNotifications"]:
        assert note["descriptor"]["id"] != "internal-error", note
        for loc in note.get("locations", []):
            uri = loc["physicalLocation"]["artifactLocation"]["uri"]
            notes.setdefault(note["descriptor"]["id"], set()).add(GO / unquote(uri))

    on_disk: set[Path] = set().union(*(go_entries(r) for r in roots))
    m = SUMMARY_RE.search(err)
    assert m, err[-2000:]
    analysed = int(m.group(1))
    skipped = set().union(*(paths for reason, paths in notes.items() if reason in FILE_NOT_ANALYSED))
    assert skipped <= on_disk, sorted(skipped - on_disk)[:10]
    assert len(on_disk) == analysed + len(skipped), (len(on_disk), analysed, len(skipped))

    syntax = notes.get("syntax-error", set())
    assert not syntax & skipped
    broken = {p for p in sorted(on_disk - skipped) if has_syntax_error(p)}
    assert syntax == broken, (sorted(syntax - broken)[:10], sorted(broken - syntax)[:10])

    figures = {"files": len(on_disk), "analysed": analysed, "skipped": len(skipped),
               "syntax_errors": len(syntax), "seconds": round(elapsed, 1)}
    record_property("corpus_figures", json.dumps(figures))
    print(f"\n{corpus}: {figures}")


def test_corpus_testdata_named_as_root_is_analysed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a user gets: walking a module skips testdata; naming a testdata directory analyses it
    (and skips the testdata inside it); naming a file under testdata leaves it out with a note."""
    for rel in ("a.go", "testdata/t.go", "testdata/testdata/tt.go", "testdata/sub/s.go"):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"package {path.parent.name.replace('-', '')}\n")
    monkeypatch.chdir(tmp_path)

    def loaded(paths: list[str]) -> list[str]:
        found = discover(paths)
        return sorted(os.path.relpath(f.path, tmp_path) for p in found.packages for f in p.files if f.reported)

    assert loaded(["."]) == ["a.go"]
    assert loaded(["testdata"]) == ["testdata/sub/s.go", "testdata/t.go"]
    assert loaded(["testdata/testdata"]) == ["testdata/testdata/tt.go"]
    named = discover(["testdata/t.go"])
    assert named.packages == ()
    assert [(n.reason, os.path.relpath(n.path or "", tmp_path)) for n in named.notifications] == [
        ("go-ignored", "testdata/t.go")]
