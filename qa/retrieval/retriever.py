"""The retrieval component: one store, one embedder and the retrieval settings, held together so that a question
goes to passages (``search``) and passages to what the model reads (``context``) without handing them around."""

from __future__ import annotations

from dataclasses import replace

from ..embedding import Embedder
from ..settings import RetrievalSettings
from ..store.base import Store
from ..store.filters import Filters
from ..text import glossary
from ..text.words import bm25_tokens
from . import context, filings
from .context import Context
from .fusion import ReciprocalRankFusion
from .search import Found, Passage, Scored, prefer_filings, prefer_named, prefer_rows


class Retriever:
    """Hybrid search and context selection over ``store``, built once per open store (``QA.retriever``). It keeps
    the word frequencies of the store's chunks, read on the first question (``context.word_weights``)."""

    def __init__(self, store: Store, embedder: Embedder, settings: RetrievalSettings):
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self._idf: dict[str, float] | None = None

    def search(self, query: str, *, k: int | None = None, filters: Filters | None = None,
               mode: str = "hybrid") -> Found:
        """The top ``k`` passages for ``query`` (``settings.top_k`` by default); each ranking offers
        ``settings.candidates`` to the fusion. ``mode`` is 'hybrid', 'dense' or 'bm25' (the last two for
        comparison)."""
        k = self.settings.top_k if k is None else k
        if len(self.store) == 0 or k <= 0:
            return Found(query, None, [])
        if self.settings.expand_terms:
            query = glossary.expanded(query)
        query_vector = self.embedder.encode([query])[0]
        words = bm25_tokens([query], as_ids=False)[0]
        ranked = self._ranked(query_vector, words, filters or None, mode)
        if self.settings.filing_preference and (paths := filings.open_to(self.store.catalog(), query)):
            within = self._ranked(query_vector, words, replace(filters or Filters(), paths=paths), mode)
            ranked = prefer_filings(within, ranked, self.settings.filing_preference)
        named = prefer_named(query, ranked, self.settings.name_weight, self.settings.name_depth)
        fused = prefer_rows(query, named)[:k]
        similarities = self.store.similarities([s.chunk_id for s in fused], query_vector)
        return Found(query, query_vector, [Passage(rank, round(s.score, 6), round(float(sim), 4), s.chunk_id, s.chunk)
                                           for rank, (s, sim) in enumerate(zip(fused, similarities), 1)])

    def _ranked(self, query_vector, words: list[str], filters: Filters | None, mode: str) -> list[Scored]:
        """The store's fused ranking, each id with its chunk, read once for all the lifts that follow."""
        ranked = self.store.ranked(query_vector, words, self.settings.candidates, filters,
                                   ReciprocalRankFusion(self.settings.rrf_k), mode)
        return [Scored(chunk_id, score, self.store.chunks[chunk_id]) for chunk_id, score in ranked]

    def context(self, found: Found) -> Context:
        """The ``settings.context_sentences`` most relevant sentences of the first ``settings.context_articles``
        retrieved articles, each with the ``settings.context_window`` sentences before it, grouped into one passage
        per article (and page)."""
        best = context.best_of_articles(found.passages, self.settings.context_articles)
        retrieved = {p.chunk_id for p in found.passages}
        chunk_ids = [i for path in best for i in context.read_for_sentences(self.store.chunk_ids(path), retrieved,
                                                                              self.settings.article_passages)]
        articles = [self.store.chunks[i] for i in chunk_ids]
        pool = context.sentence_pool(zip(chunk_ids, articles))
        if not pool:
            return Context([], articles)
        vectors = self.embedder.encode([context.embedded_text(s) for s in pool])
        context.score(pool, vectors @ found.vector, found.query, self.idf, self.settings.word_weight)
        shown, numbered = context.grouped(best, context.chosen(pool, self.settings))
        return Context(shown, articles, numbered)

    @property
    def idf(self) -> dict[str, float]:
        if self._idf is None:
            self._idf = context.word_weights(self.store.chunks)
        return self._idf
