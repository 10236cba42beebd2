"""Tests for golinter/discover.py: go tool directory rules, named files, headers, go.mod, bad input."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from golinter.discover import Discovery, GoPackage, PathFilter, discover
from golinter.errors import InputError
from golinter.findings import Level


def write(root: Path, rel: str, text: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def pkg_summary(result: Discovery, root: Path) -> list[tuple[str, str, list[str]]]:
    """(dir relative to root, package name, file names) per package."""
    return [(os.path.relpath(p.dir, root), p.name, [os.path.basename(f.path) for f in p.files])
            for p in result.packages]


def reasons(result: Discovery, root: Path) -> set[tuple[str, str]]:
    return {(n.reason, os.path.relpath(n.path or "", root)) for n in result.notifications}


def only_package(result: Discovery, name: str) -> GoPackage:
    found = [p for p in result.packages if p.name == name]
    assert len(found) == 1, found
    return found[0]


def test_discover_groups_by_dir_and_package_clause(tmp_path: Path) -> None:
    write(tmp_path, "a/a.go", "package a\n")
    write(tmp_path, "a/b.go", "// header\n/* block\n comment */\n\npackage a // trailing\n")
    write(tmp_path, "a/a_test.go", "package a\n")
    write(tmp_path, "a/x_test.go", "package a_test\n")
    write(tmp_path, "b/c/c.go", "package c\n")
    write(tmp_path, "README.md", "not go")
    result = discover([str(tmp_path)])
    assert pkg_summary(result, tmp_path) == [
        ("a", "a", ["a.go", "a_test.go", "b.go"]),
        ("a", "a_test", ["x_test.go"]),
        ("b/c", "c", ["c.go"]),
    ]
    assert all(f.reported and not f.generated for p in result.packages for f in p.files)
    assert all(os.path.isabs(p.dir) for p in result.packages)
    assert result.notifications == ()


def test_discover_skips_go_tool_ignored_names(tmp_path: Path) -> None:
    for rel in (".hidden/h.go", "_under/u.go", "testdata/t.go", "vendor/v/v.go", ".git/g.go",
                "p/_skip.go", "p/.skip.go", "p/sub/testdata/x.go"):
        write(tmp_path, rel, "package x\n")
    write(tmp_path, "p/p.go", "package p\n")
    result = discover([str(tmp_path)])
    assert pkg_summary(result, tmp_path) == [("p", "p", ["p.go"])]


def test_discover_root_itself_is_not_subject_to_name_rules(tmp_path: Path) -> None:
    write(tmp_path, "testdata/t.go", "package t\n")
    result = discover([str(tmp_path / "testdata")])
    assert pkg_summary(result, tmp_path) == [("testdata", "t", ["t.go"])]


def test_discover_missing_path_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="path does not exist: .*nope"):
        discover([str(tmp_path / "nope")])


def test_discover_named_file_loads_siblings_unreported(tmp_path: Path) -> None:
    write(tmp_path, "p/a.go", "package p\n")
    write(tmp_path, "p/b.go", "package p\n")
    write(tmp_path, "p/c_test.go", "package p_test\n")
    result = discover([str(tmp_path / "p" / "a.go")])
    assert pkg_summary(result, tmp_path) == [("p", "p", ["a.go", "b.go"])]
    flags = {os.path.basename(f.path): f.reported for f in result.packages[0].files}
    assert flags == {"a.go": True, "b.go": False}


def test_discover_named_file_and_walked_dir_reports_all(tmp_path: Path) -> None:
    write(tmp_path, "p/a.go", "package p\n")
    write(tmp_path, "p/b.go", "package p\n")
    result = discover([str(tmp_path / "p" / "a.go"), str(tmp_path)])
    assert [f.reported for f in result.packages[0].files] == [True, True]
    assert len(result.packages) == 1


def test_discover_non_go_named_file_is_noted(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "x")
    result = discover([str(tmp_path / "README.md")])
    assert result.packages == ()
    assert reasons(result, tmp_path) == {("not-go", "README.md")}
    assert result.notifications[0].level is Level.NOTE


def test_discover_excludes_dirs_and_named_files(tmp_path: Path) -> None:
    write(tmp_path, "third_party/x/x.go", "package x\n")
    write(tmp_path, "p/p.go", "package p\n")
    write(tmp_path, "p/p.pb.go", "package p\n")
    excludes = PathFilter(str(tmp_path), ["third_party/", "*.pb.go"])
    result = discover([str(tmp_path)], excludes=excludes)
    assert pkg_summary(result, tmp_path) == [("p", "p", ["p.go"])]
    assert reasons(result, tmp_path) == {("excluded", "third_party"), ("excluded", "p/p.pb.go")}
    named = discover([str(tmp_path / "third_party/x/x.go")], excludes=excludes)
    assert named.packages == ()
    assert reasons(named, tmp_path) == {("excluded", "third_party/x/x.go")}


def test_path_filter_relative_to_base_dir(tmp_path: Path) -> None:
    f = PathFilter(str(tmp_path / "repo"), ["gen/**", "/top.go"])
    assert f.excluded(str(tmp_path / "repo/gen/a.go"), False)
    assert f.excluded(str(tmp_path / "repo/top.go"), False)
    assert not f.excluded(str(tmp_path / "repo/sub/top.go"), False)
    assert not f.excluded(str(tmp_path / "other/gen/a.go"), False)
    assert not f.excluded(str(tmp_path / "repo"), True)


def test_discover_generated_file_loaded_unreported(tmp_path: Path) -> None:
    write(tmp_path, "p/p.go", "package p\n")
    write(tmp_path, "p/gen.go", "// Code generated by protoc-gen-go. DO NOT EDIT.\r\n\r\npackage p\r\n")
    write(tmp_path, "p/late.go", "package p\n// Code generated by x. DO NOT EDIT.\n")
    files = {os.path.basename(f.path): f for f in discover([str(tmp_path)]).packages[0].files}
    assert (files["gen.go"].generated, files["gen.go"].reported) == (True, False)
    assert (files["late.go"].generated, files["late.go"].reported) == (False, True)
    assert (files["p.go"].generated, files["p.go"].reported) == (False, True)


@pytest.mark.parametrize("header", [
    "//go:build ignore\n\n",
    "//go:build linux && ignore\n\n",
    "// +build ignore\n\n",
    "//go:build linux && !linux\n\n",
])
def test_discover_build_ignore_left_out(tmp_path: Path, header: str) -> None:
    write(tmp_path, "p/p.go", "package p\n")
    write(tmp_path, "p/tool.go", header + "package main\n")
    result = discover([str(tmp_path)])
    assert pkg_summary(result, tmp_path) == [("p", "p", ["p.go"])]
    assert reasons(result, tmp_path) == {("build-ignore", "p/tool.go")}


@pytest.mark.parametrize(("header", "lang"), [
    ("//go:build linux\n\n", None),
    ("//go:build !ignore\n\n", None),
    ("//go:build ignore || windows\n\n", None),
    ("// +build linux,amd64 darwin\n\n", None),
    ("//go:build go1.21\n\n", (1, 21)),
    ("//go:build linux && (go1.22 || go1.19)\n\n", (1, 22)),
    ("//go:build go1.20 && !go1.23\n\n", (1, 20)),
    ("//go:build !(go1.23)\n\n", None),
    ("\ufeff// Copyright\n\n//go:build go1.23\r\n\r\n", (1, 23)),
])
def test_discover_build_tags_load_together(tmp_path: Path, header: str, lang: tuple[int, int] | None) -> None:
    write(tmp_path, "p/p.go", header + "package p\n")
    result = discover([str(tmp_path)])
    assert pkg_summary(result, tmp_path) == [("p", "p", ["p.go"])]
    assert result.packages[0].files[0].build_lang == lang
    assert result.notifications == ()


def test_discover_malformed_constraint_loads_with_note(tmp_path: Path) -> None:
    write(tmp_path, "p/p.go", "//go:build linux &&\n\npackage p\n")
    result = discover([str(tmp_path)])
    assert pkg_summary(result, tmp_path) == [("p", "p", ["p.go"])]
    assert [(n.reason, n.skipped) for n in result.notifications] == [("bad-build-constraint", False)]


def test_discover_no_package_clause_is_noted(tmp_path: Path) -> None:
    write(tmp_path, "p/empty.go", "")
    write(tmp_path, "p/garbage.go", b"\xff\xfe\x00garbage \x80\x81 package")
    write(tmp_path, "p/unterminated.go", "/* never closed\npackage p\n")
    write(tmp_path, "p/ok.go", b"\xef\xbb\xbfpackage p\n\nvar s = \"\xff\"\n")
    result = discover([str(tmp_path)])
    assert pkg_summary(result, tmp_path) == [("p", "p", ["ok.go"])]
    assert reasons(result, tmp_path) == {("no-package-clause", f"p/{n}.go")
                                         for n in ("empty", "garbage", "unterminated")}
    assert all(n.skipped and n.level is Level.WARNING for n in result.notifications)


def test_discover_long_license_header(tmp_path: Path) -> None:
    write(tmp_path, "p/p.go", "// license line\n" * 10000 + "package p\n")
    assert pkg_summary(discover([str(tmp_path)]), tmp_path) == [("p", "p", ["p.go"])]


def test_discover_too_large_skipped(tmp_path: Path) -> None:
    write(tmp_path, "p/big.go", "package p\n" + "// x\n" * 100)
    write(tmp_path, "p/small.go", "package p\n")
    result = discover([str(tmp_path)], max_file_size=100)
    assert pkg_summary(result, tmp_path) == [("p", "p", ["small.go"])]
    assert reasons(result, tmp_path) == {("too-large", "p/big.go")}


def test_discover_directory_named_dot_go(tmp_path: Path) -> None:
    write(tmp_path, "x.go/inner.go", "package inner\n")
    write(tmp_path, "top.go", "package top\n")
    result = discover([str(tmp_path)])
    assert pkg_summary(result, tmp_path) == [(".", "top", ["top.go"]), ("x.go", "inner", ["inner.go"])]
    named = discover([str(tmp_path / "x.go")])
    assert pkg_summary(named, tmp_path) == [("x.go", "inner", ["inner.go"])]


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_discover_symlinks(tmp_path: Path) -> None:
    write(tmp_path, "real/r.go", "package r\n")
    write(tmp_path, "p/p.go", "package p\n")
    os.symlink(tmp_path / "real", tmp_path / "p" / "linked")
    os.symlink(tmp_path, tmp_path / "p" / "loop")
    os.symlink(tmp_path / "missing.go", tmp_path / "p" / "broken.go")
    os.symlink("self.go", tmp_path / "p" / "self.go")
    os.symlink(tmp_path / "real" / "r.go", tmp_path / "p" / "alias.go")
    result = discover([str(tmp_path)])
    assert pkg_summary(result, tmp_path) == [("p", "p", ["p.go"]), ("p", "r", ["alias.go"]),
                                             ("real", "r", ["r.go"])]
    assert reasons(result, tmp_path) == {
        ("symlink-dir", "p/linked"), ("symlink-dir", "p/loop"),
        ("unreadable", "p/broken.go"), ("unreadable", "p/self.go")}


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_discover_symlinked_root_is_followed_once(tmp_path: Path) -> None:
    write(tmp_path, "real/r.go", "package r\n")
    os.symlink(tmp_path / "real", tmp_path / "link")
    result = discover([str(tmp_path / "link"), str(tmp_path / "real")])
    assert pkg_summary(result, tmp_path) == [("link", "r", ["r.go"])]


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="needs POSIX permissions, non-root")
def test_discover_unreadable_file_and_dir(tmp_path: Path) -> None:
    write(tmp_path, "p/p.go", "package p\n")
    secret = write(tmp_path, "p/secret.go", "package p\n")
    locked = write(tmp_path, "locked/l.go", "package l\n").parent
    secret.chmod(0)
    locked.chmod(0)
    try:
        result = discover([str(tmp_path)])
    finally:
        secret.chmod(0o644)
        locked.chmod(0o755)
    assert pkg_summary(result, tmp_path) == [("p", "p", ["p.go"])]
    assert reasons(result, tmp_path) == {("unreadable", "p/secret.go"), ("unreadable", "locked")}
    assert all("ermission" in n.message for n in result.notifications)


def test_discover_gomod_versions_nearest_module(tmp_path: Path) -> None:
    write(tmp_path, "go.mod", "module example.com/a // c\n\ngo 1.21.3\n\ntoolchain go1.24.1\n")
    write(tmp_path, "a/a.go", "package a\n")
    write(tmp_path, "nested/go.mod", "module example.com/n\n// go 1.10\ngo 1.23\n")
    write(tmp_path, "nested/deep/n.go", "package n\n")
    result = discover([str(tmp_path)])
    a = only_package(result, "a")
    n = only_package(result, "n")
    assert (a.module_dir, a.lang_version, a.toolchain_version) == (str(tmp_path), (1, 21), (1, 24))
    assert (n.module_dir, n.lang_version, n.toolchain_version) == (str(tmp_path / "nested"), (1, 23), None)


def test_discover_without_gomod(tmp_path: Path) -> None:
    write(tmp_path, "p/p.go", "package p\n")
    pkg = discover([str(tmp_path / "p")]).packages[0]
    if pkg.module_dir is None:  # no go.mod above tmp_path on this machine
        assert (pkg.lang_version, pkg.toolchain_version) == (None, None)
    else:
        assert not pkg.module_dir.startswith(str(tmp_path))


def test_discover_is_deterministic_and_sorted(tmp_path: Path) -> None:
    for name in ("z", "a", "m"):
        write(tmp_path, f"{name}/{name}.go", f"package {name}\n")
        write(tmp_path, f"{name}/bad.go", "")
    first = discover([str(tmp_path / "z"), str(tmp_path)])
    second = discover([str(tmp_path), str(tmp_path / "z")])
    assert first == second
    assert [p.name for p in first.packages] == ["a", "m", "z"]
    assert [os.path.relpath(n.path or "", tmp_path) for n in first.notifications] == \
        ["a/bad.go", "m/bad.go", "z/bad.go"]


def test_discover_named_ignored_component(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "vendor/v/v.go", "package v\n")
    write(tmp_path, "p/_x.go", "package p\n")
    monkeypatch.chdir(tmp_path)
    result = discover(["vendor/v/v.go", "p/_x.go"])
    assert result.packages == ()
    assert reasons(result, tmp_path) == {("go-ignored", "vendor/v/v.go"), ("go-ignored", "p/_x.go")}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_discover_fifo_named_go_is_not_read(tmp_path: Path) -> None:
    write(tmp_path, "p/p.go", "package p\n")
    os.mkfifo(tmp_path / "p" / "pipe.go")
    result = discover([str(tmp_path)])
    assert pkg_summary(result, tmp_path) == [("p", "p", ["p.go"])]
    assert [(n.reason, n.message) for n in result.notifications] == [("unreadable", "not a regular file")]


class _Heads:
    """A heads index that trusts any unchanged stat (the racy rule is cache.py's, tested there)."""

    def __init__(self) -> None:
        self.kept: dict[str, tuple[tuple[int, int, int], object]] = {}

    def head(self, path: str, st: os.stat_result) -> object | None:
        sig, head = self.kept.get(path, ((-1, -1, -1), None))
        return head if sig == (st.st_size, st.st_mtime_ns, st.st_ino) else None

    def record_head(self, path: str, st: os.stat_result, head: object, read_at_ns: int) -> None:
        self.kept[path] = ((st.st_size, st.st_mtime_ns, st.st_ino), head)


def test_discover_known_heads_are_not_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.go").write_text("package a\n")
    (tmp_path / "gen.go").write_text("// Code generated by x. DO NOT EDIT.\n\npackage a\n")
    (tmp_path / "ign.go").write_text("//go:build ignore\n\npackage main\n")
    (tmp_path / "linux.go").write_text("//go:build linux && go1.21\n\npackage a\n")
    (tmp_path / "empty.go").write_text("// no clause\n")
    heads = _Heads()
    first = discover([str(tmp_path)], heads=heads)
    assert len(heads.kept) == 5

    def no_open(*args: object, **kwargs: object) -> object:
        raise AssertionError(f"opened {args[0]}")

    monkeypatch.setattr("golinter.discover.open", no_open, raising=False)
    assert discover([str(tmp_path)], heads=heads) == first
    monkeypatch.undo()
    (tmp_path / "a.go").write_text("//go:build ignore\n\npackage a\n")  # changed: read again
    again = discover([str(tmp_path)], heads=heads)
    assert [os.path.basename(f.path) for p in again.packages for f in p.files] == ["gen.go", "linux.go"]


def test_discover_heads_from_other_code_are_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Heads kept by another golinter version (or before an edit of discover.py) are not used."""
    (tmp_path / "a.go").write_text("package a\n")
    heads = _Heads()
    discover([str(tmp_path)], heads=heads)
    path = str(tmp_path / "a.go")
    sig, head = heads.kept[path]
    assert isinstance(head, tuple)
    heads.kept[path] = (sig, (("0.0.0", 1, 1), *head[1:]))
    opened: list[object] = []
    real_open = open

    def counting_open(*args: object, **kwargs: object) -> object:
        opened.append(args[0])
        return real_open(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("golinter.discover.open", counting_open, raising=False)
    discover([str(tmp_path)], heads=heads)
    assert opened == [path]


def test_discover_root_module_dir_is_the_outermost_module_up_to_the_repository(tmp_path: Path) -> None:
    """A test app with its own go.mod under the repository's tests/ counts its directories from
    the repository module's root; an enclosing module beyond a `.git` directory is not looked at."""
    write(tmp_path, "go.mod", "module outside\n\ngo 1.22\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo, "go.mod", "module example.com/repo\n\ngo 1.22\n")
    write(repo, "tests/apps/rec/go.mod", "module example.com/repo/tests/apps/rec\n\ngo 1.21\n")
    write(repo, "tests/apps/rec/main.go", "package main\n")
    write(repo, "lib/lib.go", "package lib\n")
    result = discover([str(repo)])
    app, lib = only_package(result, "main"), only_package(result, "lib")
    assert app.module_dir == str(repo / "tests/apps/rec") and app.root_module_dir == str(repo)
    assert lib.module_dir == lib.root_module_dir == str(repo)
    assert app.lang_version != lib.lang_version  # versions still come from the nearest go.mod
