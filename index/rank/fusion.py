"""Ranking maths, kept as small pure functions so each can be tested on a toy corpus."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np


def max_normalise(scores: np.ndarray) -> np.ndarray:
    """``s / max(s)``; all zeros stay zeros. Keeps BM25's relative gaps, unlike min-max."""
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top > 0 else np.zeros_like(scores)


def weighted_sum(parts: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    """``Σ_f w_f · s_f`` over aligned score arrays."""
    total = None
    for name, scores in parts.items():
        w = weights.get(name, 0.0)
        if w == 0:
            continue
        total = scores * w if total is None else total + scores * w
    if total is None:
        first = next(iter(parts.values()))
        return np.zeros_like(first)
    return total


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest scores, best first (ties by index)."""
    if scores.size == 0 or k <= 0:
        return np.zeros(0, dtype=np.int64)
    k = min(k, scores.size)
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.lexsort((part, -scores[part]))]


def coverage(score: float, idf_sum: float) -> float:
    """Share of the question's IDF mass a passage matches: ``bm25 / Σ idf`` (Lucene BM25, no k1+1).

    With Lucene's BM25 a term contributes at most its IDF, so the ratio lies in
    [0, 1]: near 1 when every informative word of the question is in the
    passage, near 0 when the corpus does not speak of the question at all.
    """
    return float(score / idf_sum) if idf_sum > 0 else 0.0
