"""The steps of hybrid retrieval after the store's fused dense and BM25 rankings: the lifts that read the query's
filer, names, years and table rows (``qa.retrieval.retriever`` runs them in order), and the passages they hand on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..ingest.tables import ROW_SENTENCE
from ..store.chunks import Chunk
from ..text.names import key_terms, years
from ..text.words import content_words

@dataclass
class Passage:
    """A retrieved passage: its chunk (text and article metadata, read from the store once) with where it ranked.
    ``score`` is the fused RRF score; ``similarity`` the cosine to the query."""

    rank: int
    score: float
    similarity: float
    chunk_id: int
    chunk: Chunk

    title = property(lambda self: self.chunk.title)
    date = property(lambda self: self.chunk.date)
    source = property(lambda self: self.chunk.source)
    path = property(lambda self: self.chunk.path)
    url = property(lambda self: self.chunk.url)
    text = property(lambda self: self.chunk.text)
    flagged = property(lambda self: self.chunk.flagged)
    page = property(lambda self: self.chunk.page)
    company = property(lambda self: self.chunk.company)
    period = property(lambda self: self.chunk.period)
    heading = property(lambda self: self.chunk.heading)

    def searchable(self) -> str:
        return self.chunk.searchable()

    def to_dict(self) -> dict:
        return {"rank": self.rank, "score": self.score, "similarity": self.similarity, "title": self.title,
                "date": self.date, "source": self.source, "path": self.path, "url": self.url, "text": self.text,
                "chunk_id": self.chunk_id, "flagged": self.flagged, "page": self.page, "company": self.company,
                "period": self.period}


class Scored(NamedTuple):
    """A passage in a ranking that is still being lifted: its id, its score so far and its chunk."""

    chunk_id: int
    score: float
    chunk: Chunk


@dataclass
class Found:
    """What search hands on: the ranked passages and the query's vector, which context reuses rather than
    embedding the query again."""

    query: str
    vector: np.ndarray | None  # None when nothing was searched (an empty index)
    passages: list[Passage]


def prefer_filings(within: list[Scored], ranked: list[Scored], bonus: float) -> list[Scored]:
    """The ranking of the articles the question's company and years leave open (``within``, see
    ``qa.retrieval.filings``), each score raised by ``bonus``, then the rest of the store's ranking: a bonus above
    any RRF score keeps them ahead of the lifts that follow."""
    first = {s.chunk_id for s in within}
    return [s._replace(score=s.score + bonus) for s in within] + [s for s in ranked if s.chunk_id not in first]


def prefer_named(query: str, fused: list[Scored], weight: float, depth: int) -> list[Scored]:
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
    for scored in head:
        haystack = scored.chunk.searchable().lower()
        share = sum(t in haystack for t in terms) / len(terms)
        boosted.append(scored._replace(score=scored.score + weight * share))
    return sorted(boosted, key=lambda s: (-s.score, s.chunk_id)) + tail


_UNITS_NOTE = re.compile(r"\([^)]*\)")


def prefer_rows(query: str, fused: list[Scored]) -> list[Scored]:
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
    holds = [_holds_row(s.chunk.text, asked, wanted_years) or any(title.search(s.chunk.text) for title in statements)
             for s in fused]
    places: dict[tuple, list[int]] = {}
    for position, scored in enumerate(fused):
        places.setdefault(_document(scored.chunk), []).append(position)
    reordered = list(fused)
    for positions in places.values():
        members = sorted(positions, key=lambda p: (not holds[p], p))
        for place, member in zip(positions, members):
            reordered[place] = fused[member]._replace(score=fused[place].score)
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


def _document(chunk: Chunk) -> tuple:
    return ("filing", chunk.company.lower(), chunk.period.lower()) if chunk.company and chunk.period \
        else ("file", chunk.path)

