"""Reciprocal rank fusion, as retrieval hands it to the stores."""

from __future__ import annotations

import pytest

from qa.retrieval.fusion import ReciprocalRankFusion

pytestmark = pytest.mark.unit


def test_fusion_sums_reciprocal_ranks_and_breaks_ties_by_id():
    fused = ReciprocalRankFusion(k=60).fuse([[3, 1, 2], [1, 3]])
    assert [item for item, _ in fused] == [1, 3, 2]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)
    assert [item for item, _ in ReciprocalRankFusion(k=60).fuse([[5], [4]])] == [4, 5]


def test_a_smaller_k_lets_the_top_of_one_ranking_beat_the_middle_of_both():
    rankings = [[7, 5, 1], [8, 6, 1]]  # 7 and 8 each top one ranking; 1 is third in both
    assert [item for item, _ in ReciprocalRankFusion(k=60).fuse(rankings)][:3] == [1, 7, 8]
    assert [item for item, _ in ReciprocalRankFusion(k=0).fuse(rankings)][:3] == [7, 8, 1]


def test_nothing_ranked_fuses_to_nothing():
    assert ReciprocalRankFusion(k=60).fuse([]) == [] == ReciprocalRankFusion(k=60).fuse([[], []])
