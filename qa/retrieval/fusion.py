"""How the dense and BM25 rankings become one: reciprocal rank fusion. Retrieval chooses it; each store carries it
out in its own engine, as it does the filters (the FAISS store fuses its two rankings here, the Milvus store hands
``k`` to Milvus's RRF ranker)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReciprocalRankFusion:
    """Each ranking adds 1 / (k + rank) to an item: ranks, not scores, are summed, so rankings whose scores are not
    comparable (cosines, BM25) weigh alike. ``k`` (``RetrievalSettings.rrf_k``) damps the lead of the first places."""

    k: int

    def fuse(self, rankings: list[list[int]]) -> list[tuple[int, float]]:
        """Each item with its summed score, best first, ties by id."""
        scores: dict[int, float] = {}
        for ranking in rankings:
            for rank, item in enumerate(ranking, start=1):
                scores[item] = scores.get(item, 0.0) + 1.0 / (self.k + rank)
        return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
