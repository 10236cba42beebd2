"""File-system helpers shared by the output side: atomic writes of reports and baselines.

`write_atomic` writes a temporary file in the target's directory and renames it over the
target (`os.replace`), so a reader never sees half a report and a failed run leaves the old
file in place. Failures become `InputError` with a one-line cause (cli.py exits 2).

Only a regular file (or a path not there yet) is replaced. A symlink is followed: the file it
points to is replaced and the link stays. Anything else that is not a directory (`-o /dev/null`,
`-o /dev/stdout`, a named pipe, `-o >(gzip > r.gz)`) is opened and written in place: renaming
over it would put a regular file where the device was (as root, over /dev/null itself).
"""
from __future__ import annotations

import os
import stat
import tempfile

from golinter.errors import InputError

_DEFAULT_MODE = 0o644


def write_atomic(path: str, text: str) -> None:
    """Write `text` (UTF-8, newlines untouched) to `path` through a temp file and a rename."""
    try:
        st: os.stat_result | None = os.stat(path)  # through symlinks: what a write would reach
    except OSError:
        st = None  # not there yet (or a dangling link): created below
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise InputError(f"cannot write {path}: it is a directory; name a file instead")
    if st is not None and not stat.S_ISREG(st.st_mode):
        _write_in_place(path, text)
        return
    target = os.path.realpath(path)
    directory = os.path.dirname(target)
    mode = st.st_mode & 0o777 if st is not None else _DEFAULT_MODE
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}; check that {directory} exists "
                         "and is writable") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(text.encode("utf-8"))
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass  # already gone (renamed or never created): nothing to clean
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None


def _write_in_place(path: str, text: str) -> None:
    """A device, pipe or socket: write through it; there is nothing to replace atomically."""
    try:
        with open(path, "wb") as out:
            out.write(text.encode("utf-8"))
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
