"""Paths -> packages, following the go tool's directory and file rules (SPEC sections 4 and 8).

`discover(paths)` takes the command line's paths and returns a `Discovery`: the packages to
analyse (one per directory and package clause, so `foo` and `foo_test` are two), each file
marked reported or loaded only for context, with the language and runtime versions of the
nearest go.mod, and a `Notification` for everything skipped. It reads only file heads (package
clause, build constraints, the generated marker), and with the cache's stat index (`heads`) not
even those of unchanged files; parsing lives in parse.py, the per-file
language version (go.mod changed by `//go:build go1.N`) is decided by the model.

Rules and decisions:
- A directory path is walked (iteratively, sorted by name). Below it, names starting with "."
  or "_", `testdata` and `vendor` are skipped silently, as the go tool does; directory symlinks
  are not followed (NOTE "symlink-dir"). The rules never apply to a path the user named itself.
- A file path loads its whole package (the same-clause `.go` files of its directory), but only
  the named files are reported. Named files under a `.`/`_`/testdata/vendor component (relative
  to the current directory) are dropped with NOTE "go-ignored", excluded ones with NOTE
  "excluded", non-`.go` files with NOTE "not-go". Only packages holding a named file load.
- Excluded directories are not entered and excluded files not loaded (NOTE "excluded"; in a
  named file's directory the excluded siblings are left out silently).
- Build constraints: a file belongs to no build when its `//go:build` expression (else its
  `// +build` lines) is false for every choice of tags with `ignore` false (NOTE
  "build-ignore"); every other file loads, whatever its GOOS/GOARCH/custom tags. A malformed
  expression keeps the file, with NOTE "bad-build-constraint". The `+build` blank-line rule
  is not checked.
- `build_lang` is the highest `go1.N` tag that appears un-negated in the constraint.
- Files without a readable package clause: WARNING "no-package-clause"; unreadable, broken
  symlinks, symlink loops, non-regular files: WARNING "unreadable"; over `max_file_size`:
  WARNING "too-large". All skipped.
- Names that are not valid UTF-8 or hold control characters (a newline in a file name would
  forge lines in every report format, and no report can encode the rest): WARNING
  "bad-file-name" on the directory holding them, the name escaped; the file or directory is
  skipped. A path given on the command line with such a name: the same, without a location.
- Generated files that would be reported: NOTE "generated" (loaded for context, never reported),
  so that every file the user asked for is either analysed or named in a notification.
- Several non-test package clauses in one directory (the go tool refuses) become several
  packages; the model sees each as written.
"""
from __future__ import annotations

import os
import re
import stat
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from golinter.errors import ConfigError, InputError
from golinter.findings import Level, Notification

DEFAULT_EXCLUDES: tuple[str, ...] = ()
DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024

_HEAD_BYTES = 64 * 1024
_SKIPPED_DIR_NAMES = frozenset({"testdata", "vendor"})
_MAX_CONSTRAINT_TAGS = 10  # 2**10 assignments; beyond that a file is assumed buildable
_OPERATORS = {"||": 1, "&&": 2, "!": 3}

_WHITESPACE_RE = re.compile(r"\s+")
_PACKAGE_RE = re.compile(r"package\s+(\w+)")
_GENERATED_RE = re.compile(r"^// Code generated .* DO NOT EDIT\.$")
_GO_BUILD_RE = re.compile(r"^//go:build(?:\s+(.*))?$")
_PLUS_BUILD_RE = re.compile(r"^//\s*\+build(?:\s+(.*))?$")
_HEADER_MARKS = ("// Code generated ", "//go:build")
_TOKEN_RE = re.compile(r"\s*(\(|\)|!|&&|\|\||[\w.]+)")
_TAG_RE = re.compile(r"[\w.]+")
_GO_VERSION_TAG_RE = re.compile(r"go1\.(\d+)")
_GOMOD_GO_RE = re.compile(r"go\s+(\d+)\.(\d+)")
_GOMOD_TOOLCHAIN_RE = re.compile(r"toolchain\s+go(\d+)\.(\d+)")
_UNSAFE_NAME_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")  # controls; undecodable bytes

if TYPE_CHECKING:
    import pathspec

Version = tuple[int, int]


@dataclass(frozen=True, slots=True)
class GoFile:
    """One file to load. `reported` is False for context-only files (siblings, generated)."""

    path: str
    size: int
    reported: bool
    generated: bool
    build_lang: Version | None


@dataclass(frozen=True, slots=True)
class GoPackage:
    """The `.go` files of one directory with one package clause, and its go.mod's versions."""

    dir: str
    name: str
    files: tuple[GoFile, ...]
    module_dir: str | None
    lang_version: Version | None
    toolchain_version: Version | None
    # The outermost module enclosing module_dir (a test fixture with its own go.mod under the
    # repository's `tests/`): where directories named for tests are looked for (testnames.py).
    root_module_dir: str | None = None

    @property
    def has_reported_files(self) -> bool:
        return any(f.reported for f in self.files)


@dataclass(frozen=True, slots=True)
class Discovery:
    packages: tuple[GoPackage, ...]
    notifications: tuple[Notification, ...]


class HeadIndex(Protocol):
    """Where discovery keeps file headers between runs (cache.StatIndex): a value recorded
    for a path comes back only while the file's stat is unchanged and it was quiet when read."""

    def head(self, path: str, st: os.stat_result) -> object | None: ...

    def record_head(self, path: str, st: os.stat_result, head: object, read_at_ns: int) -> None: ...


class PathFilter:
    """Gitignore-style patterns (pathspec) relative to `base_dir`; outside it nothing matches.

    Without patterns (the default) nothing matches and pathspec is not imported (~50 ms)."""

    __slots__ = ("_spec", "base_dir", "patterns")

    def __init__(self, base_dir: str, patterns: Sequence[str]) -> None:
        self.base_dir = os.path.abspath(base_dir)
        self.patterns = tuple(patterns)
        self._spec: pathspec.GitIgnoreSpec | None = None
        if not self.patterns:
            return
        import pathspec

        try:
            self._spec = pathspec.GitIgnoreSpec.from_lines(self.patterns)
        except ValueError as exc:  # pathspec's GitWildMatchPatternError
            raise ConfigError(f"invalid path pattern: {exc}; patterns are gitignore-style") from exc

    def excluded(self, abs_path: str, is_dir: bool) -> bool:
        if self._spec is None:
            return False
        rel = self._relative(abs_path)
        if rel is None:
            return False
        return bool(self._spec.match_file(rel + "/" if is_dir else rel))

    def excluded_with_parents(self, abs_path: str) -> bool:
        """For a named file: excluded itself, or under an excluded directory inside base_dir."""
        if self._spec is None:
            return False
        rel = self._relative(abs_path)
        if rel is None:
            return False
        parts = rel.split("/")
        parents = ("/".join(parts[: i + 1]) + "/" for i in range(len(parts) - 1))
        return any(self._spec.match_file(p) for p in parents) or bool(self._spec.match_file(rel))

    def _relative(self, abs_path: str) -> str | None:
        try:
            rel = os.path.relpath(os.path.abspath(abs_path), self.base_dir)
        except ValueError:  # another drive on Windows
            return None
        if rel == "." or rel == os.pardir or rel.startswith(os.pardir + os.sep):
            return None
        return rel.replace(os.sep, "/")


def discover(paths: Sequence[str], *, excludes: PathFilter | None = None,
             max_file_size: int = DEFAULT_MAX_FILE_SIZE, heads: HeadIndex | None = None) -> Discovery:
    """Walk directories and load named files' packages; raise InputError for a missing path.

    `heads` (the cache's stat index) remembers each file's header by its stat signature, so
    unchanged files are not opened again."""
    for raw in paths:
        if not os.path.lexists(raw):
            raise InputError(f"path does not exist: {raw}; check the spelling or run from the repository root")
    walker = _Walker(excludes, max_file_size, heads)
    for raw in paths:
        path = os.path.abspath(raw)
        if _UNSAFE_NAME_RE.search(path):
            walker.notes.append(Notification(Level.WARNING, "bad-file-name", _bad_name_message(path), None,
                                             skipped=True))
        elif os.path.isdir(path):
            walker.walk(path)
        else:
            walker.add_named_file(path)
    packages = walker.load()
    notes = sorted(walker.notes, key=lambda n: (n.path or "", n.reason, n.message))
    return Discovery(packages, tuple(notes))


# --- the walk -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Plan:
    """A directory to load: `named` None means every file is reported (it was walked)."""

    dir: str
    named: set[str] | None
    files: list[str] | None  # the walk's listing; None: list the directory at load time


class _Walker:
    """The working state of one `discover` call."""

    def __init__(self, excludes: PathFilter | None, max_file_size: int, heads: HeadIndex | None) -> None:
        self.excludes = excludes
        self.max_file_size = max_file_size
        self.heads = heads
        self.head_stamp = _head_stamp() if heads is not None else None
        self.notes: list[Notification] = []
        self.plans: dict[str, _Plan] = {}  # keyed by the directory's real path
        self.modules: dict[str, _Module | None] = {}
        self.outermost: dict[str, str] = {}  # module directory -> _outermost_module_dir

    def note(self, level: Level, reason: str, message: str, path: str, *, skipped: bool = True) -> None:
        self.notes.append(Notification(level=level, reason=reason, message=message, path=path, skipped=skipped))

    def walk(self, root: str) -> None:
        stack = [root]
        while stack:
            directory = stack.pop()
            real = os.path.realpath(directory)
            plan = self.plans.get(real)
            if plan is not None and plan.named is None:
                continue  # reached twice (overlapping roots): loaded once
            subdirs, files = self.scan(directory, notify=True)
            self.plans[real] = _Plan(directory, None, files)
            stack.extend(reversed(subdirs))

    def scan(self, directory: str, *, notify: bool) -> tuple[list[str], list[str]]:
        """Subdirectories to enter and `.go` files to load, by the go tool's rules."""
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self.note(Level.WARNING, "unreadable", f"cannot read directory: {exc.strerror or exc}", directory)
            return [], []
        subdirs: list[str] = []
        files: list[str] = []
        for entry in entries:
            if entry.name.startswith((".", "_")):
                continue
            if _UNSAFE_NAME_RE.search(entry.name):
                if notify and (entry.name.endswith(".go") or _is_dir(entry)):
                    self.note(Level.WARNING, "bad-file-name", _bad_name_message(entry.name), directory)
                continue
            if _is_dir(entry):
                self._scan_dir_entry(entry, notify, subdirs)
            elif entry.name.endswith(".go"):
                if self.excludes is not None and self.excludes.excluded(entry.path, False):
                    if notify:
                        self.note(Level.NOTE, "excluded", "excluded by configuration", entry.path)
                    continue
                files.append(entry.path)
        return subdirs, files

    def _scan_dir_entry(self, entry: os.DirEntry[str], notify: bool, subdirs: list[str]) -> None:
        if entry.name in _SKIPPED_DIR_NAMES:
            return
        if entry.is_symlink():
            if notify:
                self.note(Level.NOTE, "symlink-dir", "directory symlink not followed (as the go tool)", entry.path)
            return
        if self.excludes is not None and self.excludes.excluded(entry.path, True):
            if notify:
                self.note(Level.NOTE, "excluded", "directory excluded by configuration", entry.path)
            return
        subdirs.append(entry.path)

    def add_named_file(self, path: str) -> None:
        name = os.path.basename(path)
        if not name.endswith(".go"):
            self.note(Level.NOTE, "not-go", "not a .go file", path)
            return
        if _go_ignored(path):
            self.note(Level.NOTE, "go-ignored", "under a directory or name the go tool ignores", path)
            return
        if self.excludes is not None and self.excludes.excluded_with_parents(path):
            self.note(Level.NOTE, "excluded", "excluded by configuration", path)
            return
        directory = os.path.dirname(path)
        plan = self.plans.setdefault(os.path.realpath(directory), _Plan(directory, set(), None))
        if plan.named is not None:
            plan.named.add(name)

    def load(self) -> tuple[GoPackage, ...]:
        packages: list[GoPackage] = []
        for real in sorted(self.plans):
            packages.extend(self._load_plan(self.plans[real]))
        return tuple(sorted(packages, key=lambda p: (p.dir, p.name)))

    def _load_plan(self, plan: _Plan) -> Iterator[GoPackage]:
        files = plan.files if plan.files is not None else self.scan(plan.dir, notify=False)[1]
        if plan.named is not None:  # named files missing from the listing (e.g. a `_` sibling rule)
            files = sorted(set(files) | {os.path.join(plan.dir, n) for n in plan.named})
        by_name: dict[str, list[GoFile]] = {}
        with_named: set[str] = set()
        for path in files:
            is_named = plan.named is None or os.path.basename(path) in plan.named
            loaded = self._load_file(path, is_named)
            if loaded is None:
                continue
            by_name.setdefault(loaded[0], []).append(loaded[1])
            if is_named:
                with_named.add(loaded[0])
        module = self._module_for(plan.dir)
        for name in sorted(with_named):
            yield GoPackage(dir=plan.dir, name=name, files=tuple(sorted(by_name[name], key=lambda f: f.path)),
                            module_dir=module.dir if module else None,
                            root_module_dir=self._outermost_module_dir(module),
                            lang_version=module.go if module else None,
                            toolchain_version=module.toolchain if module else None)

    def _load_file(self, path: str, reported: bool) -> tuple[str, GoFile] | None:
        """(package clause, file), or None with a notification when it belongs to no build."""
        try:
            st = os.stat(path)
        except OSError as exc:
            what = "broken symbolic link" if os.path.islink(path) else "cannot read file"
            self.note(Level.WARNING, "unreadable", f"{what}: {exc.strerror or exc}", path)
            return None
        if not stat.S_ISREG(st.st_mode):
            self.note(Level.WARNING, "unreadable", "not a regular file", path)
            return None
        if st.st_size > self.max_file_size:
            self.note(Level.WARNING, "too-large",
                      f"{st.st_size} bytes, over max-file-size ({self.max_file_size}); raise max-file-size to analyse it",
                      path)
            return None
        header = self._known_header(path, st)
        if header is None:
            header = self._read_header(path, st.st_size)
        if header is None or not self._has_package_clause(path, header):
            return None
        return self._classify(path, st.st_size, reported, header)

    def _known_header(self, path: str, st: os.stat_result) -> _Header | None:
        """The header an earlier run read, when the heads index vouches the file is unchanged."""
        known = self.heads.head(path, st) if self.heads is not None else None
        if not isinstance(known, tuple) or len(known) != 5 or known[0] != self.head_stamp:
            return None
        return _Header(*known[1:])

    def _read_header(self, path: str, size: int) -> _Header | None:
        try:
            with open(path, "rb") as fh:
                st = os.fstat(fh.fileno())
                head = fh.read(_HEAD_BYTES)
                header = _scan_header(head.decode("utf-8", errors="replace"))
                if header.package is None and size > len(head):
                    header = _scan_header((head + fh.read()).decode("utf-8", errors="replace"))
        except OSError as exc:
            self.note(Level.WARNING, "unreadable", f"cannot read file: {exc.strerror or exc}", path)
            return None
        if self.heads is not None:
            self.heads.record_head(path, st, (self.head_stamp, header.package, header.generated,
                                              header.go_build, header.plus_build), time.time_ns())
        return header

    def _has_package_clause(self, path: str, header: _Header) -> bool:
        if header.package is None:
            self.note(Level.WARNING, "no-package-clause",
                      "no package clause found (empty or not Go source); the file is not analysed", path)
            return False
        return True

    def _classify(self, path: str, size: int, reported: bool, header: _Header) -> tuple[str, GoFile] | None:
        assert header.package is not None
        tokens = _constraint_tokens(header)
        rpn = _to_rpn(tokens) if tokens else None
        build_lang: Version | None = None
        if tokens != [] and rpn is None:
            self.note(Level.NOTE, "bad-build-constraint", "malformed build constraint; file loaded anyway",
                      path, skipped=False)
        elif rpn is not None:
            if not _satisfiable(rpn):
                self.note(Level.NOTE, "build-ignore", "build constraint excludes the file from every build", path)
                return None
            build_lang = _max_go_version(rpn)
        if reported and header.generated:
            self.note(Level.NOTE, "generated", "generated file (// Code generated ... DO NOT EDIT.): loaded for "
                      "context, never reported", path)
        gofile = GoFile(path=path, size=size, reported=reported and not header.generated,
                        generated=header.generated, build_lang=build_lang)
        return header.package, gofile

    def _module_for(self, directory: str) -> _Module | None:
        """The nearest go.mod upward from `directory`, cached for every directory passed."""
        seen: list[str] = []
        current = directory
        found: _Module | None = None
        while True:
            if current in self.modules:
                found = self.modules[current]
                break
            seen.append(current)
            gomod = os.path.join(current, "go.mod")
            if os.path.isfile(gomod):
                found = self._read_gomod(current, gomod)
                break
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
        for d in seen:
            self.modules[d] = found
        return found

    def _outermost_module_dir(self, module: _Module | None) -> str | None:
        """The directory of the outermost go.mod above `module`'s, through nested modules, not
        past a repository root (a directory holding `.git`)."""
        if module is None:
            return None
        found = self.outermost.get(module.dir)
        if found is None:
            outer = module
            while not os.path.exists(os.path.join(outer.dir, ".git")):
                parent = os.path.dirname(outer.dir)
                above = self._module_for(parent) if parent != outer.dir else None
                if above is None:
                    break
                outer = above
            found = self.outermost[module.dir] = outer.dir
        return found

    def _read_gomod(self, directory: str, gomod: str) -> _Module:
        try:
            with open(gomod, "rb") as fh:
                text = fh.read().decode("utf-8", errors="replace")
        except OSError as exc:
            self.note(Level.WARNING, "unreadable", f"cannot read go.mod: {exc.strerror or exc}; versions unknown",
                      gomod, skipped=False)
            return _Module(directory, None, None)
        return _parse_gomod(directory, text)


def _head_stamp() -> tuple[str, int, int]:
    """Which code read the heads kept in the index: golinter's version and this module's size
    and mtime (an upgrade or an edit of the header rules reads every head again)."""
    from golinter._version import __version__

    try:
        st = os.stat(__file__)
    except OSError:
        return (__version__, -1, -1)
    return (__version__, st.st_size, st.st_mtime_ns)


def _bad_name_message(name: str) -> str:
    """The skip message for a name no report can show; the name escaped (`\\xff`, `\\x0a`)."""
    text = os.fsencode(name).decode("utf-8", "backslashreplace")
    shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
    return f"not analysed: {shown} is not valid UTF-8 or holds control characters; rename it"


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()  # follows symlinks: a symlink to a directory is reported as one
    except OSError:
        return False


def _go_ignored(path: str) -> bool:
    """A named file under `.x`, `_x`, testdata or vendor, relative to the current directory."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        rel = os.path.basename(path)
    parts = rel.split(os.sep)
    if parts[0] == os.pardir:
        parts = [parts[-1]]
    dirs, name = parts[:-1], parts[-1]
    return name.startswith((".", "_")) or any(
        d.startswith((".", "_")) or d in _SKIPPED_DIR_NAMES for d in dirs)


# --- go.mod ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Module:
    dir: str
    go: Version | None
    toolchain: Version | None


def _parse_gomod(directory: str, text: str) -> _Module:
    """The `go 1.NN[.P]` and `toolchain go1.NN[.P]` lines of a go.mod (comments ignored)."""
    go: Version | None = None
    toolchain: Version | None = None
    for raw in text.splitlines():
        line = raw.split("//", 1)[0].strip()
        if (m := _GOMOD_GO_RE.match(line)) and go is None:
            go = (int(m.group(1)), int(m.group(2)))
        elif (m := _GOMOD_TOOLCHAIN_RE.match(line)) and toolchain is None:
            toolchain = (int(m.group(1)), int(m.group(2)))
    return _Module(directory, go, toolchain)


# --- file heads ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Header:
    """What precedes the package clause: the clause itself, the generated marker, constraints."""

    package: str | None
    generated: bool
    go_build: str | None
    plus_build: tuple[str, ...]


def _scan_header(text: str) -> _Header:
    """Skip the BOM, blank lines and comments up to `package name`; None when it is not there."""
    pos = 1 if text.startswith("\ufeff") else 0
    generated = False
    go_build: str | None = None
    plus_build: list[str] = []
    while pos < len(text):
        if m := _WHITESPACE_RE.match(text, pos):
            pos = m.end()
            continue
        if text.startswith("//", pos):
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end
            # Most header comments are a licence: only `// Code generated`, `//go:build` and
            # `// +build` lines need the regexes (a third of discovery's time went to them).
            if text.startswith(_HEADER_MARKS, pos) or text[pos + 2:end].lstrip().startswith("+build"):
                line = text[pos:end].rstrip("\r").rstrip()
                generated = generated or bool(_GENERATED_RE.match(text[pos:end].rstrip("\r")))
                if (g := _GO_BUILD_RE.match(line)) and go_build is None:
                    go_build = g.group(1) or ""
                elif p := _PLUS_BUILD_RE.match(line):
                    plus_build.append(p.group(1) or "")
            pos = end
        elif text.startswith("/*", pos):
            end = text.find("*/", pos + 2)
            if end < 0:
                break
            pos = end + 2
        else:
            clause = _PACKAGE_RE.match(text, pos)
            return _Header(clause.group(1) if clause else None, generated, go_build, tuple(plus_build))
    return _Header(None, generated, go_build, tuple(plus_build))


# --- build constraints -----------------------------------------------------------------------


def _constraint_tokens(header: _Header) -> list[str] | None:
    """Tokens of the `//go:build` expression (else of the `+build` lines); [] when there is none.

    None when the constraint cannot be tokenised.
    """
    if header.go_build is not None:
        return _tokenize(header.go_build)
    return _plus_build_tokens(header.plus_build)


def _tokenize(expr: str) -> list[str] | None:
    tokens: list[str] = []
    pos = 0
    while pos < len(expr.rstrip()):
        m = _TOKEN_RE.match(expr, pos)
        if m is None:
            return None
        tokens.append(m.group(1))
        pos = m.end()
    return tokens if tokens else None


def _plus_build_tokens(lines: Sequence[str]) -> list[str] | None:
    """`// +build a,b !c` lines: spaces OR options, commas AND terms, lines AND together."""
    tokens: list[str] = []
    for line in lines:
        options = line.split()
        if not options:
            return None
        tokens.extend(["&&", "("] if tokens else ["("])
        for i, option in enumerate(options):
            tokens.extend(["||", "("] if i else ["("])
            for j, term in enumerate(option.split(",")):
                if j:
                    tokens.append("&&")
                if term.startswith("!"):
                    tokens.append("!")
                    term = term[1:]
                if not _TAG_RE.fullmatch(term):
                    return None
                tokens.append(term)
            tokens.append(")")
        tokens.append(")")
    return tokens


def _to_rpn(tokens: Sequence[str]) -> list[str] | None:
    """Shunting-yard to reverse Polish notation (no recursion); None when malformed."""
    out: list[str] = []
    ops: list[str] = []
    expect_operand = True
    for tok in tokens:
        if tok in ("(", "!"):
            if not expect_operand:
                return None
            ops.append(tok)
        elif tok == ")":
            if expect_operand:
                return None
            while ops and ops[-1] != "(":
                out.append(ops.pop())
            if not ops:
                return None
            ops.pop()
        elif tok in ("&&", "||"):
            if expect_operand:
                return None
            while ops and ops[-1] != "(" and _OPERATORS[ops[-1]] >= _OPERATORS[tok]:
                out.append(ops.pop())
            ops.append(tok)
            expect_operand = True
        else:
            if not expect_operand:
                return None
            out.append(tok)
            expect_operand = False
    if expect_operand or "(" in ops:
        return None
    out.extend(reversed(ops))
    return out


def _evaluate(rpn: Sequence[str], values: Mapping[str, bool]) -> bool:
    stack: list[bool] = []
    for tok in rpn:
        if tok == "!":
            stack.append(not stack.pop())
        elif tok in ("&&", "||"):
            right, left = stack.pop(), stack.pop()
            stack.append(left and right if tok == "&&" else left or right)
        else:
            stack.append(values[tok])
    return stack[0]


def _satisfiable(rpn: Sequence[str]) -> bool:
    """True when some choice of tags, with `ignore` false, builds the file."""
    tags = sorted({t for t in rpn if t not in _OPERATORS and t != "ignore"})
    if len(tags) > _MAX_CONSTRAINT_TAGS:
        return True
    for bits in range(2 ** len(tags)):
        values = {tag: bool(bits >> i & 1) for i, tag in enumerate(tags)}
        values["ignore"] = False
        if _evaluate(rpn, values):
            return True
    return False


def _max_go_version(rpn: Sequence[str]) -> Version | None:
    """The highest `go1.N` tag under an even number of negations: `linux && go1.22` -> (1, 22)."""
    stack: list[list[tuple[str, bool]]] = []
    for tok in rpn:
        if tok == "!":
            stack.append([(tag, not positive) for tag, positive in stack.pop()])
        elif tok in ("&&", "||"):
            right, left = stack.pop(), stack.pop()
            stack.append(left + right)
        else:
            stack.append([(tok, True)])
    minors = [int(m.group(1)) for tag, positive in stack[0]
              if positive and (m := _GO_VERSION_TAG_RE.fullmatch(tag))]
    return (1, max(minors)) if minors else None
