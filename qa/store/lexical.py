"""BM25 over a generation's passages: one bm25s index of the passages of the last full write, and a small one of
the passages added since.

bm25s stores each (passage, word) score precomputed with the collection's IDF and mean passage length, and has
no way to add passages: adding a few thousand passages to a million would mean tokenising and scoring the
million again (about 50 s, benchmarks/README.md). So the index of the last full write stays as it was (each
new generation hard-links its files), and each ingest builds a bm25s index of only the passages added since
(``NEW``), which compaction folds back into one (``qa.store.index.COMPACT_SHARE``).

Scores of the two stay comparable: at query time each word's scores are rescaled from the IDF its own index
computed to the IDF over both (document counts and frequencies summed), so a passage scores as it would in one
index over all passages but for the mean length each index normalises by. Removed passages count in the IDF
until compaction; the store leaves them out of results.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..text.words import bm25_tokens

BASE, NEW = "bm25", "bm25-new"  # folders in a generation: the index of the last full write, of passages since


def write(folder: Path, texts: list[str]) -> None:
    """Save a bm25s index of ``texts`` (qa.text.words.bm25_tokens) in ``folder``; an empty text holds the place
    of a removed passage. Nothing is written when no text has a token (bm25s cannot index that)."""
    import bm25s

    tokens = bm25_tokens(texts)
    if tokens.vocab:
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        retriever.save(str(folder))


class Lexical:
    """The BM25 indexes of one generation, each covering the slots from its offset on."""

    def __init__(self, parts: list[tuple[int, object]], slots: int):
        from bm25s.scoring import _select_idf_scorer  # bm25s's own IDF formula, the one its scores hold

        self.parts, self.slots = parts, slots
        self._idf = _select_idf_scorer(parts[0][1].idf_method) if parts else None
        self._documents = sum(retriever.scores["num_docs"] for _, retriever in parts)

    @classmethod
    def load(cls, generation: Path, new_from: int, slots: int) -> "Lexical":
        """The indexes in ``generation`` over its ``slots``; the one of passages added since the last full write
        starts at slot ``new_from``. Their score arrays are memory-mapped, not read: a query reads only its words'
        postings."""
        import bm25s

        return cls([(offset, bm25s.BM25.load(str(generation / name), mmap=True, show_progress=False))
                    for name, offset in ((BASE, 0), (NEW, new_from)) if (generation / name).is_dir()], slots)

    def scores(self, words: list[str]) -> np.ndarray:
        """BM25 score of every slot for the query's tokens; zero where no token occurs."""
        scores = np.zeros(self.slots, dtype=np.float32)
        spans = [(offset, retriever, {w: _postings(retriever, w) for w in set(words)})
                 for offset, retriever in self.parts]
        frequency = {w: sum(found[w][1] - found[w][0] for *_, found in spans) for w in set(words)}
        for offset, retriever, found in spans:
            data, indices, documents = (retriever.scores[key] for key in ("data", "indices", "num_docs"))
            for word in words:
                start, end = found[word]
                if start < end:
                    weight = np.float32(self._idf(frequency[word], self._documents) / self._idf(end - start, documents))
                    ids, part = indices[start:end], data[start:end]  # no copies when there is one index
                    np.add.at(scores, ids + offset if offset else ids, part * weight if weight != 1 else part)
        return scores


def _postings(retriever, word: str) -> tuple[int, int]:
    """Where the word's passages and scores lie in the index's sparse arrays (empty for an unknown word)."""
    token = retriever.vocab_dict.get(word)
    if token is None:
        return 0, 0
    indptr = retriever.scores["indptr"]
    return int(indptr[token]), int(indptr[token + 1])
