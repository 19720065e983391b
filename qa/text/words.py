"""Words of text: sentences, content words and BM25 tokens, one place for each way qa cuts text up.

Two word forms serve two jobs. BM25 wants stemmed, stop-worded tokens in bm25s's own format (Snowball
English, the stemmer built once). Sentence scoring in ``qa.retrieval.context`` wants cheap content words with
a plural "s" trimmed, compared by IDF: that form was measured there (benchmarks/README.md) and is kept.
"""

from __future__ import annotations

import re
from functools import lru_cache

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”']?\s+(?=[\"“(]?[A-Z0-9])")
_WORD = re.compile(r"[^\W_]+(?:\.[^\W_]+)*")  # letters of any script and digits ("γδ", "café")
STOPWORDS = set("""a an the of in on for to and or by with what which who whom whose when where why how did does do was
were is are has have had its it their his her from at as that this than be been much many per""".split())


def sentences(text: str) -> list[str]:
    return [s.strip() for para in text.split("\n") for s in _SENTENCE_END.split(para) if s.strip()]


def content_words(text: str) -> set[str]:
    return {w.rstrip("s") for w in _WORD.findall(text.lower()) if w not in STOPWORDS}


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def bm25_tokens(texts: list[str], as_ids: bool = True):
    """Lower-cased, stop-worded, stemmed tokens: ids for indexing, words for querying."""
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), return_ids=as_ids,
                          show_progress=False)
