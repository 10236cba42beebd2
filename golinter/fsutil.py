"""File-system helpers shared by the output side: atomic writes of reports and baselines.

`write_atomic` writes a temporary file in the target's directory and renames it over the
target (`os.replace`), so a reader never sees half a report and a failed run leaves the old
file in place. Failures become `InputError` with a one-line cause (cli.py exits 2).
"""
from __future__ import annotations

import os
import tempfile

from golinter.errors import InputError

_DEFAULT_MODE = 0o644


def write_atomic(path: str, text: str) -> None:
    """Write `text` (UTF-8, newlines untouched) to `path` through a temp file and a rename."""
    target = os.path.abspath(path)
    directory = os.path.dirname(target)
    if os.path.isdir(target):
        raise InputError(f"cannot write {path}: it is a directory; name a file instead")
    try:
        mode = os.stat(target).st_mode & 0o777
    except OSError:
        mode = _DEFAULT_MODE
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
