"""Ranking maths on a four-document toy corpus, with exact expected ids."""

from __future__ import annotations

import numpy as np

from index.rank.fusion import coverage, max_normalise, top_k, weighted_sum


def test_weighted_sum_and_top_k():
    kw = max_normalise(np.array([2.0, 8.0, 0.0, 4.0]))
    dense = np.array([0.9, 0.1, 1.0, 0.0])
    total = weighted_sum({"kw": kw, "dense": dense}, {"kw": 1.0, "dense": 0.5})
    assert list(top_k(total, 2)) == [1, 0]
    assert list(top_k(np.array([1.0, 3.0, 3.0]), 3)) == [1, 2, 0]


def test_coverage_is_share_of_idf_mass():
    assert coverage(2.0, 4.0) == 0.5
    assert coverage(1.0, 0.0) == 0.0
