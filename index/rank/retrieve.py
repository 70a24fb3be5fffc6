"""Hybrid retrieval over one published index version.

Keyword (BM25 over folded terms and over segmented words) and dense (e5)
scores are fused; each leg can be run alone so ``make bench`` can measure it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.errors import IndexDamaged, IndexMissing
from index.language.restore import Restorer
from index.language.segment import number_terms
from index.rank.fusion import max_normalise, top_k, weighted_sum
from index.rank.query import Query
from index.records import Chunk, Document
from index.store import segments
from index.store.database import Database, db_path
from index.store.keyword import FIELDS, KeywordField
from index.store.vectors import VectorIndex

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RankingConfig:
    """Weights of the fused score; ``mode`` runs one leg alone for measurement."""

    mode: str = "hybrid"  # "hybrid" | "keyword" | "dense"
    w_terms: float = 1.0
    w_words: float = 0.15
    w_dense: float = 0.5
    dense_k: int = 100
    candidates: int = 40


@dataclass(frozen=True)
class Candidate:
    chunk_id: int
    score: float
    parts: dict[str, float] = field(default_factory=dict)


class Searcher:
    """Everything needed to rank passages of one index generation, loaded once.

    Its database connection keeps the read transaction it loaded under, so the
    passages it fetches later belong to the same generation as its vectors and
    keyword fields, whatever a build commits meanwhile.
    """

    def __init__(self, index_dir: Path, embedder) -> None:
        self.index_dir = index_dir
        if not db_path(index_dir).exists():
            raise IndexMissing(f"no index in {index_dir}")
        self.db = Database(db_path(index_dir), snapshot=True)
        self.generation = self.db.generation()
        manifest = self.db.manifest()
        if manifest is None:
            self.db.close()
            raise IndexMissing(f"no index in {index_dir}")
        self.manifest = manifest
        live = self.db.segments()
        bad = segments.damaged(index_dir, live)
        if bad:
            self.db.close()
            raise IndexDamaged("; ".join(f"segment {s.segment}: {why}" for s, why in bad))
        ids = np.asarray(self.db.chunk_ids(), dtype=np.int64)
        folder = segments.folder(index_dir)
        names = [segments.file_names(s.segment) for s in live]
        self.vectors = VectorIndex.load_segments([folder / n["vectors"] for n in names], ids, manifest.dim)
        self.fields = {f: KeywordField.load(f, [folder / n[f] for n in names], ids) for f in FIELDS}
        self.restorer = Restorer.from_counts(*self.db.counts())
        self.embedder = embedder
        self.documents: dict[str, Document] = {d.doc_id: d for d in self.db.documents()}
        # Document numbers as terms ("kh40", "40_kh_bdvtu-bcsdubnd"), to tell at once which
        # document a question names without scanning every document per question.
        self.doc_numbers: dict[str, set[str]] = {}
        self.docs_by_number: dict[str, set[str]] = {}
        for doc in self.documents.values():
            terms = set(number_terms(f"{doc.type or ''} số {doc.number}")) if doc.number else set()
            self.doc_numbers[doc.doc_id] = terms
            for t in terms:
                self.docs_by_number.setdefault(t, set()).add(doc.doc_id)
        self.tasks = self.db.tasks()
        self.references = self.db.references()
        self.refs_by_chunk: dict[int, list] = {}
        for ref in self.references:
            self.refs_by_chunk.setdefault(ref.chunk_id, []).append(ref)
        self.tasks_by_chunk: dict[int, list] = {}
        for task in self.tasks:
            self.tasks_by_chunk.setdefault(task.chunk_id, []).append(task)
        ids = self.fields["terms"].ids
        self.ids = ids
        self.row_of = {int(cid): row for row, cid in enumerate(ids)}
        self._doc_of_row: np.ndarray | None = None

    def close(self) -> None:
        self.db.close()

    def chunks(self, ids: list[int]) -> dict[int, Chunk]:
        return self.db.chunks(ids)

    def keyword_scores(self, query: Query) -> dict[str, np.ndarray]:
        parts = {"terms": self.fields["terms"].scores(list(query.terms))}
        if query.accented and "words" in self.fields:
            parts["words"] = self.fields["words"].scores(_segmenter().word_terms(query.canonical))
        return parts

    def nearest(self, query_vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Chunk ids and cosines of the ``k`` passages nearest to the question, nearest first."""
        return self.vectors.search(query_vector, k)

    def dense_scores(self, nearest: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """The nearest passages' cosines (others 0), aligned to rows."""
        out = np.zeros(len(self.ids), dtype=np.float32)
        for cid, sim in zip(*nearest):
            row = self.row_of.get(int(cid))
            if row is not None:
                out[row] = sim
        return out

    def retrieve(self, query: Query, config: RankingConfig = RankingConfig(),
                 nearest: tuple[np.ndarray, np.ndarray] | None = None) -> list[Candidate]:
        """Candidates best first, with each leg's contribution kept for reranking.

        ``nearest`` is the dense search already run for the question's embedding
        (of its diacritics-restored form when typed without marks): the engine
        also needs it for the no-answer decision, so it is searched once.
        """
        if not len(self.ids):
            return []
        parts: dict[str, np.ndarray] = {}
        if config.mode in ("hybrid", "keyword"):
            for name, scores in self.keyword_scores(query).items():
                parts[name] = max_normalise(scores)
        if config.mode in ("hybrid", "dense"):
            if nearest is None:
                nearest = self.nearest(self.embedder.embed_query(query.canonical), config.dense_k)
            parts["dense"] = _dense_normalise(self.dense_scores(nearest))
        weights = {"terms": config.w_terms, "words": config.w_words, "dense": config.w_dense}
        if config.mode == "dense":
            weights = {"dense": 1.0}
        if config.mode == "keyword":
            weights = {"terms": config.w_terms, "words": config.w_words}
        total = weighted_sum(parts, weights)
        rows = top_k(total, config.candidates)
        return [Candidate(int(self.ids[r]), float(total[r]), {n: float(p[r]) for n, p in parts.items()})
                for r in rows if total[r] > 0]


def _dense_normalise(sims: np.ndarray) -> np.ndarray:
    """Map the retrieved cosines onto [0, 1] within this query's top list.

    e5 cosines crowd into 0.75–0.9 for any Vietnamese text, so their spread,
    not their level, carries the signal.
    """
    nz = sims[sims > 0]
    if nz.size == 0:
        return sims
    lo, hi = float(nz.min()), float(nz.max())
    if hi - lo < 1e-6:
        return (sims > 0).astype(np.float32)
    out = (sims - lo) / (hi - lo)
    out[sims <= 0] = 0
    return out.astype(np.float32)


_SEGMENTER = None


def _segmenter():
    global _SEGMENTER
    if _SEGMENTER is None:
        from index.language.segment import Segmenter

        _SEGMENTER = Segmenter()
    return _SEGMENTER


# --------------------------------------------------------------------------- CLI
