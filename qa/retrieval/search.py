"""Hybrid retrieval: dense (FAISS) and BM25 rankings fused by reciprocal rank, with metadata filters."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..embedding import Embedder
from ..ingest.tables import ROW_SENTENCE
from ..settings import RetrievalSettings
from ..store.index import Index, heading
from ..text.dates import searchable
from ..text.names import key_terms, years
from ..text.words import bm25_tokens, content_words

@dataclass(frozen=True)
class Filters:
    """Restrict search to some articles. Dates are ISO strings (YYYY-MM-DD), both ends inclusive."""

    source: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    title: str | None = None
    company: str | None = None  # part of a filing's filer name, as read from its cover

    def __bool__(self) -> bool:
        return any((self.source, self.date_from, self.date_to, self.title, self.company))

    def mask(self, index: Index) -> np.ndarray:
        """Boolean array over the index's slots: True where a live chunk passes every filter."""
        return index.allowed(source=self.source, date_from=self.date_from, date_to=self.date_to, title=self.title,
                             company=self.company)


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
    page: int | None = None
    company: str = ""
    period: str = ""

    def to_dict(self) -> dict:
        return self.__dict__.copy()

    @property
    def heading(self) -> str:
        return heading(self.title, self.company, self.period)

    def searchable(self) -> str:
        return searchable(self.heading, self.date, self.text)


@dataclass
class Found:
    """What search hands on: the ranked passages and the query's vector, which context reuses rather than
    embedding the query again."""

    query: str
    vector: np.ndarray | None  # None when nothing was searched (an empty index, no article passes the filters)
    passages: list[Passage]


def search(index: Index, embedder: Embedder, query: str, settings: RetrievalSettings, *, k: int | None = None,
           filters: Filters | None = None, mode: str = "hybrid") -> Found:
    """The top ``k`` passages for ``query`` (``settings.top_k`` by default); each ranking offers
    ``settings.candidates`` to the fusion. ``mode`` is 'hybrid', 'dense' or 'bm25' (the last two for
    comparison)."""
    k = settings.top_k if k is None else k
    allowed = filters.mask(index) if filters and len(index) else None
    if len(index) == 0 or k <= 0 or (allowed is not None and not allowed.any()):
        return Found(query, None, [])
    query_vector = embedder.encode([query])[0]
    rankings = []
    if mode in ("hybrid", "dense"):
        rankings.append(index.dense_search(query_vector, settings.candidates, allowed))
    if mode in ("hybrid", "bm25"):
        rankings.append(index.bm25_search(bm25_tokens([query], as_ids=False)[0], settings.candidates, allowed))
    fused = prefer_rows(index, query, prefer_named(index, query, fuse(rankings, settings.rrf_k)))[:k]
    similarities = index.similarities([i for i, _ in fused], query_vector)
    return Found(query, query_vector, [passage_from_chunk(index, rank, chunk_id, score, float(sim))
                                       for rank, ((chunk_id, score), sim) in enumerate(zip(fused, similarities), 1)])


def fuse(rankings: list[list[int]], rrf_k: int) -> list[tuple[int, float]]:
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
        haystack = index.chunks[chunk_id].searchable().lower()
        share = sum(t in haystack for t in terms) / len(terms)
        boosted.append((chunk_id, score + weight * share))
    return sorted(boosted, key=lambda kv: (-kv[1], kv[0])) + tail


_UNITS_NOTE = re.compile(r"\([^)]*\)")


def prefer_rows(index: Index, query: str, fused: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Within each document, put the passages holding the table row the query asks for first.

    A statement table states each figure once, in a row of numbers that neither ranking reads well: its words
    are few, and its vector is far from a question's. The pages around it that talk about the same line in
    prose ("revenue grew 8% in fiscal 2022") win both rankings. Every table qa reads becomes one sentence per
    row, "<label> (<units>): <column> is <figure>; ..." (``qa.ingest.tables``), so a row can be matched: a
    passage holds the asked row when at least half its label's words are words of the query (its names and
    years aside: a row labelled "Group" is no answer about "Alibaba's Cloud Intelligence Group") and, when the
    query names a year, a column names it too. Such passages take the best places their document holds in the
    ranking, in their own order; documents keep their places, so which article answers is still the rankings'
    and ``prefer_named``'s call. A document is a filing's company and period where its cover states both (a
    filing split into several files), else its file.
    """
    asked = content_words(query) - content_words(" ".join(key_terms(query)))
    if not asked:
        return fused
    wanted_years = years(query)
    holds = [_holds_row(index.chunks[chunk_id].text, asked, wanted_years) for chunk_id, _ in fused]
    places: dict[tuple, list[int]] = {}
    for position, (chunk_id, _) in enumerate(fused):
        places.setdefault(_document(index.chunks[chunk_id]), []).append(position)
    reordered = list(fused)
    for positions in places.values():
        members = sorted(positions, key=lambda p: (not holds[p], p))
        for place, member in zip(positions, members):
            reordered[place] = (fused[member][0], fused[place][1])
    return reordered


def _holds_row(text: str, asked: set[str], wanted_years: set[str]) -> bool:
    for row in ROW_SENTENCE.finditer(text):
        label = content_words(_UNITS_NOTE.sub(" ", row["label"]))
        if label and len(label & asked) * 2 >= len(label) \
                and (not wanted_years or any(y in row["cells"] for y in wanted_years)):
            return True
    return False


def _document(chunk) -> tuple:
    return ("filing", chunk.company.lower(), chunk.period.lower()) if chunk.company and chunk.period \
        else ("file", chunk.path)


def passage_from_chunk(index: Index, rank: int, chunk_id: int, score: float, similarity: float) -> Passage:
    chunk = index.chunks[chunk_id]
    return Passage(rank=rank, score=round(score, 6), similarity=round(similarity, 4), title=chunk.title,
                   date=chunk.date, source=chunk.source, path=chunk.path, url=chunk.url, text=chunk.text,
                   chunk_id=chunk_id, flagged=chunk.flagged, page=chunk.page, company=chunk.company,
                   period=chunk.period)
