"""SARIF output: the official schema, GitHub's constraints, UTF-16 regions, determinism, limits."""
from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from _reportkit import RULE_1, RULE_3, RULE_6, RULES, finding, options, run_result, span_of, write
from golinter.findings import Fix, Level, Notification, Related, Span
from golinter.fingerprints import primary_location_line_hash
from golinter.report import ReportOptions, RunResult, render
from golinter.report import sarif as sarif_module

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
VALIDATOR = Draft4Validator(SCHEMA)  # the schema declares draft-04

GO = b"package p\n\nvar m = map[string]int{}\n\nfunc f() {\n\tm[\"a\"] = 1\n}\n"


def sarif(result: RunResult, opts: ReportOptions) -> dict[str, Any]:
    """Render, then check the official schema and GitHub's constraints on every log."""
    text = render("sarif", result, opts)
    log: dict[str, Any] = json.loads(text)
    VALIDATOR.validate(log)
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    assert isinstance(run["results"], list)
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(ids) == len(set(ids))
    for res in run["results"]:
        assert res["ruleId"] in ids
        assert ids[res["ruleIndex"]] == res["ruleId"]
        assert res["level"] in ("error", "warning", "note")
        assert len(res["locations"]) == 1
        assert res["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
    return log


def region(log: dict[str, Any], n: int = 0) -> dict[str, int]:
    reg: dict[str, int] = log["runs"][0]["results"][n]["locations"][0]["physicalLocation"]["region"]
    return reg


@pytest.fixture()
def go_file(tmp_path: Path) -> str:
    return write(tmp_path / "pkg" / "p.go", GO)


def test_sarif_clean_run_has_empty_results(tmp_path: Path) -> None:
    log = sarif(run_result(()), options(tmp_path))
    run = log["runs"][0]
    assert run["results"] == []
    assert run["columnKind"] == "utf16CodeUnits"
    assert run["invocations"][0]["executionSuccessful"] is True
    assert log["version"] == "2.1.0"


def test_sarif_driver_and_rules_metadata(tmp_path: Path) -> None:
    driver = sarif(run_result(()), options(tmp_path))["runs"][0]["tool"]["driver"]
    assert driver["name"] == "golinter"
    assert driver["version"] and driver["semanticVersion"] == driver["version"]
    assert driver["informationUri"].startswith("https://")
    rules = {r["id"]: r for r in driver["rules"]}
    assert list(rules) == [r.code for r in RULES]
    gml1 = rules["GML001"]
    assert gml1["name"] == "oversized-map-hint"
    assert gml1["shortDescription"]["text"] == RULE_1.summary
    assert gml1["fullDescription"]["text"]
    assert gml1["help"]["text"] and gml1["help"]["markdown"]
    assert gml1["helpUri"].endswith("/rules/GML001-oversized-map-hint.md")
    assert gml1["defaultConfiguration"]["level"] == "warning"  # equal to the schema default: kept
    assert gml1["properties"]["tags"] == ["performance"]
    assert gml1["properties"]["precision"] == "high"
    assert gml1["properties"]["problem.severity"] == "warning"
    assert rules["GML003"]["properties"]["problem.severity"] == "error"
    assert "security-severity" not in gml1["properties"]
    assert "security-severity" not in rules["GML003"]["properties"]
    assert rules["GML006"]["properties"]["security-severity"] == "7.5"
    assert rules["GML006"]["properties"]["tags"] == ["security", "external/cwe/cwe-770"]


def test_sarif_rule_help_comes_from_catalogue_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pages = tmp_path / "rules"
    pages.mkdir()
    page = "# GML001 oversized-map-hint\n\n## What it does\nFlags `make` with a huge\nhint.\n\n## Example\nx\n"
    (pages / "GML001-oversized-map-hint.md").write_text(page, encoding="utf-8")
    from golinter import catalog
    monkeypatch.setattr(catalog, "_rules_dir", lambda: pages)
    rule = sarif(run_result(()), options(tmp_path))["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["help"] == {"text": page, "markdown": page}
    assert rule["fullDescription"]["text"] == "Flags `make` with a huge hint."


def test_sarif_result_fields(tmp_path: Path, go_file: str) -> None:
    related = Related(span_of(go_file, 3, b"m = map"), "m declared here")
    f = finding(RULE_3, span_of(go_file, 6, b"m[\"a\"] = 1"), "map m is written here",
                level=Level.WARNING, related=(related,), fingerprint="fedcba9876543210")
    log = sarif(run_result((f,)), options(tmp_path, cwd=tmp_path / "pkg"))
    res = log["runs"][0]["results"][0]
    assert res["ruleId"] == "GML003" and res["ruleIndex"] == 1
    assert res["level"] == "warning"  # explicit even though it is the schema default
    assert res["message"]["text"] == "map m is written here (see [m declared here](1))"
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "pkg/p.go", "uriBaseId": "%SRCROOT%"}
    assert loc["region"] == {"startLine": 6, "startColumn": 2, "endLine": 6, "endColumn": 12}
    (rel,) = res["relatedLocations"]
    assert rel["id"] == 1 and rel["message"]["text"] == "m declared here"
    assert rel["physicalLocation"]["region"]["startLine"] == 3
    assert res["partialFingerprints"] == {
        "primaryLocationLineHash": primary_location_line_hash(GO, 6), "golinter/v1": "fedcba9876543210"}
    assert "suppressions" not in res and "fixes" not in res
    run = log["runs"][0]
    assert "uri" not in run["originalUriBaseIds"]["%SRCROOT%"]
    assert str(tmp_path) not in json.dumps(log)  # no absolute paths for files under the root


def test_sarif_message_brackets_are_escaped(tmp_path: Path, go_file: str) -> None:
    f = finding(RULE_1, span_of(go_file, 3, b"map"), "make(map[string]int, 1000000) preallocates ~53 MiB")
    text = sarif(run_result((f,)), options(tmp_path))["runs"][0]["results"][0]["message"]["text"]
    assert text == "make(map\\[string\\]int, 1000000) preallocates ~53 MiB"


def test_sarif_uri_percent_encoding_and_outside_root(tmp_path: Path) -> None:
    inside = write(tmp_path / "root" / "dir with space" / "ü.go", GO)
    outside = write(tmp_path / "elsewhere" / "x.go", GO)
    fs = (finding(RULE_1, span_of(inside, 3, b"map"), "a"), finding(RULE_1, span_of(outside, 3, b"map"), "b"))
    results = sarif(run_result(fs), options(tmp_path / "root"))["runs"][0]["results"]
    first = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert first == {"uri": "dir%20with%20space/%C3%BC.go", "uriBaseId": "%SRCROOT%"}
    second = results[1]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert second == {"uri": Path(outside).as_uri()} and second["uri"].startswith("file:///")


def test_sarif_utf16_columns_multibyte_emoji(tmp_path: Path) -> None:
    # `é` is 2 bytes / 1 unit; the emoji is 4 bytes / 2 units (a surrogate pair).
    path = write(tmp_path / "u.go", "package p\nvar s = \"é😀\" + x\n".encode())
    f = finding(RULE_1, span_of(path, 2, b"x"), "m")
    assert f.span.column == 20  # `var s = "` 9 + é 2 + emoji 4 + `" + ` 4 bytes before x; 16 units
    assert region(sarif(run_result((f,)), options(tmp_path))) == {
        "startLine": 2, "startColumn": 17, "endLine": 2, "endColumn": 18}


def test_sarif_utf16_columns_tabs_count_one(tmp_path: Path) -> None:
    path = write(tmp_path / "t.go", b"package p\n\t\tm[k] = v\n")
    f = finding(RULE_3, span_of(path, 2, b"m[k]"), "m")
    assert region(sarif(run_result((f,)), options(tmp_path)))["startColumn"] == 3


def test_sarif_utf16_columns_crlf_and_bom(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbfvar a = 1\r\nvar \xc3\xa9 = m\r\n"
    path = write(tmp_path / "b.go", data)
    on_bom_line = Span(path, 1, 8, 1, 9)  # `a`: byte column 8 counts the 3 BOM bytes
    crlf_line = Span(path, 2, 9, 2, 12)  # `m` ... through the \r (exclusive end after it)
    fs = (finding(RULE_1, on_bom_line, "a"), finding(RULE_1, crlf_line, "b"))
    log = sarif(run_result(fs), options(tmp_path))
    assert region(log, 0) == {"startLine": 1, "startColumn": 5, "endLine": 1, "endColumn": 6}
    assert region(log, 1) == {"startLine": 2, "startColumn": 8, "endLine": 2, "endColumn": 11}


def test_sarif_unreadable_file_keeps_byte_columns(tmp_path: Path) -> None:
    span = Span(str(tmp_path / "gone.go"), 4, 7, 4, 9)
    log = sarif(run_result((finding(RULE_1, span, "m"),)), options(tmp_path))
    assert region(log) == {"startLine": 4, "startColumn": 7, "endLine": 4, "endColumn": 9}
    assert "primaryLocationLineHash" not in log["runs"][0]["results"][0]["partialFingerprints"]


def test_sarif_suppressed_only_with_include_suppressed(tmp_path: Path, go_file: str) -> None:
    f = finding(RULE_3, span_of(go_file, 6, b"m"), "m", suppressed=True, reason="single goroutine owns m")
    assert sarif(run_result((f,)), options(tmp_path))["runs"][0]["results"] == []
    res = sarif(run_result((f,)), options(tmp_path, include_suppressed=True))["runs"][0]["results"][0]
    assert res["suppressions"] == [{"kind": "inSource", "justification": "single goroutine owns m"}]


def test_sarif_fixes_only_when_asked(tmp_path: Path) -> None:
    path = write(tmp_path / "f.go", "package p\n// é\nfor k := range m { delete(m, k) }\n".encode())
    loop = span_of(path, 3, b"for k := range m { delete(m, k) }")
    f = finding(RULE_1, loop, "loop deletes every key of m; use clear(m)")
    f = type(f)(**{**{s: getattr(f, s) for s in f.__slots__}, "fix": Fix("use clear(m)", loop, "clear(m)")})
    assert "fixes" not in sarif(run_result((f,)), options(tmp_path))["runs"][0]["results"][0]
    res = sarif(run_result((f,)), options(tmp_path, sarif_fixes=True))["runs"][0]["results"][0]
    (fix,) = res["fixes"]
    assert fix["description"]["text"] == "use clear(m)"
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "f.go", "uriBaseId": "%SRCROOT%"}
    assert change["replacements"] == [{
        "deletedRegion": {"endColumn": 34, "endLine": 3, "startColumn": 1, "startLine": 3},
        "insertedContent": {"text": "clear(m)"}}]


def test_sarif_notifications_and_execution_success(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.go", b"package p\nfunc {\n")
    notes = (Notification(Level.WARNING, "syntax-error", "syntax error in bad.go", bad, 2, 6, skipped=True),
             Notification(Level.WARNING, "no-go-files", "no Go files found"))
    run = sarif(run_result((), notes), options(tmp_path))["runs"][0]
    inv = run["invocations"][0]
    assert inv["executionSuccessful"] is True
    first, second = inv["toolExecutionNotifications"]
    assert first["descriptor"]["id"] == "syntax-error" and first["level"] == "warning"
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad.go"
    assert first["locations"][0]["physicalLocation"]["region"] == {"startColumn": 6, "startLine": 2}
    assert "locations" not in second
    internal = (Notification(Level.ERROR, "internal-error", "GML003 failed on package p: KeyError"),)
    failed = sarif(run_result((), internal), options(tmp_path))["runs"][0]["invocations"][0]
    assert failed["executionSuccessful"] is False


def test_sarif_category_gets_trailing_slash(tmp_path: Path) -> None:
    assert sarif(run_result(()), options(tmp_path, category="go"))["runs"][0]["automationDetails"] == {"id": "go/"}
    assert sarif(run_result(()), options(tmp_path, category="go/x/"))["runs"][0]["automationDetails"] == {
        "id": "go/x/"}
    assert "automationDetails" not in sarif(run_result(()), options(tmp_path))["runs"][0]


def test_sarif_deterministic_bytes(tmp_path: Path, go_file: str) -> None:
    fs = tuple(finding(RULE_3, span_of(go_file, line, needle), f"map m {line}")
               for line, needle in ((3, b"m"), (6, b"m")))
    notes = (Notification(Level.WARNING, "unreadable", "cannot read x.go", str(tmp_path / "x.go")),)
    first = render("sarif", run_result(fs, notes), options(tmp_path, category="go"))
    second = render("sarif", run_result(fs, notes), options(tmp_path, category="go"))
    assert first == second
    for key in ("startTimeUtc", "endTimeUtc", "machine", "workingDirectory", "processId"):
        assert f'"{key}"' not in first
    assert str(tmp_path) not in first


def test_sarif_truncates_to_result_limit(tmp_path: Path, go_file: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sarif_module, "MAX_RESULTS", 3)
    fs = tuple(finding(RULE_1, Span(go_file, 6, 2, 6, 3), f"finding {i}") for i in range(5))
    run = sarif(run_result(fs), options(tmp_path))["runs"][0]
    assert [r["message"]["text"] for r in run["results"]] == ["finding 0", "finding 1", "finding 2"]
    note = run["invocations"][0]["toolExecutionNotifications"][-1]
    assert note["descriptor"]["id"] == "truncated" and "2 of 5 results left out" in note["message"]["text"]


def test_sarif_truncates_to_gzip_limit(tmp_path: Path, go_file: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fs = tuple(finding(RULE_1, Span(go_file, 6, 2, 6, 3), f"finding {i} " + "%x" % (i * 2654435761) * 20)
               for i in range(400))
    full = len(gzip.compress(render("sarif", run_result(fs), options(tmp_path)).encode(), mtime=0))
    clean = len(gzip.compress(render("sarif", run_result(()), options(tmp_path)).encode(), mtime=0))
    limit = (full + clean) // 2
    monkeypatch.setattr(sarif_module, "MAX_GZIP_BYTES", limit)
    text = render("sarif", run_result(fs), options(tmp_path))
    assert len(gzip.compress(text.encode(), mtime=0)) <= limit
    run = sarif(run_result(fs), options(tmp_path))["runs"][0]
    kept = len(run["results"])
    assert 0 < kept < 400
    assert [r["message"]["text"] for r in run["results"]] == [f.message for f in fs[:kept]]
    assert run["invocations"][0]["toolExecutionNotifications"][-1]["descriptor"]["id"] == "truncated"
    assert text == render("sarif", run_result(fs), options(tmp_path))


def test_sarif_levels_of_all_kinds(tmp_path: Path, go_file: str) -> None:
    fs = tuple(finding(RULE_6, Span(go_file, 6, 2, 6, 3), level.value, level=level) for level in Level)
    results = sarif(run_result(fs), options(tmp_path))["runs"][0]["results"]
    assert [r["level"] for r in results] == ["error", "warning", "note"]


def test_sarif_writer_keeps_defaults_and_drops_only_unset() -> None:
    import sarif_om as om

    from golinter.report.sarif_writer import to_json
    result = om.Result(message=om.Message(text="m"), level="warning", kind="fail", rule_id="GML001",
                       locations=[], related_locations=None)
    assert to_json(result) == {"message": {"text": "m"}, "kind": "fail", "level": "warning", "ruleId": "GML001"}
    run = om.Run(tool=om.Tool(driver=om.ToolComponent(name="golinter", contents=None, language=None)),
                 results=[], language=None, newline_sequences=None)
    assert to_json(run) == {"tool": {"driver": {"name": "golinter"}}, "results": []}
    assert to_json(om.ReportingConfiguration(level="warning", enabled=True)) == {"enabled": True, "level": "warning"}
