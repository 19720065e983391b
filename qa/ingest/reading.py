"""One source (a file or a web page) read into an article, or the reason it was not: the step the local ingest
and the Ray tasks share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import web
from .article import Article
from .chunking import bound_text
from .documents import SkipFile, content_hash, parse, read_bytes
from .pages import PageOf, as_page


@dataclass
class Read:
    """One source after reading: its article when it changed, why it was skipped, or that it is unchanged."""

    path: str
    article: Article | None = None
    skipped: str = ""
    unchanged: bool = False
    duplicate: bool = False  # skipped: another file holds the same bytes


def read(source: Path | str, known_sha256: str | None, page: PageOf | None = None) -> Read:
    """Read a file or web page (a page of a page-split document when ``page`` says where it belongs); an article
    only when its content hash differs from ``known_sha256``."""
    key = str(source)
    try:
        article = _changed(source, known_sha256)
        if article is not None and page is not None:
            article = as_page(article, page)
        if article is not None:
            article = bound_text(article)
    except Exception as exc:  # any failure of one file is that file's, never the batch's
        return Read(key, skipped=reason(exc))
    return Read(key, article, unchanged=article is None)


def reason(exc: BaseException) -> str:
    """Why a file failed, in one line: a reader's own reason, an OS error's, or the exception's type and message."""
    if isinstance(exc, SkipFile):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _changed(source: Path | str, known_sha256: str | None) -> Article | None:
    """The article at a file or URL, or None when its content is what the index already holds."""
    if isinstance(source, str):
        article = web.read(source)
        return None if article.sha256 == known_sha256 else article
    data = read_bytes(source)
    return None if content_hash(data) == known_sha256 else parse(source, data)
