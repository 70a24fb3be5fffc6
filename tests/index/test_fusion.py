"""Ranking maths on a four-document toy corpus, with exact expected ids."""

from __future__ import annotations

import numpy as np
import pytest

from index.fusion import coverage, max_normalise, rrf, top_k, weighted_sum


def test_rrf_exact_scores_and_order():
    scores = rrf([[1, 2, 3], [3, 1, 4]], k=60)
    assert scores[1] == pytest.approx(1 / 61 + 1 / 62)
    assert scores[3] == pytest.approx(1 / 63 + 1 / 61)
    assert sorted(scores, key=lambda d: -scores[d]) == [1, 3, 2, 4]


def test_weighted_sum_and_top_k():
    kw = max_normalise(np.array([2.0, 8.0, 0.0, 4.0]))
    dense = np.array([0.9, 0.1, 1.0, 0.0])
    total = weighted_sum({"kw": kw, "dense": dense}, {"kw": 1.0, "dense": 0.5})
    assert list(top_k(total, 2)) == [1, 0]
    assert list(top_k(np.array([1.0, 3.0, 3.0]), 3)) == [1, 2, 0]


def test_coverage_is_share_of_idf_mass():
    assert coverage(2.0, 4.0) == 0.5
    assert coverage(1.0, 0.0) == 0.0
