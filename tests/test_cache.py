"""The result cache on disk (golinter/cache.py): keys, entries, damage, pruning, removal.

The engine's use of it (warm runs, invalidation, workers writing entries) is tested in
tests/test_engine.py.
"""
from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

import pytest

from golinter import cache
from golinter.cache import CacheUnavailable, FileKey, ResultStore, clear_cache, package_key

DAY = 86400.0


def _key(**changes: object) -> str:
    parts: dict[str, object] = {
        "environment": "env", "settings": "Settings()", "directory": "/src/p", "name": "p",
        "runtime_version": (1, 24),
        "files": [FileKey("/src/p/a.go", "aa", False, (1, 22)), FileKey("/src/p/b.go", "bb", True, (1, 22))],
    }
    parts.update(changes)
    return package_key(**parts)  # type: ignore[arg-type]


def _entries(store: ResultStore) -> list[Path]:
    return sorted(p for p in Path(store.entries).rglob("*") if p.is_file() and not p.name.startswith("."))


# -- keys ------------------------------------------------------------------------------------

def test_file_digest_depends_on_every_byte() -> None:
    assert cache.file_digest(b"package p\n") == cache.file_digest(b"package p\n")
    assert cache.file_digest(b"package p\n") != cache.file_digest(b"package q\n")
    assert cache.file_digest(b"package p\n") != cache.file_digest(b"package p\r\n")


def test_package_key_ignores_file_order() -> None:
    files = [FileKey("/src/p/b.go", "bb", True, (1, 22)), FileKey("/src/p/a.go", "aa", False, (1, 22))]
    assert _key(files=files) == _key()


@pytest.mark.parametrize("change", [
    {"environment": "other"},
    {"settings": "Settings(go_version=(1, 21))"},
    {"directory": "/src/q"},
    {"name": "p_test"},
    {"runtime_version": (1, 23)},
    {"files": [FileKey("/src/p/a.go", "ab", False, (1, 22)), FileKey("/src/p/b.go", "bb", True, (1, 22))]},
    {"files": [FileKey("/src/p/c.go", "aa", False, (1, 22)), FileKey("/src/p/b.go", "bb", True, (1, 22))]},
    {"files": [FileKey("/src/p/a.go", "aa", True, (1, 22)), FileKey("/src/p/b.go", "bb", True, (1, 22))]},
    {"files": [FileKey("/src/p/a.go", "aa", False, (1, 21)), FileKey("/src/p/b.go", "bb", True, (1, 22))]},
    {"files": [FileKey("/src/p/a.go", "aa", False, (1, 22))]},  # a context file dropped
    {"test_directory": True},
], ids=["environment", "settings", "directory", "name", "runtime", "content", "path", "generated",
        "language", "file-set", "test-directory"])
def test_package_key_changes_with_each_part(change: dict[str, object]) -> None:
    assert _key(**change) != _key()


def test_environment_digest_depends_on_checks_not_their_order() -> None:
    assert cache.environment_digest(["GML001", "GML009"]) == cache.environment_digest(["GML009", "GML001"])
    assert cache.environment_digest(["GML001"]) != cache.environment_digest(["GML001", "GML009"])


def test_environment_digest_changes_when_golinter_source_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    before = cache.environment_digest(["GML009"])
    monkeypatch.setattr(cache, "_tree_stamp", lambda root, suffix: [("engine.py", 1, 2)])
    assert cache.environment_digest(["GML009"]) != before


def test_tree_stamp_sees_edits_and_skips_bytecode(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "m.py").write_text("x = 1\n")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "m.py").write_text("")
    (tmp_path / "notes.txt").write_text("")
    first = cache._tree_stamp(str(tmp_path), ".py")
    assert [name for name, _size, _mtime in first] == [os.path.join("sub", "m.py")]
    os.utime(tmp_path / "sub" / "m.py", ns=(1, 10**18))
    assert cache._tree_stamp(str(tmp_path), ".py") != first


def test_distribution_stamp_names_the_installed_versions_without_importing() -> None:
    import sys
    from importlib.metadata import version

    _module, infos, _files = cache._distribution_stamp("tree_sitter_go", "tree_sitter_go")
    assert isinstance(infos, tuple) and any(version("tree-sitter-go") in str(info) for info in infos)
    assert cache._distribution_stamp("no_such_module_here", "no_such") == ("no_such_module_here", "missing")
    assert "no_such_module_here" not in sys.modules


# -- entries ---------------------------------------------------------------------------------

def test_open_creates_tagged_ignored_directory(tmp_path: Path) -> None:
    store = ResultStore.open(str(tmp_path / "c"))
    assert Path(store.entries).is_dir()
    assert (tmp_path / "c" / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert (tmp_path / "c" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_open_fails_where_no_directory_can_be(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(CacheUnavailable, match="cannot create"):
        ResultStore.open(str(tmp_path / "file" / "cache"))


def test_store_then_load_round_trips(tmp_path: Path) -> None:
    store = ResultStore.open(str(tmp_path))
    value = {"findings": (1, 2, 3), "name": "ü"}
    store.store("ab" * 32, value)
    assert store.load("ab" * 32) == value
    assert store.load("cd" * 32) is None
    store.store("ab" * 32, [4])  # overwriting is atomic too
    assert store.load("ab" * 32) == [4]
    leftovers = [p.name for p in Path(store.entries).rglob(".tmp-*")]
    assert leftovers == []


@pytest.mark.parametrize("damage", ["empty", "truncated", "flipped", "magic", "garbage-pickle"])
def test_damaged_entries_are_misses(tmp_path: Path, damage: str) -> None:
    store = ResultStore.open(str(tmp_path))
    key = "ef" * 32
    store.store(key, {"ok": True})
    path = Path(store.path_for(key))
    data = path.read_bytes()
    if damage == "empty":
        path.write_bytes(b"")
    elif damage == "truncated":
        path.write_bytes(data[:-3])
    elif damage == "flipped":
        path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    elif damage == "magic":
        path.write_bytes(b"XXXX" + data[4:])
    else:  # a valid checksum over bytes that are not a pickle of anything
        import hashlib
        payload = b"\x80\x05garbage that is no pickle"
        path.write_bytes(cache._MAGIC + hashlib.blake2b(payload, digest_size=16).digest() + payload)
    assert store.load(key) is None


def test_pickle_of_a_missing_class_is_a_miss(tmp_path: Path) -> None:
    import hashlib
    store = ResultStore.open(str(tmp_path))
    payload = pickle.dumps(Path("x")).replace(b"pathlib", b"pathlix")
    path = Path(store.path_for("aa" * 32))
    path.parent.mkdir(parents=True)
    path.write_bytes(cache._MAGIC + hashlib.blake2b(payload, digest_size=16).digest() + payload)
    assert store.load("aa" * 32) is None


def test_load_refreshes_the_mtime_of_old_entries(tmp_path: Path) -> None:
    store = ResultStore.open(str(tmp_path))
    store.store("12" * 32, 1)
    path = store.path_for("12" * 32)
    old = time.time() - 10 * DAY
    os.utime(path, (old, old))
    assert store.load("12" * 32) == 1
    assert os.stat(path).st_mtime > time.time() - 60


# -- pruning ---------------------------------------------------------------------------------

def test_prune_removes_unused_entries_and_stale_temporaries(tmp_path: Path) -> None:
    store = ResultStore.open(str(tmp_path))
    now = time.time()
    for i, age_days in enumerate([0, 29, 31, 400]):
        key = f"{i:02d}" * 32
        store.store(key, i)
        os.utime(store.path_for(key), (now - age_days * DAY, now - age_days * DAY))
    tmp_old = Path(store.entries) / "00" / ".tmp-old"
    tmp_new = Path(store.entries) / "00" / ".tmp-new"
    tmp_old.write_bytes(b"")
    tmp_new.write_bytes(b"")
    os.utime(tmp_old, (now - 2 * 3600, now - 2 * 3600))
    assert store.prune(now=now) == 3
    assert [store.load(f"{i:02d}" * 32) for i in range(4)] == [0, 1, None, None]
    assert not tmp_old.exists() and tmp_new.exists()  # a worker may be writing it right now
    assert not store.prune_due(now=now) and store.prune_due(now=now + DAY)


def test_prune_keeps_the_newest_under_the_size_cap(tmp_path: Path) -> None:
    store = ResultStore.open(str(tmp_path))
    now = time.time()
    for i in range(5):
        key = f"{i:02d}" * 32
        store.store(key, b"x" * 1000)
        os.utime(store.path_for(key), (now - (5 - i) * 60, now - (5 - i) * 60))  # entry 4 is the newest
    size = os.path.getsize(store.path_for("00" * 32))
    store.prune(now=now, max_total_bytes=2 * size)
    assert [store.load(f"{i:02d}" * 32) is not None for i in range(5)] == [False, False, False, True, True]


def test_prune_is_due_without_a_stamp(tmp_path: Path) -> None:
    assert ResultStore.open(str(tmp_path)).prune_due()


# -- clean -----------------------------------------------------------------------------------

def test_clear_cache_removes_the_cache_and_its_directory(tmp_path: Path) -> None:
    store = ResultStore.open(str(tmp_path / "c"))
    store.store("ab" * 32, 1)
    assert clear_cache(str(tmp_path / "c"))
    assert not (tmp_path / "c").exists()
    assert not clear_cache(str(tmp_path / "c"))


def test_clear_cache_never_removes_files_it_did_not_create(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "projects").mkdir(parents=True)
    (home / "notes.txt").write_text("mine")
    (home / ".gitignore").write_text("*.o\n")
    assert not clear_cache(str(home))  # a mistyped --cache-dir
    assert (home / "notes.txt").exists() and (home / ".gitignore").exists() and (home / "projects").is_dir()
    ResultStore.open(str(home / "projects")).store("ab" * 32, 1)
    (home / "projects" / "keep.go").write_text("package p\n")
    assert clear_cache(str(home / "projects"))
    assert sorted(p.name for p in (home / "projects").iterdir()) == ["keep.go"]


# -- the stat index --------------------------------------------------------------------------

def _stat(size: int = 10, mtime: int = 1_000, ctime: int = 1_000, ino: int = 7) -> os.stat_result:
    return os.stat_result((0o100644, ino, 0, 1, 0, 0, size, 0, 0, 0, 0.0, 0.0, 0.0, 0, mtime, ctime))


def test_stat_index_trusts_only_an_unchanged_quiet_file(tmp_path: Path) -> None:
    index = ResultStore.open(str(tmp_path)).stat_index()
    hashed_at = 1_000 + cache.RACY_NANOSECONDS + 1
    index.record("/p/a.go", _stat(), "d1", hashed_at)
    assert index.digest("/p/a.go", _stat()) == "d1"
    assert index.digest("/p/b.go", _stat()) is None
    for changed in (_stat(size=11), _stat(mtime=999), _stat(ctime=2_000), _stat(ino=8)):
        assert index.digest("/p/a.go", changed) is None
    index.record("/p/a.go", _stat(), "d1", hashed_at - 1)  # changed right before it was hashed
    assert index.digest("/p/a.go", _stat()) is None


def test_stat_index_saves_changes_and_drops_old_entries(tmp_path: Path) -> None:
    store = ResultStore.open(str(tmp_path))
    index = store.stat_index()
    index.save()
    assert not Path(index.path).exists()  # nothing recorded: nothing written
    now = time.time_ns()
    index.record("/p/new.go", _stat(), "d1", now)
    index.record("/p/old.go", _stat(), "d2", now - int(31 * DAY * 1e9))
    index.save(now_ns=now)
    again = store.stat_index()
    assert again.entries.keys() == {"/p/new.go"} and not again.changed


def test_damaged_stat_index_is_empty(tmp_path: Path) -> None:
    store = ResultStore.open(str(tmp_path))
    index = store.stat_index()
    index.record("/p/a.go", _stat(), "d1", time.time_ns())
    index.save()
    Path(index.path).write_bytes(b"GLC1 and then nonsense")
    assert store.stat_index().entries == {}
    index.entries["/p/a.go"] = ("not", "a", "tuple")  # type: ignore[assignment]
    assert index.digest("/p/a.go", _stat()) is None


def test_stat_index_heads_follow_the_same_rule_and_survive_a_save(tmp_path: Path) -> None:
    store = ResultStore.open(str(tmp_path))
    index = store.stat_index()
    read_at = 1_000 + cache.RACY_NANOSECONDS + 1
    index.record_head("/p/a.go", _stat(), ("p", False, None, ()), read_at)
    index.record_head("/p/racy.go", _stat(), ("p", False, None, ()), read_at - 1)
    assert index.head("/p/a.go", _stat()) == ("p", False, None, ())
    assert index.head("/p/racy.go", _stat()) is None  # changed right before it was read
    for changed in (_stat(size=11), _stat(mtime=999), _stat(ctime=2_000), _stat(ino=8)):
        assert index.head("/p/a.go", changed) is None
    assert index.digest("/p/a.go", _stat()) is None  # heads are not digests
    index.record("/p/a.go", _stat(), "d1", read_at)
    index.save(now_ns=read_at)
    again = store.stat_index()
    assert again.head("/p/a.go", _stat()) == ("p", False, None, ()) and again.digest("/p/a.go", _stat()) == "d1"


def test_stat_index_of_an_older_format_is_empty(tmp_path: Path) -> None:
    store = ResultStore.open(str(tmp_path))
    index = store.stat_index()
    cache._write_entry(index.path, {"/p/a.go": (10, 1_000, 1_000, 7, "d1", 10**12)})  # a bare dict: format 1
    assert store.stat_index().entries == {} and store.stat_index().heads == {}
