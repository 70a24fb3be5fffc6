"""Segment files: what one build adds to the index, written once, checked on every load.

A segment is ``INDEX_DIR/segments/seg-<n>.faiss`` (the new passages'
vectors) and ``seg-<n>.terms.npz``, ``seg-<n>.words.npz`` (their keyword
postings). Their size and SHA-256 are recorded in the database's
``segments`` table in the build's transaction, after the files are fsynced,
so a file that does not match its record is damage, never a build in
progress. Files no committed generation names are left by a killed build and
removed by the next one.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import numpy as np

from index.store.database import SEGMENTS, Database, Segment, fsync_dir, fsync_file
from index.store.keyword import FIELDS, write_segment
from index.store.vectors import VectorIndex

logger = logging.getLogger(__name__)

MAX_SEGMENTS = 8  # past this many live segments, a build merges the small ones
_HASH_CHUNK = 1 << 20


def folder(index_dir: Path) -> Path:
    return index_dir / SEGMENTS


def file_names(segment: int) -> dict[str, str]:
    """kind -> file name of the files of a segment."""
    return {"vectors": f"seg-{segment:06d}.faiss", **{f: f"seg-{segment:06d}.{f}.npz" for f in FIELDS}}


def checksum(path: Path) -> tuple[int, str]:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_HASH_CHUNK):
            h.update(block)
    return path.stat().st_size, h.hexdigest()


def write(index_dir: Path, segment: int, ids: list[int], vectors: np.ndarray, dim: int,
          fields: dict[str, list[list[str]]], generation: int) -> Segment:
    """Write and fsync a segment's files; the returned record is committed by the caller."""
    root = folder(index_dir)
    root.mkdir(parents=True, exist_ok=True)
    names = file_names(segment)
    VectorIndex.build(np.asarray(ids, dtype=np.int64), vectors, dim).save(root / names["vectors"])
    for name in FIELDS:
        write_segment(root / names[name], ids, fields[name])
    files = {}
    for name in names.values():
        fsync_file(root / name)
        files[name] = checksum(root / name)
    fsync_dir(root)
    return Segment(segment=segment, rows=len(ids), files=files, created=generation)


def damaged(index_dir: Path, segments: list[Segment]) -> list[tuple[Segment, str]]:
    """Segments whose files are missing or do not match their recorded size and SHA-256, with the reason."""
    out = []
    for seg in segments:
        for name, (size, digest) in seg.files.items():
            path = folder(index_dir) / name
            if not path.exists():
                out.append((seg, f"{name} is missing"))
                break
            if path.stat().st_size != size or checksum(path)[1] != digest:
                out.append((seg, f"{name} does not match its checksum"))
                break
    return out


def collect_garbage(index_dir: Path, db: Database) -> int:
    """Remove segment files no reader can need: dropped before the current generation, or never committed.

    Called with the build lock held, so no build is writing files meanwhile. A
    reader of the previous generation may still load the segments dropped by
    the current one, so those are kept one generation longer.
    """
    gen = db.generation()
    keep: set[str] = set()
    gone = []
    for seg in db.segments(live=False):
        if seg.dropped is not None and seg.dropped < gen:
            gone.append(seg.segment)
        else:
            keep.update(seg.files)
    removed = 0
    root = folder(index_dir)
    if root.exists():
        for path in root.iterdir():
            if path.name not in keep:
                path.unlink(missing_ok=True)
                removed += 1
    if gone:
        db.conn.execute("BEGIN IMMEDIATE")
        db.forget_segments(gone)
        db.conn.execute("COMMIT")
    return removed
