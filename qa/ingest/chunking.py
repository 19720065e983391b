"""Articles into chunks sized for the embedder, each carrying its article's metadata."""

from __future__ import annotations

from ..embedding import Embedder
from ..store.index import Chunk
from .article import Article
from .safety import injection_reason


def split_article(article: Article, embedder: Embedder, chunk_size: int, chunk_overlap: int) -> list[Chunk]:
    """Sentence-aware chunks sized in the embedder's own word pieces, so none is cut off when embedded; a paged
    document is split page by page, so that each chunk cites one page."""
    from llama_index.core.node_parser import SentenceSplitter

    splitter = SentenceSplitter(
        chunk_size=chunk_size, chunk_overlap=chunk_overlap, tokenizer=embedder.count_tokens,
        paragraph_separator="\n\n",
    )
    flagged = bool(injection_reason(article.text))
    pieces = [(page, text) for page, page_text in article.pages or [(None, article.text)]
              for text in splitter.split_text(page_text)]
    return [
        Chunk(path=article.path, title=article.title, date=article.date, source=article.source,
              url=article.url, text=text, ordinal=i, flagged=flagged, page=page, company=article.company,
              period=article.period)
        for i, (page, text) in enumerate(pieces)
    ]
