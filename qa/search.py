"""Hybrid retrieval: dense (FAISS) and BM25 rankings fused by reciprocal rank, with metadata filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from .embedding import Embedder
from .grounding import key_terms
from .index import Index, bm25_tokens

CANDIDATES = 50  # per ranking, before fusion


@dataclass(frozen=True)
class Filters:
    """Restrict search to some articles. Dates are ISO strings (YYYY-MM-DD), both ends inclusive."""

    source: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    title: str | None = None

    def __bool__(self) -> bool:
        return any((self.source, self.date_from, self.date_to, self.title))

    def mask(self, index: Index) -> np.ndarray:
        """Boolean array over the index's chunks: True where a chunk passes every filter."""
        source = (self.source or "").lower()
        title = (self.title or "").lower()
        return np.fromiter(
            (
                (not source or c.source.lower() == source)
                and (not self.date_from or (c.date and c.date >= self.date_from))
                and (not self.date_to or (c.date and c.date[: len(self.date_to)] <= self.date_to))
                and (not title or title in c.title.lower())
                for c in index.chunks
            ),
            dtype=bool, count=len(index.chunks),
        )


@dataclass
class Passage:
    """A retrieved chunk. ``score`` is the fused RRF score; ``similarity`` the cosine to the query."""

    rank: int
    score: float
    similarity: float
    title: str
    date: str
    source: str
    path: str
    url: str
    text: str
    chunk_id: int
    flagged: bool = False

    def to_dict(self) -> dict:
        return self.__dict__.copy()

    def searchable(self) -> str:
        return searchable(self.title, self.date, self.text)


def search(index: Index, embedder: Embedder, query: str, k: int = 5, filters: Filters | None = None,
           rrf_k: int = 60, mode: str = "hybrid") -> list[Passage]:
    """Top ``k`` passages for ``query``. ``mode`` is 'hybrid', 'dense' or 'bm25' (the last two for comparison)."""
    if len(index) == 0 or k <= 0:
        return []
    allowed = filters.mask(index) if filters else None
    if allowed is not None and not allowed.any():
        return []
    query_vector = embedder.encode([query])[0]
    rankings = []
    if mode in ("hybrid", "dense"):
        rankings.append(_dense_ranking(index, query_vector, allowed))
    if mode in ("hybrid", "bm25"):
        rankings.append(_bm25_ranking(index, query, allowed))
    fused = prefer_named(index, query, fuse(rankings, rrf_k))[:k]
    similarities = np.asarray(index.vectors[[i for i, _ in fused]]) @ query_vector if fused else []
    return [passage_from_chunk(index, rank, chunk_id, score, float(sim))
            for rank, ((chunk_id, score), sim) in enumerate(zip(fused, similarities), start=1)]


def fuse(rankings: list[list[int]], rrf_k: int = 60) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: each ranking adds 1 / (rrf_k + rank) to an item; best total first."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (rrf_k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def prefer_named(index: Index, query: str, fused: list[tuple[int, float]], weight: float = 0.02,
                 depth: int = 30) -> list[tuple[int, float]]:
    """Lift passages that mention the names and years the query asks about.

    Both rankings blur periods and companies ("Alibaba's March quarter" vs its September quarter), and the
    query's own names and years are the sharpest signal of which article is meant. The bonus (up to
    ``weight``, above any RRF gap) is the share of those terms found in the passage's title, date and text.
    """
    terms = [t.lower() for t in key_terms(query)]
    if not terms:
        return fused
    head, tail = fused[:depth], fused[depth:]
    boosted = []
    for chunk_id, score in head:
        chunk = index.chunks[chunk_id]
        haystack = searchable(chunk.title, chunk.date, chunk.text).lower()
        share = sum(t in haystack for t in terms) / len(terms)
        boosted.append((chunk_id, score + weight * share))
    return sorted(boosted, key=lambda kv: (-kv[1], kv[0])) + tail


def long_date(iso_date: str) -> str:
    """'2025-03-14' as 'March 14, 2025', the way articles and questions write dates; other text unchanged."""
    try:
        day = date.fromisoformat(iso_date)
    except ValueError:
        return iso_date
    return f"{day:%B} {day.day}, {day.year}"


def searchable(title: str, iso_date: str, text: str) -> str:
    """Title, dateline and text in one string, the date in both forms so that a question's month and year
    can match the dateline."""
    return f"{title} {iso_date} {long_date(iso_date)} {text}"


def _dense_ranking(index: Index, query_vector: np.ndarray, allowed: np.ndarray | None) -> list[int]:
    import faiss

    params = None
    if allowed is not None:
        selector = faiss.IDSelectorBatch(np.flatnonzero(allowed).astype(np.int64))
        params = faiss.SearchParameters(sel=selector)
        if isinstance(index.dense, faiss.IndexHNSW):
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=index.dense.hnsw.efSearch)
    _, ids = index.dense.search(query_vector[None, :], min(CANDIDATES, len(index)), params=params)
    return [int(i) for i in ids[0] if i >= 0]


def _bm25_ranking(index: Index, query: str, allowed: np.ndarray | None) -> list[int]:
    words = bm25_tokens([query], as_ids=False)[0]
    if not words:
        return []
    scores = index.bm25.get_scores(words)
    if allowed is not None:
        scores = np.where(allowed, scores, 0.0)
    top = top_indices(scores, CANDIDATES)
    return [int(i) for i in top if scores[i] > 0]


def top_indices(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` highest scores, best first (ties by index): a partition, not a sort of all chunks."""
    if len(scores) > n:
        part = np.argpartition(-scores, n - 1)[:n]
        return part[np.lexsort((part, -scores[part]))]
    return np.argsort(-scores, kind="stable")


def passage_from_chunk(index: Index, rank: int, chunk_id: int, score: float, similarity: float) -> Passage:
    chunk = index.chunks[chunk_id]
    return Passage(rank=rank, score=round(score, 6), similarity=round(similarity, 4), title=chunk.title,
                   date=chunk.date, source=chunk.source, path=chunk.path, url=chunk.url, text=chunk.text,
                   chunk_id=chunk_id, flagged=chunk.flagged)
