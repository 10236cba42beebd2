"""Fingerprints: GitHub's primaryLocationLineHash and golinter's own shift-stable fingerprint.

`line_hashes`/`primary_location_line_hash` reproduce what github/codeql-action's upload-sarif
computes for `partialFingerprints.primaryLocationLineHash` (src/fingerprints.ts, function
`hash`): a rolling hash over the file's UTF-16 code units with spaces and tabs skipped, line
endings (\\r\\n, \\r, \\n) normalised to \\n, a 65535 "EOF" unit and zero padding at the end;
for each line, the hash of the BLOCK_SIZE (100) units starting at the line's first unit,
computed as sum(c[i] * 37**(99 - i)) modulo 2**64 (the `long` library's wrapping 64-bit
arithmetic, printed unsigned in lowercase hex without leading zeros), then `:` and the
1-based count of that hash value among the lines so far. The file is decoded as UTF-8 with
invalid bytes replaced and a BOM kept as U+FEFF (Node's `createReadStream(path, "utf8")`).

`finding_fingerprint` is ours ("golinter/v1"): sha256 over the rule code, the root-relative
path, the whitespace-normalised text of the flagged line, the message and the occurrence index
among identical tuples, so inserting unrelated lines above a finding does not change it.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from golinter.findings import Finding

_BLOCK_SIZE = 100
_MOD = 37
_MASK = (1 << 64) - 1
_FIRST_MOD = pow(_MOD, _BLOCK_SIZE, 1 << 64)
_EOF = 65535
_TAB, _SPACE, _LF, _CR = 9, 32, 10, 13


def _utf16_units(source: bytes) -> list[int]:
    """The file as Node's charCodeAt sees it: UTF-16 code units of the UTF-8 decoding."""
    data = source.decode("utf-8", errors="replace").encode("utf-16-le", errors="surrogatepass")
    return [data[i] | (data[i + 1] << 8) for i in range(0, len(data), 2)]


def line_hashes(source: bytes) -> dict[int, str]:
    """primaryLocationLineHash for every line of `source`, keyed by GitHub's 1-based line number.

    The loop is fingerprints.ts's `processCharacter`, `updateHash` and `outputHash` inlined.
    """
    window = [0] * _BLOCK_SIZE
    line_at = [-1] * _BLOCK_SIZE  # the line starting at each window slot, else -1
    counts: dict[str, int] = {}
    out: dict[int, str] = {}
    hash_raw = index = line = 0
    line_start, prev_cr = True, False
    units = _utf16_units(source)
    units.append(_EOF)
    units.extend([-1] * _BLOCK_SIZE)  # -1: the flush steps, which always hash a 0
    for pos, current in enumerate(units):
        flushing = pos >= len(units) - _BLOCK_SIZE
        if flushing:
            current = 0
        else:
            if current in (_SPACE, _TAB) or (prev_cr and current == _LF):
                prev_cr = False
                continue
            prev_cr = current == _CR
            if prev_cr:
                current = _LF
        if line_at[index] != -1:
            value = format(hash_raw, "x")
            counts[value] = counts.get(value, 0) + 1
            out[line_at[index]] = f"{value}:{counts[value]}"
            line_at[index] = -1
        if not flushing:
            if line_start:
                line_start = False
                line += 1
                line_at[index] = line
            line_start = current == _LF
        hash_raw = (_MOD * hash_raw + current - _FIRST_MOD * window[index]) & _MASK
        window[index] = current
        index = (index + 1) % _BLOCK_SIZE
    return out


def primary_location_line_hash(source: bytes, line: int) -> str:
    """GitHub's primaryLocationLineHash for 1-based `line` of `source` ("" past the end)."""
    return line_hashes(source).get(line, "")


def finding_fingerprint(finding: Finding, rel_path: str, source_line_text: str, occurrence: int) -> str:
    """golinter/v1: 16 hex digits of sha256(code, path, normalised line text, message, occurrence)."""
    parts = (finding.code, rel_path.replace(os.sep, "/"), " ".join(source_line_text.split()),
             finding.message, str(occurrence))
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:16]


def _rel_posix(path: str, root: str) -> str:
    """`path` relative to `root` with forward slashes; absolute when outside `root`."""
    abs_root = os.path.abspath(root)
    try:
        inside = os.path.commonpath([abs_root, path]) == abs_root
    except ValueError:  # different drives on Windows
        inside = False
    rel = os.path.relpath(path, abs_root) if inside else path
    return rel.replace(os.sep, "/")


def _line_text(source: bytes, line: int) -> str:
    lines = source.split(b"\n")
    if not 1 <= line <= len(lines):
        return ""
    return lines[line - 1].decode("utf-8", errors="replace")


def assign_fingerprints(findings: Sequence[Finding], root: str,
                        read: Callable[[str], bytes]) -> list[Finding]:
    """New findings with `fingerprint` set; occurrence counts run in the given (sorted) order.

    `read(path)` returns a file's bytes; an OSError from it leaves the line text empty.
    """
    sources: dict[str, bytes] = {}
    seen: dict[tuple[str, str, str, str], int] = {}
    result: list[Finding] = []
    for finding in findings:
        path = finding.span.path
        if path not in sources:
            try:
                sources[path] = read(path)
            except OSError:
                sources[path] = b""
        rel = _rel_posix(path, root)
        text = " ".join(_line_text(sources[path], finding.span.line).split())
        key = (finding.code, rel, text, finding.message)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        result.append(dataclasses.replace(finding, fingerprint=finding_fingerprint(finding, rel, text, occurrence)))
    return result
