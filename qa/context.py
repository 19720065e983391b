"""Choose what the model reads: the few sentences of the retrieved passages that bear on the question.

Small models pick the wrong figure when a passage holds several (revenue next to net income, one quarter
next to another), and every prompt token costs time on a CPU. So passages are cut into sentences, each
sentence is scored against the question (cosine of embeddings plus word overlap), and only the best few
go into the prompt, grouped under their article's numbered header, in their original order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from .embedding import Embedder
from .grounding import key_terms
from .search import Passage

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”']?\s+(?=[\"“(]?[A-Z0-9])")
_WORD = re.compile(r"[a-z0-9]+")
STOPWORDS = set("""a an the of in on for to and or by with what which who whom whose when where why how did does do was
were is are has have had its it their his her from at as that this than be been much many much per""".split())


@dataclass
class Sentence:
    passage: int
    position: int
    text: str
    score: float = 0.0


def sentences(text: str) -> list[str]:
    return [s.strip() for para in text.split("\n") for s in _SENTENCE_END.split(para) if s.strip()]


def focus(question: str, passages: list[Passage], max_articles: int = 2) -> list[Passage]:
    """Passages of the best-ranked article, plus the next articles needed to cover names it lacks.

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
    return [p for group in chosen for p in group]


def _missing_terms(question: str, group: list[Passage]) -> set[str]:
    text = " ".join(p.searchable() for p in group).lower()
    return {t for t in key_terms(question) if t.lower() not in text}


def select(question: str, passages: list[Passage], embedder: Embedder, budget: int = 5,
           lexical_weight: float = 0.3) -> list[Passage]:
    """The most relevant sentences (at most ``budget``) of the focused articles, one passage per article."""
    passages = focus(question, passages)
    pool = [Sentence(i, j, s) for i, p in enumerate(passages) for j, s in enumerate(sentences(p.text))]
    if not pool:
        return []
    vectors = embedder.encode([question] + [f"{passages[s.passage].title}: {s.text}" for s in pool])
    cosines = vectors[1:] @ vectors[0]
    asked = _content_words(question)
    for sentence, cosine in zip(pool, cosines):
        overlap = len(asked & _content_words(sentence.text)) / max(len(asked), 1)
        sentence.score = float(cosine) + lexical_weight * overlap
    chosen = sorted(pool, key=lambda s: -s.score)[:budget]
    by_article: dict[str, list[Sentence]] = {}
    for sentence in sorted(chosen, key=lambda s: (s.passage, s.position)):
        by_article.setdefault(passages[sentence.passage].path, []).append(sentence)
    return [replace(passages[group[0].passage], text=" ".join(s.text for s in group))
            for group in sorted(by_article.values(), key=lambda g: g[0].passage)]


def _content_words(text: str) -> set[str]:
    return {w.rstrip("s") for w in _WORD.findall(text.lower()) if w not in STOPWORDS}
