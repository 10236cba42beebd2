"""Reading rule pages: sections, the SARIF description, and the fallback without a page."""
from __future__ import annotations

from pathlib import Path

import pytest

from golinter import catalog

PAGE = """# GML003 unguarded-concurrent-map-write

## What it does
Reports a map write that can run at the same time
as another access to the same map.

A second paragraph.

## Why is this bad?
The runtime stops with `fatal error: concurrent map writes`.

## Example
```go
// ## not a heading inside a fence
m[k] = v
```

## References
- `go test -race`
"""


@pytest.fixture()
def rules_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "GML003-unguarded-concurrent-map-write.md").write_text(PAGE, encoding="utf-8")
    (tmp_path / "GML0031-other.md").write_text("# other\n", encoding="utf-8")
    monkeypatch.setattr(catalog, "_rules_dir", lambda: tmp_path)
    return tmp_path


def test_catalog_sections_split_on_headings(rules_dir: Path) -> None:
    got = catalog.sections("GML003")
    assert list(got) == ["What it does", "Why is this bad?", "Example", "References"]
    assert "// ## not a heading inside a fence" in got["Example"]
    assert got["References"] == "- `go test -race`"


def test_catalog_full_description_is_first_paragraph(rules_dir: Path) -> None:
    assert catalog.full_description("GML003") == (
        "Reports a map write that can run at the same time as another access to the same map.")


def test_catalog_page_text_and_filename(rules_dir: Path) -> None:
    assert catalog.page_text("GML003") == PAGE
    assert catalog.page_filename("GML003") == "GML003-unguarded-concurrent-map-write.md"
    assert catalog.help_uri("GML003", "x", catalog.page_filename("GML003")).endswith(
        "/blob/main/rules/GML003-unguarded-concurrent-map-write.md")


def test_catalog_missing_page_falls_back_to_summary(rules_dir: Path) -> None:
    assert catalog.load_page("GML009") is None
    assert catalog.sections("GML009") == {}
    assert catalog.full_description("GML009", "range loop deleting every key") == "range loop deleting every key"
    assert "range loop deleting every key" in catalog.page_text("GML009", "range loop deleting every key")
    assert "not installed" in catalog.page_text("GML009")


def test_catalog_missing_directory_does_not_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog, "_rules_dir", lambda: tmp_path / "absent")
    assert catalog.full_description("GML001", "fallback") == "fallback"


def test_catalog_default_directory_is_checkout_rules_without_wheel() -> None:
    assert Path(str(catalog._rules_dir())).name in {"rules", "_rules"}
