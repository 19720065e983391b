"""The article: what every reader (Markdown, HTML, PDF, web page) makes of a source, and chunks are cut from."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Article:
    """One article's plain text and the metadata shown with every passage cut from it."""

    path: str
    text: str
    title: str
    date: str = ""
    source: str = ""
    url: str = ""
    sha256: str = ""
    extra: dict = field(default_factory=dict)
    company: str = ""  # for filings: who files and the period covered (qa.ingest.filings)
    period: str = ""
    # (page number as a PDF viewer shows it, its text) for paged documents: chunks never cross a page, so a
    # passage cites its page; empty for formats without pages
    pages: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # what was left out, for the ingest to report
