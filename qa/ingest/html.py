"""HTML to an article: the one reader for saved ``.html`` files and for pages fetched by URL.

The page is cleaned first (scripts, styles, comments, hidden parts, menus, headers, footers, asides, cookie
banners and ads removed) and each data ``<table>`` is replaced by its row sentences from ``qa.ingest.tables``:
trafilatura's own table output loses column spans, captions and footnote marks ("Revenue<sup>1</sup>" becomes
"Revenue1"), which earnings tables depend on. trafilatura then picks the article body out of what is left, and
reads the title, date, site name and canonical URL from the page's metadata.

Below ``MIN_EXTRACTED_SIZE`` characters trafilatura stops trusting its extractor and dumps the whole page as
one run of text, menus and all; a page that short is read block by block from the cleaned page instead.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import tables
from .article import Article

MIN_EXTRACTED_SIZE = 250  # trafilatura's own MIN_EXTRACTED_SIZE (settings.cfg)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_BOILERPLATE = {"cookie", "cookies", "consent", "gdpr", "ad", "ads", "advert", "adverts", "advertisement",
                "sponsored", "promo"}
_DROPPED_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template", "svg",
                 "iframe", "object", "button"]
_BLOCKS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "th", "pre", "blockquote"]
_CONTAINERS = ("td", "th", "blockquote")  # read through the blocks they hold, when they hold any


def read(raw: str, path: str, url: str | None = None) -> Article:
    """The article in the page ``raw``, saved at ``path`` or fetched from ``url``. Dates come from the page's
    metadata only: trafilatura's search of the text would take a table's "December 31, 2023" for it."""
    import trafilatura
    from trafilatura.metadata import extract_metadata

    meta = extract_metadata(raw, default_url=url, extensive=False)
    soup = _cleaned(raw)
    extracted = trafilatura.extract(str(soup), include_tables=True, output_format="html")
    text = _text(_soup(extracted)) if extracted else ""
    if len(text) < MIN_EXTRACTED_SIZE:
        text = _text(soup.find("article") or soup.find("main") or soup.body or soup)
    return Article(path=path, text=text, title=(meta.title or url or Path(path).stem).strip(),
                   date=(meta.date or "")[:10], source=meta.sitename or meta.hostname or meta.author or "",
                   url=meta.url or url or "")


def _soup(markup: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(markup, "html.parser")


def _cleaned(raw: str):
    """The page without what is never article text, its data tables turned into row sentences."""
    from bs4 import Comment

    soup = _soup(raw)
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in soup(_DROPPED_TAGS):
        tag.decompose()
    for tag in soup.find_all(_is_hidden_or_boilerplate):
        tag.decompose()
    _replace_tables(soup)
    return soup


def _is_hidden_or_boilerplate(tag) -> bool:
    """Hidden parts, and cookie banners and ads by a word of their class or id ("cookie-banner", "ad-slot");
    never the page, its body or an element holding the article, whose classes often name them too
    ("cookies-not-set")."""
    if tag.has_attr("hidden") or _HIDDEN_STYLE.search(tag.get("style", "") or ""):
        return True
    names = " ".join([*tag.get("class", []), tag.get("id", "")]).lower()
    return (bool(_BOILERPLATE.intersection(re.split(r"[^a-z]+", names)))
            and tag.name not in ("html", "body", "article", "main") and not tag.find(["article", "main"]))


def _replace_tables(soup) -> None:
    """Put each data table's row sentences, one a line, where the table was; inner tables go first so that an
    outer layout table keeps them. Layout tables stay, their cells read as blocks like the rest of the page."""
    for tag in reversed(soup.find_all("table")):
        before = tag.find_previous(string=lambda s: s.strip())
        table = tables.from_html(tag, before=str(before or ""))
        if not tables.is_layout(table):
            block = soup.new_tag("p")
            for i, sentence in enumerate(tables.sentences(table)):
                block.extend([soup.new_tag("br")] if i else [])
                block.append(sentence)
            tag.replace_with(block)


def _text(body) -> str:
    """The text blocks under ``body`` (headings, paragraphs, list items, cells), a blank line between blocks and
    a line break where the page breaks one (``<br>``); the whole text when there is no block."""
    for br in body.find_all("br"):
        br.replace_with("\n")
    blocks = [_lines(el.get_text(" ")) for el in body.find_all(_BLOCKS)
              if el.name not in _CONTAINERS or not el.find(_BLOCKS)]
    return "\n\n".join(b for b in blocks if b) or _lines(body.get_text("\n"))


def _lines(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
