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
from .grounding import key_terms, uncovered_topics
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


def article_groups(found: list[Passage]) -> list[list[Passage]]:
    """Retrieved passages grouped by article in rank order; articles that try to instruct the model are left out."""
    articles: dict[str, list[Passage]] = {}
    for passage in found:
        if not passage.flagged:
            articles.setdefault(passage.path, []).append(passage)
    return list(articles.values())


def focus(question: str, groups: list[list[Passage]], strength: dict[str, float],
          max_articles: int = 2) -> list[list[Passage]]:
    """The article that best answers the question, plus the next ones needed to cover names it lacks.

    The best article is the one missing the fewest of the question's names and years, then the fewest of its
    topic words, then the one holding the best-matching sentence (``strength``), then the best-ranked.
    Small models copy figures from whichever source is nearest to hand, so unrelated articles are kept out;
    a comparison ("Alibaba's or Tencent's?") still gets one article per company it names.
    """
    if not groups:
        return []
    missing = {g[0].path: _missing_terms(question, g) for g in groups}
    topics = {g[0].path: uncovered_topics(question, " ".join(p.searchable() for p in g)) for g in groups}
    primary = min(groups, key=lambda g: (len(missing[g[0].path]), len(topics[g[0].path]),
                                         -strength.get(g[0].path, 0.0)))
    chosen, lacking = [primary], set(missing[primary[0].path])
    for group in groups:
        if not lacking or len(chosen) >= max_articles:
            break
        covers = lacking - missing[group[0].path]
        if group is not primary and covers:
            chosen.append(group)
            lacking -= covers
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
    groups = article_groups(found)
    candidates = whole_articles(index, groups)
    pool = [Sentence(i, j, s) for i, p in enumerate(candidates) for j, s in enumerate(sentences(p.text))]
    if not pool:
        return Context([], [], candidates)
    vectors = embedder.encode([question] + [f"{candidates[s.passage].title}: {s.text}" for s in pool])
    cosines = vectors[1:] @ vectors[0]
    idf = _idf(index)
    asked = _content_words(question)
    asked_weight = sum(idf.get(w, 1.0) for w in asked) or 1.0
    strength: dict[str, float] = {}
    for sentence, cosine in zip(pool, cosines):
        shared = asked & _content_words(sentence.text)
        sentence.score = float(cosine) + lexical_weight * sum(idf.get(w, 1.0) for w in shared) / asked_weight
        path = candidates[sentence.passage].path
        strength[path] = max(strength.get(path, -1.0), sentence.score)
    kept = {g[0].path for g in focus(question, groups, strength)}
    articles = [p for p in candidates if p.path in kept]
    ranked = sorted((s for s in pool if candidates[s.passage].path in kept), key=lambda s: -s.score)
    return Context(_grouped(candidates, ranked[:budget]), _grouped(candidates, ranked[:1]), articles)


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
