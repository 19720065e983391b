"""Hybrid retrieval: the store's fused dense and BM25 rankings under the filters, then the lifts that read the
query's names, years and table rows."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from ..embedding import Embedder
from ..ingest.tables import ROW_SENTENCE
from ..settings import RetrievalSettings
from ..store.base import Store
from ..store.chunks import heading
from ..store.filters import Filters
from . import filings
from .fusion import ReciprocalRankFusion
from ..text import glossary
from ..text.dates import searchable
from ..text.names import key_terms, years
from ..text.words import bm25_tokens, content_words

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
    vector: np.ndarray | None  # None when nothing was searched (an empty index)
    passages: list[Passage]


def search(index: Store, embedder: Embedder, query: str, settings: RetrievalSettings, *, k: int | None = None,
           filters: Filters | None = None, mode: str = "hybrid") -> Found:
    """The top ``k`` passages for ``query`` (``settings.top_k`` by default); each ranking offers
    ``settings.candidates`` to the fusion. ``mode`` is 'hybrid', 'dense' or 'bm25' (the last two for
    comparison)."""
    k = settings.top_k if k is None else k
    if len(index) == 0 or k <= 0:
        return Found(query, None, [])
    if settings.expand_terms:
        query = glossary.expanded(query)
    query_vector = embedder.encode([query])[0]
    words = bm25_tokens([query], as_ids=False)[0]
    fusion = ReciprocalRankFusion(settings.rrf_k)
    ranked = index.ranked(query_vector, words, settings.candidates, filters or None, fusion, mode)
    if settings.filing_preference and (paths := filings.open_to(index.catalog(), query)):
        within = index.ranked(query_vector, words, settings.candidates, replace(filters or Filters(), paths=paths),
                              fusion, mode)
        ranked = prefer_filings(within, ranked, settings.filing_preference)
    named = prefer_named(index, query, ranked, settings.name_weight, settings.name_depth)
    fused = prefer_rows(index, query, named)[:k]
    similarities = index.similarities([i for i, _ in fused], query_vector)
    return Found(query, query_vector, [passage_from_chunk(index, rank, chunk_id, score, float(sim))
                                       for rank, ((chunk_id, score), sim) in enumerate(zip(fused, similarities), 1)])


def prefer_filings(within: list[tuple[int, float]], ranked: list[tuple[int, float]], bonus: float
                   ) -> list[tuple[int, float]]:
    """The ranking of the articles the question's company and years leave open (``within``, see
    ``qa.retrieval.filings``), each score raised by ``bonus``, then the rest of the store's ranking: a bonus above
    any RRF score keeps them ahead of the lifts that follow."""
    first = {chunk_id for chunk_id, _ in within}
    return [(chunk_id, score + bonus) for chunk_id, score in within] + [x for x in ranked if x[0] not in first]


def prefer_named(index: Store, query: str, fused: list[tuple[int, float]], weight: float, depth: int
                 ) -> list[tuple[int, float]]:
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


def prefer_rows(index: Store, query: str, fused: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Within each document, put the passages holding the table row the query asks for first.

    A statement table states each figure once, in a row of numbers that neither ranking reads well: its words
    are few, and its vector is far from a question's. The pages around it that talk about the same line in
    prose ("revenue grew 8% in fiscal 2022") win both rankings. Every table qa reads becomes one sentence per
    row, "<label> (<units>): <column> is <figure>; ..." (``qa.ingest.tables``), so a row can be matched: a
    passage holds the asked row when at least half its label's words are words of the query (its names and
    years aside: a row labelled "Group" is no answer about "Alibaba's Cloud Intelligence Group") and, when the
    query names a year, a column names it too; or, when the query names a primary statement ("the balance
    sheet"), a passage carries that statement's title (``STATEMENTS``). Such passages take the best places their
    document holds in the ranking, in their own order; documents keep their places, so which article answers is
    still the rankings' and ``prefer_named``'s call. A document is a filing's company and period where its cover states both (a
    filing split into several files), else its file.
    """
    asked = content_words(query) - content_words(" ".join(key_terms(query)))
    statements = [title for name, title in STATEMENTS if name.search(query)]
    if not asked and not statements:
        return fused
    wanted_years = years(query)
    holds = [_holds_row(text := index.chunks[chunk_id].text, asked, wanted_years)
             or any(title.search(text) for title in statements) for chunk_id, _ in fused]
    places: dict[tuple, list[int]] = {}
    for position, (chunk_id, _) in enumerate(fused):
        places.setdefault(_document(index.chunks[chunk_id]), []).append(position)
    reordered = list(fused)
    for positions in places.values():
        members = sorted(positions, key=lambda p: (not holds[p], p))
        for place, member in zip(positions, members):
            reordered[place] = (fused[member][0], fused[place][1])
    return reordered


# The primary statements by the names a question gives them, each with the title its page carries ("Consolidated
# Statement of Cash Flow s", as PDF text sometimes splits a word). A question that names one ("based on the cash
# flow statement") is answered from that page, which holds the figures and little prose to rank it by.
STATEMENTS = [(re.compile(asked, re.I), re.compile(title, re.I)) for asked, title in (
    (r"\bcash[\s-]+flows?\s+statements?|\bstatements?\s+of\s+cash\s+flows?",
     r"\bstatements?\s+of\s+(?:consolidated\s+)?cash\s+flow\s?s?\b"),
    (r"\bbalance\s+sheets?|\bstatements?\s+of\s+financial\s+position",
     r"\bbalance\s+shee\s?ts?\b|\bstatements?\s+of\s+(?:consolidated\s+)?financial\s+position"),
    (r"\bincome\s+statements?|\bstatements?\s+of\s+(?:income|operations|earnings)|\bP&L\b|\bprofit\s+and\s+loss",
     r"\bstatements?\s+of\s+(?:consolidated\s+)?(?:income|operations|earnings)\b|\bincome\s+statements?\b"),
)]


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


def passage_from_chunk(index: Store, rank: int, chunk_id: int, score: float, similarity: float) -> Passage:
    chunk = index.chunks[chunk_id]
    return Passage(rank=rank, score=round(score, 6), similarity=round(similarity, 4), title=chunk.title,
                   date=chunk.date, source=chunk.source, path=chunk.path, url=chunk.url, text=chunk.text,
                   chunk_id=chunk_id, flagged=chunk.flagged, page=chunk.page, company=chunk.company,
                   period=chunk.period)
