"""Keyword side of the index: BM25 (bm25s) over the terms stored in SQLite.

One BM25 model per field (folded terms, segmented words), rebuilt from the
stored terms at each build and memory-mapped at search time. Scores come back
aligned to chunk ids so that the fields and the dense leg can be fused.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

KEYWORD_DIR = "keyword"
K1, B = 1.2, 0.75


@dataclass
class KeywordField:
    """One BM25 model; ``ids[row]`` is the chunk id of BM25 document ``row``."""

    name: str
    ids: np.ndarray
    retriever: object | None  # bm25s.BM25, None when the field is empty

    @classmethod
    def build(cls, name: str, ids: list[int], corpus: list[list[str]]) -> KeywordField:
        import bm25s

        if not ids:
            return cls(name, np.zeros(0, dtype=np.int64), None)
        retriever = bm25s.BM25(k1=K1, b=B, method="lucene")
        # bm25s needs at least one token per document.
        retriever.index([doc or ["\u2205"] for doc in corpus], show_progress=False)
        return cls(name, np.asarray(ids, dtype=np.int64), retriever)

    def save(self, folder: Path) -> None:
        target = folder / KEYWORD_DIR / self.name
        target.mkdir(parents=True, exist_ok=True)
        np.save(target / "ids.npy", self.ids)
        if self.retriever is not None:
            self.retriever.save(str(target), show_progress=False)

    @classmethod
    def load(cls, folder: Path, name: str) -> KeywordField:
        import bm25s

        target = folder / KEYWORD_DIR / name
        ids = np.load(target / "ids.npy")
        if not len(ids):
            return cls(name, ids, None)
        retriever = bm25s.BM25.load(str(target), mmap=True, show_progress=False)
        return cls(name, ids, retriever)

    def scores(self, terms: list[str]) -> np.ndarray:
        """BM25 score of every passage (aligned to ``ids``) for the query terms."""
        if self.retriever is None or not terms:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self.retriever.get_scores(list(terms)), dtype=np.float32)

    def idf(self, term: str) -> float:
        """Lucene IDF; a term absent from the corpus gets the largest IDF."""
        if self.retriever is None:
            return 0.0
        n = int(self.retriever.scores["num_docs"])
        tid = self.retriever.vocab_dict.get(term)
        indptr = self.retriever.scores["indptr"]
        df = 0 if tid is None or term == "" else int(indptr[tid + 1] - indptr[tid])
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def df(self, term: str) -> int:
        if self.retriever is None:
            return 0
        tid = self.retriever.vocab_dict.get(term)
        if tid is None:
            return 0
        indptr = self.retriever.scores["indptr"]
        return int(indptr[tid + 1] - indptr[tid])


def save_fields(folder: Path, fields: list[KeywordField]) -> None:
    for f in fields:
        f.save(folder)
    (folder / KEYWORD_DIR / "fields.json").write_text(json.dumps([f.name for f in fields]))


def load_fields(folder: Path) -> dict[str, KeywordField]:
    names = json.loads((folder / KEYWORD_DIR / "fields.json").read_text())
    return {n: KeywordField.load(folder, n) for n in names}
