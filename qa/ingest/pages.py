"""Page files: one document given as one text file per page ("acme-10k-2022-page-037.txt"), the way page-split
filings often arrive.

Read alone, such a page knows nothing of its filing: not the company, not the period (the cover states them once,
on page 1), not its page number. Read as pages of one document, each page is cited by its number, its statement
tables are read as a PDF page's are (``tables.text_layout``), and the cover's company and period travel with
every page, so search tells one filing from another and ``prefer_rows`` can rank pages within a filing.

Which files are pages is decided from their names alone: text files in one folder whose names differ only in their
last number, at least ``MIN_PAGES`` of them, numbered from 0 or 1 with few gaps. Years ("acme-2023.txt") start
far from 1, and articles named by date differ in more than one number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import filings, tables
from .article import Article

MIN_PAGES = 3
MIN_COVERAGE = 0.8  # share of the numbers 1..last that are present: a document, not a few numbered files
_LAST_NUMBER = re.compile(r"^(?P<head>.*?)(?P<number>\d+)(?P<tail>\D*)$")


@dataclass(frozen=True)
class PageOf:
    """A file's place in a page-split document: its page number, the files of the document's first pages, and the
    company and period those state (read once per document, not once per page)."""

    number: int
    document: str  # the file name without its page number: "acme-10k-2022-page-.txt"
    cover: tuple[Path, ...]
    company: str = ""
    period: str = ""


def page_files(files: list[Path]) -> dict[Path, PageOf]:
    """The files among ``files`` that are pages of a page-split document, each with its place in it."""
    groups: dict[tuple, list[tuple[int, Path]]] = {}
    for path in files:
        match = _LAST_NUMBER.match(path.name)
        if path.suffix.lower() == ".txt" and match:
            key = (path.parent, match["head"], match["tail"])
            groups.setdefault(key, []).append((int(match["number"]), path))
    found: dict[Path, PageOf] = {}
    for (_, head, tail), members in groups.items():
        numbers = sorted({n for n, _ in members})
        if len(numbers) < MIN_PAGES or numbers[0] > 1 or len(numbers) < MIN_COVERAGE * numbers[-1]:
            continue
        members.sort()
        cover = tuple(path for _, path in members[:2])
        cover_text = "\n".join(_text(path) for path in cover)
        company, period = filings.company(cover_text), filings.fiscal_period(cover_text)
        for number, path in members:
            found[path] = PageOf(number + (numbers[0] == 0), head + tail, cover, company, period)
    return found


def as_page(article: Article, page: PageOf) -> Article:
    """``article`` (one page file, as read alone) as a page of its document."""
    article.text = tables.text_layout(article.text)
    article.pages = [(page.number, article.text)]
    article.title = _document_title(page.document)
    article.company = article.company or page.company
    article.period = article.period or page.period
    return article


def _document_title(name: str) -> str:
    stem = Path(name).stem.rstrip(" -_.")
    stem = re.sub(r"[-_ ]*(?:page|pg|p)$", "", stem, flags=re.I)
    return stem.replace("-", " ").replace("_", " ").strip() or name


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return ""
