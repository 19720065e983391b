"""Choose what the model reads: the few sentences of the best articles that bear on the question.

Small models pick the wrong figure when a passage holds several (revenue next to net income, one quarter
next to another), and every prompt token costs time on a CPU. So the best-ranked article (plus any other
the question names) is cut into sentences, each sentence is scored against the question (cosine of
embeddings plus IDF-weighted word overlap), and only the best few go into the prompt, under their
article's numbered header, in their original order.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from .embedding import Embedder
from .grounding import key_terms
from .index import Index
from .search import Passage, passage_from_chunk

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”']?\s+(?=[\"“(]?[A-Z0-9])")
_WORD = re.compile(r"[a-z0-9]+(?:\.[a-z0-9]+)*")
STOPWORDS = set("""a an the of in on for to and or by with what which who whom whose when where why how did does do was
were is are has have had its it their his her from at as that this than be been much many per""".split())
MAX_ARTICLE_CHUNKS = 24


@dataclass
class Context:
    """What the model reads (``shown``), a narrower retry (``narrow``: the single best sentence), and the
    whole focused articles (``articles``) that the coverage checks search."""

    shown: list[Passage]
    narrow: list[Passage]
    articles: list[Passage]


@dataclass
class Sentence:
    passage: int
    position: int
    text: str
    score: float = 0.0


def sentences(text: str) -> list[str]:
    return [s.strip() for para in text.split("\n") for s in _SENTENCE_END.split(para) if s.strip()]


def focus(question: str, passages: list[Passage], max_articles: int = 2) -> list[list[Passage]]:
    """The best-ranked article's passages, plus the next articles needed to cover names it lacks.

    The 0.5B model copies figures from whichever source is nearest to hand, so unrelated articles are
    kept out; a comparison ("Alibaba's or Tencent's?") still gets one article per company it names.
    """
    articles: dict[str, list[Passage]] = {}
    for passage in passages:
        articles.setdefault(passage.path, []).append(passage)
    groups = list(articles.values())
    if not groups:
        return []
    chosen = [groups[0]]
    missing = _missing_terms(question, groups[0])
    for group in groups[1:]:
        if not missing or len(chosen) >= max_articles:
            break
        covers = missing - _missing_terms(question, group)
        if covers:
            chosen.append(group)
            missing -= covers
    return chosen


def _missing_terms(question: str, group: list[Passage]) -> set[str]:
    text = " ".join(p.searchable() for p in group).lower()
    return {t for t in key_terms(question) if t.lower() not in text}


def whole_articles(index: Index, groups: list[list[Passage]]) -> list[Passage]:
    """Every passage of each chosen article, in reading order: the answer may sit in a chunk search missed."""
    expanded = []
    for group in groups:
        ids = index.chunk_ids(group[0].path)[:MAX_ARTICLE_CHUNKS]
        expanded.extend(passage_from_chunk(index, group[0].rank, i, group[0].score, group[0].similarity)
                        for i in ids)
    return expanded


def select(question: str, found: list[Passage], index: Index, embedder: Embedder, budget: int = 5,
           lexical_weight: float = 0.5) -> Context:
    """The most relevant sentences (at most ``budget``) of the focused articles, one passage per article."""
    articles = whole_articles(index, focus(question, found))
    pool = [Sentence(i, j, s) for i, p in enumerate(articles) for j, s in enumerate(sentences(p.text))]
    if not pool:
        return Context([], [], articles)
    vectors = embedder.encode([question] + [f"{articles[s.passage].title}: {s.text}" for s in pool])
    cosines = vectors[1:] @ vectors[0]
    idf = _idf(index)
    asked = _content_words(question)
    asked_weight = sum(idf.get(w, 1.0) for w in asked) or 1.0
    for sentence, cosine in zip(pool, cosines):
        shared = asked & _content_words(sentence.text)
        sentence.score = float(cosine) + lexical_weight * sum(idf.get(w, 1.0) for w in shared) / asked_weight
    ranked = sorted(pool, key=lambda s: -s.score)
    return Context(_grouped(articles, ranked[:budget]), _grouped(articles, ranked[:1]), articles)


def _grouped(articles: list[Passage], chosen: list[Sentence]) -> list[Passage]:
    """Sentences back into one passage per article, in reading order."""
    by_article: dict[str, list[Sentence]] = {}
    for sentence in sorted(chosen, key=lambda s: (s.passage, s.position)):
        by_article.setdefault(articles[sentence.passage].path, []).append(sentence)
    return [replace(articles[group[0].passage], text=" ".join(s.text for s in group))
            for group in by_article.values()]


@lru_cache(maxsize=4)
def _idf(index: Index) -> dict[str, float]:
    """Inverse document frequency of words over the index's chunks: rare words tell sentences apart."""
    counts: dict[str, int] = {}
    for chunk in index.chunks:
        for word in _content_words(f"{chunk.title} {chunk.text}"):
            counts[word] = counts.get(word, 0) + 1
    total = len(index.chunks)
    return {w: math.log(1 + total / c) for w, c in counts.items()}


def _content_words(text: str) -> set[str]:
    return {w.rstrip("s") for w in _WORD.findall(text.lower()) if w not in STOPWORDS}
