"""The result cache on disk: where it lives, its keys, entries, pruning and removal.

Default directory: $GOLINTER_CACHE_DIR, else $XDG_CACHE_HOME/golinter, else ~/.cache/golinter.

One entry per package, named by `package_key`: a sha256 over the analysis environment
(`environment_digest`: golinter's version and a stamp of its own source files, the installed
tree-sitter and tree-sitter-go, Python, the checks run), the analysis-relevant settings, the
package's directory, name and runtime version, and for every loaded file (generated and
context files included) its path, content digest (blake2b), generated flag and language
version after overrides. An entry holds the raw results of every check on every
non-generated file, so --select, --ignore, per-file ignores, formats and baselines never
invalidate it (engine.py filters them afterwards).

A run naming files whose package has no entry analyses only those files' candidates and
stores that result under `restricted_key` (the package key and the named paths), never under
the package key: a whole-package entry serves every named-file run, not the reverse.

The parent finds digests without reading files through the stat index (`StatIndex`,
`<dir>/v1/stat-index`): path -> size, mtime, ctime, inode, digest, written when it changed.
A file whose stat differs, or that changed within 2 s of being hashed, is read and hashed.
The same index keeps what discovery read from each file's head (package clause, build
constraints, generated marker), by the same rule, so a warm run opens no unchanged file.

Layout: `<dir>/v1/<2 hex>/<62 hex>` entries; `<dir>/CACHEDIR.TAG` (backup tools skip the
directory) and `<dir>/.gitignore` (`*`). An entry is MAGIC + blake2b(payload) + payload, the
payload a pickle; it is written to a temporary file in its own directory and renamed
(`os.replace`), so readers never see half an entry. An entry that is short, fails its
checksum or does not unpickle is a miss. Nothing here imports tree-sitter.

Pruning (`ResultStore.prune`, at most once a day, from the parent process): entries unused
for MAX_AGE_DAYS days go (a hit refreshes an entry's mtime when it is over a day old), then
the oldest until the total is under MAX_TOTAL_BYTES; temporary files over an hour old go too.
`clear_cache` removes only what golinter created (the `v*` entry trees, the tag, .gitignore).
"""
from __future__ import annotations

import hashlib
import os
import pickle
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

FORMAT = 1
MAX_AGE_DAYS = 30
MAX_TOTAL_BYTES = 512 * 1024 * 1024
PRUNE_INTERVAL_SECONDS = 24 * 3600
TOUCH_AFTER_SECONDS = 24 * 3600
TEMP_MAX_AGE_SECONDS = 3600
RACY_NANOSECONDS = 2_000_000_000  # a file changed this close to its hashing is hashed again

_MAGIC = b"GLC1"
_CHECKSUM_BYTES = 16
_TEMP_PREFIX = ".tmp-"
_PRUNE_STAMP = ".last-prune"
_STAT_INDEX = "stat-index"
_TAG_NAME = "CACHEDIR.TAG"
_TAG_TEXT = ("Signature: 8a477f597d28d172789f06886806bc55\n"
             "# This file is a cache directory tag created by golinter.\n"
             "# For information about cache directory tags, see https://bford.info/cachedir/\n")
_ENTRY_DIR_RE = re.compile(r"v\d+$")
# What a damaged or foreign pickle can raise while loading.
_UNPICKLE_ERRORS = (pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError,
                    KeyError, TypeError, ValueError, MemoryError, RecursionError)


def default_cache_dir() -> str:
    env = os.environ.get("GOLINTER_CACHE_DIR")
    if env:
        return env
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "golinter")


def clear_cache(path: str) -> bool:
    """Remove golinter's entries, tag and .gitignore from `path` (and `path` itself when that
    leaves it empty); True when something was removed. Other files are never touched, so a
    mistyped --cache-dir cannot delete a user's directory."""
    if not os.path.isdir(path):
        return False
    removed = False
    for name in os.listdir(path):
        full = os.path.join(path, name)
        if _ENTRY_DIR_RE.match(name) and os.path.isdir(full) and not os.path.islink(full):
            shutil.rmtree(full, ignore_errors=True)
            removed = True
        elif name in (_TAG_NAME, ".gitignore") and _is_ours(full):
            os.unlink(full)
            removed = True
    if removed:
        try:
            os.rmdir(path)
        except OSError:
            pass  # other files remain: leave the directory
    return removed


def _is_ours(path: str) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read(4096)
    except OSError:
        return False
    return "golinter" in text


# -- keys ------------------------------------------------------------------------------------

def file_digest(data: bytes) -> str:
    """The content digest of one file (blake2b, 128 bits, hex)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class FileKey:
    """One loaded file's part of a package key."""

    path: str
    digest: str
    generated: bool
    lang_version: tuple[int, int]


def package_key(environment: str, settings: str, directory: str, name: str,
                runtime_version: tuple[int, int], files: Iterable[FileKey], test_directory: bool = False) -> str:
    """The entry name for one package's results (sha256 hex). `test_directory`: the package sits
    in a directory named for tests below its module's root (testcode.in_test_directory)."""
    parts = sorted((f.path, f.digest, f.generated, f.lang_version) for f in files)
    text = repr((FORMAT, environment, settings, directory, name, runtime_version, parts, test_directory))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def restricted_key(package_key: str, reported: Iterable[str]) -> str:
    """The entry name for a package analysed for some of its files only (the files named on
    the command line): distinct from the whole package's key and from other file sets."""
    text = repr((FORMAT, "restricted", package_key, sorted(reported)))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def environment_digest(check_codes: Sequence[str]) -> str:
    """Everything outside the package and settings that changes results, computed once a run.

    golinter's version plus the sizes and mtimes of its own modules (so an editable install
    or a source checkout invalidates on every edit: ~60 stats), the installed tree-sitter and
    tree-sitter-go (dist-info names, which carry the versions, and their package files'
    sizes and mtimes: no import, no importlib.metadata), Python's version, the checks run.
    """
    from golinter._version import __version__

    h = hashlib.sha256()
    h.update(repr((FORMAT, __version__, sys.version_info[:2], tuple(sorted(check_codes)))).encode())
    here = os.path.dirname(os.path.abspath(__file__))
    h.update(repr(_tree_stamp(here, ".py")).encode("utf-8", "surrogateescape"))
    for module, dist in (("tree_sitter", "tree_sitter"), ("tree_sitter_go", "tree_sitter_go")):
        h.update(repr(_distribution_stamp(module, dist)).encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def _tree_stamp(root: str, suffix: str) -> list[tuple[str, int, int]]:
    """(relative path, size, mtime_ns) of every `suffix` file under `root`, iteratively."""
    out: list[tuple[str, int, int]] = []
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    stack.append(entry.path)
            elif entry.name.endswith(suffix):
                try:
                    st = entry.stat()
                except OSError:
                    continue
                out.append((os.path.relpath(entry.path, root), st.st_size, st.st_mtime_ns))
    return sorted(out)


def _distribution_stamp(module: str, dist: str) -> tuple[object, ...]:
    """The installed distribution of a top-level module, without importing it."""
    from importlib.util import find_spec

    try:
        spec = find_spec(module)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin:
        return (module, "missing")
    package_dir = os.path.dirname(spec.origin)
    site = os.path.dirname(package_dir)
    try:
        infos = sorted(n for n in os.listdir(site)
                       if n.lower().startswith(dist.lower() + "-") and n.endswith((".dist-info", ".egg-info")))
    except OSError:
        infos = []
    files: list[tuple[str, int, int]] = []
    try:
        for entry in os.scandir(package_dir):
            if entry.is_file():
                st = entry.stat()
                files.append((entry.name, st.st_size, st.st_mtime_ns))
    except OSError:
        pass
    return (module, tuple(infos), tuple(sorted(files)))


# -- entries ---------------------------------------------------------------------------------

class CacheUnavailable(Exception):
    """The cache directory cannot be created or written; the message says why."""


@dataclass(frozen=True, slots=True)
class ResultStore:
    """The entries of one cache directory. Plain data: it pickles into pool workers."""

    root: str

    @property
    def entries(self) -> str:
        return os.path.join(self.root, f"v{FORMAT}")

    @classmethod
    def open(cls, directory: str) -> ResultStore:
        """Create the directory (with its tag and .gitignore) and check it is writable."""
        root = os.path.abspath(directory)
        store = cls(root)
        try:
            os.makedirs(store.entries, exist_ok=True)
            for name, text in ((_TAG_NAME, _TAG_TEXT), (".gitignore", "# created by golinter\n*\n")):
                target = os.path.join(root, name)
                if not os.path.exists(target):
                    _write_atomic(target, text.encode())
        except OSError as exc:
            raise CacheUnavailable(f"cannot create {root}: {exc.strerror or exc}") from None
        if not os.access(store.entries, os.W_OK | os.X_OK):
            raise CacheUnavailable(f"cannot write in {store.entries}: permission denied")
        return store

    def path_for(self, key: str) -> str:
        return os.path.join(self.entries, key[:2], key[2:])

    def load(self, key: str) -> object | None:
        """The object stored under `key`, or None for a missing, damaged or unreadable entry."""
        path = self.path_for(key)
        found = _read_entry(path)
        if found is None:
            return None
        value, mtime = found
        if time.time() - mtime > TOUCH_AFTER_SECONDS:
            try:
                os.utime(path)  # "used": pruning goes by mtime (atime is often not kept)
            except OSError:
                pass  # a read-only entry stays valid; it may be pruned early
        return value

    def store(self, key: str, value: object) -> None:
        """Write an entry atomically; raises OSError (the caller reports it once)."""
        path = self.path_for(key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        _write_entry(path, value)

    def stat_index(self) -> StatIndex:
        """The content digests and heads recorded by earlier runs (empty when missing or damaged)."""
        path = os.path.join(self.entries, _STAT_INDEX)
        found = _read_entry(path)
        value = found[0] if found is not None else None
        if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, dict) for v in value):
            return StatIndex(path, value[0], value[1])
        return StatIndex(path, {})

    # -- pruning ------------------------------------------------------------------------------

    def prune_due(self, now: float | None = None) -> bool:
        try:
            last = os.stat(os.path.join(self.entries, _PRUNE_STAMP)).st_mtime
        except OSError:
            return True
        return (now if now is not None else time.time()) - last >= PRUNE_INTERVAL_SECONDS

    def prune(self, now: float | None = None, max_age_days: float = MAX_AGE_DAYS,
              max_total_bytes: int = MAX_TOTAL_BYTES) -> int:
        """Remove stale entries and old temporary files; the number of files removed."""
        now = now if now is not None else time.time()
        entries: list[tuple[float, int, str]] = []
        removed = 0
        for sub in _scandir(self.entries):
            if not sub.is_dir(follow_symlinks=False):
                continue
            for entry in _scandir(sub.path):
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                stale_temp = entry.name.startswith(_TEMP_PREFIX) and now - st.st_mtime > TEMP_MAX_AGE_SECONDS
                if stale_temp or (not entry.name.startswith(_TEMP_PREFIX)
                                  and now - st.st_mtime > max_age_days * 86400):
                    removed += _unlink(entry.path)
                elif not entry.name.startswith(_TEMP_PREFIX):
                    entries.append((st.st_mtime, st.st_size, entry.path))
        total = sum(size for _mtime, size, _path in entries)
        for _mtime, size, path in sorted(entries):
            if total <= max_total_bytes:
                break
            removed += _unlink(path)
            total -= size
        try:
            stamp = os.path.join(self.entries, _PRUNE_STAMP)
            _write_atomic(stamp, b"")
            os.utime(stamp, (now, now))
        except OSError:
            pass  # the next run prunes again: harmless
        return removed


def _read_entry(path: str) -> tuple[object, float] | None:
    """(value, mtime) of an entry file, or None when missing, short, damaged or unpicklable."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
            mtime = os.fstat(fh.fileno()).st_mtime
    except OSError:
        return None
    head = len(_MAGIC) + _CHECKSUM_BYTES
    if len(data) < head or not data.startswith(_MAGIC):
        return None
    payload = memoryview(data)[head:]
    if hashlib.blake2b(payload, digest_size=_CHECKSUM_BYTES).digest() != data[len(_MAGIC):head]:
        return None
    try:
        value: object = pickle.loads(payload)
    except _UNPICKLE_ERRORS:
        return None
    return value, mtime


def _write_entry(path: str, value: object) -> None:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    checksum = hashlib.blake2b(payload, digest_size=_CHECKSUM_BYTES).digest()
    _write_atomic(path, _MAGIC + checksum + payload)


# -- the stat index --------------------------------------------------------------------------

# (size, mtime_ns, ctime_ns, inode, digest, hashed_at_ns) by absolute path
_IndexEntry = tuple[int, int, int, int, str, int]
# (size, mtime_ns, ctime_ns, inode, head, read_at_ns): `head` is discovery's plain-data summary
_HeadEntry = tuple[int, int, int, int, object, int]


@dataclass
class StatIndex:
    """Content digests by path and stat signature, so a warm run reads no unchanged file.

    A recorded digest is used only when size, mtime, ctime and inode are unchanged (any
    write moves ctime, which user space cannot set back) and the file had not changed for
    RACY_NANOSECONDS before it was hashed, as git treats "racily clean" index entries:
    a write in the same timestamp tick as the hashing cannot go unnoticed. Entries hashed
    over MAX_AGE_DAYS ago are dropped on save (the file is simply hashed again). `heads`
    keeps discovery's summaries of file heads by the same rule (`head`, `record_head`)."""

    path: str
    entries: dict[str, _IndexEntry]
    heads: dict[str, _HeadEntry] = field(default_factory=dict)
    changed: bool = False

    def digest(self, path: str, st: os.stat_result) -> str | None:
        digest = _trusted(self.entries.get(path), st)
        return digest if isinstance(digest, str) else None

    def record(self, path: str, st: os.stat_result, digest: str, hashed_at_ns: int) -> None:
        self.entries[path] = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, digest, hashed_at_ns)
        self.changed = True

    def head(self, path: str, st: os.stat_result) -> object | None:
        """What `record_head` kept for this file, when its stat is unchanged and it was quiet."""
        return _trusted(self.heads.get(path), st)

    def record_head(self, path: str, st: os.stat_result, head: object, read_at_ns: int) -> None:
        """Keep discovery's summary of a file's head (plain data: it is pickled)."""
        self.heads[path] = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, head, read_at_ns)
        self.changed = True

    def save(self, now_ns: int | None = None) -> None:
        """Write the index if anything was recorded; raises OSError."""
        if not self.changed:
            return
        oldest = (now_ns if now_ns is not None else time.time_ns()) - int(MAX_AGE_DAYS * 86400e9)
        self.entries = {p: e for p, e in self.entries.items() if e[5] >= oldest}
        self.heads = {p: e for p, e in self.heads.items() if e[5] >= oldest}
        _write_entry(self.path, (self.entries, self.heads))
        self.changed = False


def _trusted(entry: object, st: os.stat_result) -> object | None:
    """The value of a (size, mtime, ctime, inode, value, recorded_at) entry when the stat still
    matches and the file had been quiet for RACY_NANOSECONDS when it was read; else None."""
    if not isinstance(entry, tuple) or len(entry) != 6:
        return None
    size, mtime_ns, ctime_ns, inode, _value, recorded_at_ns = entry
    if (size, mtime_ns, ctime_ns, inode) != (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino):
        return None
    if not isinstance(recorded_at_ns, int) or recorded_at_ns - max(mtime_ns, ctime_ns) <= RACY_NANOSECONDS:
        return None
    value: object = entry[4]
    return value


def _scandir(path: str) -> list[os.DirEntry[str]]:
    try:
        return list(os.scandir(path))
    except OSError:
        return []


def _unlink(path: str) -> int:
    try:
        os.unlink(path)
    except OSError:
        return 0
    return 1


def _write_atomic(path: str, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=_TEMP_PREFIX)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        _unlink(tmp)
        raise
