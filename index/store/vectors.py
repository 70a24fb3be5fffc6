"""Dense side of the index: the FAISS file and the embedding cache.

Embeddings are keyed by a hash of (model, text), so unchanged passages are
never embedded twice, and the cache is committed batch by batch so that a
build killed halfway resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import numpy as np

CACHE_NAME = "embeddings.sqlite"


def embed_key(model_id: str, text: str) -> str:
    return hashlib.sha256(f"{model_id}\x00{text}".encode()).hexdigest()


class EmbeddingCache:
    """SQLite table of vectors by key, shared by all versions of an index."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, timeout=60, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")
        self.conn.commit()

    def get(self, keys: list[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            part = keys[i:i + 500]
            rows = self.conn.execute(
                f"SELECT key, vec FROM vectors WHERE key IN ({','.join('?' * len(part))})", part)
            for key, blob in rows:
                out[key] = np.frombuffer(blob, dtype=np.float32)
        return out

    def put(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO vectors(key, vec) VALUES (?, ?)",
            ((k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items),
        )
        self.conn.commit()

    def keep_only(self, keys: set[str]) -> int:
        """Drop vectors no passage uses any more; returns how many were dropped."""
        stale = [k for (k,) in self.conn.execute("SELECT key FROM vectors") if k not in keys]
        for i in range(0, len(stale), 500):
            part = stale[i:i + 500]
            self.conn.execute(f"DELETE FROM vectors WHERE key IN ({','.join('?' * len(part))})", part)
        self.conn.commit()
        return len(stale)

    def close(self) -> None:
        self.conn.close()


class VectorIndex:
    """Inner-product FAISS index over L2-normalised vectors, ids = chunk ids.

    On disk each build writes one segment (a flat index of its new vectors);
    a reader merges the live segments into one in-memory flat index, leaving
    out the vectors of deleted passages (:meth:`load_segments`).
    """

    def __init__(self, index: object) -> None:
        self._index = index

    @classmethod
    def build(cls, ids: np.ndarray, vectors: np.ndarray, dim: int) -> VectorIndex:
        import faiss

        index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        if len(ids):
            index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))
        return cls(index)

    @classmethod
    def load_segments(cls, paths: list[Path], live: np.ndarray, dim: int) -> VectorIndex:
        """One index of the vectors in ``paths`` whose id is in ``live`` (sorted chunk ids)."""
        import faiss

        id_parts, vec_parts = [], []
        for path in paths:
            seg = faiss.read_index(str(path))
            ids = faiss.vector_to_array(seg.id_map).astype(np.int64)
            if not len(ids):
                continue
            vecs = faiss.rev_swig_ptr(faiss.downcast_index(seg.index).get_xb(), seg.ntotal * seg.d)
            vecs = np.array(vecs, dtype=np.float32).reshape(seg.ntotal, seg.d)
            keep = np.isin(ids, live)
            id_parts.append(ids[keep])
            vec_parts.append(vecs[keep])
        if not id_parts:
            return cls.build(np.zeros(0, dtype=np.int64), np.zeros((0, dim), dtype=np.float32), dim)
        return cls.build(np.concatenate(id_parts), np.vstack(vec_parts), dim)

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(path))

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Chunk ids and cosine similarities of the ``k`` nearest passages."""
        if self.size == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores, ids = self._index.search(np.asarray(query, dtype=np.float32).reshape(1, -1), min(k, self.size))
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]

    def vectors(self, ids: Iterable[int]) -> np.ndarray:
        return np.vstack([self._index.reconstruct(int(i)) for i in ids])
