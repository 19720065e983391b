"""Articles into chunks sized for the embedder, each carrying its article's metadata.

The work per file is bounded, so that no file can stall an ingest: an article's text is capped
(``bound_text``, at read time), nltk's sentence splitter never sees a paragraph or a word longer than it handles
in linear time (``bounded_paragraphs``; its regular expressions are quadratic in a word's length), and splitting
one article stops at a deadline (``SPLIT_SECONDS``) with ``SkipFile``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from ..embedding import Embedder
from ..settings import IndexSettings
from ..store.index import Chunk
from .article import Article
from .documents import SkipFile
from .safety import injection_reason

MAX_TEXT_CHARS = 2_000_000  # about 500 pages of a filing; beyond this an article is cut, with a warning
# nltk's Punkt is linear in a paragraph's length but quadratic in a word's: words are capped hard, paragraphs loosely
# (no ordinary article or page comes near the cap, so ordinary text splits exactly as it always has)
MAX_PARAGRAPH_CHARS = 50_000  # longer paragraphs are cut at lines, sentences or spaces before nltk sees them
MAX_WORD_CHARS = 200  # longer runs without a space (base64, "a.a.a.a...") are broken up
SPLIT_SECONDS = 120.0  # one article's splitting; past this the file is skipped
_BLOCK_CHARS = 500_000  # a longer text is split in blocks of paragraphs, so the deadline is checked as it goes


@dataclass(frozen=True)
class Chunking:
    """How long a chunk is (``size``) and how much neighbouring chunks share (``overlap``), in the embedder's word
    pieces: ``IndexSettings.chunk_size`` and ``chunk_overlap``, carried to the processes that split."""

    size: int
    overlap: int

    @classmethod
    def of(cls, settings: IndexSettings) -> Chunking:
        return cls(settings.chunk_size, settings.chunk_overlap)


def split_article(article: Article, embedder: Embedder, chunking: Chunking,
                  deadline: float = SPLIT_SECONDS) -> list[Chunk]:
    """Sentence-aware chunks sized in the embedder's own word pieces, so none is cut off when embedded; a paged
    document is split page by page, so that each chunk cites one page. Raises SkipFile when splitting takes longer
    than ``deadline`` seconds."""
    from llama_index.core.node_parser import SentenceSplitter

    splitter = SentenceSplitter(
        chunk_size=chunking.size, chunk_overlap=chunking.overlap, tokenizer=embedder.count_tokens,
        paragraph_separator="\n\n",
    )
    flagged = bool(injection_reason(article.text))
    stop = time.monotonic() + deadline
    pieces = [(page, text) for page, page_text in article.pages or [(None, article.text)]
              for text in _split(splitter, page_text, stop, deadline)]
    return [
        Chunk(path=article.path, title=article.title, date=article.date, source=article.source,
              url=article.url, text=text, ordinal=i, flagged=flagged, page=page, company=article.company,
              period=article.period)
        for i, (page, text) in enumerate(pieces)
    ]


def _split(splitter, text: str, stop: float, deadline: float) -> list[str]:
    """The splitter's chunks of ``text``: as one piece when it is of ordinary size and shape (so ordinary articles
    split exactly as they always have), else paragraph-bounded blocks, checking the deadline between them."""
    bounded = bounded_paragraphs(text)
    if len(bounded) <= _BLOCK_CHARS and bounded is text:
        return splitter.split_text(text)
    chunks = []
    for block in _blocks(bounded):
        if time.monotonic() > stop:
            raise SkipFile(f"splitting it into passages took longer than {deadline:.0f} s")
        chunks.extend(splitter.split_text(block))
    return chunks


def bounded_paragraphs(text: str) -> str:
    """``text`` with every paragraph at most MAX_PARAGRAPH_CHARS long and every word at most MAX_WORD_CHARS long;
    the very same object when nothing had to change."""
    if not _LONG_WORD.search(text) and all(len(p) <= MAX_PARAGRAPH_CHARS for p in text.split("\n\n")):
        return text
    text = _LONG_WORD.sub(lambda m: " ".join(m.group(0)[i:i + MAX_WORD_CHARS]
                                             for i in range(0, len(m.group(0)), MAX_WORD_CHARS)), text)
    return "\n\n".join(piece for paragraph in text.split("\n\n") for piece in _cut(paragraph))


_LONG_WORD = re.compile(r"\S{%d,}" % (MAX_WORD_CHARS + 1))


def _cut(paragraph: str) -> list[str]:
    """A paragraph in pieces of at most MAX_PARAGRAPH_CHARS, cut at the last line break, else sentence end, else
    space before the limit."""
    pieces = []
    while len(paragraph) > MAX_PARAGRAPH_CHARS:
        window = paragraph[:MAX_PARAGRAPH_CHARS]
        at = max(window.rfind("\n"), -1)
        if at < MAX_PARAGRAPH_CHARS // 2:
            at = max(window.rfind(". "), window.rfind("? "), window.rfind("! "))
            at = at + 1 if at >= MAX_PARAGRAPH_CHARS // 2 else window.rfind(" ")
        if at < MAX_PARAGRAPH_CHARS // 2:
            at = MAX_PARAGRAPH_CHARS
        pieces.append(paragraph[:at].strip())
        paragraph = paragraph[at:]
    pieces.append(paragraph.strip())
    return [p for p in pieces if p]


def _blocks(text: str):
    """Runs of whole paragraphs of about _BLOCK_CHARS."""
    block, size = [], 0
    for paragraph in text.split("\n\n"):
        if block and size + len(paragraph) > _BLOCK_CHARS:
            yield "\n\n".join(block)
            block, size = [], 0
        block.append(paragraph)
        size += len(paragraph) + 2
    if block:
        yield "\n\n".join(block)


def bound_text(article: Article) -> Article:
    """Bound the work an article can cost, with one warning line saying what changed: a text longer than
    MAX_TEXT_CHARS is cut (pages past the cap are dropped), words longer than MAX_WORD_CHARS are broken up and
    paragraphs longer than MAX_PARAGRAPH_CHARS cut. Ordinary articles come back untouched."""
    notes = []
    if len(article.text) > MAX_TEXT_CHARS:
        notes.append(_cut_text(article))
    long_words = sum(1 for _ in _LONG_WORD.finditer(article.text))
    if long_words:
        notes.append(f"{long_words:,} run{'s' if long_words > 1 else ''} of over {MAX_WORD_CHARS} characters without "
                     "a space broken up")
    long_paragraphs = sum(len(p) > MAX_PARAGRAPH_CHARS for p in article.text.split("\n\n"))
    if long_paragraphs:
        notes.append(f"{long_paragraphs:,} paragraph{'s' if long_paragraphs > 1 else ''} of over "
                     f"{MAX_PARAGRAPH_CHARS:,} characters cut")
    if long_words or long_paragraphs:
        article.text = bounded_paragraphs(article.text)
        article.pages = [(number, bounded_paragraphs(text)) for number, text in article.pages]
    if notes:
        article.warnings.append(f"{article.path}: " + "; ".join(notes))
    return article


def _cut_text(article: Article) -> str:
    full = len(article.text)
    if article.pages:
        kept, size = [], 0
        for number, page_text in article.pages:
            if size + len(page_text) > MAX_TEXT_CHARS:
                break
            kept.append((number, page_text))
            size += len(page_text) + 2
        article.pages = kept or [(article.pages[0][0], article.pages[0][1][:MAX_TEXT_CHARS])]
        article.text = "\n\n".join(text for _, text in article.pages)
    else:
        cut = article.text.rfind(" ", 0, MAX_TEXT_CHARS)
        article.text = article.text[:cut if cut > MAX_TEXT_CHARS // 2 else MAX_TEXT_CHARS]
    return f"only the first {len(article.text) / 1e6:.1f} million of its {full / 1e6:.1f} million characters indexed"
