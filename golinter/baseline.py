"""Baselines: the fingerprints of accepted findings, so a run reports only new ones.

A baseline file is `{"version": 1, "fingerprints": [...]}` (sorted, unique), written
atomically. Fingerprints come from golinter.fingerprints and survive unrelated line shifts.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

from golinter.errors import InputError
from golinter.fsutil import write_atomic

if TYPE_CHECKING:
    from collections.abc import Iterable

    from golinter.findings import Finding

BASELINE_VERSION = 1


def write_baseline(path: str, findings: Iterable[Finding]) -> None:
    """Write the fingerprints of `findings` to `path` (findings without one are left out)."""
    prints = sorted({f.fingerprint for f in findings if f.fingerprint})
    text = json.dumps({"version": BASELINE_VERSION, "fingerprints": prints}, indent=2) + "\n"
    write_atomic(path, text)


def load_baseline(path: str) -> frozenset[str]:
    """Read a baseline file; InputError names the file and the fix when it cannot be used."""
    try:
        with open(path, encoding="utf-8") as src:
            text = src.read()
    except OSError as exc:
        raise InputError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"baseline {path} is not UTF-8 text; regenerate it with --write-baseline") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"baseline {path} is not valid JSON (line {exc.lineno}: {exc.msg}); "
                         "regenerate it with --write-baseline") from None
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION:
        raise InputError(f"baseline {path} is not a version {BASELINE_VERSION} golinter baseline; "
                         "regenerate it with --write-baseline")
    prints = data.get("fingerprints")
    if not isinstance(prints, list) or not all(isinstance(p, str) for p in prints):
        raise InputError(f"baseline {path} has no list of fingerprint strings; "
                         "regenerate it with --write-baseline")
    return frozenset(prints)


def filter_new(findings: Iterable[Finding], baseline: frozenset[str]) -> tuple[Finding, ...]:
    """The findings whose fingerprint is not in `baseline`, in their order (unprinted ones are new)."""
    return tuple(f for f in findings if not f.fingerprint or f.fingerprint not in baseline)
