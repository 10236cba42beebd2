"""GitHub's primaryLocationLineHash and golinter's own shift-stable fingerprint."""
from __future__ import annotations

from pathlib import Path

import pytest

from golinter.findings import Finding, Level, Span
from golinter.fingerprints import assign_fingerprints, line_hashes, primary_location_line_hash


def naive_github_hashes(source: bytes) -> dict[int, str]:
    """An independent, direct reading of codeql-action src/fingerprints.ts (no rolling hash).

    Normalise the UTF-16 code units (drop spaces/tabs, CR -> LF, drop an LF right after a CR
    unless a space/tab came between), append 65535 and 100 zeros; a line starts at the first
    kept unit after a LF (and at unit 0, and at the EOF unit when the file ends with a line
    break); its hash is sum(u[p+k] * 37**(99-k)) mod 2**64 in hex, then `:count`.
    """
    text = source.decode("utf-8", errors="replace")
    raw = [c for ch in text for c in ([ord(ch)] if ord(ch) < 0x10000 else
                                      [0xD800 + ((ord(ch) - 0x10000) >> 10), 0xDC00 + ((ord(ch) - 0x10000) & 0x3FF)])]
    units: list[int] = []
    prev_cr = False
    for c in raw:
        if c in (9, 32) or (prev_cr and c == 10):
            prev_cr = False
            continue
        prev_cr = c == 13
        units.append(10 if c == 13 else c)
    units.append(65535)
    starts = [0] + [i + 1 for i, c in enumerate(units[:-1]) if c == 10]
    padded = units + [0] * 100
    counts: dict[str, int] = {}
    out: dict[int, str] = {}
    for number, start in enumerate(starts, 1):
        value = sum(padded[start + k] * 37 ** (99 - k) for k in range(100)) % 2**64
        key = format(value, "x")
        counts[key] = counts.get(key, 0) + 1
        out[number] = f"{key}:{counts[key]}"
    return out


SAMPLES = [
    b"package main\n\nfunc main() {\n\tm := map[string]int{}\n\tm[\"x\"] = 1\n}\n",
    b"\xef\xbb\xbfpackage p\r\n\r\n// caf\xc3\xa9 \xf0\x9f\x98\x80\r\nvar x = 1\r\n",
    b"a\rb\r\n\rc \r \n\t\n" + b"x" * 250 + b"\n}\n}\n}\n\xff\xfe bad\n",
    b"no newline at end",
    b"",
    "".join(f"\tline {i % 7}\n" for i in range(400)).encode(),
]


@pytest.mark.parametrize("source", SAMPLES, ids=range(len(SAMPLES)))
def test_line_hashes_match_direct_reading_of_github_algorithm(source: bytes) -> None:
    assert line_hashes(source) == naive_github_hashes(source)


def test_line_hash_pinned_values_from_codeql_action_port() -> None:
    # Values printed by a BigInt port of fingerprints.ts `hash` run under Node on SAMPLES[0].
    assert primary_location_line_hash(SAMPLES[0], 1) == "5462b730b195986d:1"
    assert primary_location_line_hash(SAMPLES[0], 2) == "31221394b679b14a:1"
    assert primary_location_line_hash(SAMPLES[0], 3) == "21ccae7860760d48:1"


def test_line_hash_counts_repeated_windows() -> None:
    source = b"}\n" * 3
    assert [primary_location_line_hash(source, n).split(":")[1] for n in (1, 2, 3)] == ["1", "1", "1"]
    hashes = line_hashes("".join("x\n" for _ in range(300)).encode())
    assert hashes[1].endswith(":1") and hashes[2].endswith(":2")  # identical 100-unit windows


def test_line_hash_past_end_is_empty() -> None:
    assert primary_location_line_hash(b"a\n", 5) == ""


def _finding(path: str, line: int, code: str = "GML003", message: str = "map m is written here") -> Finding:
    return Finding(code=code, name="n", level=Level.WARNING, message=message,
                   span=Span(path=path, line=line, column=2, end_line=line, end_column=3))


def _read(path: str) -> bytes:
    return Path(path).read_bytes()


GO = b"package p\n\nvar m = map[string]int{}\n\nfunc f() {\n\tm[\"a\"] = 1\n}\n"


def test_fingerprint_survives_unrelated_line_shift(tmp_path: Path) -> None:
    path = tmp_path / "p.go"
    path.write_bytes(GO)
    before = assign_fingerprints([_finding(str(path), 6)], str(tmp_path), _read)[0].fingerprint
    path.write_bytes(GO.replace(b"package p\n", b"package p\n\n// one\n// two\n"))
    after = assign_fingerprints([_finding(str(path), 9)], str(tmp_path), _read)[0].fingerprint
    assert len(before) == 16 and int(before, 16) >= 0
    assert before == after


def test_fingerprint_differs_by_code_message_path_and_line_text(tmp_path: Path) -> None:
    path = tmp_path / "p.go"
    path.write_bytes(GO)
    other = tmp_path / "q.go"
    other.write_bytes(GO)
    found = assign_fingerprints([_finding(str(path), 6), _finding(str(path), 6, code="GML008"),
                                 _finding(str(path), 6, message="other"), _finding(str(other), 6),
                                 _finding(str(path), 3)], str(tmp_path), _read)
    assert len({f.fingerprint for f in found}) == 5


def test_fingerprint_occurrence_separates_identical_findings(tmp_path: Path) -> None:
    path = tmp_path / "p.go"
    path.write_bytes(b"package p\nx\nx\n")
    found = assign_fingerprints([_finding(str(path), 2), _finding(str(path), 3)], str(tmp_path), _read)
    assert found[0].fingerprint != found[1].fingerprint
    again = assign_fingerprints([_finding(str(path), 2), _finding(str(path), 3)], str(tmp_path), _read)
    assert [f.fingerprint for f in again] == [f.fingerprint for f in found]


def test_fingerprint_ignores_whitespace_changes_on_the_line(tmp_path: Path) -> None:
    path = tmp_path / "p.go"
    path.write_bytes(b"package p\n\tm[\"a\"] = 1\n")
    before = assign_fingerprints([_finding(str(path), 2)], str(tmp_path), _read)[0].fingerprint
    path.write_bytes(b"package p\n        m[\"a\"]   =  1\r\n")
    assert assign_fingerprints([_finding(str(path), 2)], str(tmp_path), _read)[0].fingerprint == before


def test_fingerprint_of_unreadable_file_is_still_set(tmp_path: Path) -> None:
    missing = str(tmp_path / "gone.go")

    def read(path: str) -> bytes:
        raise FileNotFoundError(path)

    (found,) = assign_fingerprints([_finding(missing, 1)], str(tmp_path), read)
    assert len(found.fingerprint) == 16
