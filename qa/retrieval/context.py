"""Choose what the model reads: the sentences of the retrieved articles that bear most on the question.

Every prompt token costs time on a CPU, and small models pick the wrong figure from long passages. So the
articles of the best-ranked passages are cut into sentences, each sentence is scored against the question
(cosine of embeddings plus IDF-weighted word overlap), and the best few, with the sentence before each when
asked for (it often names the subject that "the company" refers to), go into the prompt under their article's
numbered header, in reading order. How many is a setting decided by measurement (benchmarks/README.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache

from ..embedding import Embedder
from ..settings import RetrievalSettings
from ..store.base import Store
from ..store.chunks import Chunk
from ..text.words import content_words, sentences
from .search import Found, Passage



@dataclass
class Context:
    """What the model reads (``shown``: one passage per article and page, ranked as the article's first
    retrieved passage, with the best cosine of its retrieved passages) and the whole articles it comes from
    (``articles``), where the checks look for the names an answer uses (an article names its company once, then
    says "the company")."""

    shown: list[Passage]
    articles: list[Chunk]
    # the chosen sentences in reading order, each with the 1-based number of its passage in ``shown``: what the
    # model chooses from and copies out of
    sentences: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Sentence:
    chunk_id: int
    position: int
    text: str
    score: float = 0.0


def article_groups(found: list[Passage]) -> list[list[Passage]]:
    """Retrieved passages grouped by article in rank order; articles that try to instruct the model are left out."""
    articles: dict[str, list[Passage]] = {}
    for passage in found:
        if not passage.flagged:
            articles.setdefault(passage.path, []).append(passage)
    return list(articles.values())


def select(found: Found, index: Store, embedder: Embedder, settings: RetrievalSettings) -> Context:
    """The ``settings.context_sentences`` most relevant sentences of the first ``settings.context_articles``
    retrieved articles, each with the ``settings.context_window`` sentences before it, grouped into one passage
    per article (and page)."""
    groups = article_groups(found.passages)[:settings.context_articles]
    best = {group[0].path: replace(group[0], similarity=max(p.similarity for p in group))  # the article's best
            for group in groups}
    chunk_ids = [i for group in groups for i in _read(index.chunk_ids(group[0].path), group, settings)]
    articles = [index.chunks[i] for i in chunk_ids]
    pool = _sentence_pool(zip(chunk_ids, articles))
    if not pool:
        return Context([], articles)
    vectors = embedder.encode([f"{index.chunks[s.chunk_id].title}: {s.text}" for s in pool])
    idf = _idf(index)
    asked = content_words(found.query)
    asked_weight = sum(idf.get(w, 1.0) for w in asked) or 1.0
    for sentence, cosine in zip(pool, vectors @ found.vector):
        shared = asked & content_words(sentence.text)
        sentence.score = float(cosine) + settings.word_weight * sum(idf.get(w, 1.0) for w in shared) / asked_weight
    path = lambda s: index.chunks[s.chunk_id].path  # noqa: E731
    chosen = {j for b in sorted(pool, key=lambda s: -s.score)[:settings.context_sentences]
              for j in range(max(0, b.position - settings.context_window), b.position + 1) if path(pool[j]) == path(b)}
    shown, numbered = _grouped(index, best, [pool[j] for j in sorted(chosen)])
    return Context(shown, articles, numbered)


def _read(article: list[int], retrieved: list[Passage], settings: RetrievalSettings) -> list[int]:
    """The chunks of one article whose sentences are scored, in reading order: its first
    ``settings.article_passages`` (news states its facts early) and the passages retrieved from it, wherever
    they are (a filing's statement sits on page 60)."""
    wanted = set(article[:settings.article_passages]) | {p.chunk_id for p in retrieved}
    return [i for i in article if i in wanted]


def _sentence_pool(chunks: Iterable[tuple[int, Chunk]]) -> list[Sentence]:
    """Each article's sentences once, in reading order (neighbouring chunks overlap, so sentences repeat)."""
    pool, seen = [], set()
    for chunk_id, chunk in chunks:
        for text in sentences(chunk.text):
            if (chunk.path, text) not in seen:
                seen.add((chunk.path, text))
                pool.append(Sentence(chunk_id, len(pool), text))
    return pool


def _grouped(index: Store, best: dict[str, Passage], chosen: list[Sentence]
             ) -> tuple[list[Passage], list[tuple[int, str]]]:
    """Sentences back into one passage per article (per page of a paged one), in reading order, each ranked as
    its article's best retrieved passage; and the sentences themselves, each with its passage's number."""
    by_page: dict[tuple, list[Sentence]] = {}
    for sentence in sorted(chosen, key=lambda s: s.position):
        chunk = index.chunks[sentence.chunk_id]
        by_page.setdefault((chunk.path, chunk.page), []).append(sentence)
    shown = [replace(best[path], text=" ".join(s.text for s in group), page=page, chunk_id=group[0].chunk_id)
             for (path, page), group in by_page.items()]
    numbered = [(n, s.text) for n, group in enumerate(by_page.values(), start=1) for s in group]
    return shown, numbered


@lru_cache(maxsize=4)
def _idf(index: Store) -> dict[str, float]:
    """Inverse document frequency of words over the index's chunks: rare words tell sentences apart."""
    counts: dict[str, int] = {}
    for chunk in index.chunks:
        for word in content_words(f"{chunk.title} {chunk.text}"):
            counts[word] = counts.get(word, 0) + 1
    total = len(index.chunks)
    return {w: math.log(1 + total / c) for w, c in counts.items()}
