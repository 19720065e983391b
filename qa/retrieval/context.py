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

from ..settings import RetrievalSettings
from ..store.base import Passages
from ..store.chunks import Chunk
from ..text.words import content_words, sentences
from .search import Passage


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
    chunk: Chunk
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


def best_of_articles(found: list[Passage], articles: int) -> dict[str, Passage]:
    """The first ``articles`` retrieved articles by path, each as its first retrieved passage with the best cosine
    of its retrieved passages: how a passage shown from it ranks."""
    return {group[0].path: replace(group[0], similarity=max(p.similarity for p in group))
            for group in article_groups(found)[:articles]}


def read_for_sentences(article: list[int], retrieved: set[int], first: int) -> list[int]:
    """The chunks of one article whose sentences are scored, in reading order: its ``first`` ones (news states its
    facts early) and those retrieved, wherever they are (a filing's statement sits on page 60)."""
    return [i for n, i in enumerate(article) if n < first or i in retrieved]


def sentence_pool(chunks: Iterable[tuple[int, Chunk]]) -> list[Sentence]:
    """Each article's sentences once, in reading order (neighbouring chunks overlap, so sentences repeat)."""
    pool, seen = [], set()
    for chunk_id, chunk in chunks:
        for text in sentences(chunk.text):
            if (chunk.path, text) not in seen:
                seen.add((chunk.path, text))
                pool.append(Sentence(chunk_id, chunk, len(pool), text))
    return pool


def embedded_text(sentence: Sentence) -> str:
    """What a sentence is embedded as: under its article's title, which names what "the company" is."""
    return f"{sentence.chunk.title}: {sentence.text}"


def score(pool: list[Sentence], cosines: Iterable[float], query: str, idf: dict[str, float], word_weight: float
          ) -> None:
    """Score each sentence: its cosine to the query plus ``word_weight`` times the IDF-weighted share of the
    query's words it holds."""
    asked = content_words(query)
    asked_weight = sum(idf.get(w, 1.0) for w in asked) or 1.0
    for sentence, cosine in zip(pool, cosines):
        shared = asked & content_words(sentence.text)
        sentence.score = float(cosine) + word_weight * sum(idf.get(w, 1.0) for w in shared) / asked_weight


def chosen(pool: list[Sentence], settings: RetrievalSettings) -> list[Sentence]:
    """The ``settings.context_sentences`` best-scored sentences, each with the ``settings.context_window``
    sentences before it in its article, in reading order."""
    picked = {j for b in sorted(pool, key=lambda s: -s.score)[:settings.context_sentences]
              for j in range(max(0, b.position - settings.context_window), b.position + 1)
              if pool[j].chunk.path == b.chunk.path}
    return [pool[j] for j in sorted(picked)]


def grouped(best: dict[str, Passage], chosen: list[Sentence]) -> tuple[list[Passage], list[tuple[int, str]]]:
    """Sentences back into one passage per article (per page of a paged one), in reading order, each ranked as
    its article's best retrieved passage; and the sentences themselves, each with its passage's number."""
    by_page: dict[tuple, list[Sentence]] = {}
    for sentence in sorted(chosen, key=lambda s: s.position):
        by_page.setdefault((sentence.chunk.path, sentence.chunk.page), []).append(sentence)
    shown = [replace(best[path], chunk_id=group[0].chunk_id,
                     chunk=replace(best[path].chunk, text=" ".join(s.text for s in group), page=page))
             for (path, page), group in by_page.items()]
    numbered = [(n, s.text) for n, group in enumerate(by_page.values(), start=1) for s in group]
    return shown, numbered


def word_weights(chunks: Passages) -> dict[str, float]:
    """Inverse document frequency of words over a store's chunks: rare words tell sentences apart. Not BM25's own
    IDF, which weighs other tokens (stemmed, of heading and text) by another formula."""
    counts: dict[str, int] = {}
    for chunk in chunks:
        for word in content_words(f"{chunk.title} {chunk.text}"):
            counts[word] = counts.get(word, 0) + 1
    total = len(chunks)
    return {w: math.log(1 + total / c) for w, c in counts.items()}
