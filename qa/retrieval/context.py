"""Choose what the model reads: the sentences of the retrieved articles that bear most on the question.

Every prompt token costs time on a CPU, and small models pick the wrong figure from long passages. So the
articles of the best-ranked passages are cut into sentences, each sentence is scored against the question
(cosine of embeddings plus IDF-weighted word overlap), and the best few, with the sentence before each when
asked for (it often names the subject that "the company" refers to), go into the prompt under their article's
numbered header, in reading order. How many is a setting decided by measurement (benchmarks/README.md).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from ..embedding import Embedder
from ..store.index import Index
from ..text.words import content_words, sentences
from .search import Passage, passage_from_chunk

MAX_ARTICLE_CHUNKS = 24


@dataclass
class Context:
    """What the model reads (``shown``) and the whole articles it comes from (``articles``), where the checks
    look for the names an answer uses (an article names its company once, then says "the company")."""

    shown: list[Passage]
    articles: list[Passage]


@dataclass
class Sentence:
    passage: int
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


def whole_articles(index: Index, groups: list[list[Passage]]) -> list[Passage]:
    """Every passage of each chosen article, in reading order: the answer may sit in a chunk search missed."""
    expanded = []
    for group in groups:
        ids = index.chunk_ids(group[0].path)[:MAX_ARTICLE_CHUNKS]
        expanded.extend(passage_from_chunk(index, group[0].rank, i, group[0].score, group[0].similarity)
                        for i in ids)
    return expanded


def select(question: str, found: list[Passage], index: Index, embedder: Embedder, *, budget: int, window: int,
           max_articles: int, lexical_weight: float = 0.5) -> Context:
    """The ``budget`` most relevant sentences of the first ``max_articles`` retrieved articles, each with the
    ``window`` sentences before it, grouped into one passage per article."""
    groups = article_groups(found)[:max_articles]
    articles = whole_articles(index, groups)
    pool = _sentence_pool(articles)
    if not pool:
        return Context([], articles)
    vectors = embedder.encode([question] + [f"{articles[s.passage].title}: {s.text}" for s in pool])
    idf = _idf(index)
    asked = content_words(question)
    asked_weight = sum(idf.get(w, 1.0) for w in asked) or 1.0
    for sentence, cosine in zip(pool, vectors[1:] @ vectors[0]):
        shared = asked & content_words(sentence.text)
        sentence.score = float(cosine) + lexical_weight * sum(idf.get(w, 1.0) for w in shared) / asked_weight
    path = lambda s: articles[s.passage].path  # noqa: E731
    best = sorted(pool, key=lambda s: -s.score)[:budget]
    chosen = {j for b in best for j in range(max(0, b.position - window), b.position + 1) if path(pool[j]) == path(b)}
    return Context(_grouped(articles, [pool[j] for j in sorted(chosen)]), articles)


def _sentence_pool(articles: list[Passage]) -> list[Sentence]:
    """Each article's sentences once, in reading order (neighbouring chunks overlap, so sentences repeat)."""
    pool, seen = [], set()
    for i, passage in enumerate(articles):
        for text in sentences(passage.text):
            if (passage.path, text) not in seen:
                seen.add((passage.path, text))
                pool.append(Sentence(i, len(pool), text))
    return pool


def _grouped(articles: list[Passage], chosen: list[Sentence]) -> list[Passage]:
    """Sentences back into one passage per article (per page of a paged one), in reading order."""
    by_article: dict[tuple, list[Sentence]] = {}
    for sentence in sorted(chosen, key=lambda s: (s.passage, s.position)):
        passage = articles[sentence.passage]
        by_article.setdefault((passage.path, passage.page), []).append(sentence)
    return [replace(articles[group[0].passage], text=" ".join(s.text for s in group))
            for group in by_article.values()]


@lru_cache(maxsize=4)
def _idf(index: Index) -> dict[str, float]:
    """Inverse document frequency of words over the index's chunks: rare words tell sentences apart."""
    counts: dict[str, int] = {}
    for chunk in index.chunks:
        for word in content_words(f"{chunk.title} {chunk.text}"):
            counts[word] = counts.get(word, 0) + 1
    total = len(index.chunks)
    return {w: math.log(1 + total / c) for w, c in counts.items()}


