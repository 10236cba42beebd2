"""The rule catalogue: one Markdown page per rule, `rules/GML00N-name.md`.

Installed wheels carry the pages as `golinter/_rules` (pyproject force-include); a source
checkout reads the top-level `rules/`. Pages have fixed `## ` headings (STYLE.md Part 2,
item 2). A missing page never crashes: callers get the rule's summary instead.
"""
from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sys

    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:
        from importlib.abc import Traversable

WHAT_IT_DOES = "What it does"
# The project's home page (placeholder until the repository is public): SARIF's
# informationUri and the base of every rule's helpUri.
INFORMATION_URI = "https://github.com/golinter/golinter"


@dataclass(frozen=True, slots=True)
class Page:
    """One catalogue page: its file name (`GML003-name.md`), whole text and `## ` sections."""

    filename: str
    text: str
    sections: tuple[tuple[str, str], ...]


def _rules_dir() -> Traversable:
    """`golinter/_rules` in an installed wheel, else the checkout's top-level `rules/`."""
    packaged = importlib.resources.files("golinter") / "_rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[1] / "rules"


def split_sections(text: str) -> tuple[tuple[str, str], ...]:
    """(heading, body) for each `## ` heading, in page order; `## ` inside code fences is body."""
    result: list[tuple[str, str]] = []
    heading: str | None = None
    body: list[str] = []
    fenced = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("## "):
            if heading is not None:
                result.append((heading, "\n".join(body).strip()))
            heading, body = line[3:].strip(), []
        elif heading is not None:
            body.append(line)
    if heading is not None:
        result.append((heading, "\n".join(body).strip()))
    return tuple(result)


def load_page(code: str) -> Page | None:
    """The page whose file name starts with `CODE-`, or None when none is installed."""
    directory = _rules_dir()
    if not directory.is_dir():
        return None
    prefix = f"{code.upper()}-"
    names = sorted(e.name for e in directory.iterdir() if e.name.startswith(prefix) and e.name.endswith(".md"))
    if not names:
        return None
    try:
        text = (directory / names[0]).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return Page(filename=names[0], text=text, sections=split_sections(text))


def page_filename(code: str) -> str | None:
    """`GML003-unguarded-concurrent-map-write.md`, or None without a page."""
    page = load_page(code)
    return page.filename if page else None


def help_uri(code: str, name: str, filename: str | None = None) -> str:
    """The page's address in the repository (`CODE-name.md` when no page is installed)."""
    return f"{INFORMATION_URI}/blob/main/rules/{filename or f'{code}-{name}.md'}"


def _fallback_text(code: str, summary: str) -> str:
    return (f"# {code}\n\n{summary or 'no description'}\n\n"
            f"(The catalogue page for {code} is not installed.)\n")


def page_text(code: str, summary: str = "") -> str:
    """The whole page; without one, a short page made from `summary`."""
    page = load_page(code)
    return page.text if page else _fallback_text(code, summary)


def sections(code: str) -> dict[str, str]:
    """Heading -> body for the page's `## ` sections ({} without a page)."""
    page = load_page(code)
    return dict(page.sections) if page else {}


def first_paragraph(body: str) -> str:
    """The first paragraph of a section body, its lines joined with spaces."""
    for para in body.split("\n\n"):
        if para.strip():
            return " ".join(para.split())
    return ""


def full_description(code: str, summary: str = "") -> str:
    """The "What it does" paragraph (SARIF fullDescription); `summary` without a page or heading."""
    return page_description(load_page(code), summary)


def page_description(page: Page | None, summary: str) -> str:
    """`full_description` from an already loaded page."""
    if page is None:
        return summary
    return first_paragraph(dict(page.sections).get(WHAT_IT_DOES, "")) or summary
